-- Stepwise movement (arbetsmarknadsnämnden 2016-02-02, ärende 11: make the aspirants' stepwise movements
-- visible): for each insats that ended in the period, what came next for that person within 90 days. The
-- next step of an ended insats does not depend on the period, so it is worked out once per insats and then
-- counted in every period holding its slutdatum.
WITH avslutade AS (
    SELECT s.insats_id, s.person_key, s.insatstyp, s.slutdatum, i.avslutsgrupp,
           -- the registration's avslut is a candidate up to 90 days after the slutdatum (an earlier one too)
           CASE WHEN i.avslutsdatum <= s.slutdatum + 90 THEN i.avslutsdatum END AS avslutsdatum
    FROM staging.insatser AS s
    JOIN staging.inskrivningar AS i USING (inskrivning_id)
    WHERE s.slutdatum IS NOT NULL
),
nasta_insats AS (
    -- the person's insats (any registration) starting first from the slutdatum to 90 days after it, both
    -- days included; same startdatum: the lowest insats_id. One started before the slutdatum ran in
    -- parallel and is not a next step.
    SELECT a.insats_id,
           min(n.startdatum) AS startdatum,
           arg_min(n.insatstyp, (n.startdatum, n.insats_id)) AS insatstyp
    FROM avslutade AS a
    JOIN staging.insatser AS n
      ON n.person_key = a.person_key
     AND n.insats_id <> a.insats_id
     AND n.startdatum BETWEEN a.slutdatum AND a.slutdatum + 90
    GROUP BY a.insats_id
),
steg AS (
    SELECT a.insats_id, a.person_key, a.insatstyp AS fran_insatstyp,
           CASE WHEN n.startdatum IS NOT NULL AND (a.avslutsdatum IS NULL OR n.startdatum <= a.avslutsdatum)
                    THEN n.insatstyp
                WHEN a.avslutsdatum IS NOT NULL THEN a.avslutsgrupp
                WHEN a.slutdatum + 90 <= u.uttagsdatum THEN 'inget_inom_90_dagar'
                ELSE 'inget_annu'
           END AS till
    FROM avslutade AS a
    LEFT JOIN nasta_insats AS n USING (insats_id)
    CROSS JOIN raw.uttag AS u
)
SELECT ip.period,
       CASE WHEN grouping(s.fran_insatstyp) = 1 THEN 'totalt' ELSE s.fran_insatstyp END AS fran_insatstyp,
       CASE WHEN grouping(s.till) = 1 THEN 'totalt' ELSE s.till END AS till,
       count(*) AS overgangar,
       count(DISTINCT s.person_key) AS personer
FROM staging.insats_period AS ip
JOIN steg AS s USING (insats_id)
WHERE ip.avslutad_i_perioden
GROUP BY GROUPING SETS ((ip.period, s.fran_insatstyp, s.till), (ip.period, s.fran_insatstyp),
                        (ip.period, s.till), (ip.period))

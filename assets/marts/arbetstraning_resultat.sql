-- What became of those who ended an arbetsträning in the period (arbetsmarknadsnämnden 2019-11-26, ärende 6: 24 % work or studies, 27 %
-- still registered, 33 % återremitterade). For a person with several, the last one ended in the period
-- counts (same day: the highest insats_id); the status is that of the registration holding it, at the
-- uttagsdatum. Rows: every (period, regi, kön) with an arbetsträning active in the period.
-- The levels are those of staging.insats_niva with regi in place of jobbtorg.
WITH niva AS (
    SELECT period, dimension, grupp, person_key, inskrivning_id, insats_id, slutdatum, avslutad_i_perioden,
           CASE WHEN totalt THEN 'totalt' ELSE regi END AS regi
    FROM staging.insats_niva
    WHERE insatstyp = 'arbetstraning'
),
bas AS (
    SELECT DISTINCT period, dimension, grupp, regi, person_key FROM niva
),
sista AS (
    SELECT period, dimension, grupp, regi, person_key,
           arg_max(inskrivning_id, (slutdatum, insats_id)) AS inskrivning_id
    FROM niva
    WHERE avslutad_i_perioden
    GROUP BY period, dimension, grupp, regi, person_key
),
status AS (
    SELECT s.period, s.dimension, s.grupp, s.regi, s.person_key,
           CASE WHEN i.avslutsdatum IS NULL THEN 'fortsatt_inskriven'
                WHEN i.avslutsgrupp IN ('arbete', 'studier') THEN 'arbete_eller_studier'
                WHEN i.avslutsgrupp = 'aterremiss' THEN 'aterremitterad'
                ELSE 'ovrigt'
           END AS status
    FROM sista AS s
    JOIN staging.inskrivningar AS i USING (inskrivning_id)
)
SELECT b.period,
       b.dimension,
       b.grupp,
       b.regi,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       count(s.status) AS avslutat_arbetstraning,
       count(*) FILTER (WHERE s.status = 'arbete_eller_studier') AS arbete_eller_studier,
       count(*) FILTER (WHERE s.status = 'fortsatt_inskriven') AS fortsatt_inskrivna,
       count(*) FILTER (WHERE s.status = 'aterremitterad') AS aterremitterade,
       count(*) FILTER (WHERE s.status = 'ovrigt') AS ovrigt,
       count(*) FILTER (WHERE s.status = 'arbete_eller_studier') / nullif(count(s.status), 0)
           AS andel_arbete_eller_studier,
       count(*) FILTER (WHERE s.status = 'fortsatt_inskriven') / nullif(count(s.status), 0)
           AS andel_fortsatt_inskrivna,
       count(*) FILTER (WHERE s.status = 'aterremitterad') / nullif(count(s.status), 0)
           AS andel_aterremitterade
FROM bas AS b
LEFT JOIN status AS s USING (period, dimension, grupp, regi, person_key)
JOIN staging.personer AS p ON p.person_key = b.person_key
GROUP BY GROUPING SETS ((b.period, b.dimension, b.grupp, b.regi, p.kon),
                        (b.period, b.dimension, b.grupp, b.regi))

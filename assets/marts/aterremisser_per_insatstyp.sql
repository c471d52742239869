-- Återremisser by the insatstyper the ended registrations held (any insats of the registration, whatever
-- its dates). Rows: every (period, insatstyp) held by a registration active in the period, plus 'totalt'
-- (registrations holding any insats). No jobbtorg or kön.
WITH typer AS (
    SELECT DISTINCT inskrivning_id, insatstyp FROM staging.insatser
),
niva AS (
    SELECT ip.period, ip.person_key, ip.avslutad_i_perioden, ip.avslutsorsak,
           CASE WHEN n.totalt THEN 'totalt' ELSE t.insatstyp END AS insatstyp
    FROM staging.inskrivning_period AS ip
    JOIN typer AS t USING (inskrivning_id)
    CROSS JOIN (VALUES (false), (true)) AS n(totalt)
),
per_person AS (
    SELECT period, insatstyp, person_key,
           bool_or(avslutad_i_perioden) AS avslutad,
           bool_or(avslutad_i_perioden AND avslutsorsak = 'aterremiss') AS aterremitterad
    FROM niva
    GROUP BY period, insatstyp, person_key
)
SELECT period,
       insatstyp,
       count(*) FILTER (WHERE avslutad) AS avslutade,
       count(*) FILTER (WHERE aterremitterad) AS aterremitterade,
       count(*) FILTER (WHERE aterremitterad) / nullif(count(*) FILTER (WHERE avslutad), 0)
           AS andel_aterremitterade
FROM per_person
GROUP BY period, insatstyp

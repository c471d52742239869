-- Återremisser (avslut for aterremiss: sent back to the district office) and those who came back.
-- Rows: every (period, jobbtorg, kön) with a registration active in the period, as in unika_individer.
WITH forsta AS (
    SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
           bool_or(avslutad_i_perioden) AS avslutad,
           min(avslutsdatum) FILTER (WHERE avslutad_i_perioden AND avslutsorsak = 'aterremiss')
               AS forsta_aterremiss
    FROM staging.inskrivning_niva_egen
    GROUP BY period, dimension, grupp, niva, person_key
),
-- the next inskrivningsdatum, at any jobbtorg (and in any group: the whole person), strictly after the
-- first återremiss in the period
nasta AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.person_key,
           min(i.inskrivningsdatum) AS nasta_inskrivning
    FROM forsta AS pp
    JOIN staging.inskrivningar AS i
      ON i.person_key = pp.person_key AND i.inskrivningsdatum > pp.forsta_aterremiss
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.person_key
),
egen AS (
    SELECT * FROM forsta LEFT JOIN nasta USING (period, dimension, grupp, jobbtorg, person_key)
),
-- a group's values are computed only for persons in two or more groups of its dimension
-- (staging.inskrivning_niva_egen); the others' are their own, counted once per kombination
-- (staging.med_kombination) and added to its groups (staging.i_grupper)
delsummor AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon,
           count(*) FILTER (WHERE pp.avslutad) AS avslutade,
           count(*) FILTER (WHERE pp.forsta_aterremiss IS NOT NULL) AS aterremitterade,
           count(*) FILTER (WHERE pp.nasta_inskrivning - pp.forsta_aterremiss BETWEEN 1 AND 365)
               AS aterkom_inom_365_dagar
    FROM staging.med_kombination(egen) AS pp
    JOIN staging.personer AS p ON p.person_key = pp.person_key
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon
)
SELECT period,
       dimension,
       grupp,
       jobbtorg,
       CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
       sum(avslutade)::BIGINT AS avslutade,
       sum(aterremitterade)::BIGINT AS aterremitterade,
       sum(aterremitterade)::BIGINT / nullif(sum(avslutade)::BIGINT, 0) AS andel_aterremitterade,
       sum(aterkom_inom_365_dagar)::BIGINT AS aterkom_inom_365_dagar
FROM staging.i_grupper(delsummor)
GROUP BY GROUPING SETS ((period, dimension, grupp, jobbtorg, kon), (period, dimension, grupp, jobbtorg))

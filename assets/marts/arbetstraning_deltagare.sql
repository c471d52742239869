-- Persons in arbetsträning (insatstyp arbetstraning) by regi: egen (the city's own, sheltered
-- workplaces) or extern (procured, on the regular labour market), as in the table of arbetsmarknadsnämnden 2019-11-26, ärende 6.
-- The levels are those of the view insats_niva with regi in place of jobbtorg; a group's are computed only
-- for persons in two or more groups of its dimension (insats_niva_egen); the others' are their own,
-- counted once per kombination and added to its groups.
WITH niva AS (
    SELECT period, dimension, grupp, person_key, startad_i_perioden,
           CASE WHEN totalt THEN 'totalt' ELSE regi END AS regi
    FROM staging.insats_niva_egen
    WHERE insatstyp = 'arbetstraning'
),
per_person AS (
    SELECT period, dimension, grupp, regi, person_key, bool_or(startad_i_perioden) AS paborjat
    FROM niva
    GROUP BY period, dimension, grupp, regi, person_key
),
delsummor AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.regi, pp.kombination, p.kon,
           count(*) FILTER (WHERE pp.paborjat) AS paborjade,
           count(*) AS deltagare
    FROM staging.med_kombination(per_person) AS pp
    JOIN staging.personer AS p USING (person_key)
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.regi, pp.kombination, p.kon
)
SELECT period,
       dimension,
       grupp,
       regi,
       CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
       sum(paborjade)::BIGINT AS paborjade,
       sum(deltagare)::BIGINT AS deltagare
FROM staging.i_grupper(delsummor)
GROUP BY GROUPING SETS ((period, dimension, grupp, regi, kon), (period, dimension, grupp, regi))

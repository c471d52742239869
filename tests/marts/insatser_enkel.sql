-- The plain form of marts.insatser: the straightforward SQL the model had before it was written for
-- national scale (text keys, a distinct person per cell of a CUBE, DuckDB's own median). It runs out of
-- memory at a million persons but is easy to check by eye; tests/marts/test_insatser_enkel.py holds the
-- model to it, row for row.
-- Insatser of every insatstyp and regi: persons and insatser started, active and ended, and årsplatser,
-- the average number of insatser going on at once (the measure behind "beläggning av årsplatser" in the
-- 2019 answer on arbetsträning). An insats belongs to the jobbtorg of its registration. Totals come from
-- the rows, not from summing cells: a person in two insatstyper, regi or jobbtorg counts once in
-- `totalt`, while årsplatser, like the insats counts, add up. Persons are counted as rows of a grouping
-- that holds the person (a distinct count over sixteen grouping sets costs several times more); kön
-- belongs to the person, so its total is a plain sum of the kön rows. Every insats is counted once per
-- level of staging.insats_niva (the mart's own `totalt` rows and each group of its registration, for the
-- breakdown table): every grouping is also by dimension and grupp, so a person in two groups counts once in
-- each, and a group's median is over its own insatser.
WITH dagar AS (
    -- the days of the period up to the uttagsdatum: all of them for a period that is over
    SELECT p.period, least(p.period_slut, u.uttagsdatum) - p.period_start + 1 AS dagar
    FROM staging.perioder AS p
    CROSS JOIN raw.uttag AS u
),
aktiva AS (
    SELECT ip.period, ip.dimension, ip.grupp, ip.person_key, ip.insatstyp, ip.regi, ip.jobbtorg, p.kon,
           ip.startad_i_perioden, ip.avslutad_i_perioden,
           ip.avslutad_i_perioden AND s.slutdatum < s.planerat_slutdatum AS fore_planerat_slut,
           CASE WHEN ip.avslutad_i_perioden THEN ip.slutdatum - ip.startdatum + 1 END AS dagar_avslutad,
           ip.till - ip.fran + 1 AS dagar_i_perioden,
           d.dagar AS periodens_dagar
    FROM staging.insats_niva AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN staging.personer AS p ON p.person_key = ip.person_key
    JOIN dagar AS d ON d.period = ip.period
    WHERE NOT ip.totalt  -- the jobbtorg and their `totalt` come from the CUBE below
),
insatser AS (
    SELECT period, dimension, grupp,
           CASE WHEN grouping(insatstyp) = 1 THEN 'totalt' ELSE insatstyp END AS insatstyp,
           CASE WHEN grouping(regi) = 1 THEN 'totalt' ELSE regi END AS regi,
           CASE WHEN grouping(jobbtorg) = 1 THEN 'totalt' ELSE jobbtorg END AS jobbtorg,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           count(*) FILTER (WHERE startad_i_perioden) AS insatser_paborjade,
           count(*) AS insatser_aktiva,
           count(*) FILTER (WHERE avslutad_i_perioden) AS insatser_avslutade,
           count(*) FILTER (WHERE fore_planerat_slut) AS avslutade_fore_planerat_slut,
           sum(dagar_i_perioden) / any_value(periodens_dagar) AS arsplatser
    FROM aktiva
    GROUP BY period, dimension, grupp, CUBE (insatstyp, regi, jobbtorg, kon)
),
langd AS (
    SELECT period, dimension, grupp,
           CASE WHEN grouping(insatstyp) = 1 THEN 'totalt' ELSE insatstyp END AS insatstyp,
           CASE WHEN grouping(regi) = 1 THEN 'totalt' ELSE regi END AS regi,
           CASE WHEN grouping(jobbtorg) = 1 THEN 'totalt' ELSE jobbtorg END AS jobbtorg,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           median(dagar_avslutad) AS median_dagar_avslutade
    FROM aktiva
    WHERE avslutad_i_perioden
    GROUP BY period, dimension, grupp, CUBE (insatstyp, regi, jobbtorg, kon)
),
per_person AS (
    -- one row per person in each cell of the eight groupings over insatstyp, regi and jobbtorg
    SELECT period, dimension, grupp, kon,
           CASE WHEN grouping(insatstyp) = 1 THEN 'totalt' ELSE insatstyp END AS insatstyp,
           CASE WHEN grouping(regi) = 1 THEN 'totalt' ELSE regi END AS regi,
           CASE WHEN grouping(jobbtorg) = 1 THEN 'totalt' ELSE jobbtorg END AS jobbtorg,
           bool_or(startad_i_perioden) AS paborjat
    FROM aktiva
    GROUP BY period, dimension, grupp, person_key, kon, CUBE (insatstyp, regi, jobbtorg)
),
personer AS (
    SELECT period, dimension, grupp, insatstyp, regi, jobbtorg,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           count(*) FILTER (WHERE paborjat) AS personer_paborjade,
           count(*) AS deltagare
    FROM per_person
    GROUP BY GROUPING SETS ((period, dimension, grupp, insatstyp, regi, jobbtorg, kon),
                           (period, dimension, grupp, insatstyp, regi, jobbtorg))
)
SELECT i.period, i.dimension, i.grupp, i.insatstyp, i.regi, i.jobbtorg, i.kon,
       p.personer_paborjade, p.deltagare,
       i.insatser_paborjade, i.insatser_aktiva, i.insatser_avslutade, i.avslutade_fore_planerat_slut,
       l.median_dagar_avslutade, i.arsplatser
FROM insatser AS i
JOIN personer AS p USING (period, dimension, grupp, insatstyp, regi, jobbtorg, kon)
LEFT JOIN langd AS l USING (period, dimension, grupp, insatstyp, regi, jobbtorg, kon)

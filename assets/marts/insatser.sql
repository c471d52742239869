-- Insatser of every insatstyp and regi: persons and insatser started, active and ended, and årsplatser,
-- the average number of insatser going on at once (the measure behind "beläggning av årsplatser" in the
-- 2019 answer on arbetsträning). An insats belongs to the jobbtorg of its registration. Totals come from
-- the rows, not from summing cells: a person in two insatstyper, regi or jobbtorg counts once in
-- `totalt`, while årsplatser, like the insats counts, add up. Every insats is counted once per level of
-- staging.insats_niva (the mart's own `totalt` rows and each group of its registration, for the breakdown
-- table): every grouping is also by dimension and grupp, so a person in two groups counts once in each,
-- and a group's median is over its own insatser.
-- National scale within the memory limit: the groupings run on small numbers standing for the text values
-- (a grouping of tens of millions of rows on text spills to disk and runs ten times slower), and the
-- median comes from how many insatser of each length a cell holds, not from a list of every length.
-- In the numbered form 0 stands for `totalt`.
WITH dagar AS (
    -- the days of the period up to the uttagsdatum: all of them for a period that is over
    SELECT p.period, least(p.period_slut, u.uttagsdatum) - p.period_start + 1 AS dagar
    FROM staging.perioder AS p
    CROSS JOIN raw.uttag AS u
),
-- Numbers (ordered, so the same in every reading) for each period and group, insatstyp, regi, jobbtorg,
-- kön and person.
nivaer AS (
    SELECT p.period, g.dimension, g.grupp, d.dagar,
           (row_number() OVER (ORDER BY p.period, g.dimension, g.grupp))::INTEGER AS niva_nr
    FROM staging.perioder AS p
    JOIN dagar AS d USING (period)
    CROSS JOIN (SELECT DISTINCT dimension, grupp FROM staging.inskrivning_grupp) AS g
),
typer AS (
    SELECT insatstyp, (row_number() OVER (ORDER BY insatstyp))::SMALLINT AS typ_nr
    FROM (SELECT DISTINCT insatstyp FROM staging.insatser)
),
regier AS (
    SELECT regi, (row_number() OVER (ORDER BY regi))::SMALLINT AS regi_nr
    FROM (SELECT DISTINCT regi FROM staging.insatser)
),
jobbtorgen AS (
    SELECT jobbtorg, (row_number() OVER (ORDER BY jobbtorg))::SMALLINT AS jobbtorg_nr
    FROM (SELECT DISTINCT jobbtorg FROM staging.inskrivningar)
),
konen AS (
    SELECT kon, (row_number() OVER (ORDER BY kon))::SMALLINT AS kon_nr
    FROM (SELECT DISTINCT kon FROM staging.personer)
),
personer_nr AS (
    SELECT p.person_key, (row_number() OVER (ORDER BY p.person_key))::INTEGER AS person_nr, k.kon_nr
    FROM staging.personer AS p
    JOIN konen AS k ON k.kon IS NOT DISTINCT FROM p.kon
),
aktiva AS MATERIALIZED (
    SELECT n.niva_nr, p.person_nr, p.kon_nr, t.typ_nr, r.regi_nr, j.jobbtorg_nr,
           ip.startad_i_perioden, ip.avslutad_i_perioden,
           ip.avslutad_i_perioden AND s.slutdatum < s.planerat_slutdatum AS fore_planerat_slut,
           CASE WHEN ip.avslutad_i_perioden THEN ip.slutdatum - ip.startdatum + 1 END AS dagar_avslutad,
           ip.till - ip.fran + 1 AS dagar_i_perioden
    FROM staging.insats_niva AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN personer_nr AS p ON p.person_key = ip.person_key
    JOIN nivaer AS n ON n.period = ip.period AND n.dimension = ip.dimension AND n.grupp = ip.grupp
    JOIN typer AS t ON t.insatstyp IS NOT DISTINCT FROM ip.insatstyp
    JOIN regier AS r ON r.regi IS NOT DISTINCT FROM ip.regi
    JOIN jobbtorgen AS j ON j.jobbtorg IS NOT DISTINCT FROM ip.jobbtorg
    WHERE NOT ip.totalt  -- the jobbtorg and their `totalt` come from the CUBE below
),
insatser AS (
    SELECT niva_nr, coalesce(typ_nr, 0) AS typ_nr, coalesce(regi_nr, 0) AS regi_nr,
           coalesce(jobbtorg_nr, 0) AS jobbtorg_nr, coalesce(kon_nr, 0) AS kon_nr,
           count(*) FILTER (WHERE startad_i_perioden) AS insatser_paborjade,
           count(*) AS insatser_aktiva,
           count(*) FILTER (WHERE avslutad_i_perioden) AS insatser_avslutade,
           count(*) FILTER (WHERE fore_planerat_slut) AS avslutade_fore_planerat_slut,
           sum(dagar_i_perioden) AS dagar
    FROM aktiva
    GROUP BY niva_nr, CUBE (typ_nr, regi_nr, jobbtorg_nr, kon_nr)
),
langder AS (
    -- how many ended insatser of each length a cell holds, and how many up to that length
    SELECT *,
           sum(antal) OVER (PARTITION BY niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr
                            ORDER BY dagar_avslutad ROWS UNBOUNDED PRECEDING) AS upp_till,
           sum(antal) OVER (PARTITION BY niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr) AS alla
    FROM (
        SELECT niva_nr, dagar_avslutad, coalesce(typ_nr, 0) AS typ_nr, coalesce(regi_nr, 0) AS regi_nr,
               coalesce(jobbtorg_nr, 0) AS jobbtorg_nr, coalesce(kon_nr, 0) AS kon_nr, sum(antal) AS antal
        FROM (
            SELECT niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr, dagar_avslutad, count(*) AS antal
            FROM aktiva
            WHERE avslutad_i_perioden
            GROUP BY ALL
        )
        GROUP BY niva_nr, dagar_avslutad, CUBE (typ_nr, regi_nr, jobbtorg_nr, kon_nr)
    )
),
langd AS (
    -- the median: the middle length of an odd count, the mean of the middle two of an even one
    SELECT niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr,
           (min(dagar_avslutad) FILTER (WHERE upp_till >= (alla + 1) // 2)
            + min(dagar_avslutad) FILTER (WHERE upp_till >= alla // 2 + 1)) / 2 AS median_dagar_avslutade
    FROM langder
    GROUP BY ALL
),
per_person AS (
    -- one row per person and each cell of the eight groupings over insatstyp, regi and jobbtorg
    SELECT niva_nr, person_nr, kon_nr, coalesce(typ_nr, 0) AS typ_nr, coalesce(regi_nr, 0) AS regi_nr,
           coalesce(jobbtorg_nr, 0) AS jobbtorg_nr, bool_or(startad_i_perioden) AS paborjat
    FROM aktiva
    GROUP BY niva_nr, person_nr, kon_nr, CUBE (typ_nr, regi_nr, jobbtorg_nr)
),
personer AS (
    -- kön belongs to the person: its total is the sum of its rows
    SELECT niva_nr, typ_nr, regi_nr, jobbtorg_nr, coalesce(kon_nr, 0) AS kon_nr,
           count(*) FILTER (WHERE paborjat) AS personer_paborjade,
           count(*) AS deltagare
    FROM per_person
    GROUP BY GROUPING SETS ((niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr),
                           (niva_nr, typ_nr, regi_nr, jobbtorg_nr))
)
SELECT n.period, n.dimension, n.grupp,
       CASE WHEN i.typ_nr = 0 THEN 'totalt' ELSE t.insatstyp END AS insatstyp,
       CASE WHEN i.regi_nr = 0 THEN 'totalt' ELSE r.regi END AS regi,
       CASE WHEN i.jobbtorg_nr = 0 THEN 'totalt' ELSE j.jobbtorg END AS jobbtorg,
       CASE WHEN i.kon_nr = 0 THEN 'totalt' ELSE k.kon END AS kon,
       p.personer_paborjade, p.deltagare,
       i.insatser_paborjade, i.insatser_aktiva, i.insatser_avslutade, i.avslutade_fore_planerat_slut,
       l.median_dagar_avslutade, i.dagar / n.dagar AS arsplatser
FROM insatser AS i
JOIN personer AS p USING (niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr)
LEFT JOIN langd AS l USING (niva_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr)
JOIN nivaer AS n USING (niva_nr)
LEFT JOIN typer AS t USING (typ_nr)
LEFT JOIN regier AS r USING (regi_nr)
LEFT JOIN jobbtorgen AS j USING (jobbtorg_nr)
LEFT JOIN konen AS k USING (kon_nr)

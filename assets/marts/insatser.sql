-- Insatser of every insatstyp and regi: persons and insatser started, active and ended, and årsplatser,
-- the average number of insatser going on at once (the measure behind "beläggning av årsplatser" in the
-- 2019 answer on arbetsträning). An insats belongs to the jobbtorg of its registration. Totals come from
-- the rows, not from summing cells: a person in two insatstyper, regi or jobbtorg counts once in
-- `totalt`, while årsplatser, like the insats counts, add up. An insats belongs to the groups of
-- its registration (staging.inskrivning_grupp; the mart's own rows are the group `totalt`): a person in
-- two groups counts once in each, and a group's median is over its own insatser.
-- A group is counted from its kombination: the registration's groups in every dimension as one number.
-- Counts and lengths are taken per kombination first and then summed into each of its groups; a person
-- whose insatser in the period all lie in one kombination counts in each of its groups as in the mart's
-- own rows, so only the few in two or more are grouped again, per group.
-- National scale within the memory limit: the groupings run on small numbers standing for the text values
-- (a grouping of tens of millions of rows on text spills to disk and runs ten times slower), and the
-- median comes from how many insatser of each length a cell holds, not from a list of every length.
-- In the numbered form 0 stands for `totalt`.
WITH dagar AS (
    -- the days of the period up to the uttagsdatum: all of them for a period that is over
    SELECT p.period, (row_number() OVER (ORDER BY p.period))::SMALLINT AS period_nr,
           least(p.period_slut, u.uttagsdatum) - p.period_start + 1 AS dagar
    FROM staging.perioder AS p
    CROSS JOIN raw.uttag AS u
),
-- Numbers (ordered, so the same in every reading) for each group, insatstyp, regi, jobbtorg, kön and
-- person.
grupper AS (
    SELECT dimension, grupp, (row_number() OVER (ORDER BY dimension, grupp))::SMALLINT AS grupp_nr
    FROM (SELECT DISTINCT dimension, grupp FROM staging.inskrivning_grupp)
),
-- A registration's groups in every dimension as one number, its kombination (a few hundred of them).
listor AS (
    SELECT g.inskrivning_id, list(n.grupp_nr ORDER BY n.grupp_nr) AS grupper
    FROM staging.inskrivning_grupp AS g
    JOIN grupper AS n USING (dimension, grupp)
    GROUP BY g.inskrivning_id
),
kombinationer AS (
    SELECT grupper, (row_number() OVER (ORDER BY grupper))::INTEGER AS komb_nr
    FROM (SELECT DISTINCT grupper FROM listor)
),
inskrivning_komb AS (
    SELECT l.inskrivning_id, k.komb_nr FROM listor AS l JOIN kombinationer AS k USING (grupper)
),
komb_grupp AS (
    -- each kombination's groups, the mart's own level ('totalt') among them
    SELECT komb_nr, unnest(grupper) AS grupp_nr FROM kombinationer
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
    -- each insats once per period it is active in
    SELECT d.period_nr, k.komb_nr, p.person_nr, p.kon_nr, t.typ_nr, r.regi_nr, j.jobbtorg_nr,
           ip.startad_i_perioden, ip.avslutad_i_perioden,
           ip.avslutad_i_perioden AND s.slutdatum < s.planerat_slutdatum AS fore_planerat_slut,
           CASE WHEN ip.avslutad_i_perioden THEN ip.slutdatum - ip.startdatum + 1 END AS dagar_avslutad,
           ip.till - ip.fran + 1 AS dagar_i_perioden
    FROM staging.insats_period AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN inskrivning_komb AS k ON k.inskrivning_id = ip.inskrivning_id
    JOIN personer_nr AS p ON p.person_key = ip.person_key
    JOIN dagar AS d ON d.period = ip.period
    JOIN typer AS t ON t.insatstyp IS NOT DISTINCT FROM ip.insatstyp
    JOIN regier AS r ON r.regi IS NOT DISTINCT FROM ip.regi
    JOIN jobbtorgen AS j ON j.jobbtorg IS NOT DISTINCT FROM ip.jobbtorg
),
insatser AS (
    -- the insatser add up: counted per kombination and cell, then summed into each group
    SELECT c.period_nr, kg.grupp_nr, coalesce(c.typ_nr, 0) AS typ_nr, coalesce(c.regi_nr, 0) AS regi_nr,
           coalesce(c.jobbtorg_nr, 0) AS jobbtorg_nr, coalesce(c.kon_nr, 0) AS kon_nr,
           sum(c.paborjade)::BIGINT AS insatser_paborjade,
           sum(c.aktiva)::BIGINT AS insatser_aktiva,
           sum(c.avslutade)::BIGINT AS insatser_avslutade,
           sum(c.fore_planerat_slut)::BIGINT AS avslutade_fore_planerat_slut,
           sum(c.dagar) AS dagar
    FROM (
        SELECT period_nr, komb_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr,
               count(*) FILTER (WHERE startad_i_perioden) AS paborjade,
               count(*) AS aktiva,
               count(*) FILTER (WHERE avslutad_i_perioden) AS avslutade,
               count(*) FILTER (WHERE fore_planerat_slut) AS fore_planerat_slut,
               sum(dagar_i_perioden) AS dagar
        FROM aktiva
        GROUP BY ALL
    ) AS c
    JOIN komb_grupp AS kg USING (komb_nr)
    GROUP BY c.period_nr, kg.grupp_nr, CUBE (c.typ_nr, c.regi_nr, c.jobbtorg_nr, c.kon_nr)
),
langder AS (
    -- how many ended insatser of each length a cell holds, and how many up to that length
    SELECT *,
           sum(antal) OVER (PARTITION BY period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr
                            ORDER BY dagar_avslutad ROWS UNBOUNDED PRECEDING) AS upp_till,
           sum(antal) OVER (PARTITION BY period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr) AS alla
    FROM (
        SELECT c.period_nr, kg.grupp_nr, c.dagar_avslutad, coalesce(c.typ_nr, 0) AS typ_nr,
               coalesce(c.regi_nr, 0) AS regi_nr, coalesce(c.jobbtorg_nr, 0) AS jobbtorg_nr,
               coalesce(c.kon_nr, 0) AS kon_nr, sum(c.antal) AS antal
        FROM (
            SELECT period_nr, komb_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr, dagar_avslutad, count(*) AS antal
            FROM aktiva
            WHERE avslutad_i_perioden
            GROUP BY ALL
        ) AS c
        JOIN komb_grupp AS kg USING (komb_nr)
        GROUP BY c.period_nr, kg.grupp_nr, c.dagar_avslutad, CUBE (c.typ_nr, c.regi_nr, c.jobbtorg_nr, c.kon_nr)
    )
),
langd AS (
    -- the median: the middle length of an odd count, the mean of the middle two of an even one
    SELECT period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr,
           (min(dagar_avslutad) FILTER (WHERE upp_till >= (alla + 1) // 2)
            + min(dagar_avslutad) FILTER (WHERE upp_till >= alla // 2 + 1)) / 2 AS median_dagar_avslutade
    FROM langder
    GROUP BY ALL
),
per_person AS (
    -- one row per person and each cell of the eight groupings over insatstyp, regi and jobbtorg, with the
    -- person's kombination there when all their insatser in the cell have one
    SELECT period_nr, person_nr, kon_nr, coalesce(typ_nr, 0) AS typ_nr, coalesce(regi_nr, 0) AS regi_nr,
           coalesce(jobbtorg_nr, 0) AS jobbtorg_nr, bool_or(startad_i_perioden) AS paborjat,
           CASE WHEN min(komb_nr) = max(komb_nr) THEN min(komb_nr) END AS komb_nr
    FROM aktiva
    GROUP BY period_nr, person_nr, kon_nr, CUBE (typ_nr, regi_nr, jobbtorg_nr)
),
delade AS (
    -- persons whose insatser in the period lie in two or more kombinationer (their row of all cells has none)
    SELECT period_nr, person_nr
    FROM per_person
    WHERE typ_nr = 0 AND regi_nr = 0 AND jobbtorg_nr = 0 AND komb_nr IS NULL
),
i_grupp AS (
    -- A person counts once in each group they have an insats of in the cell. In one kombination, that is
    -- their own row under each of its groups (counted per kombination first); the others are grouped
    -- again, per group, from their insatser.
    SELECT pp.period_nr, kg.grupp_nr, pp.typ_nr, pp.regi_nr, pp.jobbtorg_nr, pp.kon_nr,
           pp.paborjade, pp.deltagare
    FROM (
        SELECT period_nr, komb_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr,
               count(*) FILTER (WHERE paborjat) AS paborjade, count(*) AS deltagare
        FROM per_person
        ANTI JOIN delade USING (period_nr, person_nr)
        GROUP BY ALL
    ) AS pp
    JOIN komb_grupp AS kg USING (komb_nr)
    UNION ALL
    SELECT period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr,
           count(*) FILTER (WHERE paborjat), count(*)
    FROM (
        SELECT a.period_nr, kg.grupp_nr, a.person_nr, a.kon_nr, coalesce(a.typ_nr, 0) AS typ_nr,
               coalesce(a.regi_nr, 0) AS regi_nr, coalesce(a.jobbtorg_nr, 0) AS jobbtorg_nr,
               bool_or(a.startad_i_perioden) AS paborjat
        FROM aktiva AS a
        SEMI JOIN delade AS d ON d.period_nr = a.period_nr AND d.person_nr = a.person_nr
        JOIN komb_grupp AS kg USING (komb_nr)
        GROUP BY a.period_nr, kg.grupp_nr, a.person_nr, a.kon_nr, CUBE (a.typ_nr, a.regi_nr, a.jobbtorg_nr)
    )
    GROUP BY ALL
),
personer AS (
    -- kön belongs to the person: its total is the sum of its rows
    SELECT period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, coalesce(kon_nr, 0) AS kon_nr,
           sum(paborjade)::BIGINT AS personer_paborjade,
           sum(deltagare)::BIGINT AS deltagare
    FROM i_grupp
    GROUP BY GROUPING SETS ((period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr),
                           (period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr))
)
SELECT d.period, g.dimension, g.grupp,
       CASE WHEN i.typ_nr = 0 THEN 'totalt' ELSE t.insatstyp END AS insatstyp,
       CASE WHEN i.regi_nr = 0 THEN 'totalt' ELSE r.regi END AS regi,
       CASE WHEN i.jobbtorg_nr = 0 THEN 'totalt' ELSE j.jobbtorg END AS jobbtorg,
       CASE WHEN i.kon_nr = 0 THEN 'totalt' ELSE k.kon END AS kon,
       p.personer_paborjade, p.deltagare,
       i.insatser_paborjade, i.insatser_aktiva, i.insatser_avslutade, i.avslutade_fore_planerat_slut,
       l.median_dagar_avslutade, i.dagar / d.dagar AS arsplatser
FROM insatser AS i
JOIN personer AS p USING (period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr)
LEFT JOIN langd AS l USING (period_nr, grupp_nr, typ_nr, regi_nr, jobbtorg_nr, kon_nr)
JOIN dagar AS d USING (period_nr)
JOIN grupper AS g USING (grupp_nr)
LEFT JOIN typer AS t USING (typ_nr)
LEFT JOIN regier AS r USING (regi_nr)
LEFT JOIN jobbtorgen AS j USING (jobbtorg_nr)
LEFT JOIN konen AS k USING (kon_nr)

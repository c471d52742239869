-- Insatser of every insatstyp and regi: persons and insatser started, active and ended, and årsplatser,
-- the average number of insatser going on at once (the measure behind "beläggning av årsplatser" in the
-- 2019 answer on arbetsträning). An insats belongs to the jobbtorg of its registration. Totals come from
-- the rows, not from summing cells: a person in two insatstyper, regi or jobbtorg counts once in
-- `totalt`, while årsplatser, like the insats counts, add up.
WITH dagar AS (
    -- the days of the period up to the uttagsdatum: all of them for a period that is over
    SELECT p.period, least(p.period_slut, u.uttagsdatum) - p.period_start + 1 AS dagar
    FROM staging.perioder AS p
    CROSS JOIN raw.uttag AS u
),
aktiva AS (
    SELECT ip.period, ip.person_key, ip.insatstyp, ip.regi, ip.jobbtorg, p.kon,
           ip.startad_i_perioden, ip.avslutad_i_perioden,
           ip.avslutad_i_perioden AND s.slutdatum < s.planerat_slutdatum AS fore_planerat_slut,
           CASE WHEN ip.avslutad_i_perioden THEN ip.slutdatum - ip.startdatum + 1 END AS dagar_avslutad,
           ip.till - ip.fran + 1 AS dagar_i_perioden,
           d.dagar AS periodens_dagar
    FROM staging.insats_period AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN staging.personer AS p ON p.person_key = ip.person_key
    JOIN dagar AS d ON d.period = ip.period
)
SELECT period,
       CASE WHEN grouping(insatstyp) = 1 THEN 'totalt' ELSE insatstyp END AS insatstyp,
       CASE WHEN grouping(regi) = 1 THEN 'totalt' ELSE regi END AS regi,
       CASE WHEN grouping(jobbtorg) = 1 THEN 'totalt' ELSE jobbtorg END AS jobbtorg,
       CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
       count(DISTINCT person_key) FILTER (WHERE startad_i_perioden) AS personer_paborjade,
       count(DISTINCT person_key) AS deltagare,
       count(*) FILTER (WHERE startad_i_perioden) AS insatser_paborjade,
       count(*) AS insatser_aktiva,
       count(*) FILTER (WHERE avslutad_i_perioden) AS insatser_avslutade,
       count(*) FILTER (WHERE fore_planerat_slut) AS avslutade_fore_planerat_slut,
       median(dagar_avslutad) AS median_dagar_avslutade,
       sum(dagar_i_perioden) / any_value(periodens_dagar) AS arsplatser
FROM aktiva
GROUP BY period, CUBE (insatstyp, regi, jobbtorg, kon)

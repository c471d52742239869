-- Persons in arbetsträning (insatstyp arbetstraning) by regi: egen (the city's own, sheltered
-- workplaces) or extern (procured, on the regular labour market), as in the table of arbetsmarknadsnämnden 2019-11-26, ärende 6.
WITH niva AS (
    SELECT ip.period, ip.person_key, ip.startad_i_perioden,
           CASE WHEN n.totalt THEN 'totalt' ELSE ip.regi END AS regi
    FROM staging.insats_period AS ip
    CROSS JOIN (VALUES (false), (true)) AS n(totalt)
    WHERE ip.insatstyp = 'arbetstraning'
),
per_person AS (
    SELECT period, regi, person_key, bool_or(startad_i_perioden) AS paborjat
    FROM niva
    GROUP BY period, regi, person_key
)
SELECT pp.period,
       pp.regi,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       count(*) FILTER (WHERE pp.paborjat) AS paborjade,
       count(*) AS deltagare
FROM per_person AS pp
JOIN staging.personer AS p USING (person_key)
GROUP BY GROUPING SETS ((pp.period, pp.regi, p.kon), (pp.period, pp.regi))

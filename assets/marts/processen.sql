-- The way through Jobbtorg as seed 003 set it out: an aktivitetsplan within 5 days, at most 18 months of
-- participation, every insats bounded in time, a plan normally covering at most 6 months. Registrations
-- and insatser are counted, not persons, except for the 18 months (persons). The day the period is judged
-- on is its last day, or the uttagsdatum for the period holding it.
WITH perioddag AS (
    SELECT p.period, least(p.period_slut, u.uttagsdatum) AS referensdag, u.uttagsdatum
    FROM staging.perioder AS p CROSS JOIN raw.uttag AS u
),
registreringar AS (
    SELECT ip.period, i.person_key, i.inskrivningsdatum, i.aktivitetsplan_datum, i.avslutsdatum,
           ip.ny_i_perioden, d.referensdag, d.uttagsdatum,
           CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS jobbtorg
    FROM staging.inskrivning_period AS ip
    JOIN staging.inskrivningar AS i USING (inskrivning_id)
    JOIN perioddag AS d USING (period)
    CROSS JOIN (VALUES (false), (true)) AS n(totalt)
),
per_registrering AS (
    SELECT period, jobbtorg,
           count(*) FILTER (WHERE ny_i_perioden AND inskrivningsdatum <= uttagsdatum - 5) AS nya_registreringar,
           count(*) FILTER (WHERE ny_i_perioden AND inskrivningsdatum <= uttagsdatum - 5
                            AND aktivitetsplan_datum - inskrivningsdatum BETWEEN 0 AND 5)
               AS aktivitetsplan_inom_5_dagar,
           median(aktivitetsplan_datum - inskrivningsdatum)
               FILTER (WHERE ny_i_perioden AND inskrivningsdatum <= uttagsdatum - 5) AS median_dagar_till_aktivitetsplan,
           count(DISTINCT person_key)
               FILTER (WHERE inskrivningsdatum <= referensdag
                        AND (avslutsdatum IS NULL OR avslutsdatum >= referensdag)
                        AND inskrivningsdatum + INTERVAL 18 MONTH < referensdag) AS personer_inskrivna_over_18_manader
    FROM registreringar
    GROUP BY period, jobbtorg
),
insatser AS (
    SELECT ip.period, s.planerat_slutdatum, s.startdatum,
           least(coalesce(s.slutdatum, d.referensdag), d.referensdag) AS sista_dag,
           CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS jobbtorg
    FROM staging.insats_period AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN perioddag AS d USING (period)
    CROSS JOIN (VALUES (false), (true)) AS n(totalt)
),
per_insats AS (
    SELECT period, jobbtorg,
           count(*) AS aktiva_insatser,
           count(*) FILTER (WHERE planerat_slutdatum IS NULL) AS insatser_utan_planerat_slut,
           count(*) FILTER (WHERE startdatum + INTERVAL 6 MONTH < sista_dag) AS insatser_langre_an_6_manader
    FROM insatser
    GROUP BY period, jobbtorg
)
SELECT r.period,
       r.jobbtorg,
       r.nya_registreringar,
       r.aktivitetsplan_inom_5_dagar,
       r.aktivitetsplan_inom_5_dagar / nullif(r.nya_registreringar, 0) AS andel_aktivitetsplan_inom_5_dagar,
       r.median_dagar_till_aktivitetsplan,
       r.personer_inskrivna_over_18_manader,
       coalesce(i.aktiva_insatser, 0) AS aktiva_insatser,
       coalesce(i.insatser_utan_planerat_slut, 0) AS insatser_utan_planerat_slut,
       coalesce(i.insatser_langre_an_6_manader, 0) AS insatser_langre_an_6_manader
FROM per_registrering AS r
LEFT JOIN per_insats AS i USING (period, jobbtorg)

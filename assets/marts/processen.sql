-- The way through Jobbtorg as the founding decision Inrättande av Jobbtorg i Stockholm (2007) set it out: an aktivitetsplan within 5 days "för dem som då
-- fortfarande är kvar på Jobbtorget", at most 18 months of participation, every insats bounded in time, a
-- plan normally covering at most 6 months. Registrations and insatser are counted, not persons, except for
-- the 18 months (persons). The day the period is judged on is its last day, or the uttagsdatum for the
-- period holding it. A plan's day is aktivitetsplan_datum - inskrivningsdatum; a plan dated before the
-- inskrivning is day 0. A new registration is still there on day 5 when it had not ended before
-- inskrivningsdatum + 5 (ending on day 5 counts) or it got its plan by day 5, so the plans within 5 days
-- are a subset of the registrations still there.
WITH perioddag AS (
    SELECT p.period, least(p.period_slut, u.uttagsdatum) AS referensdag, u.uttagsdatum
    FROM staging.perioder AS p CROSS JOIN raw.uttag AS u
),
registreringar AS (
    SELECT ip.period, ip.dimension, ip.grupp, ip.niva AS jobbtorg, i.person_key, i.inskrivningsdatum, i.avslutsdatum, d.referensdag,
           ip.ny_i_perioden AND i.inskrivningsdatum <= d.uttagsdatum - 5 AS ny,
           -- greatest() skips NULLs, so a registration without a plan must stay NULL explicitly
           CASE WHEN i.aktivitetsplan_datum IS NOT NULL
                THEN greatest(i.aktivitetsplan_datum - i.inskrivningsdatum, 0) END AS plan_dag
    FROM staging.inskrivning_niva AS ip
    JOIN staging.inskrivningar AS i USING (inskrivning_id)
    JOIN perioddag AS d USING (period)
),
bedomda AS (
    SELECT *,
           coalesce(plan_dag <= 5, false) AS plan_inom_5_dagar,
           ny AND (avslutsdatum IS NULL OR avslutsdatum >= inskrivningsdatum + 5 OR plan_inom_5_dagar) AS kvar_dag_5
    FROM registreringar
),
per_registrering AS (
    SELECT period, dimension, grupp, jobbtorg,
           count(*) FILTER (WHERE ny) AS nya_registreringar,
           count(*) FILTER (WHERE kvar_dag_5) AS nya_registreringar_kvar_dag_5,
           count(*) FILTER (WHERE kvar_dag_5 AND plan_inom_5_dagar) AS aktivitetsplan_inom_5_dagar,
           median(plan_dag) FILTER (WHERE kvar_dag_5) AS median_dagar_till_aktivitetsplan,
           count(plan_dag) FILTER (WHERE kvar_dag_5) AS aktivitetsplaner_kvar_dag_5  -- the median's base
    FROM bedomda
    GROUP BY period, dimension, grupp, jobbtorg
),
-- the persons registered over 18 months on the day the period is judged on: each once per level
over_18_manader AS (
    SELECT period, dimension, grupp, jobbtorg, count(*) AS personer_inskrivna_over_18_manader
    FROM (
        SELECT DISTINCT period, dimension, grupp, jobbtorg, person_key
        FROM bedomda
        WHERE inskrivningsdatum <= referensdag
          AND (avslutsdatum IS NULL OR avslutsdatum >= referensdag)
          AND inskrivningsdatum + INTERVAL 18 MONTH < referensdag
    )
    GROUP BY period, dimension, grupp, jobbtorg
),
insatser AS (
    SELECT ip.period, ip.dimension, ip.grupp, ip.niva AS jobbtorg, s.planerat_slutdatum, s.startdatum,
           least(coalesce(s.slutdatum, d.referensdag), d.referensdag) AS sista_dag
    FROM staging.insats_niva AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN perioddag AS d USING (period)
),
per_insats AS (
    SELECT period, dimension, grupp, jobbtorg,
           count(*) AS aktiva_insatser,
           count(*) FILTER (WHERE planerat_slutdatum IS NULL) AS insatser_utan_planerat_slut,
           count(*) FILTER (WHERE startdatum + INTERVAL 6 MONTH < sista_dag) AS insatser_langre_an_6_manader
    FROM insatser
    GROUP BY period, dimension, grupp, jobbtorg
)
SELECT r.period,
       r.dimension,
       r.grupp,
       r.jobbtorg,
       r.nya_registreringar,
       r.nya_registreringar_kvar_dag_5,
       r.aktivitetsplan_inom_5_dagar,
       r.aktivitetsplan_inom_5_dagar / nullif(r.nya_registreringar_kvar_dag_5, 0) AS andel_aktivitetsplan_inom_5_dagar,
       r.median_dagar_till_aktivitetsplan,
       coalesce(o.personer_inskrivna_over_18_manader, 0) AS personer_inskrivna_over_18_manader,
       coalesce(i.aktiva_insatser, 0) AS aktiva_insatser,
       coalesce(i.insatser_utan_planerat_slut, 0) AS insatser_utan_planerat_slut,
       coalesce(i.insatser_langre_an_6_manader, 0) AS insatser_langre_an_6_manader,
       r.aktivitetsplaner_kvar_dag_5
FROM per_registrering AS r
LEFT JOIN per_insats AS i USING (period, dimension, grupp, jobbtorg)
LEFT JOIN over_18_manader AS o USING (period, dimension, grupp, jobbtorg)

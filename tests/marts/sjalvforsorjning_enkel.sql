-- The plain form of assets/marts/sjalvforsorjning.sql, as it was before each case was judged once for
-- every k (one payment lookup per cohort row and k): kept for tests/marts/test_enkla_former.py,
-- which holds the model to it row for row.
-- Self-sufficiency 3, 6, 12, 18, 24, 36 and 48 months after avslut (arbetsmarknadsnämnden 2016-02-02,
-- ärende 11: measured up to 18 months, long-term results up to 4 years after; self-sufficient means not in
-- need of försörjningsstöd from the city). The cohort is the persons with an avslut in the
-- period; month 0 is the month of their last avslut in the period (under a jobbtorg: of that jobbtorg's
-- registrations). A follow-up month counts only if it lies within the delivered payment months.
WITH per_person AS (
    SELECT period, dimension, grupp, jobbtorg, person_key, date_trunc('month', avslutsdatum)::DATE AS manad_0
    FROM (
        -- the cohort at every level and group, computed for every person (not copied)
        SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
               arg_max(inskrivning_id, (avslutsdatum, inskrivning_id)) FILTER (WHERE avslutad_i_perioden)
                   AS inskrivning_id,
               max(avslutsdatum) FILTER (WHERE avslutad_i_perioden) AS avslutsdatum
        FROM staging.inskrivning_niva
        GROUP BY period, dimension, grupp, niva, person_key
    ) AS kohort
),
bedomda AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.person_key, k.manader, pp.manad_0 IS NOT NULL AS avslutad,
           (pp.manad_0 + to_months(k.manader))::DATE BETWEEN l.forsta_manad AND l.sista_manad
               AS uppfoljningsbar,
           coalesce(f.netto, 0) <= 0 AS sjalvforsorjande
    FROM per_person AS pp
    CROSS JOIN (VALUES (3), (6), (12), (18), (24), (36), (48)) AS k(manader)
    CROSS JOIN staging.utbetalningsmanader AS l
    LEFT JOIN staging.forsorjningsstod_manad AS f
      ON f.person_key = pp.person_key AND f.manad = (pp.manad_0 + to_months(k.manader))::DATE
)
SELECT b.period,
       b.dimension,
       b.grupp,
       b.jobbtorg,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       b.manader AS manader_efter_avslut,
       count(*) FILTER (WHERE b.avslutad) AS avslutade,
       count(*) FILTER (WHERE b.avslutad AND b.uppfoljningsbar) AS uppfoljningsbara,
       count(*) FILTER (WHERE b.avslutad AND b.uppfoljningsbar AND b.sjalvforsorjande) AS sjalvforsorjande,
       count(*) FILTER (WHERE b.avslutad AND b.uppfoljningsbar AND b.sjalvforsorjande)
           / nullif(count(*) FILTER (WHERE b.avslutad AND b.uppfoljningsbar), 0) AS andel_sjalvforsorjande
FROM bedomda AS b
JOIN staging.personer AS p USING (person_key)
GROUP BY GROUPING SETS ((b.period, b.dimension, b.grupp, b.jobbtorg, b.manader, p.kon),
                        (b.period, b.dimension, b.grupp, b.jobbtorg, b.manader))

-- Self-sufficiency 3, 6, 12, 18, 24, 36 and 48 months after avslut (arbetsmarknadsnämnden 2016-02-02,
-- ärende 11: measured up to 18 months, long-term results up to 4 years after; self-sufficient means not in
-- need of försörjningsstöd from the city). The cohort is the persons with an avslut in the
-- period; month 0 is the month of their last avslut in the period (under a jobbtorg: of that jobbtorg's
-- registrations). A follow-up month counts only if it lies within the delivered payment months.
WITH per_person AS (
    SELECT period, dimension, grupp, jobbtorg, person_key, date_trunc('month', avslutsdatum)::DATE AS manad_0
    FROM staging.avslut_kohort
),
uppfoljning AS (
    SELECT * FROM (VALUES (0, 3), (1, 6), (2, 12), (3, 18), (4, 24), (5, 36), (6, 48)) AS k(bit, manader)
),
-- each case (a person and the month of an avslut) judged once for every k, as one bit per k of two
-- numbers: followable (month 0 + k delivered) and self-sufficient in month 0 + k
fall AS (
    SELECT fa.person_key, fa.manad_0,
           coalesce(bit_or(1 << k.bit) FILTER (
               WHERE (fa.manad_0 + to_months(k.manader))::DATE BETWEEN l.forsta_manad AND l.sista_manad), 0)
               AS uppfoljningsbar,
           coalesce(bit_or(1 << k.bit) FILTER (WHERE coalesce(f.netto, 0) <= 0), 0) AS sjalvforsorjande
    FROM (SELECT DISTINCT person_key, manad_0 FROM per_person WHERE manad_0 IS NOT NULL) AS fa
    CROSS JOIN uppfoljning AS k
    CROSS JOIN staging.utbetalningsmanader AS l
    LEFT JOIN staging.forsorjningsstod_manad AS f
      ON f.person_key = fa.person_key AND f.manad = (fa.manad_0 + to_months(k.manader))::DATE
    GROUP BY fa.person_key, fa.manad_0
),
-- persons per cell, kön and kombination with the same pair of numbers: few rows, however many persons;
-- each kombination's counts are then added to its groups (the persons in one group of a dimension)
lika_per_kombination AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon,
           pp.manad_0 IS NOT NULL AS avslutad, fa.uppfoljningsbar, fa.sjalvforsorjande, count(*) AS personer
    FROM staging.med_kombination(per_person) AS pp
    JOIN staging.personer AS p USING (person_key)
    LEFT JOIN fall AS fa USING (person_key, manad_0)
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon,
             avslutad, fa.uppfoljningsbar, fa.sjalvforsorjande
),
lika AS (
    SELECT period, dimension, grupp, jobbtorg,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           avslutad, uppfoljningsbar, sjalvforsorjande, sum(personer) AS personer
    FROM staging.i_grupper(lika_per_kombination)
    GROUP BY GROUPING SETS (
        (period, dimension, grupp, jobbtorg, avslutad, uppfoljningsbar, sjalvforsorjande, kon),
        (period, dimension, grupp, jobbtorg, avslutad, uppfoljningsbar, sjalvforsorjande))
),
bedomda AS (
    SELECT l.period, l.dimension, l.grupp, l.jobbtorg, l.kon, k.manader, l.personer,
           l.avslutad,
           l.avslutad AND (l.uppfoljningsbar >> k.bit) & 1 = 1 AS uppfoljningsbar,
           l.avslutad AND (l.uppfoljningsbar >> k.bit) & 1 = 1 AND (l.sjalvforsorjande >> k.bit) & 1 = 1
               AS sjalvforsorjande
    FROM lika AS l
    CROSS JOIN uppfoljning AS k
)
SELECT period, dimension, grupp, jobbtorg, kon, manader AS manader_efter_avslut,
       coalesce(sum(personer) FILTER (WHERE avslutad), 0)::BIGINT AS avslutade,
       coalesce(sum(personer) FILTER (WHERE uppfoljningsbar), 0)::BIGINT AS uppfoljningsbara,
       coalesce(sum(personer) FILTER (WHERE sjalvforsorjande), 0)::BIGINT AS sjalvforsorjande,
       coalesce(sum(personer) FILTER (WHERE sjalvforsorjande), 0)::BIGINT
           / nullif(coalesce(sum(personer) FILTER (WHERE uppfoljningsbar), 0)::BIGINT, 0) AS andel_sjalvforsorjande
FROM bedomda
GROUP BY period, dimension, grupp, jobbtorg, kon, manader

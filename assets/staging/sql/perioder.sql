-- Every year and tertial from the first period with data to the one holding the uttagsdatum.
-- Tertials: T1 January-April, T2 May-August, T3 September-December.
WITH grans AS (
    SELECT
        coalesce(least((SELECT min(inskrivningsdatum) FROM staging.inskrivningar),
                       (SELECT min(startdatum) FROM staging.insatser)), uttagsdatum) AS forsta,
        uttagsdatum AS sista
    FROM raw.uttag
),
ar AS (
    SELECT unnest(generate_series(make_date(year(forsta), 1, 1), make_date(year(sista), 1, 1),
                                  INTERVAL 1 YEAR))::DATE AS period_start
    FROM grans
),
tertial AS (
    SELECT unnest(generate_series(make_date(year(forsta), 1 + 4 * ((month(forsta) - 1) // 4), 1),
                                  make_date(year(sista), 1 + 4 * ((month(sista) - 1) // 4), 1),
                                  INTERVAL 4 MONTH))::DATE AS period_start
    FROM grans
)
SELECT year(period_start)::VARCHAR AS period, 'ar' AS period_typ, period_start,
       (period_start + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE AS period_slut
FROM ar
UNION ALL
SELECT year(period_start) || '-T' || (1 + (month(period_start) - 1) // 4), 'tertial', period_start,
       (period_start + INTERVAL 4 MONTH - INTERVAL 1 DAY)::DATE
FROM tertial
ORDER BY period_start, period_typ

-- Long-term recipients of försörjningsstöd before and after Jobbtorg (Socialstyrelsen's definition: net
-- försörjningsstöd above 0 in at least 10 of 12 months). The cohort of sjalvforsorjning: the persons with an
-- avslut in the period, their last (under a jobbtorg: their last there). Before: the 12 months before the
-- month of the inskrivning of the registration of that avslut; after: months 1-12 after the month of the
-- avslut. A window counts only when all its 12 months lie within the delivered payment months.
WITH kohort AS (
    SELECT k.period, k.jobbtorg, k.person_key, k.inskrivning_id IS NOT NULL AS avslutad,
           (date_trunc('month', i.inskrivningsdatum) - INTERVAL 12 MONTH)::DATE AS fore_fran,
           (date_trunc('month', i.inskrivningsdatum) - INTERVAL 1 MONTH)::DATE AS fore_till,
           (date_trunc('month', k.avslutsdatum) + INTERVAL 1 MONTH)::DATE AS efter_fran,
           (date_trunc('month', k.avslutsdatum) + INTERVAL 12 MONTH)::DATE AS efter_till
    FROM staging.avslut_kohort AS k
    LEFT JOIN staging.inskrivningar AS i USING (inskrivning_id)
    WHERE k.dimension = 'totalt'  -- the mart's own levels; it has no breakdown table
),
manader AS (
    -- months with net försörjningsstöd above 0 in each window (forsorjningsstod_manad nets reclaims)
    SELECT k.period, k.jobbtorg, k.person_key,
           count(*) FILTER (WHERE f.manad BETWEEN k.fore_fran AND k.fore_till) AS fore,
           count(*) FILTER (WHERE f.manad BETWEEN k.efter_fran AND k.efter_till) AS efter
    FROM kohort AS k
    JOIN staging.forsorjningsstod_manad AS f
      ON f.person_key = k.person_key
     AND f.netto > 0
     AND (f.manad BETWEEN k.fore_fran AND k.fore_till OR f.manad BETWEEN k.efter_fran AND k.efter_till)
    WHERE k.avslutad
    GROUP BY k.period, k.jobbtorg, k.person_key
),
bedomda AS (
    SELECT k.period, k.jobbtorg, k.person_key, k.avslutad,
           k.avslutad AND k.fore_fran >= l.forsta_manad AND k.fore_till <= l.sista_manad AS fore_bar,
           k.avslutad AND k.efter_fran >= l.forsta_manad AND k.efter_till <= l.sista_manad AS efter_bar,
           coalesce(m.fore, 0) >= 10 AS fore_langvarig,
           coalesce(m.efter, 0) >= 10 AS efter_langvarig
    FROM kohort AS k
    CROSS JOIN staging.utbetalningsmanader AS l
    LEFT JOIN manader AS m USING (period, jobbtorg, person_key)
)
SELECT b.period,
       b.jobbtorg,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       count(*) FILTER (WHERE b.avslutad) AS avslutade,
       count(*) FILTER (WHERE b.fore_bar) AS uppfoljningsbara_fore,
       count(*) FILTER (WHERE b.fore_bar AND b.fore_langvarig) AS langvariga_fore,
       count(*) FILTER (WHERE b.efter_bar) AS uppfoljningsbara_efter,
       count(*) FILTER (WHERE b.efter_bar AND b.efter_langvarig) AS langvariga_efter,
       count(*) FILTER (WHERE b.fore_bar AND b.fore_langvarig) / nullif(count(*) FILTER (WHERE b.fore_bar), 0)
           AS andel_langvariga_fore,
       count(*) FILTER (WHERE b.efter_bar AND b.efter_langvarig) / nullif(count(*) FILTER (WHERE b.efter_bar), 0)
           AS andel_langvariga_efter
FROM bedomda AS b
JOIN staging.personer AS p USING (person_key)
GROUP BY GROUPING SETS ((b.period, b.jobbtorg, p.kon), (b.period, b.jobbtorg))

-- Each person's group per dimension in a period, for the breakdown tables: `grupp` when all the
-- registrations that count for the person in the period (active in it, or holding an insats active in it)
-- lie in one group of the dimension, empty when they lie in two or more. A person in one group has in that
-- group exactly the values they have in the mart's own table, so the marts count those there (by the
-- person's kombination) instead of computing them again; only a person in two or more groups (grupp
-- empty) is computed per group, from the views inskrivning_niva_egen and insats_niva_egen. Most persons
-- have one registration per period, and one registration is one group in every dimension.
WITH rader AS (
    SELECT period, person_key, inskrivning_id FROM staging.inskrivning_period
    UNION ALL
    SELECT period, person_key, inskrivning_id FROM staging.insats_period
),
personer AS (
    SELECT period, person_key, min(inskrivning_id) AS inskrivning_id,
           min(inskrivning_id) = max(inskrivning_id) AS en_inskrivning
    FROM rader
    GROUP BY period, person_key
),
flera AS (
    SELECT r.period, r.person_key, g.dimension,
           CASE WHEN min(g.grupp) = max(g.grupp) THEN min(g.grupp) END AS grupp
    FROM (SELECT DISTINCT r.period, r.person_key, r.inskrivning_id
          FROM rader AS r
          SEMI JOIN personer AS p
            ON p.period = r.period AND p.person_key = r.person_key AND NOT p.en_inskrivning) AS r
    JOIN staging.inskrivning_grupp AS g USING (inskrivning_id)
    WHERE g.dimension <> 'totalt'
    GROUP BY r.period, r.person_key, g.dimension
)
SELECT p.period, p.person_key, g.dimension, g.grupp
FROM personer AS p
JOIN staging.inskrivning_grupp AS g USING (inskrivning_id)
WHERE p.en_inskrivning AND g.dimension <> 'totalt'
UNION ALL
SELECT period, person_key, dimension, grupp FROM flera

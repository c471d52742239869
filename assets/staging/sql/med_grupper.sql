-- A table macro, `med_grupper(per_person)`: a mart's per-person rows (columns period, dimension,
-- grupp and person_key, one row per level and person, computed from inskrivning_niva_egen or
-- insats_niva_egen) completed with the group rows of every person in one group of a dimension: their own
-- row ('totalt') copied under their group (staging.person_grupp), at every jobbtorg level. The rows of the
-- persons in two or more groups pass through as computed. Every mart with a breakdown table reads its
-- per-person rows through this one macro.
SELECT * FROM query_table(per_person)
UNION ALL BY NAME
SELECT pp.* REPLACE (g.dimension AS dimension, g.grupp AS grupp)
FROM query_table(per_person) AS pp
JOIN staging.person_grupp AS g ON g.period = pp.period AND g.person_key = pp.person_key
WHERE pp.dimension = 'totalt' AND g.grupp IS NOT NULL

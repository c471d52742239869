-- The groups of the registrations of every person in two or more groups of a dimension in a period
-- (staging.person_grupp with grupp empty): one row per period, registration and such dimension. Small,
-- as few persons change group within a period; the views inskrivning_niva_egen and insats_niva_egen take a
-- group's rows from here.
SELECT d.period, g.inskrivning_id, d.dimension, g.grupp
FROM staging.person_grupp AS d
JOIN staging.inskrivningar AS i USING (person_key)
JOIN staging.inskrivning_grupp AS g ON g.inskrivning_id = i.inskrivning_id AND g.dimension = d.dimension
WHERE d.grupp IS NULL

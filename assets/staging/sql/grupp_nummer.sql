-- Every group of every dimension numbered, for the kombination of a person (one number for their groups in
-- all dimensions): `grupp_nr` counts 1, 2, ... within the dimension, and the dimension's groups take the
-- bits from `forsta_bit` up, `bitar` of them. A few dozen rows.
WITH grupper AS (
    SELECT dimension, grupp, row_number() OVER (PARTITION BY dimension ORDER BY grupp) AS grupp_nr
    FROM (SELECT DISTINCT dimension, grupp FROM staging.inskrivning_grupp WHERE dimension <> 'totalt')
),
dimensioner AS (
    SELECT dimension, ceil(log2(count(*) + 1))::INTEGER AS bitar FROM grupper GROUP BY dimension
),
placerade AS (
    SELECT dimension, bitar,
           (sum(bitar) OVER (ORDER BY dimension ROWS UNBOUNDED PRECEDING) - bitar)::INTEGER AS forsta_bit
    FROM dimensioner
)
SELECT g.dimension, g.grupp, g.grupp_nr, p.forsta_bit, p.bitar
FROM grupper AS g
JOIN placerade AS p USING (dimension)
WHERE p.forsta_bit + p.bitar <= 63 OR error('the groups of all dimensions need more than 63 bits')
ORDER BY g.dimension, g.grupp_nr

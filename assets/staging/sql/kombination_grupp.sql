-- The groups of each kombination that occurs (a person's groups in the dimensions where they are in one
-- group, as one number: see person_kombination): one row per kombination and such dimension. A few
-- thousand rows; a mart's counts per kombination are added to each of its groups through this table.
SELECT k.kombination, n.dimension, n.grupp
FROM (SELECT DISTINCT kombination FROM staging.person_kombination) AS k
JOIN staging.grupp_nummer AS n
  ON (k.kombination >> n.forsta_bit) & ((1::BIGINT << n.bitar) - 1) = n.grupp_nr
ORDER BY k.kombination, n.dimension

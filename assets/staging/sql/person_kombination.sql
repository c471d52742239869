-- Each person's kombination per period, for the breakdown tables: their groups, in every dimension where
-- they are in one group (staging.person_grupp), as one number. The groups of a dimension are numbered
-- 1, 2, ... and each dimension has bits of its own in the number (enough for its groups; 0 where the person
-- is in two or more groups of the dimension). A person in two or more groups of every dimension has no row.
-- At 1,000,000 persons a few hundred kombinationer hold nearly six million person-periods: a mart counts its
-- persons once per kombination and then adds each kombination's counts to its groups, instead of copying
-- every person's row to each of their groups.
SELECT g.period, g.person_key, bit_or(n.grupp_nr::BIGINT << n.forsta_bit) AS kombination
FROM staging.person_grupp AS g
JOIN staging.grupp_nummer AS n USING (dimension, grupp)
GROUP BY g.period, g.person_key

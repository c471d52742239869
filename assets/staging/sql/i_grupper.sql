-- A table macro, `i_grupper(delsummor)`: a mart's counts per cell and kombination (from rows passed through
-- med_kombination), completed with the counts of every group: the counts of the mart's own rows
-- (dimension 'totalt') once more under each group of their kombination (staging.kombination_grupp). The
-- counts of the group rows computed for persons in two or more groups of a dimension (no kombination) pass
-- through as they are. The mart then sums the rows per cell: a person in one group of a dimension counts in
-- that group with exactly their values in the mart's own table, and no person's row is copied.
SELECT * EXCLUDE (kombination) FROM query_table(delsummor)
UNION ALL BY NAME
SELECT d.* EXCLUDE (kombination) REPLACE (g.dimension AS dimension, g.grupp AS grupp)
FROM query_table(delsummor) AS d
JOIN staging.kombination_grupp AS g USING (kombination)

-- A table macro, `med_kombination(per_person)`: a mart's per-person rows (columns period, dimension,
-- grupp and person_key, computed from inskrivning_niva_egen or insats_niva_egen) with the column
-- `kombination`: on the mart's own rows (dimension 'totalt') the person's groups in the dimensions where they
-- are in one group (staging.person_kombination), empty on the group rows computed for the persons in two
-- or more groups of a dimension. A mart counts its per-person rows by kombination as well as by its own
-- cells, and the macro i_grupper adds those counts to the kombination's groups.
SELECT pp.*, k.kombination
FROM query_table(per_person) AS pp
LEFT JOIN staging.person_kombination AS k
  ON k.period = pp.period AND k.person_key = pp.person_key AND pp.dimension = 'totalt'

-- The avslut cohort of a period, per level of inskrivning_niva_egen (a jobbtorg or `totalt`, for the marts'
-- own tables, and for each breakdown group the persons in two or more groups of its dimension): every
-- person with a registration active in the period, with the registration of their last avslut in the
-- period (same day: the highest inskrivning_id) and its avslutsdatum; both empty for a person who did not
-- end. The marts that follow the persons who ended (month 0 = the month of that avslut) take the cohort
-- from here, compute their per-person values, and count those of the persons in one group once per
-- kombination for its groups (the macros med_kombination and i_grupper). A table, built once: four marts
-- read it.
SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
       arg_max(inskrivning_id, (avslutsdatum, inskrivning_id)) FILTER (WHERE avslutad_i_perioden)
           AS inskrivning_id,
       max(avslutsdatum) FILTER (WHERE avslutad_i_perioden) AS avslutsdatum
FROM staging.inskrivning_niva_egen
GROUP BY period, dimension, grupp, niva, person_key

-- The avslut cohort of a period, per level of inskrivning_niva (a jobbtorg or `totalt`, for the marts'
-- own tables and for each breakdown group): every person with a registration
-- active in the period, with the registration of their last avslut in the period (same day: the highest
-- inskrivning_id) and its avslutsdatum; both empty for a person who did not end. The marts that follow the
-- persons who ended (month 0 = the month of that avslut) take the cohort from here. A table, built once:
-- four marts read it, and at a million persons picking the last avslut per level takes most of a minute.
SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
       arg_max(inskrivning_id, (avslutsdatum, inskrivning_id)) FILTER (WHERE avslutad_i_perioden)
           AS inskrivning_id,
       max(avslutsdatum) FILTER (WHERE avslutad_i_perioden) AS avslutsdatum
FROM staging.inskrivning_niva
GROUP BY period, dimension, grupp, niva, person_key

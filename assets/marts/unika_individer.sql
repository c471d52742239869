-- Distinct persons registered, newly registered and ended, per period, jobbtorg and kön.
-- Per-person values are computed per level (each jobbtorg, and 'totalt' over all registrations; for the
-- breakdown table also per group) before grouping, so a person under two jobbtorg counts once in 'totalt'
-- and the last avslut is the level's own. A group's values are computed only for persons in two or more
-- groups of its dimension (staging.inskrivning_niva_egen); the others' are their own values, counted once
-- per kombination (staging.med_kombination) and added to its groups (staging.i_grupper).
WITH per_person AS (
    SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
           count(*) AS registreringar,
           bool_or(ny_i_perioden) AS ny,
           bool_or(avslutad_i_perioden) AS avslutad,
           -- the last avslut in the period; same day: the highest inskrivning_id
           arg_max(avslutsgrupp, (avslutsdatum, inskrivning_id)) FILTER (WHERE avslutad_i_perioden) AS sista_avslutsgrupp
    FROM staging.inskrivning_niva_egen
    GROUP BY period, dimension, grupp, niva, person_key
),
delsummor AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon,
           count(*) AS inskrivna,
           count(*) FILTER (WHERE pp.ny) AS nyinskrivna,
           sum(pp.registreringar) AS registreringar,
           count(*) FILTER (WHERE pp.avslutad) AS avslutade,
           count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'arbete') AS avslut_arbete,
           count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'studier') AS avslut_studier,
           count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'aterremiss') AS avslut_aterremiss,
           count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'ovrigt') AS avslut_ovrigt,
           count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'saknas') AS avslut_orsak_saknas
    FROM staging.med_kombination(per_person) AS pp
    JOIN staging.personer AS p USING (person_key)
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon
)
SELECT period,
       dimension,
       grupp,
       jobbtorg,
       CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
       sum(inskrivna)::BIGINT AS inskrivna,
       sum(nyinskrivna)::BIGINT AS nyinskrivna,
       sum(registreringar)::BIGINT AS registreringar,
       sum(avslutade)::BIGINT AS avslutade,
       sum(avslut_arbete)::BIGINT AS avslut_arbete,
       sum(avslut_studier)::BIGINT AS avslut_studier,
       sum(avslut_aterremiss)::BIGINT AS avslut_aterremiss,
       sum(avslut_ovrigt)::BIGINT AS avslut_ovrigt,
       sum(avslut_orsak_saknas)::BIGINT AS avslut_orsak_saknas
FROM staging.i_grupper(delsummor)
GROUP BY GROUPING SETS ((period, dimension, grupp, jobbtorg, kon), (period, dimension, grupp, jobbtorg))

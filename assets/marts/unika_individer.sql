-- Distinct persons registered, newly registered and ended, per period, jobbtorg and kön.
-- Per-person values are computed per level (each jobbtorg, and 'totalt' over all registrations; for the
-- breakdown table also per group) before grouping, so a person under two jobbtorg counts once in 'totalt'
-- and the last avslut is the level's own. A group's values are computed only for persons in two or more
-- groups of its dimension (staging.inskrivning_niva_egen); staging.med_grupper copies the others'.
WITH per_person AS (
    SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
           count(*) AS registreringar,
           bool_or(ny_i_perioden) AS ny,
           bool_or(avslutad_i_perioden) AS avslutad,
           -- the last avslut in the period; same day: the highest inskrivning_id
           arg_max(avslutsgrupp, (avslutsdatum, inskrivning_id)) FILTER (WHERE avslutad_i_perioden) AS sista_avslutsgrupp
    FROM staging.inskrivning_niva_egen
    GROUP BY period, dimension, grupp, niva, person_key
)
SELECT pp.period,
       pp.dimension,
       pp.grupp,
       pp.jobbtorg,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       count(*) AS inskrivna,
       count(*) FILTER (WHERE pp.ny) AS nyinskrivna,
       sum(pp.registreringar)::BIGINT AS registreringar,
       count(*) FILTER (WHERE pp.avslutad) AS avslutade,
       count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'arbete') AS avslut_arbete,
       count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'studier') AS avslut_studier,
       count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'aterremiss') AS avslut_aterremiss,
       count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'ovrigt') AS avslut_ovrigt,
       count(*) FILTER (WHERE pp.sista_avslutsgrupp = 'saknas') AS avslut_orsak_saknas
FROM staging.med_grupper(per_person) AS pp
JOIN staging.personer AS p USING (person_key)
GROUP BY GROUPING SETS ((pp.period, pp.dimension, pp.grupp, pp.jobbtorg, p.kon),
                        (pp.period, pp.dimension, pp.grupp, pp.jobbtorg))

-- Distinct persons registered, newly registered and ended, per period, jobbtorg and kön.
-- Per-person values are computed at two levels (each jobbtorg, and 'totalt' over all registrations) before
-- grouping, so a person under two jobbtorg counts once in 'totalt' and the last avslut is the level's own.
WITH per_person AS (
    SELECT period, niva AS jobbtorg, person_key,
           count(*) AS registreringar,
           bool_or(ny_i_perioden) AS ny,
           bool_or(avslutad_i_perioden) AS avslutad,
           -- the last avslut in the period; same day: the highest inskrivning_id
           arg_max(avslutsgrupp, (avslutsdatum, inskrivning_id)) FILTER (WHERE avslutad_i_perioden) AS grupp
    FROM staging.inskrivning_niva
    GROUP BY period, niva, person_key
)
SELECT pp.period,
       pp.jobbtorg,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       count(*) AS inskrivna,
       count(*) FILTER (WHERE pp.ny) AS nyinskrivna,
       sum(pp.registreringar)::BIGINT AS registreringar,
       count(*) FILTER (WHERE pp.avslutad) AS avslutade,
       count(*) FILTER (WHERE pp.grupp = 'arbete') AS avslut_arbete,
       count(*) FILTER (WHERE pp.grupp = 'studier') AS avslut_studier,
       count(*) FILTER (WHERE pp.grupp = 'aterremiss') AS avslut_aterremiss,
       count(*) FILTER (WHERE pp.grupp = 'ovrigt') AS avslut_ovrigt,
       count(*) FILTER (WHERE pp.grupp = 'saknas') AS avslut_orsak_saknas
FROM per_person AS pp
JOIN staging.personer AS p USING (person_key)
GROUP BY GROUPING SETS ((pp.period, pp.jobbtorg, p.kon), (pp.period, pp.jobbtorg))

-- A registration once for every period it is active in: inskrivningsdatum <= period_slut and
-- (avslutsdatum empty or >= period_start). Shared by the marts that count registrations and avslut.
SELECT p.period,
       i.inskrivning_id,
       i.person_key,
       i.jobbtorg,
       i.inskrivningsdatum,
       i.avslutsdatum,
       i.avslutsorsak,
       i.avslutsgrupp,
       i.inskrivningsdatum BETWEEN p.period_start AND p.period_slut AS ny_i_perioden,
       coalesce(i.avslutsdatum BETWEEN p.period_start AND p.period_slut, false) AS avslutad_i_perioden
FROM staging.inskrivningar AS i
JOIN staging.perioder AS p
  ON i.inskrivningsdatum <= p.period_slut
 AND (i.avslutsdatum IS NULL OR i.avslutsdatum >= p.period_start)
ORDER BY p.period, i.inskrivning_id

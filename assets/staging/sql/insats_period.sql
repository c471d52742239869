-- An insats once for every period it is active in, from startdatum to slutdatum (or to the uttagsdatum
-- while ongoing), clipped to the period: `fran`/`till` are the first and last day it is active in it.
SELECT p.period,
       s.insats_id,
       s.inskrivning_id,
       s.person_key,
       s.jobbtorg,
       s.insatstyp,
       s.regi,
       s.startdatum,
       s.slutdatum,
       greatest(s.startdatum, p.period_start) AS fran,
       least(coalesce(s.slutdatum, u.uttagsdatum), p.period_slut) AS till,
       s.startdatum BETWEEN p.period_start AND p.period_slut AS startad_i_perioden,
       coalesce(s.slutdatum BETWEEN p.period_start AND p.period_slut, false) AS avslutad_i_perioden
FROM staging.insatser AS s
CROSS JOIN raw.uttag AS u
JOIN staging.perioder AS p
  ON s.startdatum <= p.period_slut
 AND coalesce(s.slutdatum, u.uttagsdatum) >= p.period_start
ORDER BY p.period, s.insats_id

-- Persons with insatser and with parallel insatser, per period, jobbtorg and kön.
-- The number of insatser a person has active on each day comes from a sweep over start and end events
-- (+1 on the first active day, -1 on the day after the last), never from expanding person-days: the cost
-- grows with the number of insatser, not with how long they run. Dates are inclusive, so two insatser on
-- the same single day, or one ending the day another starts, are active at once. On one day the -1 events
-- are ordered before the +1 events, so the running sum after a day's last event is that day's count.
-- The levels are those of the view insats_niva (each jobbtorg and 'totalt'; for the breakdown table also
-- per group). 'totalt' needs a sweep of its own only for persons under more than one jobbtorg in the
-- period (and group); for the others it equals their one jobbtorg's value. Likewise a group needs a sweep
-- of its own only for persons in two or more groups of the dimension (staging.insats_niva_egen); the
-- others' own (the mart's) values are counted once per kombination (staging.med_kombination) and added to
-- its groups (staging.i_grupper).
WITH egen AS (
    SELECT period, dimension, grupp, person_key, fran, till, jobbtorg
    FROM staging.insats_niva_egen
    WHERE NOT totalt
),
flera_jobbtorg AS (
    SELECT period, dimension, grupp, person_key
    FROM egen
    GROUP BY period, dimension, grupp, person_key
    HAVING count(DISTINCT jobbtorg) > 1
),
niva AS (
    SELECT * FROM egen
    UNION ALL BY NAME
    SELECT e.* REPLACE ('totalt' AS jobbtorg)
    FROM egen AS e
    SEMI JOIN flera_jobbtorg AS f
      ON f.period = e.period AND f.dimension = e.dimension AND f.grupp = e.grupp AND f.person_key = e.person_key
),
handelser AS (
    SELECT period, dimension, grupp, jobbtorg, person_key, fran AS dag, 1 AS steg FROM niva
    UNION ALL
    SELECT period, dimension, grupp, jobbtorg, person_key, till + 1 AS dag, -1 AS steg FROM niva
),
lopande AS (
    SELECT period, dimension, grupp, jobbtorg, person_key, steg,
           sum(steg) OVER (PARTITION BY period, dimension, grupp, jobbtorg, person_key ORDER BY dag, steg
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS aktiva
    FROM handelser
),
per_jobbtorg AS (
    SELECT period, dimension, grupp, jobbtorg, person_key,
           max(aktiva)::BIGINT AS max_samtidiga,
           count(*) FILTER (WHERE steg = 1) AS insatser
    FROM lopande
    GROUP BY period, dimension, grupp, jobbtorg, person_key
),
svept AS (
    SELECT * FROM per_jobbtorg
    UNION ALL BY NAME
    SELECT p.* REPLACE ('totalt' AS jobbtorg)
    FROM per_jobbtorg AS p
    ANTI JOIN flera_jobbtorg AS f
      ON f.period = p.period AND f.dimension = p.dimension AND f.grupp = p.grupp AND f.person_key = p.person_key
),
delsummor AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon,
           count(*) AS personer_med_insats,
           count(*) FILTER (WHERE pp.max_samtidiga >= 2) AS personer_med_parallella_insatser,
           sum(pp.insatser) AS insatser,
           max(pp.max_samtidiga) AS max_samtidiga_insatser
    FROM staging.med_kombination(svept) AS pp
    JOIN staging.personer AS p USING (person_key)
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon
)
SELECT period,
       dimension,
       grupp,
       jobbtorg,
       CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
       sum(personer_med_insats)::BIGINT AS personer_med_insats,
       sum(personer_med_parallella_insatser)::BIGINT AS personer_med_parallella_insatser,
       sum(insatser)::BIGINT AS insatser,
       max(max_samtidiga_insatser) AS max_samtidiga_insatser
FROM staging.i_grupper(delsummor)
GROUP BY GROUPING SETS ((period, dimension, grupp, jobbtorg, kon), (period, dimension, grupp, jobbtorg))

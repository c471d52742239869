-- Persons with insatser and with parallel insatser, per period, jobbtorg and kön.
-- The number of insatser a person has active on each day comes from a sweep over start and end events
-- (+1 on the first active day, -1 on the day after the last), never from expanding person-days: the cost
-- grows with the number of insatser, not with how long they run. Dates are inclusive, so two insatser on
-- the same single day, or one ending the day another starts, are active at once.
WITH niva AS (
    SELECT ip.period, ip.person_key, ip.fran, ip.till,
           CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS jobbtorg
    FROM staging.insats_period AS ip
    CROSS JOIN (VALUES (false), (true)) AS n(totalt)
),
handelser AS (
    SELECT period, jobbtorg, person_key, fran AS dag, 1 AS steg FROM niva
    UNION ALL
    SELECT period, jobbtorg, person_key, till + 1 AS dag, -1 AS steg FROM niva
),
per_dag AS (
    SELECT period, jobbtorg, person_key, dag, sum(steg) AS steg
    FROM handelser
    GROUP BY period, jobbtorg, person_key, dag
),
lopande AS (
    SELECT period, jobbtorg, person_key,
           sum(steg) OVER (PARTITION BY period, jobbtorg, person_key ORDER BY dag
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS aktiva
    FROM per_dag
),
per_person AS (
    SELECT l.period, l.jobbtorg, l.person_key, max(l.aktiva)::BIGINT AS max_samtidiga, a.insatser
    FROM lopande AS l
    JOIN (SELECT period, jobbtorg, person_key, count(*) AS insatser
          FROM niva GROUP BY period, jobbtorg, person_key) AS a
      USING (period, jobbtorg, person_key)
    GROUP BY l.period, l.jobbtorg, l.person_key, a.insatser
)
SELECT pp.period,
       pp.jobbtorg,
       CASE WHEN grouping(p.kon) = 1 THEN 'totalt' ELSE p.kon END AS kon,
       count(*) AS personer_med_insats,
       count(*) FILTER (WHERE pp.max_samtidiga >= 2) AS personer_med_parallella_insatser,
       sum(pp.insatser)::BIGINT AS insatser,
       max(pp.max_samtidiga) AS max_samtidiga_insatser
FROM per_person AS pp
JOIN staging.personer AS p USING (person_key)
GROUP BY GROUPING SETS ((pp.period, pp.jobbtorg, p.kon), (pp.period, pp.jobbtorg))

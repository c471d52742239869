-- Pairs of insatstyper held on the same day, per period: a self-join of each person's insatser clipped to
-- the period, on overlap. Persons hold few insatser per period, so the join stays small.
SELECT a.period,
       least(a.insatstyp, b.insatstyp) AS insatstyp_a,
       greatest(a.insatstyp, b.insatstyp) AS insatstyp_b,
       count(DISTINCT a.person_key) AS personer
FROM staging.insats_period AS a
JOIN staging.insats_period AS b
  ON a.period = b.period
 AND a.person_key = b.person_key
 AND a.insats_id < b.insats_id
 AND a.fran <= b.till
 AND b.fran <= a.till
GROUP BY a.period, least(a.insatstyp, b.insatstyp), greatest(a.insatstyp, b.insatstyp)

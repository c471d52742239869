-- Each insats-period at every level a mart counts it at, as the view inskrivning_niva does for
-- registrations: an insats belongs to the jobbtorg and the groups of its registration. `niva` is the
-- jobbtorg or 'totalt'; a mart by regi takes `CASE WHEN totalt THEN 'totalt' ELSE regi END` instead.
-- A view: it costs nothing to keep.
SELECT ip.*, g.dimension, g.grupp, n.totalt, CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.insats_period AS ip
JOIN staging.inskrivning_grupp AS g USING (inskrivning_id)
CROSS JOIN (VALUES (false), (true)) AS n(totalt)

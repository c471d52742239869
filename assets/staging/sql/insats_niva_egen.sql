-- The rows of insats_niva a per-person computation needs, as inskrivning_niva_egen gives those of
-- inskrivning_niva: the marts' own rows, and a group's rows only for the persons in two or more groups of
-- its dimension in the period; the others count in their groups with their own values, once per
-- kombination (the macros med_kombination and i_grupper). A view: it costs nothing to keep.
SELECT ip.*, 'totalt' AS dimension, 'totalt' AS grupp, n.totalt,
       CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.insats_period AS ip
CROSS JOIN (VALUES (false), (true)) AS n(totalt)
UNION ALL
SELECT ip.*, g.dimension, g.grupp, n.totalt, CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.insats_period AS ip
JOIN staging.inskrivning_grupp_delad AS g USING (period, inskrivning_id)
CROSS JOIN (VALUES (false), (true)) AS n(totalt)

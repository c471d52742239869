-- The rows of inskrivning_niva a per-person computation needs: the marts' own rows (`dimension` and `grupp`
-- 'totalt'), and a group's rows only for the persons in two or more groups of its dimension in the period
-- (staging.inskrivning_grupp_delad). A mart computes its per-person values from these and counts the
-- other persons in their groups with their own values, once per kombination (the macros med_kombination
-- and i_grupper): the same figures as computing every group from inskrivning_niva, at little more than
-- the cost of the mart's own table. A view: it costs nothing to keep.
SELECT ip.*, 'totalt' AS dimension, 'totalt' AS grupp, n.totalt,
       CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.inskrivning_period AS ip
CROSS JOIN (VALUES (false), (true)) AS n(totalt)
UNION ALL
SELECT ip.*, g.dimension, g.grupp, n.totalt, CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.inskrivning_period AS ip
JOIN staging.inskrivning_grupp_delad AS g USING (period, inskrivning_id)
CROSS JOIN (VALUES (false), (true)) AS n(totalt)

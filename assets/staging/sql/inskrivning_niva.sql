-- Each registration-period at every level a mart counts it at: under its own jobbtorg (`niva` = the
-- jobbtorg, `totalt` false) and under `totalt` (all registrations), and each of these once for the mart's
-- own table (`dimension` and `grupp` = 'totalt') and once for every group the registration belongs to
-- (the table inskrivning_grupp). Per-person values (the last avslut, a first återremiss) are computed per
-- (period, dimension, grupp, niva, person): a person's last avslut under Järva, or among their sfi
-- registrations, can differ from their last avslut over all; a person under two jobbtorg or in two groups
-- counts once in each and once in `totalt`. A view: it costs nothing to keep.
SELECT ip.*, g.dimension, g.grupp, n.totalt, CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.inskrivning_period AS ip
JOIN staging.inskrivning_grupp AS g USING (inskrivning_id)
CROSS JOIN (VALUES (false), (true)) AS n(totalt)

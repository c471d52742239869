-- Each registration-period twice: under its own jobbtorg (`niva` = the jobbtorg) and under `totalt`. Per
-- person values (the last avslut, a first återremiss) are computed per level from this, so a person's
-- last avslut under Järva can differ from their last avslut over all, and under `totalt` a person under
-- two jobbtorg is one person. A view: it costs nothing to keep.
SELECT ip.*, CASE WHEN n.totalt THEN 'totalt' ELSE ip.jobbtorg END AS niva
FROM staging.inskrivning_period AS ip
CROSS JOIN (VALUES (false), (true)) AS n(totalt)

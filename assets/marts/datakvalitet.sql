-- Data quality per period and jobbtorg: the rows each source delivered, how many were staged and how
-- many went to quarantine, in total and per JUST-team rule. Counts of source rows, no personal data.
-- A row belongs to the period of its own date (inskrivningsdatum, startdatum, utbetalningsdatum) and to
-- the jobbtorg of its registration (payments: of their district on the payment date, by the reference
-- table); rows without a readable date, or dated outside the periods, count in the periods holding the
-- uttagsdatum. Only a known jobbtorg is named (one of the reference table's, or of a staged
-- registration): a row's jobbtorg field is raw text and may hold anything, a personnummer included, so
-- any other value, or none, counts under 'okänt jobbtorg'. "Staged" means found in the staged table, not
-- "broke no rule": a row lost on the way would show as read but neither staged nor quarantined.
WITH kanda_jobbtorg AS (
    SELECT jobbtorg FROM staging.stadsdelar
    UNION
    SELECT jobbtorg FROM staging.inskrivningar
),
inskrivningens_jobbtorg AS (
    SELECT nullif(trim(inskrivning_id), '') AS inskrivning_id, arg_min(nullif(trim(jobbtorg), ''), _radnr) AS jobbtorg
    FROM raw.inskrivningar
    GROUP BY 1
),
rader AS (
    SELECT 'inskrivningar' AS kalla, r._fil AS fil, r._radnr AS radnr, nullif(trim(r.jobbtorg), '') AS jobbtorg,
           try_cast(trim(r.inskrivningsdatum) AS DATE) AS datum, s._radnr IS NOT NULL AS stagad
    FROM raw.inskrivningar AS r
    LEFT JOIN staging.inskrivningar AS s ON s._fil = r._fil AND s._radnr = r._radnr
    UNION ALL
    SELECT 'insatser', r._fil, r._radnr, i.jobbtorg, try_cast(trim(r.startdatum) AS DATE), s._radnr IS NOT NULL
    FROM raw.insatser AS r
    LEFT JOIN inskrivningens_jobbtorg AS i ON i.inskrivning_id = nullif(trim(r.inskrivning_id), '')
    LEFT JOIN staging.insatser AS s ON s._fil = r._fil AND s._radnr = r._radnr
    UNION ALL
    SELECT 'utbetalningar', r._fil, r._radnr, d.jobbtorg, try_cast(trim(r.utbetalningsdatum) AS DATE),
           s._radnr IS NOT NULL
    FROM raw.utbetalningar AS r
    LEFT JOIN staging.stadsdelar AS d
      ON d.stadsdel = trim(r.stadsdel)
     AND try_cast(trim(r.utbetalningsdatum) AS DATE) BETWEEN d.giltig_fran AND coalesce(d.giltig_till, DATE '9999-12-31')
    LEFT JOIN staging.utbetalningar AS s ON s._fil = r._fil AND s._radnr = r._radnr
),
regler AS (
    SELECT kalla, fil, radnr, list(DISTINCT regel ORDER BY regel) AS regler
    FROM staging.karantan WHERE radnr IS NOT NULL
    GROUP BY kalla, fil, radnr
),
bedomda AS (
    SELECT r.kalla, coalesce(k.jobbtorg, 'okänt jobbtorg') AS jobbtorg, r.datum, r.stagad, g.regler
    FROM rader AS r
    LEFT JOIN kanda_jobbtorg AS k ON k.jobbtorg = r.jobbtorg
    LEFT JOIN regler AS g ON g.kalla = r.kalla AND g.fil = r.fil AND g.radnr = r.radnr
    UNION ALL
    SELECT k.kalla, 'okänt jobbtorg', NULL, false, [k.regel]  -- lines the CSV reader could not split into fields
    FROM staging.karantan AS k WHERE k.radnr IS NULL
),
-- A row's day (its date, or the uttagsdatum when it has none or lies outside the periods) names its year and
-- its tertial: an equality join on the period, cheaper than a range join over 30 million rows.
dagar AS (
    SELECT b.*,
           CASE WHEN b.datum BETWEEN f.forsta AND u.uttagsdatum THEN b.datum ELSE u.uttagsdatum END AS dag
    FROM bedomda AS b
    CROSS JOIN raw.uttag AS u
    CROSS JOIN (SELECT min(period_start) AS forsta FROM staging.perioder) AS f
),
placerade AS (
    SELECT p.period, d.kalla, d.jobbtorg, d.stagad, d.regler
    FROM dagar AS d
    CROSS JOIN (VALUES (false), (true)) AS t(tertial)
    JOIN staging.perioder AS p
      ON p.period = CASE WHEN t.tertial THEN year(d.dag) || '-T' || (1 + (month(d.dag) - 1) // 4)
                         ELSE year(d.dag)::VARCHAR END
),
-- each jobbtorg, and 'totalt' over all of them (GROUPING SETS: one pass, no doubled rows)
summa AS (
    SELECT period, CASE WHEN grouping(jobbtorg) = 1 THEN 'totalt' ELSE jobbtorg END AS jobbtorg, kalla,
           count(*) AS rader_lasta,
           count(*) FILTER (WHERE stagad) AS rader_stagade,
           count(*) FILTER (WHERE regler IS NOT NULL) AS rader_i_karantan
    FROM placerade
    GROUP BY GROUPING SETS ((period, jobbtorg, kalla), (period, kalla))
),
per_regel AS (
    SELECT period, CASE WHEN grouping(jobbtorg) = 1 THEN 'totalt' ELSE jobbtorg END AS jobbtorg, kalla, regel,
           count(*) AS rader_i_karantan
    FROM (SELECT period, jobbtorg, kalla, unnest(regler) AS regel FROM placerade WHERE regler IS NOT NULL)
    GROUP BY GROUPING SETS ((period, jobbtorg, kalla, regel), (period, kalla, regel))
)
SELECT period, jobbtorg, kalla, 'totalt' AS regel, rader_lasta, rader_stagade, rader_i_karantan,
       rader_i_karantan / rader_lasta AS andel_i_karantan
FROM summa
UNION ALL
SELECT r.period, r.jobbtorg, r.kalla, r.regel, s.rader_lasta, s.rader_stagade, r.rader_i_karantan,
       r.rader_i_karantan / s.rader_lasta
FROM per_regel AS r
JOIN summa AS s USING (period, jobbtorg, kalla)

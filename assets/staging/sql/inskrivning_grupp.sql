-- The groups a registration belongs to, for the breakdown tables (marts.<mart>_grupper): one row per
-- registration and dimension, plus one row (`totalt`, `totalt`) for the marts' own tables. This is the one
-- place the dimensions are declared: every column of `grupper` below except inskrivning_id is a dimension
-- and its value the registration's group; a new dimension is one more column here (and its entry under
-- `grupper` in assets/marts/_gemensamma.yml, which documents it). Every mart reads the groups through
-- the views inskrivning_niva and insats_niva.
-- malgrupp: the registration's målgrupp code.
-- stadsdel: the referring district office matched to the reference table ignoring case and surrounding or
--   repeated spaces, counted under today's district (Hägersten-Liljeholmen and Älvsjö as Hägersten-Älvsjö,
--   in every period); a name not in the table is `okänd` (the indicator inskrivningar.stadsdel_okand).
-- aldersgrupp: whole years on the inskrivningsdatum (a birthday on that day counts), from the birth date in
--   the personnummer as written on the registration, with the year of the inskrivning as the reference
--   year of a 10-digit number (`+`: 100 or older in that year; samordningsnummer: day - 60).
WITH fodda AS (
    SELECT i.inskrivning_id,
           pnr_datum(pnr_delar(r.personnummer), year(i.inskrivningsdatum)) AS fodelsedatum
    FROM staging.inskrivningar AS i
    JOIN raw.inskrivningar AS r USING (_fil, _radnr)
),
grupper AS (
    SELECT i.inskrivning_id,
           coalesce(i.malgrupp, 'okänd') AS malgrupp,
           coalesce(s.stadsdel_idag, 'okänd') AS stadsdel,
           CASE WHEN f.fodelsedatum IS NULL THEN 'okänd'
                WHEN date_sub('year', f.fodelsedatum, i.inskrivningsdatum) < 16 THEN '-15'
                WHEN date_sub('year', f.fodelsedatum, i.inskrivningsdatum) < 25 THEN '16-24'
                WHEN date_sub('year', f.fodelsedatum, i.inskrivningsdatum) < 30 THEN '25-29'
                WHEN date_sub('year', f.fodelsedatum, i.inskrivningsdatum) < 40 THEN '30-39'
                WHEN date_sub('year', f.fodelsedatum, i.inskrivningsdatum) < 50 THEN '40-49'
                WHEN date_sub('year', f.fodelsedatum, i.inskrivningsdatum) < 65 THEN '50-64'
                ELSE '65-' END AS aldersgrupp
    FROM staging.inskrivningar AS i
    LEFT JOIN fodda AS f USING (inskrivning_id)
    LEFT JOIN (SELECT nyckel, min(stadsdel_idag) AS stadsdel_idag FROM staging.stadsdelar GROUP BY nyckel) AS s
      ON s.nyckel = lower(regexp_replace(trim(i.stadsdel), '\s+', ' ', 'g'))
)
SELECT inskrivning_id, dimension, grupp
FROM (UNPIVOT grupper ON COLUMNS(* EXCLUDE (inskrivning_id)) INTO NAME dimension VALUE grupp)
UNION ALL
SELECT inskrivning_id, 'totalt', 'totalt' FROM staging.inskrivningar
ORDER BY inskrivning_id, dimension

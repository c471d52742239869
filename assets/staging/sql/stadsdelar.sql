-- Reference data: the districts (stadsdelar) and the jobbtorg serving them, with validity dates
-- (Hägersten-Liljeholmen and Älvsjö became Hägersten-Älvsjö on 2020-01-01). The file, not the code,
-- changes when the city reorganises: jobbtorg_pipeline/reference/stadsdelar.csv.
-- `nyckel` is the name as it is matched (lower case, surrounding and repeated spaces removed);
-- `stadsdel_idag` the district the name counts under today: a district that has ceased passes to its
-- successor, the row of the same jobbtorg valid from the day after its last day (followed to the end of
-- the chain; with several successors the first by name), as the synthetic generator moves its people.
WITH RECURSIVE referens AS (
    SELECT stadsdel, jobbtorg, giltig_fran, giltig_till
    FROM read_csv(getvariable('jobbtorg_stadsdelar_csv'), delim = ';', header = true,
                  columns = {'stadsdel': 'VARCHAR', 'jobbtorg': 'VARCHAR', 'giltig_fran': 'DATE', 'giltig_till': 'DATE'})
),
upphort AS (  -- a name with no row valid today -> its successor
    SELECT a.stadsdel, min(b.stadsdel) AS efterfoljare
    FROM referens AS a
    JOIN referens AS b ON b.jobbtorg = a.jobbtorg AND b.giltig_fran = a.giltig_till + 1
    WHERE a.stadsdel NOT IN (SELECT stadsdel FROM referens WHERE giltig_till IS NULL)
    GROUP BY a.stadsdel
),
kedja(stadsdel, idag, steg) AS (
    SELECT DISTINCT stadsdel, stadsdel, 0 FROM referens
    UNION ALL
    SELECT k.stadsdel, u.efterfoljare, k.steg + 1
    FROM kedja AS k JOIN upphort AS u ON u.stadsdel = k.idag
    WHERE k.steg < 100
),
idag AS (
    SELECT stadsdel, arg_max(idag, steg) AS stadsdel_idag FROM kedja GROUP BY stadsdel
)
SELECT r.stadsdel, r.jobbtorg, r.giltig_fran, r.giltig_till,
       lower(regexp_replace(trim(r.stadsdel), '\s+', ' ', 'g')) AS nyckel,
       i.stadsdel_idag
FROM referens AS r
JOIN idag AS i USING (stadsdel)
ORDER BY r.stadsdel, r.giltig_fran

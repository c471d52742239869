-- One row per registered person: the restricted person table (birth date stays in the internal layer).
-- kön: the registered kon of the person's latest registration that has one (latest by inskrivningsdatum,
-- then andrad_tid, then inskrivning_id); else from the personnummer's second-to-last digit (odd = man).
WITH registrerat AS (
    SELECT person_key,
           arg_max(kon_registrerat, (inskrivningsdatum, andrad_tid, inskrivning_id)) AS kon_registrerat
    FROM staging.inskrivningar
    WHERE kon_registrerat IS NOT NULL
    GROUP BY person_key
)
SELECT n.person_key,
       n.personnummer,
       make_date(substr(n.personnummer, 1, 4)::INTEGER, substr(n.personnummer, 5, 2)::INTEGER,
                 substr(n.personnummer, 7, 2)::INTEGER
                 - CASE WHEN substr(n.personnummer, 7, 2)::INTEGER > 60 THEN 60 ELSE 0 END) AS fodelsedatum,
       substr(n.personnummer, 7, 2)::INTEGER > 60 AS samordningsnummer,
       r.kon_registrerat,
       CASE r.kon_registrerat WHEN 'K' THEN 'kvinnor' WHEN 'M' THEN 'män'
            ELSE CASE WHEN substr(n.personnummer, 11, 1)::INTEGER % 2 = 1 THEN 'män' ELSE 'kvinnor' END
       END AS kon
FROM staging.personnummer AS n
LEFT JOIN registrerat AS r USING (person_key)
ORDER BY n.personnummer

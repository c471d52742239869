-- Net försörjningsstöd per person and month it is for (avser_manad): reclaims and corrections (negative
-- amounts) are netted, `ovrigt` bistånd is not counted. A person with no row for a month got nothing.
SELECT person_key, avser_manad AS manad, sum(belopp) AS netto
FROM staging.utbetalningar
WHERE bistandstyp = 'forsorjningsstod'
GROUP BY person_key, avser_manad
ORDER BY person_key, manad

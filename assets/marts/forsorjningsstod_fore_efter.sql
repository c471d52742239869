-- Försörjningsstöd before and after (the classic figure in Inrättande av Jobbtorg i Stockholm, 2007: the participants' costs fell 56 % two
-- months after the end). For the persons with an avslut in the period (their last; under a jobbtorg, that
-- jobbtorg's last): net försörjningsstöd per month in the 3 months before the month of the inskrivning of
-- that registration, against the net in month +2 and month +8 after the month of the avslut. A person
-- without payments counts as 0 SEK. Each comparison uses only persons whose months all lie within the
-- delivered payment months. Sums stay exact (DECIMAL) and are divided once, so the figures do not depend on
-- the order the rows are added in (a rerun gives the same bytes).
WITH kohort AS (
    SELECT period, dimension, grupp, jobbtorg, person_key, inskrivning_id FROM staging.avslut_kohort
),
manader AS (
    SELECT k.period, k.dimension, k.grupp, k.jobbtorg, k.person_key,
           date_trunc('month', i.inskrivningsdatum)::DATE AS manad_in,
           date_trunc('month', i.avslutsdatum)::DATE AS manad_ut
    FROM kohort AS k
    LEFT JOIN staging.inskrivningar AS i USING (inskrivning_id)
),
-- the sums depend only on the person and the months of that registration: looked up once per such case
fall AS (
    SELECT DISTINCT person_key, manad_in, manad_ut FROM manader WHERE manad_ut IS NOT NULL
),
summor AS (
    SELECT fa.person_key, fa.manad_in, fa.manad_ut,
           coalesce(sum(f.netto) FILTER (WHERE f.manad BETWEEN (fa.manad_in - INTERVAL 3 MONTH)::DATE
                                                           AND (fa.manad_in - INTERVAL 1 MONTH)::DATE), 0)
               AS fore_3_manader,
           coalesce(sum(f.netto) FILTER (WHERE f.manad = (fa.manad_ut + INTERVAL 2 MONTH)::DATE), 0) AS efter_2,
           coalesce(sum(f.netto) FILTER (WHERE f.manad = (fa.manad_ut + INTERVAL 8 MONTH)::DATE), 0) AS efter_8
    FROM fall AS fa
    LEFT JOIN staging.forsorjningsstod_manad AS f
      ON f.person_key = fa.person_key
     AND (f.manad BETWEEN (fa.manad_in - INTERVAL 3 MONTH)::DATE AND (fa.manad_in - INTERVAL 1 MONTH)::DATE
          OR f.manad = (fa.manad_ut + INTERVAL 2 MONTH)::DATE OR f.manad = (fa.manad_ut + INTERVAL 8 MONTH)::DATE)
    GROUP BY fa.person_key, fa.manad_in, fa.manad_ut
),
belopp AS (
    SELECT m.*, s.fore_3_manader, s.efter_2, s.efter_8,
           (m.manad_in - INTERVAL 3 MONTH)::DATE >= l.forsta_manad AS fore_levererat,
           (m.manad_ut + INTERVAL 2 MONTH)::DATE <= l.sista_manad AS efter_2_levererat,
           (m.manad_ut + INTERVAL 8 MONTH)::DATE <= l.sista_manad AS efter_8_levererat
    FROM manader AS m
    LEFT JOIN summor AS s USING (person_key, manad_in, manad_ut)
    CROSS JOIN staging.utbetalningsmanader AS l
),
-- the persons in one group of a dimension: counted once per kombination and added to its groups
delsummor AS (
    SELECT b.period, b.dimension, b.grupp, b.jobbtorg, b.kombination, p.kon,
           count(*) FILTER (WHERE b.manad_ut IS NOT NULL) AS avslutade,
           count(*) FILTER (WHERE b.manad_ut IS NOT NULL AND b.fore_levererat AND b.efter_2_levererat) AS n2,
           sum(b.fore_3_manader) FILTER (WHERE b.manad_ut IS NOT NULL AND b.fore_levererat AND b.efter_2_levererat)
               AS fore_summa_2,
           sum(b.efter_2) FILTER (WHERE b.manad_ut IS NOT NULL AND b.fore_levererat AND b.efter_2_levererat)
               AS efter_summa_2,
           count(*) FILTER (WHERE b.manad_ut IS NOT NULL AND b.fore_levererat AND b.efter_8_levererat) AS n8,
           sum(b.fore_3_manader) FILTER (WHERE b.manad_ut IS NOT NULL AND b.fore_levererat AND b.efter_8_levererat)
               AS fore_summa_8,
           sum(b.efter_8) FILTER (WHERE b.manad_ut IS NOT NULL AND b.fore_levererat AND b.efter_8_levererat)
               AS efter_summa_8
    FROM staging.med_kombination(belopp) AS b
    JOIN staging.personer AS p USING (person_key)
    GROUP BY b.period, b.dimension, b.grupp, b.jobbtorg, b.kombination, p.kon
),
per_grupp AS (
    SELECT period, dimension, grupp, jobbtorg,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           sum(avslutade)::BIGINT AS avslutade,
           sum(n2)::BIGINT AS n2,
           sum(fore_summa_2) AS fore_summa_2,
           sum(efter_summa_2) AS efter_summa_2,
           sum(n8)::BIGINT AS n8,
           sum(fore_summa_8) AS fore_summa_8,
           sum(efter_summa_8) AS efter_summa_8
    FROM staging.i_grupper(delsummor)
    GROUP BY GROUPING SETS ((period, dimension, grupp, jobbtorg, kon), (period, dimension, grupp, jobbtorg))
),
-- Means in whole öre, rounded half away from zero (1000.005 -> 1000.01, -0.005 -> -0.01) by integer
-- arithmetic on the exact sums: DECIMAL division in DuckDB gives a DOUBLE, whose rounding of a half
-- öre depends on the binary representation (1000.005 became 1000.00). For a / b with b > 0 that is
-- sign(a) * ((2 |a| + b) // 2b); `//` on integers truncates toward zero, so the sign is put back after.
ore AS (
    SELECT period, dimension, grupp, jobbtorg, kon, avslutade, n2, n8,
           (fore_summa_2 * 100)::HUGEINT AS fore_2, (efter_summa_2 * 100)::HUGEINT AS efter_2,
           (fore_summa_8 * 100)::HUGEINT AS fore_8, (efter_summa_8 * 100)::HUGEINT AS efter_8
    FROM per_grupp
),
medel AS (
    SELECT period, dimension, grupp, jobbtorg, kon, avslutade, n2, n8,
           sign(fore_2) * ((2 * abs(fore_2) + 3 * n2) // (6 * nullif(n2, 0))) AS fore_2,
           sign(efter_2) * ((2 * abs(efter_2) + n2) // (2 * nullif(n2, 0))) AS efter_2,
           sign(fore_8) * ((2 * abs(fore_8) + 3 * n8) // (6 * nullif(n8, 0))) AS fore_8,
           sign(efter_8) * ((2 * abs(efter_8) + n8) // (2 * nullif(n8, 0))) AS efter_8
    FROM ore
),
-- The change is computed from the figures as published (whole öre), so a reader who recomputes it from
-- the two columns gets the same number; in tenths of a per cent, rounded half away from zero as above;
-- empty when the published before-figure is 0.00.
tiondelar AS (
    SELECT *,
           CASE WHEN fore_2 <> 0 THEN sign(efter_2 - fore_2) * sign(fore_2)
                * ((2 * abs(1000 * (efter_2 - fore_2)) + abs(fore_2)) // (2 * nullif(abs(fore_2), 0))) END AS procent_2,
           CASE WHEN fore_8 <> 0 THEN sign(efter_8 - fore_8) * sign(fore_8)
                * ((2 * abs(1000 * (efter_8 - fore_8)) + abs(fore_8)) // (2 * nullif(abs(fore_8), 0))) END AS procent_8
    FROM medel
)
SELECT period, dimension, grupp, jobbtorg, kon, avslutade,
       n2 AS uppfoljningsbara_2_man,
       (fore_2::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2) AS fore_sek_per_manad_2_man,
       (efter_2::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2) AS efter_2_man_sek,
       procent_2::DOUBLE / 10 AS forandring_2_man_procent,
       n8 AS uppfoljningsbara_8_man,
       (fore_8::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2) AS fore_sek_per_manad_8_man,
       (efter_8::DECIMAL(18, 0) * 0.01)::DECIMAL(18, 2) AS efter_8_man_sek,
       procent_8::DOUBLE / 10 AS forandring_8_man_procent
FROM tiondelar

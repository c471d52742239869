-- Comparison groups (arbetsmarknadsnämnden 2017, AMN 2017-0090-01.02: "there must be comparison figures and groups"), DESCRIPTIVE ONLY: for each
-- insatstyp, the persons whose registration held it against the persons whose registration did not, in
-- the same stratum (målgrupp x kön x age band at inskrivning x jobbtorg x year of inskrivning), the
-- comparison persons reweighted to the first group's strata (exact stratification, direct
-- standardisation). A stratum without comparison persons is dropped and counted, for the comparison at
-- avslut and, over the persons who can be followed, for the 12-month comparison. Weighted sums over the
-- strata are taken in a fixed order, so a rerun gives the same bytes. The persons are those
-- with an avslut in the period, each with the registration of their last avslut in the period.
WITH kohort AS (
    SELECT period, person_key,
           arg_max(inskrivning_id, (avslutsdatum, inskrivning_id)) AS inskrivning_id
    FROM staging.inskrivning_period
    WHERE avslutad_i_perioden
    GROUP BY period, person_key
),
personer AS (
    SELECT k.period, k.person_key, k.inskrivning_id, i.malgrupp, p.kon, i.jobbtorg,
           year(i.inskrivningsdatum) AS inskrivningsar,
           a.grupp AS aldersgrupp,  -- the age band of the breakdown tables, one definition
           i.avslutsgrupp IN ('arbete', 'studier') AS arbete_eller_studier,
           (date_trunc('month', i.avslutsdatum) + INTERVAL 12 MONTH)::DATE
               BETWEEN l.forsta_manad AND l.sista_manad AS uppfoljningsbar_12,
           coalesce(f.netto, 0) <= 0 AS sjalvforsorjande_12
    FROM kohort AS k
    JOIN staging.inskrivningar AS i USING (inskrivning_id)
    JOIN staging.personer AS p ON p.person_key = k.person_key
    JOIN staging.inskrivning_grupp AS a ON a.inskrivning_id = k.inskrivning_id AND a.dimension = 'aldersgrupp'
    CROSS JOIN staging.utbetalningsmanader AS l
    LEFT JOIN staging.forsorjningsstod_manad AS f
      ON f.person_key = k.person_key
     AND f.manad = (date_trunc('month', i.avslutsdatum) + INTERVAL 12 MONTH)::DATE
),
innehav AS (
    SELECT DISTINCT inskrivning_id, insatstyp FROM staging.insatser
),
typer AS (
    SELECT DISTINCT pr.period, h.insatstyp FROM personer AS pr JOIN innehav AS h USING (inskrivning_id)
),
markerade AS (
    SELECT t.insatstyp, pr.*, h.inskrivning_id IS NOT NULL AS med_insats
    FROM typer AS t
    JOIN personer AS pr USING (period)
    LEFT JOIN innehav AS h ON h.inskrivning_id = pr.inskrivning_id AND h.insatstyp = t.insatstyp
),
strata AS (
    SELECT period, insatstyp, malgrupp, kon, aldersgrupp, jobbtorg, inskrivningsar,
           count(*) FILTER (WHERE med_insats) AS n_med,
           count(*) FILTER (WHERE NOT med_insats) AS n_utan,
           avg(arbete_eller_studier::INTEGER) FILTER (WHERE med_insats) AS a_med,
           avg(arbete_eller_studier::INTEGER) FILTER (WHERE NOT med_insats) AS a_utan,
           count(*) FILTER (WHERE med_insats AND uppfoljningsbar_12) AS n12_med,
           count(*) FILTER (WHERE NOT med_insats AND uppfoljningsbar_12) AS n12_utan,
           avg(sjalvforsorjande_12::INTEGER) FILTER (WHERE med_insats AND uppfoljningsbar_12) AS s_med,
           avg(sjalvforsorjande_12::INTEGER) FILTER (WHERE NOT med_insats AND uppfoljningsbar_12) AS s_utan
    FROM markerade
    GROUP BY period, insatstyp, malgrupp, kon, aldersgrupp, jobbtorg, inskrivningsar
)
SELECT period,
       insatstyp,
       sum(n_med)::BIGINT AS personer_med_insats,
       sum(n_utan)::BIGINT AS personer_utan_insats,
       count(*) FILTER (WHERE n_med > 0 AND n_utan > 0) AS strata_anvanda,
       count(*) FILTER (WHERE n_med > 0 AND n_utan = 0) AS strata_utan_jamforelse,
       coalesce(sum(n_med) FILTER (WHERE n_med > 0 AND n_utan > 0), 0)::BIGINT AS personer_med_insats_anvanda,
       coalesce(sum(n_med) FILTER (WHERE n_med > 0 AND n_utan = 0), 0)::BIGINT AS personer_med_insats_utan_jamforelse,
       coalesce(sum(n_utan) FILTER (WHERE n_med > 0 AND n_utan > 0), 0)::BIGINT AS personer_jamforelse_anvanda,
       sum(n_med * a_med ORDER BY malgrupp, kon, aldersgrupp, jobbtorg, inskrivningsar) FILTER (WHERE n_med > 0 AND n_utan > 0)
           / sum(n_med) FILTER (WHERE n_med > 0 AND n_utan > 0) AS andel_arbete_eller_studier_med_insats,
       sum(n_med * a_utan ORDER BY malgrupp, kon, aldersgrupp, jobbtorg, inskrivningsar) FILTER (WHERE n_med > 0 AND n_utan > 0)
           / sum(n_med) FILTER (WHERE n_med > 0 AND n_utan > 0) AS andel_arbete_eller_studier_jamforelse,
       coalesce(sum(n12_med) FILTER (WHERE n12_med > 0 AND n12_utan > 0), 0)::BIGINT AS personer_med_insats_uppfoljningsbara_12_man,
       count(*) FILTER (WHERE n12_med > 0 AND n12_utan > 0) AS strata_anvanda_12_man,
       count(*) FILTER (WHERE n12_med > 0 AND n12_utan = 0) AS strata_utan_jamforelse_12_man,
       coalesce(sum(n12_med) FILTER (WHERE n12_med > 0 AND n12_utan = 0), 0)::BIGINT
           AS personer_med_insats_utan_jamforelse_12_man,
       coalesce(sum(n12_utan) FILTER (WHERE n12_med > 0 AND n12_utan > 0), 0)::BIGINT
           AS personer_jamforelse_anvanda_12_man,
       sum(n12_med * s_med ORDER BY malgrupp, kon, aldersgrupp, jobbtorg, inskrivningsar) FILTER (WHERE n12_med > 0 AND n12_utan > 0)
           / sum(n12_med) FILTER (WHERE n12_med > 0 AND n12_utan > 0) AS andel_sjalvforsorjande_12_man_med_insats,
       sum(n12_med * s_utan ORDER BY malgrupp, kon, aldersgrupp, jobbtorg, inskrivningsar) FILTER (WHERE n12_med > 0 AND n12_utan > 0)
           / sum(n12_med) FILTER (WHERE n12_med > 0 AND n12_utan > 0) AS andel_sjalvforsorjande_12_man_jamforelse,
       'beskrivande jämförelse (direkt standardisering), ingen effektskattning' AS tolkning
FROM strata
GROUP BY period, insatstyp

-- What became of those who ended an insats, for every insatstyp and regi: the generalisation of
-- arbetstraning_resultat (same cohort, same four outcomes), plus self-sufficiency 6 and 12 months after
-- the month the insats ended. The cohort of a (period, insatstyp, regi) is the persons whose insats of
-- that type and regi ended in the period; for a person with several, the last one counts (same day: the
-- highest insats_id), and its outcome is read in staging.insats_utfall. Under `totalt` the last insats of
-- any type (or regi) counts, so a person is one person there. The cohorts are formed per level of
-- staging.insats_niva (the mart's own `totalt` rows and, for the breakdown table, each group of the
-- insats's registration): within a group the person's last insats among the group's insatser counts. It is
-- computed only for persons in two or more groups of the dimension (staging.insats_niva_egen); the
-- others' is their own, counted once per kombination (staging.med_kombination) and added to its groups
-- (staging.i_grupper).
WITH per_person AS (
    -- per person in each (period, insatstyp, regi) and their totals: the person's last insats ended in the
    -- period there (the highest `ordning`); only the insatser that ended are grouped by person
    SELECT ip.period, ip.dimension, ip.grupp, ip.person_key, p.kon,
           CASE WHEN grouping(ip.insatstyp) = 1 THEN 'totalt' ELSE ip.insatstyp END AS insatstyp,
           CASE WHEN grouping(ip.regi) = 1 THEN 'totalt' ELSE ip.regi END AS regi,
           max(u.ordning) AS ordning
    FROM staging.insats_niva_egen AS ip
    JOIN staging.personer AS p ON p.person_key = ip.person_key
    JOIN staging.insats_utfall AS u ON u.insats_id = ip.insats_id
    WHERE NOT ip.totalt AND ip.avslutad_i_perioden  -- the mart has no jobbtorg: one row per insats-period
    GROUP BY ip.period, ip.dimension, ip.grupp, ip.person_key, p.kon, CUBE (ip.insatstyp, ip.regi)
),
-- every cell with an insats active in the period has its row, with zeros where nobody ended one
celler AS (
    SELECT ip.period, ip.dimension, ip.grupp, p.kon,
           CASE WHEN grouping(ip.insatstyp) = 1 THEN 'totalt' ELSE ip.insatstyp END AS insatstyp,
           CASE WHEN grouping(ip.regi) = 1 THEN 'totalt' ELSE ip.regi END AS regi
    FROM staging.insats_niva AS ip
    JOIN staging.personer AS p ON p.person_key = ip.person_key
    WHERE NOT ip.totalt
    GROUP BY ip.period, ip.dimension, ip.grupp, p.kon, CUBE (ip.insatstyp, ip.regi)
),
delsummor AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.insatstyp, pp.regi, pp.kon, pp.kombination,
           count(u.status) AS avslutat_insats,
           count(*) FILTER (WHERE u.status = 'arbete_eller_studier') AS arbete_eller_studier,
           count(*) FILTER (WHERE u.status = 'fortsatt_inskriven') AS fortsatt_inskrivna,
           count(*) FILTER (WHERE u.status = 'aterremitterad') AS aterremitterade,
           count(*) FILTER (WHERE u.status = 'ovrigt') AS ovrigt,
           count(*) FILTER (WHERE u.uppfoljningsbar_6_man) AS uppfoljningsbara_6_man,
           count(*) FILTER (WHERE u.uppfoljningsbar_6_man AND u.sjalvforsorjande_6_man) AS sjalvforsorjande_6_man,
           count(*) FILTER (WHERE u.uppfoljningsbar_12_man) AS uppfoljningsbara_12_man,
           count(*) FILTER (WHERE u.uppfoljningsbar_12_man AND u.sjalvforsorjande_12_man)
               AS sjalvforsorjande_12_man
    FROM staging.med_kombination(per_person) AS pp
    JOIN staging.insats_utfall AS u ON u.ordning = pp.ordning
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.insatstyp, pp.regi, pp.kon, pp.kombination
),
utfall AS (
    SELECT * FROM staging.i_grupper(delsummor)
    UNION ALL BY NAME
    SELECT * FROM celler  -- counted by nothing: only the cell's row
),
summor AS (
    SELECT period, dimension, grupp, insatstyp, regi,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           coalesce(sum(avslutat_insats), 0)::BIGINT AS avslutat_insats,
           coalesce(sum(arbete_eller_studier), 0)::BIGINT AS arbete_eller_studier,
           coalesce(sum(fortsatt_inskrivna), 0)::BIGINT AS fortsatt_inskrivna,
           coalesce(sum(aterremitterade), 0)::BIGINT AS aterremitterade,
           coalesce(sum(ovrigt), 0)::BIGINT AS ovrigt,
           coalesce(sum(uppfoljningsbara_6_man), 0)::BIGINT AS uppfoljningsbara_6_man,
           coalesce(sum(sjalvforsorjande_6_man), 0)::BIGINT AS sjalvforsorjande_6_man,
           coalesce(sum(uppfoljningsbara_12_man), 0)::BIGINT AS uppfoljningsbara_12_man,
           coalesce(sum(sjalvforsorjande_12_man), 0)::BIGINT AS sjalvforsorjande_12_man
    FROM utfall
    GROUP BY GROUPING SETS ((period, dimension, grupp, insatstyp, regi, kon),
                            (period, dimension, grupp, insatstyp, regi))
)
SELECT period, dimension, grupp, insatstyp, regi, kon,
       avslutat_insats, arbete_eller_studier, fortsatt_inskrivna, aterremitterade, ovrigt,
       arbete_eller_studier / nullif(avslutat_insats, 0) AS andel_arbete_eller_studier,
       fortsatt_inskrivna / nullif(avslutat_insats, 0) AS andel_fortsatt_inskrivna,
       aterremitterade / nullif(avslutat_insats, 0) AS andel_aterremitterade,
       uppfoljningsbara_6_man, sjalvforsorjande_6_man,
       sjalvforsorjande_6_man / nullif(uppfoljningsbara_6_man, 0) AS andel_sjalvforsorjande_6_man,
       uppfoljningsbara_12_man, sjalvforsorjande_12_man,
       sjalvforsorjande_12_man / nullif(uppfoljningsbara_12_man, 0) AS andel_sjalvforsorjande_12_man
FROM summor

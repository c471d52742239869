-- Every provider and every unit of the city's own measured the same way (the founding decision: procured
-- insatser and the city's own are to be evaluated alike): participants, årsplatser and the outcomes of
-- insatser_resultat, per insatstyp (and over all types, `totalt`), regi and anordnare. The provider's name
-- comes from staging.insats_anordnare (spellings matched ignoring case and spaces).
WITH dagar AS (
    SELECT p.period, least(p.period_slut, u.uttagsdatum) - p.period_start + 1 AS dagar
    FROM staging.perioder AS p
    CROSS JOIN raw.uttag AS u
),
niva AS (
    SELECT ip.period, ip.person_key, ip.insats_id, ip.slutdatum, ip.regi, a.anordnare,
           ip.startad_i_perioden, ip.avslutad_i_perioden, ip.till - ip.fran + 1 AS dagar_i_perioden,
           CASE WHEN t.totalt THEN 'totalt' ELSE ip.insatstyp END AS insatstyp
    FROM staging.insats_period AS ip
    JOIN staging.insats_anordnare AS a USING (insats_id)
    CROSS JOIN (VALUES (false), (true)) AS t(totalt)
),
deltagande AS (
    SELECT n.period, n.insatstyp, n.regi, n.anordnare,
           count(DISTINCT n.person_key) FILTER (WHERE n.startad_i_perioden) AS personer_paborjade,
           count(DISTINCT n.person_key) AS deltagare,
           sum(n.dagar_i_perioden) / any_value(d.dagar) AS arsplatser
    FROM niva AS n
    JOIN dagar AS d USING (period)
    GROUP BY n.period, n.insatstyp, n.regi, n.anordnare
),
sista AS (
    SELECT period, insatstyp, regi, anordnare, person_key,
           arg_max(insats_id, (slutdatum, insats_id)) AS insats_id
    FROM niva
    WHERE avslutad_i_perioden
    GROUP BY period, insatstyp, regi, anordnare, person_key
),
resultat AS (
    SELECT s.period, s.insatstyp, s.regi, s.anordnare,
           count(*) AS avslutat_insats,
           count(*) FILTER (WHERE u.status = 'arbete_eller_studier') AS arbete_eller_studier,
           count(*) FILTER (WHERE u.status = 'fortsatt_inskriven') AS fortsatt_inskrivna,
           count(*) FILTER (WHERE u.status = 'aterremitterad') AS aterremitterade,
           count(*) FILTER (WHERE u.status = 'ovrigt') AS ovrigt,
           count(*) FILTER (WHERE u.uppfoljningsbar_6_man) AS uppfoljningsbara_6_man,
           count(*) FILTER (WHERE u.uppfoljningsbar_6_man AND u.sjalvforsorjande_6_man) AS sjalvforsorjande_6_man,
           count(*) FILTER (WHERE u.uppfoljningsbar_12_man) AS uppfoljningsbara_12_man,
           count(*) FILTER (WHERE u.uppfoljningsbar_12_man AND u.sjalvforsorjande_12_man)
               AS sjalvforsorjande_12_man
    FROM sista AS s
    JOIN staging.insats_utfall AS u USING (insats_id)
    GROUP BY s.period, s.insatstyp, s.regi, s.anordnare
)
SELECT d.period, d.insatstyp, d.regi, d.anordnare,
       d.personer_paborjade, d.deltagare, d.arsplatser,
       coalesce(r.avslutat_insats, 0) AS avslutat_insats,
       coalesce(r.arbete_eller_studier, 0) AS arbete_eller_studier,
       coalesce(r.fortsatt_inskrivna, 0) AS fortsatt_inskrivna,
       coalesce(r.aterremitterade, 0) AS aterremitterade,
       coalesce(r.ovrigt, 0) AS ovrigt,
       r.arbete_eller_studier / nullif(r.avslutat_insats, 0) AS andel_arbete_eller_studier,
       r.fortsatt_inskrivna / nullif(r.avslutat_insats, 0) AS andel_fortsatt_inskrivna,
       r.aterremitterade / nullif(r.avslutat_insats, 0) AS andel_aterremitterade,
       coalesce(r.uppfoljningsbara_6_man, 0) AS uppfoljningsbara_6_man,
       coalesce(r.sjalvforsorjande_6_man, 0) AS sjalvforsorjande_6_man,
       r.sjalvforsorjande_6_man / nullif(r.uppfoljningsbara_6_man, 0) AS andel_sjalvforsorjande_6_man,
       coalesce(r.uppfoljningsbara_12_man, 0) AS uppfoljningsbara_12_man,
       coalesce(r.sjalvforsorjande_12_man, 0) AS sjalvforsorjande_12_man,
       r.sjalvforsorjande_12_man / nullif(r.uppfoljningsbara_12_man, 0) AS andel_sjalvforsorjande_12_man
FROM deltagande AS d
LEFT JOIN resultat AS r USING (period, insatstyp, regi, anordnare)

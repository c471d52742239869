-- Every provider and every unit of the city's own measured the same way (the founding decision: procured
-- insatser and the city's own are to be evaluated alike): participants, årsplatser and the outcomes of
-- insatser_resultat, per insatstyp (and over all types, `totalt`), regi and anordnare. The provider's name
-- comes from staging.insats_anordnare (spellings matched ignoring case and spaces); a person's last insats
-- ended in the period with the provider (the highest `ordning`) gives the outcome, from
-- staging.insats_utfall.
WITH dagar AS (
    SELECT p.period, least(p.period_slut, u.uttagsdatum) - p.period_start + 1 AS dagar
    FROM staging.perioder AS p
    CROSS JOIN raw.uttag AS u
),
aktiva AS (
    SELECT ip.period, ip.person_key, ip.insatstyp, ip.regi, a.anordnare, ip.startad_i_perioden,
           ip.avslutad_i_perioden, ip.till - ip.fran + 1 AS dagar_i_perioden, u.ordning
    FROM staging.insats_period AS ip
    JOIN staging.insats_anordnare AS a USING (insats_id)
    LEFT JOIN staging.insats_utfall AS u USING (insats_id)
),
platser AS (
    SELECT a.period, a.regi, a.anordnare,
           CASE WHEN grouping(a.insatstyp) = 1 THEN 'totalt' ELSE a.insatstyp END AS insatstyp,
           sum(a.dagar_i_perioden) / any_value(d.dagar) AS arsplatser
    FROM aktiva AS a
    JOIN dagar AS d USING (period)
    GROUP BY GROUPING SETS ((a.period, a.regi, a.anordnare, a.insatstyp), (a.period, a.regi, a.anordnare))
),
per_person AS (
    SELECT period, regi, anordnare, person_key,
           CASE WHEN grouping(insatstyp) = 1 THEN 'totalt' ELSE insatstyp END AS insatstyp,
           bool_or(startad_i_perioden) AS paborjat,
           max(ordning) FILTER (WHERE avslutad_i_perioden) AS ordning
    FROM aktiva
    GROUP BY GROUPING SETS ((period, regi, anordnare, person_key, insatstyp),
                            (period, regi, anordnare, person_key))
),
personer AS (
    SELECT pp.period, pp.insatstyp, pp.regi, pp.anordnare,
           count(*) FILTER (WHERE pp.paborjat) AS personer_paborjade,
           count(*) AS deltagare,
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
    FROM per_person AS pp
    LEFT JOIN staging.insats_utfall AS u ON u.ordning = pp.ordning
    GROUP BY pp.period, pp.insatstyp, pp.regi, pp.anordnare
)
SELECT p.period, p.insatstyp, p.regi, p.anordnare,
       p.personer_paborjade, p.deltagare, pl.arsplatser,
       p.avslutat_insats, p.arbete_eller_studier, p.fortsatt_inskrivna, p.aterremitterade, p.ovrigt,
       p.arbete_eller_studier / nullif(p.avslutat_insats, 0) AS andel_arbete_eller_studier,
       p.fortsatt_inskrivna / nullif(p.avslutat_insats, 0) AS andel_fortsatt_inskrivna,
       p.aterremitterade / nullif(p.avslutat_insats, 0) AS andel_aterremitterade,
       p.uppfoljningsbara_6_man, p.sjalvforsorjande_6_man,
       p.sjalvforsorjande_6_man / nullif(p.uppfoljningsbara_6_man, 0) AS andel_sjalvforsorjande_6_man,
       p.uppfoljningsbara_12_man, p.sjalvforsorjande_12_man,
       p.sjalvforsorjande_12_man / nullif(p.uppfoljningsbara_12_man, 0) AS andel_sjalvforsorjande_12_man
FROM personer AS p
JOIN platser AS pl USING (period, insatstyp, regi, anordnare)

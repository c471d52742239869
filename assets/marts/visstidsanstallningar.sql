-- Visstidsanställningar (temporary municipal jobs; close to 1,000 a year in 2016) counted per employment,
-- not per person (arbetsmarknadsnämnden 2016-02-02, ärende 11: a person who breaks one off and gets another counts twice), and for those
-- ended, the persons self-sufficient 6 and 12 months later (month 0: the month of the person's last
-- employment ended in the period).
WITH anstallningar AS (
    SELECT ip.*, s.planerat_slutdatum,
           least(p.period_slut, u.uttagsdatum) AS referensdag
    FROM staging.insats_niva AS ip
    JOIN staging.insatser AS s USING (insats_id)
    JOIN staging.perioder AS p USING (period)
    CROSS JOIN raw.uttag AS u
    WHERE ip.insatstyp = 'visstidsanstallning'
),
per_anstallning AS (
    SELECT a.period, a.dimension, a.grupp, a.niva AS jobbtorg, p.kon,
           count(*) FILTER (WHERE a.startad_i_perioden) AS paborjade,
           count(*) FILTER (WHERE a.startdatum <= a.referensdag
                            AND (a.slutdatum IS NULL OR a.slutdatum > a.referensdag)) AS pagaende,
           count(*) FILTER (WHERE a.avslutad_i_perioden) AS avslutade,
           count(*) FILTER (WHERE a.avslutad_i_perioden AND a.slutdatum < a.planerat_slutdatum)
               AS avslutade_fore_planerat_slut
    FROM anstallningar AS a
    JOIN staging.personer AS p USING (person_key)
    GROUP BY GROUPING SETS ((a.period, a.dimension, a.grupp, a.niva, p.kon), (a.period, a.dimension, a.grupp, a.niva))
),
per_person AS (
    SELECT period, dimension, grupp, niva AS jobbtorg, person_key,
           date_trunc('month', max(slutdatum) FILTER (WHERE avslutad_i_perioden))::DATE AS manad_0
    FROM anstallningar
    GROUP BY period, dimension, grupp, niva, person_key
),
uppfoljning AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.person_key, k.manader,
           (pp.manad_0 + to_months(k.manader))::DATE BETWEEN l.forsta_manad AND l.sista_manad AS uppfoljningsbar,
           coalesce(f.netto, 0) <= 0 AS sjalvforsorjande
    FROM per_person AS pp
    CROSS JOIN (VALUES (6), (12)) AS k(manader)
    CROSS JOIN staging.utbetalningsmanader AS l
    LEFT JOIN staging.forsorjningsstod_manad AS f
      ON f.person_key = pp.person_key AND f.manad = (pp.manad_0 + to_months(k.manader))::DATE
    WHERE pp.manad_0 IS NOT NULL
),
per_person_summa AS (
    SELECT u.period, u.dimension, u.grupp, u.jobbtorg, p.kon,
           count(*) FILTER (WHERE u.manader = 6 AND u.uppfoljningsbar) AS uppfoljningsbara_6_man,
           count(*) FILTER (WHERE u.manader = 6 AND u.uppfoljningsbar AND u.sjalvforsorjande)
               AS sjalvforsorjande_6_man,
           count(*) FILTER (WHERE u.manader = 12 AND u.uppfoljningsbar) AS uppfoljningsbara_12_man,
           count(*) FILTER (WHERE u.manader = 12 AND u.uppfoljningsbar AND u.sjalvforsorjande)
               AS sjalvforsorjande_12_man
    FROM uppfoljning AS u
    JOIN staging.personer AS p USING (person_key)
    GROUP BY GROUPING SETS ((u.period, u.dimension, u.grupp, u.jobbtorg, p.kon),
                            (u.period, u.dimension, u.grupp, u.jobbtorg))
)
SELECT a.period,
       a.dimension,
       a.grupp,
       a.jobbtorg,
       coalesce(a.kon, 'totalt') AS kon,
       a.paborjade,
       a.pagaende,
       a.avslutade,
       a.avslutade_fore_planerat_slut,
       coalesce(s.uppfoljningsbara_6_man, 0) AS personer_uppfoljningsbara_6_man,
       coalesce(s.sjalvforsorjande_6_man, 0) AS personer_sjalvforsorjande_6_man,
       coalesce(s.uppfoljningsbara_12_man, 0) AS personer_uppfoljningsbara_12_man,
       coalesce(s.sjalvforsorjande_12_man, 0) AS personer_sjalvforsorjande_12_man
FROM per_anstallning AS a
LEFT JOIN per_person_summa AS s
  ON s.period = a.period AND s.dimension = a.dimension AND s.grupp = a.grupp AND s.jobbtorg = a.jobbtorg
 AND coalesce(s.kon, 'totalt') = coalesce(a.kon, 'totalt')

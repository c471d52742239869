-- Kolada's "resultat vid avslut i kommunens arbetsmarknadsverksamhet": the share of those who ended who
-- went to work or studies. Work is unsubsidised or subsidised employment on the regular labour market; a
-- municipal labour-market employment (such as a visstidsanställning) does not count. The case system
-- cannot say who the employer was, so the pipeline approximates: an avslut for SUBSIDISED work
-- (arbete_subventionerat) counts as a municipal employment when the registration held a
-- visstidsanställning that was active on the day of the avslut or ended within the 30 days before it. A
-- municipal labour-market employment is subsidised, so an avslut for unsubsidised work
-- (arbete_osubventionerat) is always work, visstidsanställning or not: it is the outcome the city wants.
-- Kolada's other conditions (the job lasted at least one continuous month; the studies entitle to
-- studiemedel) are not in the case system and are not checked. Each person's last avslut in the period
-- counts.
WITH sista_avslut AS (
    SELECT period, dimension, grupp, jobbtorg, person_key, inskrivning_id FROM staging.avslut_kohort
),
kommunal AS (
    SELECT DISTINCT i.inskrivning_id
    FROM staging.inskrivningar AS i
    JOIN staging.insatser AS s USING (inskrivning_id)
    WHERE s.insatstyp = 'visstidsanstallning'
      AND i.avslutsorsak = 'arbete_subventionerat'
      AND i.avslutsdatum IS NOT NULL
      AND s.startdatum <= i.avslutsdatum
      AND coalesce(s.slutdatum, i.avslutsdatum) >= i.avslutsdatum - 30
),
per_person AS (
    SELECT a.period, a.dimension, a.grupp, a.jobbtorg, a.person_key, i.avslutsgrupp,
           a.inskrivning_id IS NOT NULL AS avslutad,
           k.inskrivning_id IS NOT NULL AS kommunal_anstallning
    FROM sista_avslut AS a
    LEFT JOIN staging.inskrivningar AS i USING (inskrivning_id)
    LEFT JOIN kommunal AS k USING (inskrivning_id)
),
-- the persons in one group of a dimension: counted once per kombination and added to its groups
delsummor AS (
    SELECT pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon,
           count(*) FILTER (WHERE pp.avslutad) AS avslutade,
           count(*) FILTER (WHERE pp.avslutsgrupp = 'arbete' AND NOT pp.kommunal_anstallning) AS arbete,
           count(*) FILTER (WHERE pp.avslutsgrupp = 'studier') AS studier,
           count(*) FILTER (WHERE pp.avslutsgrupp = 'arbete' AND pp.kommunal_anstallning) AS kommunal_anstallning
    FROM staging.med_kombination(per_person) AS pp
    JOIN staging.personer AS p USING (person_key)
    GROUP BY pp.period, pp.dimension, pp.grupp, pp.jobbtorg, pp.kombination, p.kon
),
summor AS (
    SELECT period, dimension, grupp, jobbtorg,
           CASE WHEN grouping(kon) = 1 THEN 'totalt' ELSE kon END AS kon,
           sum(avslutade)::BIGINT AS avslutade,
           sum(arbete)::BIGINT AS arbete,
           sum(studier)::BIGINT AS studier,
           sum(kommunal_anstallning)::BIGINT AS kommunal_anstallning
    FROM staging.i_grupper(delsummor)
    GROUP BY GROUPING SETS ((period, dimension, grupp, jobbtorg, kon), (period, dimension, grupp, jobbtorg))
)
SELECT period, dimension, grupp, jobbtorg, kon, avslutade, arbete, studier, kommunal_anstallning,
       arbete + studier AS arbete_eller_studier,
       (arbete + studier) / nullif(avslutade, 0) AS andel_arbete_eller_studier
FROM summor

-- What became of each ended insats, read at the uttagsdatum: the status of the registration that held it
-- (still open, or ended in group arbete or studier, for aterremiss, or any other group, `saknas`
-- included) and self-sufficiency 6 and 12 months after the month of its slutdatum (month 0), as
-- sjalvforsorjning counts from the avslut: a month counts only within the delivered payment months, and
-- self-sufficient means net försörjningsstöd not above 0 for that month. The results marts pick a
-- person's last ended insats by `ordning` (by slutdatum, then insats_id: the last is the highest; a
-- number is cheaper to take the maximum of than the pair) and read its outcome here.
SELECT s.insats_id,
       s.person_key,
       s.slutdatum,
       row_number() OVER (ORDER BY s.slutdatum, s.insats_id) AS ordning,
       CASE WHEN i.avslutsdatum IS NULL THEN 'fortsatt_inskriven'
            WHEN i.avslutsgrupp IN ('arbete', 'studier') THEN 'arbete_eller_studier'
            WHEN i.avslutsgrupp = 'aterremiss' THEN 'aterremitterad'
            ELSE 'ovrigt'
       END AS status,
       date_trunc('month', s.slutdatum)::DATE AS manad_0,
       coalesce((date_trunc('month', s.slutdatum) + INTERVAL 6 MONTH)::DATE
                BETWEEN l.forsta_manad AND l.sista_manad, false) AS uppfoljningsbar_6_man,
       coalesce(f6.netto, 0) <= 0 AS sjalvforsorjande_6_man,
       coalesce((date_trunc('month', s.slutdatum) + INTERVAL 12 MONTH)::DATE
                BETWEEN l.forsta_manad AND l.sista_manad, false) AS uppfoljningsbar_12_man,
       coalesce(f12.netto, 0) <= 0 AS sjalvforsorjande_12_man
FROM staging.insatser AS s
JOIN staging.inskrivningar AS i USING (inskrivning_id)
CROSS JOIN staging.utbetalningsmanader AS l
LEFT JOIN staging.forsorjningsstod_manad AS f6
  ON f6.person_key = s.person_key
 AND f6.manad = (date_trunc('month', s.slutdatum) + INTERVAL 6 MONTH)::DATE
LEFT JOIN staging.forsorjningsstod_manad AS f12
  ON f12.person_key = s.person_key
 AND f12.manad = (date_trunc('month', s.slutdatum) + INTERVAL 12 MONTH)::DATE
WHERE s.slutdatum IS NOT NULL
ORDER BY s.insats_id

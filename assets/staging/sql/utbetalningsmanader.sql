-- The payment months delivered, from the first to the last: a follow-up month outside them cannot be
-- judged. From the delivered files' months; from the payment dates when the payments come from
-- PostgreSQL (no files).
WITH levererade AS (
    SELECT strptime(manad, '%Y-%m')::DATE AS manad
    FROM raw.filer WHERE kalla = 'utbetalningar' AND status = 'last' AND manad IS NOT NULL
    UNION ALL
    SELECT DISTINCT date_trunc('month', utbetalningsdatum)::DATE
    FROM staging.utbetalningar
    WHERE NOT EXISTS (SELECT 1 FROM raw.filer WHERE kalla = 'utbetalningar' AND manad IS NOT NULL)
)
SELECT min(manad) AS forsta_manad, max(manad) AS sista_manad FROM levererade

-- Each insats's provider under one name, so that a provider spelled two ways is one provider. Names are
-- matched ignoring case and surrounding or repeated spaces (a no-break space counts as a space); the name
-- shown is the spelling (spaces collapsed) that most insatser use, on a tie the first in code-point
-- order, the same in every period. An insats in egen regi without a name is `egen regi`, an extern insats
-- without a name `okänd` (the JUST-team indicator insatser.extern_utan_anordnare counts them); a name that
-- is one of those two words, in any case, is read as no name, so that each shows once.
WITH givna AS (
    SELECT insats_id, regi,
           nullif(trim(regexp_replace(anordnare, '[\s\x{00A0}\x{202F}]+', ' ', 'g')), '') AS given
    FROM staging.insatser
),
namn AS (
    SELECT insats_id, regi, CASE WHEN lower(given) NOT IN ('egen regi', 'okänd') THEN given END AS stavning
    FROM givna
),
stavningar AS (
    SELECT lower(stavning) AS nyckel, stavning, count(*) AS insatser
    FROM namn
    WHERE stavning IS NOT NULL
    GROUP BY ALL
),
visning AS (
    SELECT nyckel, arg_min(stavning, (-insatser, stavning)) AS visas
    FROM stavningar
    GROUP BY nyckel
)
SELECT n.insats_id,
       coalesce(v.visas, CASE n.regi WHEN 'egen' THEN 'egen regi' ELSE 'okänd' END) AS anordnare
FROM namn AS n
LEFT JOIN visning AS v ON v.nyckel = lower(n.stavning)
ORDER BY n.insats_id

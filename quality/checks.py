"""The JUST-team rules as Dagster asset checks, evaluated by Great Expectations on the internal DuckDB.

Every check is a Great Expectations suite (quality/gx_duckdb.py) over a query, so every rule, blocking or
warning, is in the Data Docs beside the warehouse (`<warehouse>/kvalitet/datadocs/index.html`).

- On each `raw/<källa>`: `filer_lasbara` and `inte_trunkerad` (blocking: staging does not start).
- On each `staging/<källa>`: `radredovisning`, `karantanandel` and `just_regler` (blocking: no mart is
  built, so nothing is published) and the indicators (warnings).

Check metadata shows counts and a few example ids from the quarantine, never a personnummer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from jobbtorg_pipeline.assets.lineage import upstream
from jobbtorg_pipeline.provenance import (
    CASE_SYSTEM,
    PAYMENTS,
    PUBLISHED_DDL,
    BlockingCheck,
    loads_of,
    published_uttagsdatum,
    record_outcome,
)
from jobbtorg_pipeline.quality.gx_duckdb import Validations
from jobbtorg_pipeline.quality.quarantine import KARANTAN_DDL
from jobbtorg_pipeline.quality.rules import DATASET_RULES, Expect, Indicator, indicators_for, rules_for
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.sources.contract import KALLOR
from jobbtorg_pipeline.sources.files import UNDER_DELIVERY
from jobbtorg_pipeline.warehouse import connect_internal

_RULES = {r.id: r for r in DATASET_RULES}


@dataclass(frozen=True)
class _Suite:
    check: str
    query: str
    expectations: Sequence[tuple[str, Expect]]
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR


def _run(
    validations: Validations,
    settings: Settings,
    asset: dg.AssetKey,
    suite: _Suite,
    params: dict[str, Any],
) -> tuple[bool, list[Any], dict[str, Any]]:
    outcomes, docs = validations.validate(
        suite=f"{asset.to_python_identifier()}__{suite.check}",
        query=suite.query,
        expectations=suite.expectations,
        params=params,
    )
    errors = [o.error for o in outcomes if o.error]
    if errors:  # an expectation that could not be evaluated is a fault, never a pass
        raise RuntimeError(f"Great Expectations could not evaluate {suite.check}: {errors[0]}")
    metadata: dict[str, Any] = {
        "expectations": dg.MetadataValue.md(
            "| rule | expectation | passed | unexpected | observed | examples |\n|---|---|---|---:|---|---|\n"
            + "\n".join(
                f"| `{o.name}` | {o.kind} | {'yes' if o.success else '**no**'} | {o.unexpected_count or 0} "
                f"| {o.observed if o.observed is not None else ''} | {', '.join(map(str, o.examples))} |"
                for o in outcomes
            )
        ),
    }
    if docs is not None:
        # paths, not file:// links: a browser does not follow a file:// link from a web page. The UI shows a
        # path with a copy button; pasted into the address bar it opens (or `jobbtorg ui` serves them)
        metadata["data_docs"] = dg.MetadataValue.path(str(docs))
        metadata["data_docs_index"] = dg.MetadataValue.path(str(settings.data_docs_dir / "index.html"))
    return all(o.success for o in outcomes), outcomes, metadata


def _uttagsdatum(con: duckdb.DuckDBPyConnection) -> Any:
    row = con.execute("SELECT uttagsdatum FROM raw.uttag").fetchone()
    return row[0] if row else None


# --- raw: the extract as a whole ---------------------------------------------------------------------


def _readable(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings, kalla: str
) -> dg.AssetCheckResult:
    asset = dg.AssetKey(["raw", kalla])
    suite = _Suite(
        "filer_lasbara",
        f"SELECT fil, problem FROM raw.filer WHERE kalla = '{kalla}' AND status IN ('last', 'oläsbar')",
        [("filer_lasbara", Expect("ExpectColumnValuesToBeNull", {"column": "problem"}))],
    )
    passed, _, metadata = _run(validations, settings, asset, suite, {})
    problems = [
        r[0]
        for r in con.execute(
            "SELECT problem FROM raw.filer WHERE kalla = ? AND problem IS NOT NULL", [kalla]
        ).fetchall()
    ]
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=suite.check,
        passed=passed,
        description="; ".join(problems) if problems else _RULES["filer_lasbara"].checks,
        metadata=metadata,
    )


def _truncation_query(kalla: str) -> str:
    """Rows now against the baseline: the last published run's rows for the same file (payments: the
    same month; a published month now missing counts as 0 rows), else the previous complete snapshot."""
    return f"""
        WITH lasta AS (
            SELECT coalesce(manad, '') AS nyckel, fil, rader + avvisade AS rader, foregaende_rader, status
            FROM raw.filer WHERE kalla = '{kalla}' AND status IN ('last', 'oläsbar')
        ),
        nu AS (  -- a month whose only delivery is still being copied counts as 0 rows, under its name
            FROM lasta
            UNION ALL
            SELECT coalesce(manad, ''), fil, 0, foregaende_rader, status
            FROM raw.filer
            WHERE kalla = '{kalla}' AND status = 'under leverans'
              AND coalesce(manad, '') NOT IN (SELECT nyckel FROM lasta)
            QUALIFY row_number() OVER (PARTITION BY coalesce(manad, '') ORDER BY fil DESC) = 1
        ),
        publicerat AS (
            SELECT coalesce(manad, '') AS nyckel, arg_max(rader, publicerad) AS rader
            FROM kvalitet.publicerade_filer
            WHERE kalla = '{kalla}'
              AND run_id = (SELECT arg_max(run_id, publicerad) FROM kvalitet.publicerade_filer)
            GROUP BY coalesce(manad, '')
        )
        SELECT coalesce(nu.fil, 'månad ' || p.nyckel) AS fil,
               coalesce(nu.rader, 0) AS rader,
               coalesce(p.rader, nu.foregaende_rader) AS baslinje,
               CASE WHEN p.rader IS NOT NULL THEN 'senast publicerade körning'
                    ELSE 'förra ögonblicksbilden' END
                   AS baslinje_fran,
               coalesce(nu.rader, 0) / coalesce(p.rader, nu.foregaende_rader) AS kvot,
               coalesce(nu.status, 'saknas') AS status
        FROM nu FULL JOIN publicerat AS p USING (nyckel)
        WHERE coalesce(p.rader, nu.foregaende_rader) > 0
    """


_QUOTE_END = "(fix the quote, or ask for a new delivery)"


def _unclosed_quotes(con: duckdb.DuckDBPyConnection, kalla: str) -> dict[str, str]:
    """Per file, the first record an unclosed quote joined over several lines, in words: the line that
    opened the quote, and how far it reached (to the end of the file when the reader cut its text)."""
    found = con.execute(
        """
        SELECT fil, min(rad), arg_min(rader, rad), arg_min(avkortad, rad) FROM raw.avvisade_rader
        WHERE kalla = ? AND feltyp = 'UNQUOTED VALUE' AND rader > 1 GROUP BY fil
        """,
        [kalla],
    ).fetchall()
    return {
        fil: f', not because the file is truncated: an unclosed quote (") on line {rad:,} joined '
        + ("every line from there to the end of the file" if avkortad else f"the {rader:,} lines from there")
        + f" into one record that cannot be read {_QUOTE_END}"
        for fil, rad, rader, avkortad in found
    }


def _not_truncated(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings, kalla: str
) -> dg.AssetCheckResult:
    asset = dg.AssetKey(["raw", kalla])
    con.execute(PUBLISHED_DDL)
    query = _truncation_query(kalla)
    minimum = round(1 - settings.truncation_tolerance, 6)
    suite = _Suite(
        "inte_trunkerad",
        query,
        [
            (
                "inte_trunkerad",
                Expect("ExpectColumnValuesToBeBetween", {"column": "kvot", "min_value": minimum}),
            )
        ],
    )
    passed, _, metadata = _run(validations, settings, asset, suite, {})
    rows = con.execute(
        f"SELECT fil, rader, baslinje, baslinje_fran, status FROM ({query}) ORDER BY fil"
    ).fetchall()
    quotes = _unclosed_quotes(con, kalla)
    short = [
        f"{fil}: {rader:,} rows against {baslinje:,} ({fran})"
        + (
            " because it is still being delivered (changed within "
            f"{settings.settle_seconds} s); the next run reads it"
            if status == UNDER_DELIVERY
            else quotes.get(fil, "")
        )
        for fil, rader, baslinje, fran, status in rows
        if rader < baslinje * minimum
    ]
    # a file cut short by a stray quote is not truncated: the rows are there, the quote hides them
    what = "truncated extract" if any(not s.endswith(_QUOTE_END) for s in short) else "unreadable rows"
    metadata["baselines"] = dg.MetadataValue.md(
        "| file | rows | baseline | from |\n|---|---:|---:|---|\n"
        + "\n".join(f"| {f} | {r:,} | {b:,} | {w} |" for f, r, b, w, _ in rows)
    )
    metadata["tolerance"] = settings.truncation_tolerance
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=suite.check,
        passed=passed,
        description=(f"{what}: " + "; ".join(short)) if short else _RULES["inte_trunkerad"].checks,
        metadata=metadata,
    )


# A payment month with fewer rows than this share of the median of the months before it is not whole.
MONTH_MIN_SHARE = 0.5
MONTHS_COMPARED = 12  # the median is taken over at most this many delivered months before
MONTHS_NEEDED = 3  # a month is judged once this many delivered months lie before it


def _month_size_query() -> str:
    return f"""
        WITH manader AS (
            SELECT fil, manad, strptime(manad, '%Y-%m')::DATE AS m, rader + avvisade AS rader
            FROM raw.filer WHERE kalla = 'utbetalningar' AND status = 'last' AND manad IS NOT NULL
        ),
        bedomda AS (
            SELECT *,
                   median(rader) OVER w AS median_fore,
                   count(*) OVER w AS manader_fore
            FROM manader
            WINDOW w AS (ORDER BY m ROWS BETWEEN {MONTHS_COMPARED} PRECEDING AND 1 PRECEDING)
        ),
        pagaende AS (  -- the months still in progress: of the uttagsdatum and of the latest payment
            SELECT date_trunc('month', uttagsdatum)::DATE AS m FROM raw.uttag
            UNION ALL
            SELECT date_trunc('month', max(TRY_CAST(utbetalningsdatum AS DATE)))::DATE FROM raw.utbetalningar
        )
        SELECT fil, manad, rader, median_fore, manader_fore,
               CASE WHEN manader_fore >= {MONTHS_NEEDED} AND median_fore > 0
                         AND m NOT IN (SELECT m FROM pagaende WHERE m IS NOT NULL)
                    THEN rader / median_fore END AS kvot
        FROM bedomda
    """


def _month_size(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings
) -> dg.AssetCheckResult:
    asset = dg.AssetKey(["raw", "utbetalningar"])
    query = _month_size_query()
    expect = Expect("ExpectColumnValuesToBeBetween", {"column": "kvot", "min_value": MONTH_MIN_SHARE})
    suite = _Suite("manad_inte_for_liten", query, [("manad_inte_for_liten", expect)])
    passed, _, metadata = _run(validations, settings, asset, suite, {})
    small = con.execute(
        f"SELECT fil, rader, median_fore FROM ({query}) WHERE kvot < ? ORDER BY manad", [MONTH_MIN_SHARE]
    ).fetchall()
    metadata["min_share"] = MONTH_MIN_SHARE
    metadata["too_small"] = dg.MetadataValue.json([fil for fil, *_ in small])
    description = (
        "a payment month far smaller than the months before it: "
        + "; ".join(
            f"{fil}: {rader:,} rows, under half the median of the months before it ({median:,.0f}): is the "
            "month delivered whole? A re-delivery replaces it"
            for fil, rader, median in small
        )
        if small
        else _RULES["manad_inte_for_liten"].checks
    )
    return dg.AssetCheckResult(
        asset_key=asset, check_name=suite.check, passed=passed, description=description, metadata=metadata
    )


def _snapshot_in_words(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT ogonblicksbild FROM raw.uttag").fetchone()
    return f"the snapshot {row[0]}" if row and row[0] else "the extract"


def _not_in_future(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings
) -> dg.AssetCheckResult:
    asset = dg.AssetKey(["raw", "inskrivningar"])
    today = settings.today
    expect = Expect("ExpectColumnValuesToBeBetween", {"column": "uttagsdatum", "max_value": "{idag}"})
    suite = _Suite(
        "uttag_inte_framtida", "SELECT uttagsdatum FROM raw.uttag", [("uttag_inte_framtida", expect)]
    )
    passed, _, metadata = _run(validations, settings, asset, suite, {"idag": today})
    uttag = _uttagsdatum(con)
    metadata.update(uttagsdatum=str(uttag), today=str(today))
    description = (
        f"{_snapshot_in_words(con)} is dated {uttag}, after today ({today}): a snapshot from the future "
        "cannot be the extract. Rename or remove the folder"
        if uttag is not None and uttag > today
        else _RULES["uttag_inte_framtida"].checks
    )
    return dg.AssetCheckResult(
        asset_key=asset, check_name=suite.check, passed=passed, description=description, metadata=metadata
    )


def _not_older(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings
) -> dg.AssetCheckResult:
    asset = dg.AssetKey(["raw", "inskrivningar"])
    published = published_uttagsdatum(con)
    uttag = _uttagsdatum(con)
    if published is None or settings.allow_older_snapshot:
        expect = Expect("ExpectColumnValuesToNotBeNull", {"column": "uttagsdatum"})
    else:
        expect = Expect(
            "ExpectColumnValuesToBeBetween", {"column": "uttagsdatum", "min_value": "{publicerat}"}
        )
    suite = _Suite("uttag_inte_aldre", "SELECT uttagsdatum FROM raw.uttag", [("uttag_inte_aldre", expect)])
    passed, _, metadata = _run(validations, settings, asset, suite, {"publicerat": published})
    metadata.update(
        uttagsdatum=str(uttag),
        published_uttagsdatum=str(published),
        allow_older_snapshot=settings.allow_older_snapshot,
    )
    older = published is not None and uttag is not None and uttag < published
    if older and settings.allow_older_snapshot:
        description = (
            f"{_snapshot_in_words(con)} ({uttag}) is older than the figures already published ({published}); "
            "allowed for this run by the operator (--allow-older-snapshot)"
        )
    elif older:
        description = (
            f"{_snapshot_in_words(con)} ({uttag}) is older than the figures already published ({published}): "
            "the newest complete snapshot folder (one with _SUCCESS) is missing or incomplete. To publish "
            "the older figures on purpose, run `jobbtorg run --allow-older-snapshot` (or set "
            "JOBBTORG_ALLOW_OLDER_SNAPSHOT=1 for one run)"
        )
    else:
        description = _RULES["uttag_inte_aldre"].checks
    return dg.AssetCheckResult(
        asset_key=asset, check_name=suite.check, passed=passed, description=description, metadata=metadata
    )


# --- staging: rows accounted for, the quarantine's share, the rules on what was staged, indicators ------


def _accounting(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings, kalla: str
) -> dg.AssetCheckResult:
    """Per file, two reconciliations: every record read is staged or quarantined, and every line of the
    file is a record, inside one (a quoted line break joins lines), or blank (no data, skipped)."""
    asset = dg.AssetKey(["staging", kalla])
    query = f"""
        WITH lasta AS (
            SELECT fil, rader + avvisade AS rader_lasta, fysiska_rader, rader, avvisade, inneslutna_rader,
                   tomma_rader, rader + avvisade + inneslutna_rader + tomma_rader AS rader_forklarade
            FROM raw.filer WHERE kalla = '{kalla}' AND status = 'last'
        ),
        stagade AS (SELECT _fil AS fil, count(*) AS n FROM staging.{kalla} GROUP BY _fil),
        karantan AS (
            SELECT fil, count(DISTINCT coalesce(radnr::VARCHAR, 'rad ' || rad)) AS n
            FROM staging.karantan WHERE kalla = '{kalla}' GROUP BY fil
        )
        SELECT l.fil, l.rader_lasta, coalesce(s.n, 0) AS rader_stagade, coalesce(k.n, 0) AS rader_i_karantan,
               coalesce(s.n, 0) + coalesce(k.n, 0) AS rader_redovisade,
               l.fysiska_rader, l.rader_forklarade, l.rader, l.avvisade, l.inneslutna_rader, l.tomma_rader
        FROM lasta AS l LEFT JOIN stagade AS s USING (fil) LEFT JOIN karantan AS k USING (fil)
    """
    expectations = [
        (
            "radredovisning",
            Expect(
                "ExpectColumnPairValuesToBeEqual", {"column_A": "rader_lasta", "column_B": "rader_redovisade"}
            ),
        ),
        (
            "radredovisning_mot_filens_rader",
            Expect(
                "ExpectColumnPairValuesToBeEqual",
                {"column_A": "fysiska_rader", "column_B": "rader_forklarade"},
            ),
        ),
    ]
    suite = _Suite("radredovisning", query, expectations)
    passed, _, metadata = _run(validations, settings, asset, suite, {})
    rows = con.execute(f"SELECT * FROM ({query}) ORDER BY fil").fetchall()
    metadata["files"] = dg.MetadataValue.md(
        "| file | lines | rows read | lines inside rows | blank lines | staged | quarantined |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(
            f"| {f} | {lines or 0:,} | {r:,} | {inne:,} | {tomma:,} | {s:,} | {k:,} |"
            for f, r, s, k, _, lines, _, _, _, inne, tomma in rows
        )
    )
    problems = [
        f"{f}: {r - t:,} rows read but neither staged nor quarantined" for f, r, _, _, t, *_ in rows if r != t
    ]
    problems += [
        f"{f}: {'an unknown number of' if lines is None else f'{lines:,}'} data lines in the file, but "
        f"{told:,} accounted for ({rader:,} rows, {avv:,} rejected lines, {inne:,} lines inside a row, "
        f"{tomma:,} blank lines): lines were lost in reading"
        for f, _, _, _, _, lines, told, rader, avv, inne, tomma in rows
        if lines != told
    ]
    if any(lines != told for _, _, _, _, _, lines, told, *_ in rows):
        problems += [
            f"{fil}: an unclosed quote on line {rad} ran to the end of the file, and the CSV reader keeps "
            "only the first 10,000 bytes of a line it cannot read"
            for fil, rad in con.execute(
                "SELECT fil, rad FROM raw.avvisade_rader WHERE kalla = ? AND avkortad ORDER BY fil, rad",
                [kalla],
            ).fetchall()
        ]
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=suite.check,
        passed=passed,
        description="; ".join(problems) if problems else _RULES["radredovisning"].checks,
        metadata=metadata,
    )


# A file of fewer rows is judged as if it had this many, so that one bad row in a small file (the month
# in progress holds a few days' payments) does not block: at 5 % it may hold up to 5 quarantined rows.
QUARANTINE_MIN_ROWS = 100


def _quarantine_share(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings, kalla: str
) -> dg.AssetCheckResult:
    """The ceiling holds for the source as a whole and for every delivered file (a payment month) on its
    own: one mostly bad month among 48 good ones is 2 % of the source but would publish wrong figures."""
    asset = dg.AssetKey(["staging", kalla])
    # Counted in lines of the files: a quarantined row that an unclosed quote made of 11 lines holds 11
    # rows' worth of data, and counts so.
    query = f"""
        WITH poster AS (
            SELECT DISTINCT fil, coalesce(radnr, -rad) AS post, coalesce(rader, 1) AS rader
            FROM staging.karantan WHERE kalla = '{kalla}'
        ),
        per_fil AS (SELECT fil, sum(rader) AS i_karantan FROM poster GROUP BY fil),
        filer AS (
            SELECT f.fil, coalesce(p.i_karantan, 0) AS i_karantan,
                   f.rader + f.avvisade + f.inneslutna_rader AS lasta
            FROM raw.filer AS f LEFT JOIN per_fil AS p USING (fil)
            WHERE f.kalla = '{kalla}' AND f.status = 'last'
        ),
        t AS (
            SELECT (SELECT coalesce(sum(rader), 0) FROM poster) AS i_karantan,
                   (SELECT sum(lasta) FROM filer) AS lasta
        )
        SELECT NULL AS fil, i_karantan, lasta, i_karantan / nullif(lasta, 0) AS andel,
               i_karantan / nullif(lasta, 0) AS bedomd_andel
        FROM t
        UNION ALL
        SELECT fil, i_karantan, lasta, i_karantan / nullif(lasta, 0),
               i_karantan / greatest(lasta, {QUARANTINE_MIN_ROWS})
        FROM filer
    """
    expect = Expect(
        "ExpectColumnValuesToBeBetween", {"column": "bedomd_andel", "max_value": settings.quarantine_ceiling}
    )
    suite = _Suite("karantanandel", query, [("karantanandel", expect)])
    passed, _, metadata = _run(validations, settings, asset, suite, {})
    rows = con.execute(f"SELECT * FROM ({query}) ORDER BY fil NULLS FIRST").fetchall()
    _, quarantined, read, share, _ = rows[0]
    over = [
        (fil, n, lasta, andel)
        for fil, n, lasta, andel, bedomd in rows[1:]
        if bedomd is not None and bedomd > settings.quarantine_ceiling
    ]
    metadata.update(
        rows_quarantined=int(quarantined),
        rows_read=int(read or 0),
        share=float(share or 0.0),
        ceiling=settings.quarantine_ceiling,
        files_over_ceiling=dg.MetadataValue.json([fil for fil, *_ in over]),
    )
    description = (
        f"{quarantined:,} of {read or 0:,} rows ({(share or 0):.1%}) quarantined; the ceiling is "
        f"{settings.quarantine_ceiling:.0%}"
    )
    if over:
        description += ", of the source and of each file; over it: " + "; ".join(
            f"{fil}: {n:,} of {lasta:,} rows ({andel:.1%}) quarantined" for fil, n, lasta, andel in over
        )
    return dg.AssetCheckResult(
        asset_key=asset, check_name=suite.check, passed=passed, description=description, metadata=metadata
    )


# How a quarantined row is named in check metadata: by its id, else (an empty id, or one that looks like
# a personnummer, as when the columns are swapped) by its file and its line number (a line the CSV reader
# rejected) or its number among the file's parsed rows.
EXAMPLE_ID = (
    "coalesce(CASE WHEN NOT regexp_matches(post_id, '\\d{6}[-+]?\\d{4}') THEN post_id END, "
    "fil || ' rad ' || rad, fil || ' post ' || radnr, fil)"
)


def _rules(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings, kalla: str
) -> dg.AssetCheckResult:
    """The row rules' expectations on the staged table: a staged row breaking a rule blocks the run."""
    asset = dg.AssetKey(["staging", kalla])
    rules = rules_for(kalla)
    expectations = [(r.qualified_id, e) for r in rules for e in r.expect]
    suite = _Suite("just_regler", f"SELECT * FROM staging.{kalla}", expectations)
    passed, outcomes, metadata = _run(validations, settings, asset, suite, {"uttagsdatum": _uttagsdatum(con)})
    quarantined = {
        regel: (n, examples)
        for regel, n, examples in con.execute(
            """
            SELECT regel, count(*), list(exempel ORDER BY fil, radnr, rad)[1:5]
            FROM (SELECT *, {EXAMPLE_ID} AS exempel FROM staging.karantan WHERE kalla = ?)
            GROUP BY regel
            """.replace("{EXAMPLE_ID}", EXAMPLE_ID),
            [kalla],
        ).fetchall()
    }
    metadata["quarantined_per_rule"] = dg.MetadataValue.md(
        "| rule | rows quarantined | example ids |\n|---|---:|---|\n"
        + "\n".join(
            f"| `{regel}` | {n:,} | {', '.join(examples)} |"
            for regel, (n, examples) in sorted(quarantined.items())
        )
    )
    metadata["rows_quarantined_by_rule"] = dg.MetadataValue.json(
        {k: v[0] for k, v in sorted(quarantined.items())}
    )
    broken = [o.name for o in outcomes if not o.success]
    description = (
        f"staged rows break {', '.join(broken)}: the quarantine let them through"
        if broken
        else f"every staged row keeps the {len(rules)} row rules; "
        f"{sum(n for n, _ in quarantined.values()):,} rule breaks went to quarantine"
    )
    return dg.AssetCheckResult(
        asset_key=asset, check_name=suite.check, passed=passed, description=description, metadata=metadata
    )


def _indicator(
    con: duckdb.DuckDBPyConnection, validations: Validations, settings: Settings, indicator: Indicator
) -> dg.AssetCheckResult:
    asset = dg.AssetKey(["staging", indicator.kalla])
    suite = _Suite(
        indicator.id,
        indicator.query,
        [(indicator.qualified_id, indicator.expectation)],
        dg.AssetCheckSeverity.WARN,
    )
    passed, outcomes, metadata = _run(validations, settings, asset, suite, {})
    counted = con.execute(f"SELECT count(*) FROM ({indicator.query})").fetchone()[0]
    failing = outcomes[0].unexpected_count or 0
    share = failing / counted if counted else 0.0
    metadata.update(share=round(share, 4), threshold=indicator.threshold, rows=counted)
    description = f"{indicator.checks}: {share:.1%} (warns above {indicator.threshold:.0%})"
    if indicator.listing:
        listed = [str(r[0]) for r in con.execute(indicator.listing).fetchall()]
        metadata[indicator.listing_name] = dg.MetadataValue.json(listed)
        if listed:
            description += f"; {indicator.listing_name.replace('_', ' ')}: {', '.join(listed[:12])}"
            description += f" and {len(listed) - 12} more" if len(listed) > 12 else ""
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=indicator.id,
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


# --- the Dagster definitions ----------------------------------------------------------------------------


# The blocking checks on each raw source beyond the two every source has: the extract's date is judged
# on the case system's registrations, the size of the months on the payments.
_RAW_EXTRA = {
    "inskrivningar": (("uttag_inte_framtida", _not_in_future), ("uttag_inte_aldre", _not_older)),
    "utbetalningar": (("manad_inte_for_liten", _month_size),),
}
RAW_BLOCKING = {
    k: ("filer_lasbara", "inte_trunkerad", *(r for r, _ in _RAW_EXTRA.get(k, ()))) for k in KALLOR
}
STAGING_BLOCKING = ("radredovisning", "karantanandel", "just_regler")


def _raw_checks(kalla: str) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(["raw", kalla])
    specs = [
        dg.AssetCheckSpec(rule, asset=asset, blocking=True, description=_RULES[rule].checks)
        for rule in RAW_BLOCKING[kalla]
    ]

    @dg.multi_asset_check(name=f"just_raw_{kalla}", specs=specs, pool=DUCKDB_POOL)
    def _check(context, jobbtorg: JobbtorgResource) -> Iterator[dg.AssetCheckResult]:
        settings = jobbtorg.settings
        with connect_internal(settings) as con, Validations(con, settings.data_docs_dir) as validations:
            judged = _judged(con, "raw", kalla)
            results = [
                _readable(con, validations, settings, kalla),
                _not_truncated(con, validations, settings, kalla),
            ]
            results += [check(con, validations, settings) for _, check in _RAW_EXTRA.get(kalla, ())]
            for result in results:
                _remember(con, context, result, judged)
                yield result

    return _check


def _staging_checks(kalla: str) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(["staging", kalla])
    specs = [
        dg.AssetCheckSpec(rule, asset=asset, blocking=True, description=_RULES[rule].checks)
        for rule in ("radredovisning", "karantanandel")
    ]
    specs.append(
        dg.AssetCheckSpec(
            "just_regler",
            asset=asset,
            blocking=True,
            description=f"the {len(rules_for(kalla))} JUST-team row rules hold on every staged row",
        )
    )
    specs += [
        dg.AssetCheckSpec(
            i.id,
            asset=asset,
            description=i.checks,
            # an indicator may read a table of its own besides the asset (the reference table of districts)
            additional_deps=[k for k in upstream(i.query) if k != ["staging", kalla]],
        )
        for i in indicators_for(kalla)
    ]

    @dg.multi_asset_check(name=f"just_staging_{kalla}", specs=specs, pool=DUCKDB_POOL)
    def _check(context, jobbtorg: JobbtorgResource) -> Iterator[dg.AssetCheckResult]:
        settings = jobbtorg.settings
        with connect_internal(settings) as con, Validations(con, settings.data_docs_dir) as validations:
            con.execute(KARANTAN_DDL)
            judged = _judged(con, "staging", kalla)
            for blocking in (_accounting, _quarantine_share, _rules):
                result = blocking(con, validations, settings, kalla)
                _remember(con, context, result, judged)
                yield result
            for indicator in indicators_for(kalla):
                yield _indicator(con, validations, settings, indicator)

    return _check


def judged_tables(asset: str) -> list[str]:
    """The tables whose loads a check on `asset` (raw/<källa>, staging/<källa>) judges: the table, and
    for the payments the case system's (their checks and staging read its uttagsdatum)."""
    layer, kalla = asset.split("/")
    return [f"{layer}.{kalla}"] + (["raw.inskrivningar"] if kalla == "utbetalningar" else [])


def _judged(con: duckdb.DuckDBPyConnection, layer: str, kalla: str) -> list[str]:
    return loads_of(con, judged_tables(f"{layer}/{kalla}"))


def _remember(
    con: duckdb.DuckDBPyConnection,
    context: AssetCheckExecutionContext,
    result: dg.AssetCheckResult,
    judged: list[str],
) -> None:
    """The publish step publishes only marts whose loads every blocking check passed (provenance.py)."""
    assert result.asset_key is not None and result.check_name is not None
    record_outcome(
        con,
        result.asset_key.to_user_string(),
        result.check_name,
        judged,
        result.passed,
        result.description or "",
        context.run.run_id,
    )


# What the publish step requires: every blocking check, with the source groups whose loads it judges.
BLOCKING_CHECKS = tuple(
    BlockingCheck(
        f"{layer}/{kalla}", check, (CASE_SYSTEM, PAYMENTS) if kalla == "utbetalningar" else (CASE_SYSTEM,)
    )
    for kalla in KALLOR
    for layer, checks in (("raw", RAW_BLOCKING[kalla]), ("staging", STAGING_BLOCKING))
    for check in checks
)

quality_checks = [_raw_checks(k) for k in KALLOR] + [_staging_checks(k) for k in KALLOR]

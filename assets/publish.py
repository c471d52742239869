"""Publish: the analysts' file, replaced atomically, last: after every mart, check and the report."""

from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.marts import ar_hittills
from jobbtorg_pipeline.assets.marts.catalog import comment_statements, load_marts
from jobbtorg_pipeline.provenance import ensure_publishable, record_published
from jobbtorg_pipeline.quality.checks import BLOCKING_CHECKS
from jobbtorg_pipeline.report.build import file_sha256
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource
from jobbtorg_pipeline.warehouse import connect_internal, internal_file_lock, publish

GROUP = "publish"


@dg.asset(
    key=["publish", "analysfil"],
    group_name=GROUP,
    kinds={"duckdb"},
    deps=[
        *(["marts", m.name] for m in load_marts()),
        *([ar_hittills.SCHEMA, t.name] for t in ar_hittills.tables()),
        ["rapport", "tertialrapport"],
    ],
    pool=DUCKDB_POOL,
)
def analysfil(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
    """`<warehouse>/jobbtorg.duckdb`: the schemas `marts` and `ar_hittills` only (aggregates, no personal
    data), with COMMENTs.

    The last step of a run: written to a new file and renamed over the old one, so an analyst holding the
    old file open never blocks the run and never sees a half-written mart, and a run that fails anywhere
    before (a check, a mart, the report) leaves the analysts' file as it was. The run's extract files are
    recorded with the new file's SHA-256 before the rename, so the inputs on record always belong to the
    file in place (a report published from it names them in its manifest).

    It publishes only marts that all rest on one load of each source, every blocking check of which
    passed (jobbtorg_pipeline/provenance.py): a run of part of the pipeline after a blocked run, which
    would mix the blocked extract with stale tables, stops here.

    A session that opened the old file to write (not read-only) keeps that file; the write-ahead log it
    left beside it would keep every new connection out of the new file, so it is removed, and the run
    warns (metadata `varningar`).
    """
    settings = jobbtorg.settings
    marts = load_marts()
    tables = [f"marts.{m.name}" for m in marts] + ar_hittills.qualified()
    comments = [s for m in marts for s in comment_statements(m)] + ar_hittills.comments()
    run_id = context.run.run_id
    with connect_internal(settings) as con:  # whatever started the run: one extract, every check passed
        loads = ensure_publishable(con, tables, BLOCKING_CHECKS, "the analysts' file")
    context.log.info(
        f"every mart rests on {', '.join(loads)}, and every check required before publishing passed on it"
    )

    def record(new_file: Path) -> None:
        with connect_internal(settings) as con:
            record_published(con, run_id, file_sha256(new_file))

    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        context.log.warning(message)

    with internal_file_lock(settings):  # the copy and its record, as one, against other processes
        path = publish(settings, tables, comments, run_id=run_id, before_replace=record, warn=warn)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = {
            t.removeprefix("marts."): con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables
        }
        uttag = con.execute(f"SELECT max(uttagsdatum) FROM marts.{marts[0].name}").fetchone()[0]
    context.log.info(f"published {path} ({path.stat().st_size:,} bytes)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "bytes": path.stat().st_size,
            "tables": dg.MetadataValue.json(rows),
            "uttagsdatum": str(uttag),
            **({"varningar": dg.MetadataValue.json(warnings)} if warnings else {}),
        }
    )

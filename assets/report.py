"""Report: the tertial report for the committee, built in every run before the analysts' file is replaced.

It reads the internal database's `marts` and `ar_hittills` schemas (the very tables the publish step then
copies into the analysts' file; never staging or anything person-level), so a report that cannot be built
stops the run before the analysts' file is touched: `publish/analysfil` depends on this asset.
"""

import dagster as dg
from dagster import AssetExecutionContext

from jobbtorg_pipeline.assets.marts import ar_hittills
from jobbtorg_pipeline.assets.marts.catalog import load_marts
from jobbtorg_pipeline.perioder import previous_tertial, tertial
from jobbtorg_pipeline.provenance import ensure_publishable, record_built
from jobbtorg_pipeline.quality.checks import BLOCKING_CHECKS
from jobbtorg_pipeline.report.build import run_inputs, versions, write_preliminary
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource
from jobbtorg_pipeline.warehouse import connect_internal

GROUP = "report"


@dg.asset(
    key=["rapport", "tertialrapport"],
    group_name=GROUP,
    kinds={"html", "excel"},
    deps=[
        *(["marts", m.name] for m in load_marts()),
        *([ar_hittills.SCHEMA, t.name] for t in ar_hittills.tables()),
    ],
    pool=DUCKDB_POOL,
)
def tertialrapport(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
    """The tertial report (HTML and Excel, with disclosure control) of the tertial holding the uttagsdatum
    and of the one before it, as preliminary versions in `<warehouse>/rapporter/<period>/preliminar/`,
    from this run's marts. A published tertial (`jobbtorg report --period ... --publish`) is never touched."""
    settings = jobbtorg.settings
    written = {}
    marts = [f"marts.{m.name}" for m in load_marts()] + ar_hittills.qualified()
    with connect_internal(settings) as con:
        ensure_publishable(con, marts, BLOCKING_CHECKS, "the preliminary report")
        record_built(con, "rapport.tertialrapport", marts, context.run.run_id)
        uttag = con.execute("SELECT max(uttagsdatum) FROM marts.unika_individer").fetchone()[0]
        known = {r[0] for r in con.execute("SELECT DISTINCT period FROM marts.unika_individer").fetchall()}
        inputs = run_inputs(con)
        current = tertial(uttag)
        for period in (current, previous_tertial(current)):
            if period not in known or (period != current and versions(settings, period)):
                continue
            folder = write_preliminary(settings, period, con=con, inputs=inputs)
            written[period] = dg.MetadataValue.path(str(folder / "rapport.html"))
            context.log.info(f"report {period}: {folder}")
    return dg.MaterializeResult(
        metadata={
            "tertial": current,
            "uttagsdatum": str(uttag),
            **{f"rapport {p}": v for p, v in written.items()},
        }
    )

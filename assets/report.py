"""Report: the tertial report for the committee, rebuilt every night after the analysts' file."""

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from jobbtorg_pipeline.report.build import versions, write_preliminary
from jobbtorg_pipeline.resources import DUCKDB_POOL, JobbtorgResource
from jobbtorg_pipeline.sensors.schedule import tertial

GROUP = "report"


def _previous(period: str) -> str:
    year, t = int(period[:4]), int(period[-1])
    return f"{year - 1}-T3" if t == 1 else f"{year}-T{t - 1}"


@dg.asset(
    key=["rapport", "tertialrapport"],
    group_name=GROUP,
    kinds={"html", "excel"},
    deps=[["publish", "analysfil"]],
    pool=DUCKDB_POOL,
)
def tertialrapport(context: AssetExecutionContext, jobbtorg: JobbtorgResource) -> dg.MaterializeResult:
    """The tertial report (HTML and Excel, with disclosure control) of the tertial holding the uttagsdatum
    and of the one before it, as preliminary versions in `<warehouse>/rapporter/<period>/preliminar/`.
    A published tertial (`jobbtorg report --period ... --publish`) is never touched."""
    settings = jobbtorg.settings
    with duckdb.connect(str(settings.analysts_file), read_only=True) as con:
        uttag = con.execute("SELECT max(uttagsdatum) FROM marts.unika_individer").fetchone()[0]
        known = {r[0] for r in con.execute("SELECT DISTINCT period FROM marts.unika_individer").fetchall()}
    current = tertial(uttag)
    written = {}
    for period in (current, _previous(current)):
        if period not in known or (period != current and versions(settings, period)):
            continue
        folder = write_preliminary(settings, period)
        written[period] = dg.MetadataValue.path(str(folder / "rapport.html"))
        context.log.info(f"report {period}: {folder}")
    return dg.MaterializeResult(
        metadata={
            "tertial": current,
            "uttagsdatum": str(uttag),
            **{f"rapport {p}": v for p, v in written.items()},
        }
    )

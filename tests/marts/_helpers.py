"""Small helpers shared by the mart acceptance tests (no expectations live here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.pipeline import Run, run_pipeline
from tests.support.sourcebuilder import SourceBuilder

COMMON = ["period", "period_typ", "period_start", "period_slut", "uttagsdatum"]


def run_scenario(src: SourceBuilder, work: Path) -> Run:
    """Write the hand-built source, materialise the marts and the analysts' file (see run_pipeline)
    and make sure every hand-built row was accepted.

    The expectations are worked out on the assumption that every row is valid; a row quarantined by a
    JUST-team rule would make them wrong for a reason that has nothing to do with the mart.
    """
    src.write()
    run = run_pipeline(work, src.root, marts_only=True)
    assert run.success, "the pipeline run failed"
    with run.internal() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "karantan" in tables:
            stopped = con.execute("SELECT kalla, post_id, regel, orsak FROM staging.karantan").fetchall()
            assert stopped == [], f"hand-built rows were quarantined: {stopped}"
    return run


def pick(row: dict[str, Any], *columns: str) -> dict[str, Any]:
    """The named columns of a mart row, for a readable dict comparison."""
    return {c: row[c] for c in columns}


def keys(run: Run, mart: str, *dims: str, **where: str) -> set[tuple[Any, ...]]:
    """The dimension values of the rows of a mart, e.g. {(period, jobbtorg, kon), ...}."""
    return {tuple(r[d] for d in dims) for r in run.rows(mart, **where)}


def columns(run: Run, mart: str) -> list[str]:
    with run.analysts() as con:
        return [d[0] for d in con.execute(f"SELECT * FROM marts.{mart} LIMIT 0").description]


def months(first: str, last: str) -> list[str]:
    """The months from `first` to `last` (both `YYYY-MM`), both included."""
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out

"""The JUST-team checks (quality/checks.py) on hand-built, staged extracts: what each check reports.

Each test stages a small source with the same functions the assets call (tests/support/staging.py) and
runs one check function on it, as the Dagster check step does; the answers are worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

from jobbtorg_pipeline.quality import checks
from tests.support.pipeline import settings_for
from tests.support.sourcebuilder import SourceBuilder, pnr
from tests.support.staging import stage

UTTAG = "2019-10-01"
A = pnr("19800101", 1, woman=True)
B = pnr("19750615", 2, woman=False)


def _check(tmp_path: Path, src: SourceBuilder, run) -> object:
    src.write()
    con = stage(src.root, tmp_path / "work")
    try:
        return run(con, settings_for(tmp_path / "work", src.root))
    finally:
        con.close()


def test_rows_without_an_id_are_named_by_file_and_row_in_the_check(tmp_path):
    """A row with an empty id is quarantined (obligatoriskt_falt); the check names it by its file and
    its row number among the file's parsed rows, as it has no id to show (it used to crash)."""
    src = SourceBuilder(tmp_path / "source", UTTAG)
    src.inskrivning("I1", A, "2019-02-01")
    src.inskrivning("", B, "2019-02-01")  # parsed row 2 of inskrivningar.csv
    src.insats("S1", "I1", "coachning", "2019-03-01")
    src.insats("", "I1", "coachning", "2019-03-01")  # parsed row 2 of insatser.csv
    src.utbetalning("", A, "2019-03", "100")  # parsed row 1 of the March file
    results = {
        kalla: _check(tmp_path / kalla, src, lambda con, s, k=kalla: checks._rules(con, s, k))
        for kalla in ("inskrivningar", "insatser", "utbetalningar")
    }
    expected = {
        "inskrivningar": f"arendesystem/{UTTAG}/inskrivningar.csv post 2",
        "insatser": f"arendesystem/{UTTAG}/insatser.csv post 2",
        "utbetalningar": "utbetalningar/utbetalningar_2019-03.csv post 1",
    }
    for kalla, result in results.items():
        assert result.passed, kalla
        table = result.metadata["quarantined_per_rule"].value
        assert f"| `{kalla}.obligatoriskt_falt` | 1 | {expected[kalla]} |" in table, table

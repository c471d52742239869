"""A bad delivery never publishes wrong figures: each case through `jobbtorg run`, as an operator meets it.

Each case once published wrong figures with exit status 0 and no warning. One good run has published
first (the session's shared run on its small generated source); each test copies that source, warehouse
and home, spoils the copy as a delivery would and runs the command line again. A blocked run exits 1,
names the file or the setting to look at, and leaves the analysts' file byte for byte as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import cli_env, jobbtorg
from tests.support.pipeline import marts_content

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, small_generated_source: Path, small_run) -> Path:
    """A folder holding a source `S`, and a warehouse `W` and home `home` after one good run on it: the
    session's small source and a copy of its shared run (whose Jobbtorg home holds the same test key)."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(small_generated_source, root / "S")
    shutil.copytree(small_run.warehouse_dir, root / "W")
    shutil.copytree(small_run.home_dir, root / "home")
    return root


def _copy(published: Path, tmp_path: Path, *, warehouse: bool = True) -> Path:
    work = tmp_path / "work"
    shutil.copytree(published / "S", work / "S")
    if warehouse:
        shutil.copytree(published / "W", work / "W")
        shutil.copytree(published / "home", work / "home")
    return work


def _run(work: Path, *args: str, **env: str):
    return jobbtorg(
        "run", "--source", str(work / "S"), "--warehouse", str(work / "W"), *args, env=cli_env(work, **env)
    )


def _blocked(done, work: Path, published: Path) -> str:
    """The run was blocked and published nothing: its reason, on one line."""
    assert done.returncode == 1, done.stderr[-3000:]
    assert "the analysts' file was not changed" in done.stderr
    assert (work / "W" / "jobbtorg.duckdb").read_bytes() == (published / "W" / "jobbtorg.duckdb").read_bytes()
    return done.stderr


def _payments(work: Path, month: str) -> Path:
    return work / "S" / "utbetalningar" / f"utbetalningar_{month}.csv"


def test_one_mostly_bad_payment_month_blocks_naming_the_file_and_its_share(published, tmp_path):
    """Rewriting avser_manad 2019-05 as 201905 quarantines that month's rows for May (payments in arrears
    in the file, for April, stay good): most of the file, but about 2 % of all payment rows, which the
    ceiling over the whole source let through."""
    work = _copy(published, tmp_path)
    path = _payments(work, "2019-05")
    lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    spoiled = sum(";2019-05;" in line for line in lines)
    assert spoiled > len(lines) / 2
    path.write_text(path.read_text(encoding="utf-8-sig").replace(";2019-05;", ";201905;"), encoding="utf-8")
    reason = _blocked(_run(work), work, published)
    assert "check staging/utbetalningar:karantanandel did not pass" in reason
    share = spoiled / len(lines)
    assert (
        f"utbetalningar/utbetalningar_2019-05.csv: {spoiled:,} of {len(lines):,} rows ({share:.1%}) "
        in reason
    )


def test_a_new_month_delivered_empty_blocks(published, tmp_path):
    """November delivered with only its header would count as delivered, and everyone followed into it
    as self-sufficient."""
    work = _copy(published, tmp_path)
    header = _payments(work, "2020-10").read_text(encoding="utf-8-sig").splitlines()[0]
    _payments(work, "2020-11").write_text(header + "\n", encoding="utf-8")
    reason = _blocked(_run(work), work, published)
    assert "check raw/utbetalningar:manad_inte_for_liten did not pass" in reason
    assert (
        "utbetalningar/utbetalningar_2020-11.csv: 0 rows, under half the median of the months before"
        in reason
    )


def test_a_half_copy_beside_a_month_is_listed_and_never_read(published, tmp_path):
    """`utbetalningar_2019-05_gammal.csv` (half the month) once replaced the month on a fresh warehouse.
    Now it is an unknown file: named in the run's log, not read, and the marts are those of the clean
    source."""
    work = _copy(published, tmp_path, warehouse=False)
    lines = _payments(work, "2019-05").read_text(encoding="utf-8-sig").splitlines()
    copy = work / "S" / "utbetalningar" / "utbetalningar_2019-05_gammal.csv"
    copy.write_text("\n".join(lines[: 1 + (len(lines) - 1) // 2]) + "\n", encoding="utf-8")
    done = _run(work)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "utbetalningar_2019-05_gammal.csv not read: okänt filnamn" in done.stderr
    assert marts_content(work / "W" / "jobbtorg.duckdb") == marts_content(published / "W" / "jobbtorg.duckdb")


def test_a_snapshot_older_than_the_published_one_blocks_unless_the_operator_allows_it(published, tmp_path):
    """The newest snapshot being re-delivered (no `_SUCCESS` yet): the one before it would become the
    extract and its older figures replace the newer ones."""
    work = _copy(published, tmp_path)
    (work / "S" / "arendesystem" / "2020-10-01" / "_SUCCESS").unlink()
    reason = _blocked(_run(work), work, published)
    assert "check raw/inskrivningar:uttag_inte_aldre did not pass" in reason
    assert (
        "the snapshot arendesystem/2020-09-24 (2020-09-24) is older than the figures already published "
        in (reason)
    )
    assert "(2020-10-01)" in reason and "--allow-older-snapshot" in reason

    allowed = _run(work, "--allow-older-snapshot")
    assert allowed.returncode == 0, allowed.stderr[-3000:]
    with duckdb.connect(str(work / "W" / "jobbtorg.duckdb"), read_only=True) as con:
        assert con.execute("SELECT DISTINCT uttagsdatum::VARCHAR FROM marts.unika_individer").fetchall() == [
            ("2020-09-24",)
        ]


def test_a_snapshot_from_the_future_blocks(published, tmp_path):
    work = _copy(published, tmp_path)
    shutil.copytree(work / "S" / "arendesystem" / "2020-10-01", work / "S" / "arendesystem" / "2029-10-01")
    reason = _blocked(_run(work, JOBBTORG_TODAY="2026-12-05"), work, published)
    assert "check raw/inskrivningar:uttag_inte_framtida did not pass" in reason
    assert "the snapshot arendesystem/2029-10-01 is dated 2029-10-01, after today (2026-12-05)" in reason


def test_a_partial_run_after_a_blocked_run_does_not_publish(published, tmp_path):
    """A blocked run leaves the internal database half new; marts and publish run on their own then would
    mix the blocked extract with stale tables. The publish step refuses, whatever command started it."""
    work = _copy(published, tmp_path)
    path = _payments(work, "2019-05")
    path.write_text(path.read_text(encoding="utf-8-sig").replace(";2019-05;", ";201905;"), encoding="utf-8")
    _blocked(_run(work), work, published)
    partial = _run(work, "--select", "group:marts or group:publish")
    reason = _blocked(partial, work, published)
    assert "step publish__analysfil failed: NotPublishable: the analysts' file was not changed:" in reason
    assert "the marts were built from different extracts" in reason


def test_the_report_refuses_marts_of_different_extracts(published, tmp_path):
    """An analysts' file pieced together from two extracts (here: one mart's uttagsdatum moved back, as a
    copy of a table from an older file would have it) gives no report."""
    warehouse = tmp_path / "W"
    warehouse.mkdir()
    shutil.copyfile(published / "W" / "jobbtorg.duckdb", warehouse / "jobbtorg.duckdb")
    with duckdb.connect(str(warehouse / "jobbtorg.duckdb")) as con:
        con.execute("UPDATE marts.aterremisser SET uttagsdatum = DATE '2020-09-24'")
    done = jobbtorg("report", "--period", "2020-T2", "--warehouse", str(warehouse), env=cli_env(tmp_path))
    assert done.returncode == 1, done.stderr
    assert "The marts rest on different extracts" in done.stderr
    assert "uttagsdatum 2020-09-24 in aterremisser" in done.stderr and "Traceback" not in done.stderr
    assert not (warehouse / "rapporter" / "2020-T2" / "preliminar" / "rapport.html").exists()

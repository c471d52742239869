"""Faults of a nightly production run: a killed run, a full disk, an analyst holding the file, a rerun,
two runs at once. Each must end with a clear message, the analysts' last good file, and a next run that
succeeds without anybody cleaning up by hand."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from jobbtorg_pipeline.assets.marts.catalog import load_marts
from jobbtorg_pipeline.failures import run_problems
from jobbtorg_pipeline.resources import DUCKDB_POOL
from tests.conftest import cli_env, jobbtorg
from tests.support.pipeline import copy_warehouse, marts_content, run_pipeline
from tests.support.processes import lines_of, next_line

pytestmark = pytest.mark.slow

CLI = (sys.executable, "-m", "jobbtorg_pipeline.cli")
# a progress line saying a step of the middle has started: the extract is read and checked, staging or
# the marts are being written
MIDDLE = re.compile(r" > (staging__(inskrivningar|insatser|utbetalningar)|just_staging_|marts__)")


def _instance(work: Path) -> dg.DagsterInstance:
    """The instance `jobbtorg run` records its runs in (cli_env's DAGSTER_HOME)."""
    return dg.DagsterInstance.from_config(str(work / "home" / "dagster"))


def _start(args: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so the whole of it can be killed
    )


def test_a_run_killed_half_way_leaves_the_last_good_file_and_the_next_run_recovers(
    tmp_path, generated_source, cli_run
):
    """kill -9 (OOM killer, a reboot) mid-run: nothing half-written reaches analysts, nothing blocks. The
    warehouse starts as a copy of the session's `jobbtorg run` on the same source: the last good file."""
    warehouse = shutil.copytree(cli_run[1], tmp_path / "warehouse")
    analysts = warehouse / "jobbtorg.duckdb"
    env = cli_env(tmp_path)
    args = ("run", "--source", str(generated_source), "--warehouse", str(warehouse))
    before = analysts.read_bytes()

    victim = _start(args, env)
    seen: list[str] = []
    lines = lines_of(victim.stderr)
    try:
        next_line(lines, MIDDLE.search, 180, seen)
    finally:
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=60)
    assert MIDDLE.search(seen[-1] if seen else ""), "the run never got to staging:\n" + "".join(seen)
    assert victim.returncode == -signal.SIGKILL

    assert analysts.read_bytes() == before
    with _instance(tmp_path) as instance:
        killed = instance.get_runs(limit=1)[0]
        assert killed.status == dg.DagsterRunStatus.STARTED  # nobody is left to say it ended
    # what a kill at another moment leaves: the publish step's new file, a reader's temp folders
    leftovers = [
        warehouse / f".jobbtorg.duckdb.{killed.run_id}.tmp",
        warehouse / f".jobbtorg.duckdb.{killed.run_id}.tmp.wal",
        warehouse / "intern" / "las-dodad" / "utf8.csv",
        warehouse / "intern" / "pg-dodad" / "inskrivning.csv",
    ]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half written")

    try:
        again = jobbtorg(*args, env=env, timeout=120)
    except subprocess.TimeoutExpired as exc:
        with _instance(tmp_path) as instance:
            status = instance.get_run_by_id(killed.run_id).status.value
            held = instance.event_log_storage.get_concurrency_info(DUCKDB_POOL).claimed_slots
        tail = (exc.stderr or b"").decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        pytest.fail(
            f"the next run did not finish in 120 s; the killed run is {status}; pool {DUCKDB_POOL} "
            f"slots still claimed: {[(c.run_id, c.step_key) for c in held]}; its last lines:\n"
            + "\n".join((tail or "").splitlines()[-5:])
        )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Traceback" not in again.stderr
    with _instance(tmp_path) as instance:
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_runs(limit=1)[0].status == dg.DagsterRunStatus.SUCCESS
        # what the alert and the UI say of it: the step it was killed in, and that its process is gone
        [problem] = run_problems(instance, killed.run_id)
    assert problem.kind == "step"
    assert f" > {problem.where}\n" in "".join(seen[-3:])
    assert f"pid {victim.pid} on " in problem.reason and "is gone: it was killed" in problem.reason
    assert [p for p in leftovers if p.exists()] == []
    assert list(warehouse.glob(".jobbtorg.duckdb.*")) == []
    assert list((warehouse / "intern").glob("las-*")) == []
    assert list((warehouse / "intern").glob("pg-*")) == []
    with duckdb.connect(str(analysts), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.unika_individer").fetchone()[0] > 0


# --- a full disk ------------------------------------------------------------------------------------

FULL_DISK_SCRIPT = r"""
set -u
PY=$1 SRC=$2 WH=$3 ELSEWHERE=$4 LOGS=$5 PUBLISHED=$6
# room for two analysts' files side by side (the old one and the new one being written)
mount -t tmpfs -o size=64m tmpfs "$WH" || { echo "MOUNT failed"; exit 97; }
ln -s "$ELSEWHERE/intern" "$WH/intern" && ln -s "$ELSEWHERE/kvalitet" "$WH/kvalitet" \
    && ln -s "$ELSEWHERE/rapporter" "$WH/rapporter" || exit 98
cp "$PUBLISHED" "$WH/jobbtorg.duckdb" || exit 96
files() {
    echo "SHA $1 $(sha256sum < "$WH/jobbtorg.duckdb" | cut -d ' ' -f 1)"
    echo "FILES $1 $(ls -A "$WH" | sort | tr '\n' ' ')"
}
run() {
    "$PY" -m jobbtorg_pipeline.cli run --source "$SRC" --warehouse "$WH" >/dev/null 2>"$LOGS/run$1.err"
    echo "RC $1 $?"
    files "$1"
}
files 1
# room for what is there and half a file more: the next publish cannot write its new copy
SIZE=$(stat -c %s "$WH/jobbtorg.duckdb")
USED=$(df -k --output=used "$WH" | tail -n 1)
echo "SIZE $SIZE USED ${USED}k"
mount -o remount,size=$((USED + SIZE / 2048))k "$WH" && echo "SHRUNK"
run 2
mount -o remount,size=64m "$WH" && echo "GROWN"
run 3
"""


def _namespaces_work(tmp_path: Path) -> str | None:
    """None, or why an unprivileged user+mount namespace with a tmpfs cannot be made here."""
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=1m tmpfs "$1"', "sh", str(probe)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return None if done.returncode == 0 else f"unshare -rm with a tmpfs failed: {done.stderr.strip()}"


def test_a_full_disk_while_publishing_keeps_the_last_file_and_the_next_run_recovers(
    tmp_path, small_generated_source, small_run
):
    """The warehouse disk filling up must not cost analysts their file, nor leave a temp file eating
    the space that is left; once there is room again the next run just works. The warehouse starts as a
    copy of a shared run's on the same source (its analysts' file on the small disk, the rest beside)."""
    why = _namespaces_work(tmp_path)
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    warehouse, logs = tmp_path / "warehouse", tmp_path / "logs"
    elsewhere = copy_warehouse(small_run, tmp_path / "normal-disk")
    published = elsewhere / "jobbtorg.duckdb"
    for folder in (warehouse, logs):
        folder.mkdir(parents=True)
    done = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            FULL_DISK_SCRIPT,
            "sh",
            sys.executable,
            str(small_generated_source),
            str(warehouse),
            str(elsewhere),
            str(logs),
            str(published),
        ],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, report
    marks: dict[tuple[str, str], str] = {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind in ("RC", "SHA", "FILES"):
            run, _, value = rest.partition(" ")
            marks[kind, run] = value.strip()
    err = {n: (logs / f"run{n}.err").read_text() for n in "23"}

    assert marks["SHA", "1"] == hashlib.sha256(published.read_bytes()).hexdigest()
    assert "SHRUNK" in done.stdout, report
    assert marks["RC", "2"] == "1", err["2"][-3000:]
    assert "No room on the disk for the new analysts' file" in err["2"]
    assert "file is unchanged" in err["2"]
    assert "Traceback" not in err["2"]
    assert marks["SHA", "2"] == marks["SHA", "1"] != ""
    assert "jobbtorg.duckdb" in marks["FILES", "2"].split()
    assert ".jobbtorg.duckdb" not in marks["FILES", "2"]  # no temporary copy left eating the space
    assert "GROWN" in done.stdout, report
    assert marks["RC", "3"] == "0", err["3"][-3000:]
    assert ".jobbtorg.duckdb" not in marks["FILES", "3"]


# --- an analyst with the file open --------------------------------------------------------------------

READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = "SELECT count(*), sum(inskrivna) FROM marts.unika_individer"
print("ready", con.execute(query).fetchone(), flush=True)
sys.stdin.readline()
print("after", con.execute(query).fetchone(), flush=True)
"""


def test_an_analyst_holding_the_file_open_in_another_process_does_not_fail_the_run(
    tmp_path, small_generated_source, small_run
):
    """DuckDB locks a file against other processes; analysts keep theirs open all day in DBeaver. The
    warehouse is a copy of a shared run's, whose analysts' file the analyst opens."""
    warehouse = copy_warehouse(small_run, tmp_path / "warehouse")
    analysts = warehouse / "jobbtorg.duckdb"
    env = cli_env(tmp_path)
    args = ("run", "--source", str(small_generated_source), "--warehouse", str(warehouse))
    old_inode = analysts.stat().st_ino

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(analysts)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = reader.stdout.readline()
        assert ready.startswith("ready"), reader.stderr.read() if reader.poll() is not None else ready
        second = jobbtorg(*args, env=env)
        assert second.returncode == 0, second.stderr[-3000:]
        assert "lock" not in second.stderr.lower()
        out, err = reader.communicate("\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0, err
    assert out.splitlines()[-1] == ready.strip().replace("ready", "after")  # still its old file
    assert analysts.stat().st_ino != old_inode  # and the run did publish a new one


# --- a rerun -----------------------------------------------------------------------------------------


def test_a_rerun_on_the_same_extract_gives_identical_marts(tmp_path, small_generated_source, small_run):
    """A rerun after a fault must not move a single figure: analysts compare runs with diff. Every mart's
    columns, types, comments and rows (in stored order, exact values) must be the same. The file's bytes
    are not: DuckDB writes a fresh header and block checksums into every new file (docs/operations.md).
    The first run is a shared run on the same extract, its warehouse copied."""
    analysts = copy_warehouse(small_run, tmp_path / "work" / "warehouse") / "jobbtorg.duckdb"
    before = marts_content(analysts)
    first_bytes = analysts.read_bytes()
    second = run_pipeline(tmp_path / "work", small_generated_source)
    assert second.success
    assert second.settings.analysts_file == analysts
    after = marts_content(second.settings.analysts_file)

    assert sorted(before) == sorted(m.name for m in load_marts())
    assert [t for t in before if not before[t]["rows"]] == []  # nothing is compared vacuously
    assert [t for t in before if before[t]["columns"] != after[t]["columns"]] == []
    assert [t for t in before if before[t]["comment"] != after[t]["comment"]] == []
    assert [t for t in before if before[t]["rows"] != after[t]["rows"]] == []
    # if this fails, DuckDB has become deterministic: compare the bytes here and update the docs
    assert second.settings.analysts_file.read_bytes() != first_bytes


# --- two runs at once ---------------------------------------------------------------------------------


def test_two_runs_at_once_on_one_warehouse_both_succeed_one_after_the_other(tmp_path, small_generated_source):
    """The nightly schedule and an engineer's manual run may meet: the second must wait, not fail on
    DuckDB's lock, and the two must not interleave their steps on the one internal database."""
    env = cli_env(tmp_path)
    args = ("run", "--source", str(small_generated_source), "--warehouse", str(tmp_path / "warehouse"))
    # an instance that exists, as in production (two processes creating a fresh SQLite instance at
    # the same moment is a different fault: Dagster's own `table runs already exists`)
    assert jobbtorg("init-home", env=env).returncode == 0
    _instance(tmp_path).dispose()
    runs = [_start(args, env), _start(args, env)]
    try:
        errs = [run.communicate(timeout=400)[1] for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait()
    for run, err in zip(runs, errs, strict=True):
        assert run.returncode == 0, err[-3000:]
        assert "lock" not in err.lower()
    # the second waits: on the warehouse's run lock, or for the first run in the instance
    assert any("jobbtorg: waiting for" in err for err in errs), "neither run waited for the other"
    with _instance(tmp_path) as instance:
        records = sorted(instance.get_run_records(), key=lambda r: r.start_time or 0)
    assert [r.dagster_run.status for r in records] == [dg.DagsterRunStatus.SUCCESS] * 2
    assert records[1].start_time >= records[0].end_time, "the two runs overlapped"

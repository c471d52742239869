"""The scale benchmark (docs/benchmarks.md): the pipeline against the floor, on the same data, in one go.

    .venv/bin/python benchmarks/run_benchmark.py [--people 10000 100000 1000000] [--work DIR]

For each size it generates a source and measures, each in a process of its own (wall time, CPU time and
peak RSS from wait4):

- the floor: DuckDB reading and typing every extract the pipeline reads (the newest complete case-system
  snapshot and every payment month) once into a database file, and nothing else;
- a full refresh: `jobbtorg run` on a new warehouse, with the newest payment month and the newest
  snapshot held back;
- a nightly refresh: those two deliveries put back, and `jobbtorg run` again on the same warehouse; its own
  floor is DuckDB reading just those two deliveries.

It prints the ratios of pipeline to floor. Results go to stdout as a markdown table and to
<work>/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"  # a benchmark-only key

# The floor, run in its own process: each file read once, its types detected, into one database file. A
# file that is not UTF-8 is read as Latin-1, as the pipeline falls back to a single-byte encoding.
FLOOR = r"""
import sys, duckdb
database, files = sys.argv[1], sys.argv[2:]
con = duckdb.connect(database)
for number, path in enumerate(files):
    for encoding in ("utf-8", "latin-1"):
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE t{number} AS SELECT * FROM read_csv(?, delim=';', header=true, "
                f"encoding='{encoding}')",
                [path],
            )
            break
        except duckdb.Error:
            if encoding == "latin-1":
                raise
con.close()
"""


def measured(command: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Run a command; its wall time, CPU time (user + system) and peak RSS (from wait4's rusage).

    CPU time is the steadier figure on a shared machine: it does not grow while other work waits for a core.
    """
    started = time.monotonic()
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    took = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed; see {log}")
    return {
        "seconds": round(took, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def newest_deliveries(source: Path) -> tuple[Path, Path]:
    """The newest complete case-system snapshot (it has _SUCCESS) and the newest payment month."""
    snapshots = sorted(p.parent for p in (source / "arendesystem").glob("*/_SUCCESS"))
    months = sorted((source / "utbetalningar").glob("utbetalningar_*.csv"))
    return snapshots[-1], months[-1]


def extract_files(source: Path) -> list[Path]:
    """What a run reads: the newest complete snapshot's files and every payment month."""
    snapshot, _ = newest_deliveries(source)
    return sorted(snapshot.glob("*.csv")) + sorted((source / "utbetalningar").glob("utbetalningar_*.csv"))


def floor(files: list[Path], database: Path, log: Path) -> dict[str, float]:
    database.unlink(missing_ok=True)
    result = measured([sys.executable, "-c", FLOOR, str(database), *map(str, files)], dict(os.environ), log)
    database.unlink(missing_ok=True)
    return result


def ratios(pipeline: dict[str, float], against: dict[str, float]) -> dict[str, float]:
    return {
        "wall": round(pipeline["seconds"] / against["seconds"], 1),
        "cpu": round(pipeline["cpu_seconds"] / against["cpu_seconds"], 1),
    }


def bench(people: int, work: Path) -> dict[str, object]:
    jobbtorg = [sys.executable, "-m", "jobbtorg_pipeline.cli"]
    source = work / f"source-{people}"
    held = work / f"held-back-{people}"
    warehouse = work / f"warehouse-{people}"
    home = work / f"home-{people}"
    for folder in (source, held, warehouse, home):
        shutil.rmtree(folder, ignore_errors=True)
    env = {
        **os.environ,
        "JOBBTORG_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "JOBBTORG_PSEUDONYM_KEY": KEY,
        "JOBBTORG_SETTLE_SECONDS": "0",  # the files were just written whole: read every one of them
    }
    log = work / f"log-{people}.txt"
    log.write_text("")
    result: dict[str, object] = {"people": people}
    result["generate"] = measured(
        [*jobbtorg, "generate", "--out", str(source), "--people", str(people)], env, log
    )
    result["source_bytes"] = sum(p.stat().st_size for p in source.rglob("*") if p.is_file())
    snapshot, month = newest_deliveries(source)
    result["new_deliveries"] = [f"arendesystem/{snapshot.name}", f"utbetalningar/{month.name}"]
    database = work / f"floor-{people}.duckdb"
    run = [*jobbtorg, "run", "--source", str(source), "--warehouse", str(warehouse)]

    # the full refresh: without the newest snapshot and payment month
    held.mkdir()
    shutil.move(snapshot, held / snapshot.name)
    shutil.move(month, held / month.name)
    result["full_floor"] = floor(extract_files(source), database, log)
    result["full_run"] = measured(run, env, log)

    # the nightly refresh: the two deliveries arrive
    shutil.move(held / snapshot.name, snapshot)
    shutil.move(held / month.name, month)
    result["nightly_floor"] = floor([*sorted(snapshot.glob("*.csv")), month], database, log)
    result["nightly_run"] = measured(run, env, log)
    result["all_floor"] = floor(extract_files(source), database, log)  # everything, as it stands now

    result["full_ratio"] = ratios(result["full_run"], result["full_floor"])  # type: ignore[arg-type]
    result["nightly_ratio"] = ratios(result["nightly_run"], result["nightly_floor"])  # type: ignore[arg-type]
    result["nightly_ratio_to_all"] = ratios(result["nightly_run"], result["all_floor"])  # type: ignore[arg-type]
    result["internal_bytes"] = sum(p.stat().st_size for p in (warehouse / "intern").glob("*.duckdb"))
    result["analysts_bytes"] = (warehouse / "jobbtorg.duckdb").stat().st_size
    return result


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| persons | scenario | floor: wall / CPU / peak | pipeline: wall / CPU / peak "
        "| ratio wall | ratio CPU |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        for scenario, run, against, ratio in (
            ("full refresh", "full_run", "full_floor", "full_ratio"),
            ("nightly, against its new files", "nightly_run", "nightly_floor", "nightly_ratio"),
            ("nightly, against every file", "nightly_run", "all_floor", "nightly_ratio_to_all"),
        ):
            got = r[ratio]
            assert isinstance(got, dict)
            lines.append(
                f"| {r['people']:,} | {scenario} | {_cell(r[against])} | {_cell(r[run])} "
                f"| {got['wall']}× | {got['cpu']}× |"
            )
    return "\n".join(lines)


def _cell(stage: object) -> str:
    assert isinstance(stage, dict)
    return f"{stage['seconds']} s / {stage['cpu_seconds']} s / {stage['peak_rss_mib']:,} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=Path("data/benchmark"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for people in args.people:
        print(f"benchmark: {people:,} persons ...", file=sys.stderr, flush=True)
        results.append(bench(people, args.work.absolute()))
        print(table(results[-1:]), file=sys.stderr, flush=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    (args.work / "results.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()

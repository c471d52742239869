"""The scale benchmark (docs/benchmarks.md): generate, then run each layer as its own process, and record
wall time and peak memory (max RSS of the process) per stage.

    .venv/bin/python benchmarks/run_benchmark.py [--people 10000 100000 1000000] [--work DIR]

Each stage is `jobbtorg run --select group:<layer>` in a fresh process, so its peak RSS is its own; the
stages run in order on the same warehouse, exactly as one full run would. Results go to stdout as a
markdown table and to <work>/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("sources", "staging", "marts", "report", "publish")  # the JUST checks run with their assets
KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"  # a benchmark-only key


def measured(command: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Run a command; its wall time, CPU time (user + system) and peak RSS (from wait4's rusage).

    CPU time is the steadier figure on a shared machine: it does not grow while other work waits for a core.
    """
    started = time.monotonic()
    with log.open("a") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    took = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed; see {log}")
    return {
        "seconds": round(took, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def bench(people: int, work: Path) -> dict[str, object]:
    jobbtorg = [sys.executable, "-m", "jobbtorg_pipeline.cli"]
    source = work / f"source-{people}"
    warehouse = work / f"warehouse-{people}"
    env = {
        **os.environ,
        "JOBBTORG_HOME": str(work / "home"),
        "DAGSTER_HOME": str(work / "home" / "dagster"),
        "JOBBTORG_PSEUDONYM_KEY": KEY,
        "JOBBTORG_SETTLE_SECONDS": "0",  # the files were just written whole: read every one of them
    }
    log = work / f"log-{people}.txt"
    result: dict[str, object] = {"people": people}
    result["generate"] = measured(
        [*jobbtorg, "generate", "--out", str(source), "--people", str(people)], env, log
    )
    result["source_bytes"] = sum(p.stat().st_size for p in source.rglob("*") if p.is_file())
    for stage in STAGES:
        command = [*jobbtorg, "run", "--source", str(source), "--warehouse", str(warehouse)]
        result[stage] = measured([*command, "--select", f"group:{stage}"], env, log)
    result["pipeline_seconds"] = round(sum(result[s]["seconds"] for s in STAGES), 1)  # type: ignore[index]
    result["pipeline_cpu_seconds"] = round(sum(result[s]["cpu_seconds"] for s in STAGES), 1)  # type: ignore[index]
    result["pipeline_peak_rss_mib"] = max(result[s]["peak_rss_mib"] for s in STAGES)  # type: ignore[index]
    result["internal_bytes"] = sum(p.stat().st_size for p in (warehouse / "intern").glob("*.duckdb"))
    result["analysts_bytes"] = (warehouse / "jobbtorg.duckdb").stat().st_size
    return result


def table(results: list[dict[str, object]]) -> str:
    head = "| persons | generate | " + " | ".join(STAGES) + " | pipeline total | peak RSS |"
    lines = [head, "|" + "---:|" * (len(STAGES) + 4)]
    for r in results:
        cells = [f"{r['people']:,}", _cell(r["generate"])] + [_cell(r[s]) for s in STAGES]
        cells += [f"{r['pipeline_seconds']} s", f"{r['pipeline_peak_rss_mib']:,} MiB"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(stage: object) -> str:
    assert isinstance(stage, dict)
    return f"{stage['seconds']} s / {stage['peak_rss_mib']:,} MiB"


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

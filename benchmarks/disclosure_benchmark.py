"""How much the report hides: published, primary and secondary cells, greedy against optimal.

    .venv/bin/python benchmarks/disclosure_benchmark.py --warehouse data/warehouse --period 2020-T2

For each period and each method it builds the report's tables from the analysts' file, runs the
disclosure control and counts the count cells (each statistic once, however many tables show it):
published, hidden as small (primary), hidden to protect them (secondary), and the hidden totals. A
statistic no table shows (withheld) is not counted, though the control protects it too.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from jobbtorg_pipeline.report.content import build_tables
from jobbtorg_pipeline.report.disclosure import METHODS, report_values, withheld_statistics
from jobbtorg_pipeline.report.disclosure import protect as protect_all


def measure(analysts_file: Path, period: str, threshold: int) -> list[dict]:
    found = []
    for method in METHODS:
        with duckdb.connect(str(analysts_file), read_only=True) as con:
            tables, relations = build_tables(con, period, threshold)
        grids = [t.grid for t in tables]
        values, totals = report_values(grids)
        withheld = withheld_statistics(grids)  # in no table: neither published nor hidden
        values = {k: v for k, v in values.items() if k not in withheld}
        started = time.perf_counter()
        hidden = protect_all(grids, relations, threshold, method=method) - withheld
        seconds = time.perf_counter() - started
        primary = {k for k, v in values.items() if 0 < v < threshold}
        found.append(
            {
                "period": period,
                "method": method,
                "statistics": len(values),
                "published": len(values) - len(hidden),
                "primary": len(primary),
                "secondary": len(hidden - primary),
                "hidden_totals": len((hidden - primary) & totals),
                "seconds": round(seconds, 2),
            }
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--period", action="append", required=True)
    parser.add_argument("--threshold", type=int, default=5)
    args = parser.parse_args()
    for period in args.period:
        for row in measure(args.warehouse / "jobbtorg.duckdb", period, args.threshold):
            print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""`jobbtorg`: generate a synthetic source, run the pipeline, run the demo (CONTRACT §3).

Every option can also come from the environment (JOBBTORG_SOURCE, JOBBTORG_WAREHOUSE, JOBBTORG_HOME,
JOBBTORG_DUCKDB_MEMORY_LIMIT, ...), so `dagster dev` and the daemon see the same settings. Exit status:
0 success, 1 the run failed or a blocking check stopped it, 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from jobbtorg_pipeline.settings import Settings

DEMO_PEOPLE = 5_000


def _say(message: str) -> None:
    print(f"jobbtorg: {message}", file=sys.stderr, flush=True)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        source_dir=getattr(args, "source", None),
        warehouse_dir=getattr(args, "warehouse", None),
        home_dir=getattr(args, "home", None),
        memory_limit=getattr(args, "memory_limit", None),
        allow_older_snapshot=getattr(args, "allow_older_snapshot", None) or None,
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from jobbtorg_pipeline.generate import generate_source

    if args.start >= args.end:
        _say(f"--start {args.start} must lie before --end {args.end}")
        return 2
    started = time.monotonic()
    try:
        summary = generate_source(
            Path(args.out), people=args.people, seed=args.seed, start=args.start, end=args.end, progress=_say
        )
    except FileExistsError as exc:
        _say(str(exc))
        return 2
    _say(
        f"wrote {summary.n_inskrivningar:,} inskrivningar, {summary.n_insatser:,} insatser and "
        f"{summary.n_utbetalningar:,} utbetalningar for {args.people:,} persons to {args.out} "
        f"(uttagsdatum {summary.uttagsdatum}) in {time.monotonic() - started:.1f} s"
    )
    return 0


def _run(settings: Settings, select: str | None = None) -> int:
    from jobbtorg_pipeline.instance import InstanceError
    from jobbtorg_pipeline.pseudonym import PseudonymKeyError, load_key
    from jobbtorg_pipeline.runner import Stopped, run_all
    from jobbtorg_pipeline.warehouse import analysts_file_outcome, file_identity

    try:
        load_key(settings)
    except PseudonymKeyError as exc:
        _say(str(exc))
        return 2
    if settings.source_kind == "postgres" and settings.pg_dsn:
        from jobbtorg_pipeline.sources.postgres import describe

        _say(f"source PostgreSQL {describe(settings.pg_dsn)} -> warehouse {settings.warehouse_dir}")
    else:
        _say(f"source {settings.source_dir} -> warehouse {settings.warehouse_dir}")
    started = time.monotonic()
    before = file_identity(settings.analysts_file)
    try:
        outcome = run_all(settings, select=select)
    except ValueError as exc:
        _say(str(exc))
        return 2
    except InstanceError as exc:
        _say(str(exc))
        return 1
    except Stopped as stopped:
        waiting = f" while waiting {stopped.waiting_for}" if stopped.waiting_for else ""
        _say(f"stopped by {stopped.signal_name}{waiting}; {analysts_file_outcome(settings, before)}.")
        return 128 + (stopped.signum or signal.SIGTERM)  # 143 for SIGTERM, 130 for SIGINT
    took = time.monotonic() - started
    if outcome.success:
        _say(f"run {outcome.run_id} succeeded in {took:.1f} s; analysts' file: {settings.analysts_file}")
        return 0
    _say(f"run {outcome.run_id} FAILED after {took:.1f} s; {analysts_file_outcome(settings, before)}.")
    for problem in outcome.problems:
        _say(f"  {problem}")
    return 1


def cmd_run(args: argparse.Namespace) -> int:
    return _run(_settings(args), args.select)


def cmd_demo(args: argparse.Namespace) -> int:
    from jobbtorg_pipeline.generate import generate_source

    # the demo's source is written whole just before its run: nothing is still being delivered
    settings = replace(_settings(args), settle_seconds=0)
    _say(f"generating a demo source of {args.people:,} persons in {settings.source_dir}")
    try:  # the generator refuses to overwrite a source it did not write itself
        generate_source(settings.source_dir, people=args.people, seed=args.seed, progress=_say)
    except FileExistsError as exc:
        _say(f"{exc}; set JOBBTORG_SOURCE (or --source) to an empty folder for the demo")
        return 2
    status = _run(settings)
    if status == 0:
        _say(f'query the marts: duckdb -readonly {settings.analysts_file} "FROM marts.unika_individer"')
        _say("open the Dagster UI: jobbtorg ui   (then http://127.0.0.1:3000)")
    return status


def cmd_load_postgres(args: argparse.Namespace) -> int:
    """Put a source folder into the case system's tables, so the PostgreSQL path can be tried."""
    from jobbtorg_pipeline.sources.files import SourceError
    from jobbtorg_pipeline.sources.postgres import describe, load_source_into_postgres

    dsn = args.dsn or os.environ.get("JOBBTORG_PG_DSN")
    if not dsn:
        _say("give --dsn or set JOBBTORG_PG_DSN, e.g. 'host=127.0.0.1 dbname=arendesystem user=postgres'")
        return 2
    try:
        counts = load_source_into_postgres(Path(args.source), dsn)
    except SourceError as exc:
        _say(str(exc))
        return 1
    _say(
        f"loaded {counts['inskrivningar']:,} inskrivningar, {counts['insatser']:,} insatser and "
        f"{counts['utbetalningar']:,} utbetalningar into {describe(dsn)}"
        + (f" ({counts['avvisade_rader']:,} malformed lines left out)" if counts["avvisade_rader"] else "")
    )
    _say("run on it: JOBBTORG_SOURCE_KIND=postgres JOBBTORG_PG_DSN='...' jobbtorg run")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """`dagster dev` with this project's settings and instance, so the CLI's runs show in the UI."""
    from jobbtorg_pipeline.instance import ensure_dagster_home

    settings = _settings(args)
    env = {**os.environ, **settings.as_env()}
    env["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
    command = [sys.executable, "-m", "dagster", "dev", "-m", "jobbtorg_pipeline.definitions"]
    command += ["--host", args.host, "--port", str(args.port)]
    _say(f"starting the Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={env['DAGSTER_HOME']})")
    return subprocess.call(command, env=env)


def cmd_report(args: argparse.Namespace) -> int:
    """The report of any period; --publish freezes it as a numbered version."""
    from jobbtorg_pipeline.report.build import ReportError, publish, verify, write_preliminary
    from jobbtorg_pipeline.report.disclosure import DisclosureError
    from jobbtorg_pipeline.warehouse import WarehousePathError

    settings = _settings(args)
    try:
        if args.verify:
            different = verify(settings, args.period, args.verify)
            if different:
                _say(f"{args.period} version {args.verify} differs when rebuilt: {', '.join(different)}")
                return 1
            _say(f"{args.period} version {args.verify} rebuilds byte for byte from the current inputs")
            return 0
        if args.publish or args.correction:
            folder = publish(settings, args.period, correction=args.correction)
            _say(f"published {args.period} as {folder.name}: {folder}")
        else:
            folder = write_preliminary(settings, args.period)
            _say(f"preliminary report {args.period}: {folder / 'rapport.html'} and rapport.xlsx")
    except (ReportError, DisclosureError) as exc:
        _say(str(exc))
        return 1
    except WarehousePathError as exc:  # a configuration error
        _say(str(exc))
        return 2
    return 0


def cmd_init_home(args: argparse.Namespace) -> int:
    from jobbtorg_pipeline.instance import POSTGRES_ENV, init_home

    config = init_home(_settings(args), "postgres" if args.postgres else "sqlite", force=args.force)
    _say(f"Dagster instance configuration: {config}")
    if args.postgres:
        missing = [name for name in POSTGRES_ENV if name not in os.environ]
        if missing:
            _say(f"set {', '.join(missing)} for the webserver, the daemon and jobbtorg run")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from jobbtorg_pipeline.docs import write_docs

    for path in write_docs(Path(args.out)):
        _say(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jobbtorg", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a synthetic source in the layout of CONTRACT §1")
    g.add_argument("--out", required=True, help="folder to write the source into")
    g.add_argument("--people", type=_positive, default=10_000, help="persons registered (default 10000)")
    g.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same files")
    g.add_argument("--start", type=_date, default=date(2017, 1, 1), help="first day of the history")
    g.add_argument("--end", type=_date, default=date(2020, 10, 1), help="uttagsdatum of the newest snapshot")
    g.set_defaults(func=cmd_generate)

    for name, func, text in (
        ("run", cmd_run, "materialise every asset once, as a Dagster run recorded in the instance"),
        ("demo", cmd_demo, "generate a demo source and run the pipeline on it"),
        ("ui", cmd_ui, "start the Dagster UI (dagster dev) with these settings"),
    ):
        s = sub.add_parser(name, help=text)
        s.add_argument("--source", help="source folder (default $JOBBTORG_SOURCE or data/source)")
        s.add_argument("--warehouse", help="warehouse folder (default $JOBBTORG_WAREHOUSE or data/warehouse)")
        s.add_argument("--home", help="Jobbtorg home: Dagster instance and pseudonym key (default .jobbtorg)")
        s.add_argument("--memory-limit", help="DuckDB memory limit, e.g. 3GB (default 3GB)")
        s.set_defaults(func=func)
        if name == "run":
            s.add_argument(
                "--select",
                help="only these assets, in Dagster's selection syntax, e.g. 'group:marts' or "
                "'key:\"marts/unika_individer\"' (default: every asset)",
            )
            s.add_argument(
                "--allow-older-snapshot",
                action="store_true",
                help="publish from a case-system snapshot older than the one already published (this run "
                "only; otherwise such a run is blocked, so figures never go back in time)",
            )
        if name == "demo":
            s.add_argument("--people", type=_positive, default=DEMO_PEOPLE, help="persons (default 5000)")
            s.add_argument("--seed", type=int, default=1)
        if name == "ui":
            s.add_argument("--host", default="127.0.0.1")
            s.add_argument("--port", type=int, default=3000)

    lp = sub.add_parser("load-postgres", help="load a source folder into the case system's PostgreSQL tables")
    lp.add_argument("--source", required=True, help="a source folder in the layout of CONTRACT §1")
    lp.add_argument(
        "--dsn", help="libpq connection string (default $JOBBTORG_PG_DSN); password from PGPASSWORD"
    )
    lp.set_defaults(func=cmd_load_postgres)

    r = sub.add_parser("report", help="the tertial report (HTML and Excel) of a period; --publish freezes it")
    r.add_argument("--period", required=True, help="2019-T2 for a tertial, 2019 for a year")
    r.add_argument("--warehouse", help="warehouse folder (default $JOBBTORG_WAREHOUSE or data/warehouse)")
    r.add_argument("--publish", action="store_true", help="freeze the period as its first published version")
    r.add_argument("--correction", metavar="REASON", help="publish a corrected version N+1 with this reason")
    r.add_argument("--verify", type=int, metavar="N", help="check that version N rebuilds byte for byte")
    r.set_defaults(func=cmd_report)

    ih = sub.add_parser("init-home", help="write dagster.yaml into DAGSTER_HOME (SQLite, or --postgres)")
    ih.add_argument("--home", help="Jobbtorg home (default .jobbtorg); DAGSTER_HOME wins when set")
    ih.add_argument("--postgres", action="store_true", help="run, event and schedule storage in PostgreSQL")
    ih.add_argument("--force", action="store_true", help="replace an existing dagster.yaml")
    ih.set_defaults(func=cmd_init_home)

    d = sub.add_parser("docs", help="regenerate docs/data-dictionary.md and docs/just-rules.md")
    d.add_argument("--out", default="docs", help="docs folder (default docs)")
    d.set_defaults(func=cmd_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


def entry_point() -> None:
    """The `jobbtorg` command: exit without the interpreter's teardown once the work is done.

    Every file is closed and flushed by then; the teardown would only print DuckDB's binding-leak
    report for objects SQLAlchemy keeps alive after a Great Expectations check, which is noise.
    """
    status = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    entry_point()

"""`jobbtorg`: generate a synthetic source, run the pipeline, run the demo.

Every option can also come from the environment (JOBBTORG_SOURCE, JOBBTORG_WAREHOUSE, JOBBTORG_HOME,
JOBBTORG_DUCKDB_MEMORY_LIMIT, ...), so `dagster dev` and the daemon see the same settings. Exit status:
0 success, 1 the run failed or a blocking check stopped it, 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import NoReturn

from jobbtorg_pipeline.settings import DEFAULT_HOME, DEFAULT_SOURCE, DEFAULT_WAREHOUSE, DEFAULTS, Settings

DEMO_PEOPLE = 5_000
MART = "unika_individer"  # the mart the demo's closing lines show how to query


def _say(message: str) -> None:
    print(f"jobbtorg: {message}", file=sys.stderr, flush=True)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _period(text: str) -> str:
    from jobbtorg_pipeline.perioder import PERIOD

    if not PERIOD.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is no period: write 2019 for a year, 2019-T2 for a tertial"
        )
    return text


class _Parser(argparse.ArgumentParser):
    """A usage error is one line on stderr and exit status 2, not argparse's usage block."""

    def error(self, message: str) -> NoReturn:
        where = "" if self.prog == "jobbtorg" else f"{self.prog.removeprefix('jobbtorg ')}: "
        _say(f"{where}{message} (see `{self.prog} --help`)")
        sys.exit(2)


def _usage(args: argparse.Namespace, message: str) -> int:
    """A usage error found after parsing (the options together, or what they point at): exit 2."""
    _say(f"{args.command}: {message} (see `jobbtorg {args.command} --help`)")
    return 2


def _missing_source(settings: Settings) -> str | None:
    """Why the source folder cannot be read at all, found before a Dagster run is started for it."""
    from jobbtorg_pipeline.sources.contract import CASE_SYSTEM_DIR

    if settings.source_kind != "files":
        return None
    folder = settings.source_dir
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        return (
            f"the source folder {folder} {what}: give --source (or JOBBTORG_SOURCE) a folder laid out as in "
            "docs/source-files.md, or make one with `jobbtorg generate --out DIR`"
        )
    if not (folder / CASE_SYSTEM_DIR).is_dir():
        return (
            f"the source folder {folder} has no {CASE_SYSTEM_DIR}/ folder, so it is not a source laid out as "
            "in docs/source-files.md (make one with `jobbtorg generate --out DIR`)"
        )
    return None


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from exc
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {value}")
    return value


class _UsageError(Exception):
    """A setting or an option that cannot be used: one line, exit status 2."""


def _port_or_none(text: str) -> int:
    return 0 if text.strip() == "0" else _port(text)


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return Settings.from_env(
            source_dir=getattr(args, "source", None),
            warehouse_dir=getattr(args, "warehouse", None),
            home_dir=getattr(args, "home", None),
            memory_limit=getattr(args, "memory_limit", None),
            allow_older_snapshot=getattr(args, "allow_older_snapshot", None) or None,
        )
    except ValueError as exc:  # a JOBBTORG_* variable that cannot be read
        raise _UsageError(str(exc)) from None


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
        return 128 + stopped.signum  # 143 for SIGTERM, 130 for SIGINT
    took = time.monotonic() - started
    if outcome.success:
        _say(f"run {outcome.run_id} succeeded in {took:.1f} s; analysts' file: {settings.analysts_file}")
        return 0
    _say(f"run {outcome.run_id} FAILED after {took:.1f} s; {analysts_file_outcome(settings, before)}.")
    for problem in outcome.problems:
        _say(f"  {problem}")
    return 1


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.select:  # a selection that names nothing is found before a run starts
        from jobbtorg_pipeline.definitions import defs
        from jobbtorg_pipeline.runner import selected_keys

        try:
            selected_keys(defs, args.select)
        except ValueError as exc:
            return _usage(args, str(exc))
    missing = _missing_source(settings)
    if missing:
        return _usage(args, missing)
    return _run(settings, args.select)


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
        _where_things_are(args, settings)
    return status


def _shown(path: Path) -> str:
    """A path as the user can type it from where they stand: relative below the current folder."""
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))  # keep a symlink
    except ValueError:
        return str(path)


def _where_things_are(args: argparse.Namespace, settings: Settings) -> None:
    """The demo's closing lines: paths that exist and commands that work from the current folder."""
    from jobbtorg_pipeline.report.build import reports_dir

    bin_dir = Path(sys.executable).parent  # the virtual environment's, as `make setup` made it
    python, jobbtorg = _shown(bin_dir / "python"), _shown(bin_dir / "jobbtorg")
    flags = "".join(
        f" --{flag.replace('_', '-')} {_shown(Path(value))}"
        for flag, value in (("source", args.source), ("warehouse", args.warehouse), ("home", args.home))
        if value
    )
    analysts = _shown(settings.analysts_file)
    _say(f"the analysts' file (aggregates only): {analysts}")
    for report in sorted(reports_dir(settings).glob("*/preliminar/rapport.html")):
        _say(f"the tertial report {report.parent.parent.name}: {_shown(report)} (and rapport.xlsx beside it)")
    datadocs = settings.data_docs_dir / "index.html"
    if datadocs.exists():
        _say(f"the data-quality Data Docs: open {datadocs.resolve()} in a browser")
    query = f"import duckdb; print(duckdb.connect('{analysts}', read_only=True).sql('FROM marts.{MART}'))"
    _say(f'query the marts: {python} -c "{query}"')
    here = Path.cwd().resolve()
    ui = (
        "make ui"
        if not flags and bin_dir.parent.resolve() == here / ".venv" and Path("Makefile").exists()
        else ""
    )
    _say(
        f"open the Dagster UI: {ui + ' (or ' if ui else ''}{jobbtorg} ui{flags}{')' if ui else ''}, "
        "then http://127.0.0.1:3000"
    )


def cmd_load_postgres(args: argparse.Namespace) -> int:
    """Put a source folder into the case system's tables, so the PostgreSQL path can be tried."""
    from jobbtorg_pipeline.sources.leverans import SourceError
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


CODE_LOCATION = "jobbtorg"  # the code location's name in the UI, as in workspace.yaml
WORKSPACE = f"""# Written by `jobbtorg ui`: the code location as the UI shows it.
load_from:
  - python_module:
      module_name: jobbtorg_pipeline.definitions
      location_name: {CODE_LOCATION}
"""


def ui_command(dagster_home: Path, host: str, port: int) -> list[str]:
    """`dagster dev` on a workspace file that names the code location `jobbtorg`, from any folder."""
    workspace = dagster_home / "workspace.yaml"
    workspace.write_text(WORKSPACE, encoding="utf-8")
    return [sys.executable, "-m", "dagster", "dev", "-w", str(workspace), "--host", host, "--port", str(port)]


def serve_data_docs(settings: Settings, host: str, port: int):
    """The Great Expectations Data Docs over HTTP beside the UI: a browser does not open the file:// links
    a web page holds. A thread of this process, so it ends with the UI; None when the port is taken."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(settings.data_docs_dir))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        _say(f"the Data Docs are not served: port {port} on {host}: {exc.strerror}")
        return None
    threading.Thread(target=server.serve_forever, name="data-docs", daemon=True).start()
    return server


def cmd_ui(args: argparse.Namespace) -> int:
    """`dagster dev` with this project's settings and instance, so the CLI's runs show in the UI."""
    from jobbtorg_pipeline.instance import ensure_dagster_home

    settings = _settings(args)
    env = {**os.environ, **settings.as_env()}
    home = ensure_dagster_home(settings)
    env["DAGSTER_HOME"] = str(home)
    command = ui_command(home, args.host, args.port)
    _say(f"starting the Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={env['DAGSTER_HOME']})")
    if args.data_docs_port and serve_data_docs(settings, args.host, args.data_docs_port):
        _say(
            f"the Data Docs of the JUST-team checks: http://{args.host}:{args.data_docs_port}/index.html "
            f"(the files under {settings.data_docs_dir})"
        )
    return subprocess.call(command, env=env)


def cmd_report(args: argparse.Namespace) -> int:
    """The report of any period; --publish freezes it as a numbered version."""
    from jobbtorg_pipeline.report.build import ReportError, publish, verify, versions, write_preliminary
    from jobbtorg_pipeline.report.disclosure import DisclosureError
    from jobbtorg_pipeline.warehouse import WarehousePathError

    settings = _settings(args)
    if args.verify is not None and (args.publish or args.correction is not None):
        return _usage(args, "--verify checks a published version; give it without --publish or --correction")
    if args.correction is not None and not args.correction.strip():
        return _usage(args, "--correction needs the reason for the correction, e.g. --correction 'why'")
    if args.verify is not None and args.verify not in versions(settings, args.period):
        have = ", ".join(f"{v}" for v in versions(settings, args.period)) or "none"
        return _usage(
            args, f"{args.period} has no published version {args.verify} (published versions: {have})"
        )
    try:
        if args.verify is not None:
            different = verify(settings, args.period, args.verify)
            if different:
                _say(f"{args.period} version {args.verify} differs when rebuilt: {', '.join(different)}")
                return 1
            _say(f"{args.period} version {args.verify} rebuilds byte for byte from the current inputs")
            return 0
        if args.publish or args.correction is not None:
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
    p = _Parser(prog="jobbtorg", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a synthetic source in the layout of docs/source-files.md")
    g.add_argument("--out", required=True, help="folder to write the source into")
    g.add_argument(
        "--people", type=_positive, default=10_000, help="persons registered (default %(default)s)"
    )
    g.add_argument(
        "--seed",
        type=_seed,
        default=1,
        help="random seed; the same seed gives the same files (default %(default)s)",
    )
    g.add_argument(
        "--start", type=_date, default=date(2017, 1, 1), help="first day of the history (default %(default)s)"
    )
    g.add_argument(
        "--end",
        type=_date,
        default=date(2020, 10, 1),
        help="the uttagsdatum: the date of the newest complete snapshot (default %(default)s)",
    )
    g.set_defaults(func=cmd_generate)

    for name, func, text in (
        ("run", cmd_run, "materialise every asset once, as a Dagster run recorded in the instance"),
        ("demo", cmd_demo, "generate a demo source and run the pipeline on it"),
        ("ui", cmd_ui, "start the Dagster UI (dagster dev) with these settings"),
    ):
        s = sub.add_parser(name, help=text)
        s.add_argument("--source", help=f"source folder (default $JOBBTORG_SOURCE or {DEFAULT_SOURCE})")
        s.add_argument(
            "--warehouse", help=f"warehouse folder (default $JOBBTORG_WAREHOUSE or {DEFAULT_WAREHOUSE})"
        )
        s.add_argument(
            "--home", help=f"Jobbtorg home: Dagster instance and pseudonym key (default {DEFAULT_HOME})"
        )
        s.add_argument(
            "--memory-limit", help=f"DuckDB memory limit, e.g. 3GB (default {DEFAULTS['memory_limit']})"
        )
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
            s.add_argument(
                "--people", type=_positive, default=DEMO_PEOPLE, help="persons (default %(default)s)"
            )
            s.add_argument(
                "--seed", type=_seed, default=1, help="random seed of the demo source (default %(default)s)"
            )
        if name == "ui":
            s.add_argument(
                "--host", default="127.0.0.1", help="address the UI listens on (default %(default)s)"
            )
            s.add_argument(
                "--port", type=_port, default=3000, help="port the UI listens on (default %(default)s)"
            )
            s.add_argument(
                "--data-docs-port",
                type=_port_or_none,
                default=3001,
                help="port the quality checks' Data Docs are served on, 0 for none (default %(default)s)",
            )

    lp = sub.add_parser("load-postgres", help="load a source folder into the case system's PostgreSQL tables")
    lp.add_argument("--source", required=True, help="a source folder in the layout of docs/source-files.md")
    lp.add_argument(
        "--dsn", help="libpq connection string (default $JOBBTORG_PG_DSN); password from PGPASSWORD"
    )
    lp.set_defaults(func=cmd_load_postgres)

    r = sub.add_parser("report", help="the tertial report (HTML and Excel) of a period; --publish freezes it")
    r.add_argument("--period", required=True, type=_period, help="2019-T2 for a tertial, 2019 for a year")
    r.add_argument(
        "--warehouse", help=f"warehouse folder (default $JOBBTORG_WAREHOUSE or {DEFAULT_WAREHOUSE})"
    )
    r.add_argument("--publish", action="store_true", help="freeze the period as its first published version")
    r.add_argument("--correction", metavar="REASON", help="publish a corrected version N+1 with this reason")
    r.add_argument(
        "--verify", type=_positive, metavar="N", help="check that published version N rebuilds byte for byte"
    )
    r.set_defaults(func=cmd_report)

    ih = sub.add_parser("init-home", help="write dagster.yaml into DAGSTER_HOME (SQLite, or --postgres)")
    ih.add_argument("--home", help=f"Jobbtorg home (default {DEFAULT_HOME}); DAGSTER_HOME wins when set")
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
    except _UsageError as exc:
        _say(f"{args.command}: {exc}")
        return 2
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

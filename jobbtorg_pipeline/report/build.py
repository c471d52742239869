"""Build, write and freeze the tertial report.

`<warehouse>/rapporter/<period>/preliminar/` is rebuilt by every run. Publishing a period freezes it in
`<warehouse>/rapporter/<period>/v<N>/`: the HTML, the workbook, the figures as JSON, and a manifest with
the identity of the inputs (the uttagsdatum and the extract files with their SHA-256, as recorded when the
analysts' file was published) and the pipeline version. A version folder is never written again: a
correction is version N+1 with its reason, and the old version stays. Nothing in the files depends on the
clock, so rebuilding a version from the same inputs gives the same bytes (`verify`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from jobbtorg_pipeline import code_version, oslock
from jobbtorg_pipeline.perioder import PERIOD
from jobbtorg_pipeline.report.content import build_tables
from jobbtorg_pipeline.report.disclosure import protect
from jobbtorg_pipeline.report.render import render_excel, render_html
from jobbtorg_pipeline.report.tabell import ReportTable
from jobbtorg_pipeline.settings import Settings
from jobbtorg_pipeline.warehouse import check_folder, connect_internal, wal_of, writing_session

FILES = ("rapport.html", "rapport.xlsx", "siffror.json")
INPUT_FIELDS = ("kalla", "fil", "manad", "rader", "sha256")


class ReportError(RuntimeError):
    pass


@dataclass
class Report:
    period: str
    tables: list[ReportTable]
    about: dict[str, str]
    uttagsdatum: date
    period_slut: date
    inputs: list[dict[str, Any]] | None  # the extract files the figures rest on (None: not known)


def reports_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "rapporter"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def published_inputs(settings: Settings) -> list[dict[str, Any]] | None:
    """The extract files behind the analysts' file as it is now: those the publish step recorded with
    this very file's SHA-256 just before renaming it into place. None when no record matches (a run
    stopped between the two, or the file was changed): then nobody can say what the figures rest on."""
    if not settings.internal_file.exists() or not settings.analysts_file.exists():
        return None
    digest = file_sha256(settings.analysts_file)
    with connect_internal(settings, read_only=True) as con:
        return _published_rows(con, digest)


def _published_rows(con: duckdb.DuckDBPyConnection, digest: str) -> list[dict[str, Any]] | None:
    try:
        rows = con.execute(
            """
            SELECT kalla, fil, manad, rader, sha256 FROM kvalitet.publicerade_filer
            WHERE run_id = (SELECT arg_max(run_id, publicerad) FROM kvalitet.publicerade_filer
                            WHERE analysfil_sha256 = ?)
            ORDER BY kalla, fil
            """,
            [digest],
        ).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        return None  # nothing recorded yet, or recorded by a version that did not hash the file
    return [dict(zip(INPUT_FIELDS, r, strict=True)) for r in rows] or None


def run_inputs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The extract files of the run in progress (the internal database's raw.filer)."""
    rows = con.execute(
        "SELECT kalla, fil, manad, rader + avvisade, sha256 FROM raw.filer WHERE status = 'last' "
        "ORDER BY kalla, fil"
    ).fetchall()
    return [dict(zip(INPUT_FIELDS, r, strict=True)) for r in rows]


def build(
    settings: Settings,
    period: str,
    *,
    status: str,
    con: duckdb.DuckDBPyConnection | None = None,
    inputs: list[dict[str, Any]] | None = None,
) -> Report:
    """The report of `period`, disclosure control done: from the analysts' file, or from `con` (the
    internal database's marts during a run, with that run's `inputs`)."""
    if not PERIOD.match(period):
        raise ReportError(f"--period must look like 2019-T2 or 2019, not {period!r}")
    if con is None:
        check_folder(settings.warehouse_dir)
        if not settings.analysts_file.exists():
            raise ReportError(f"No analysts' file at {settings.analysts_file}: run the pipeline first.")
        inputs = published_inputs(settings)
        with open_analysts_file(settings) as analysts:
            return _build(analysts, settings, period, status, inputs)
    return _build(con, settings, period, status, inputs)


@contextlib.contextmanager
def open_analysts_file(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The analysts' file, read-only; what keeps it from opening said in words, not as DuckDB's error."""
    path = settings.analysts_file
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        wal = wal_of(path)
        if "WAL" in str(exc) and wal.exists():
            raise ReportError(
                f"The analysts' file {path} cannot be opened: beside it lies {wal.name}, a write-ahead log "
                "that a session which opened the file to write (not read-only) left for an earlier version "
                "of the file. Close that session; the next `jobbtorg run` removes the log. Once no session "
                f"has the file open, removing {wal} by hand is also safe: it holds only that session's own "
                "changes, never the pipeline's figures."
            ) from exc
        writer = writing_session(path)
        if writer:
            raise ReportError(
                f"The analysts' file {path} is held open to write by {writer}, so it cannot be read. "
                "Close that session (analysts open the file read-only: duckdb -readonly) and try again."
            ) from exc
        raise ReportError(f"The analysts' file {path} cannot be opened: {exc}") from exc
    try:
        yield con
    finally:
        con.close()


def _build(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    period: str,
    status: str,
    inputs: list[dict[str, Any]] | None,
) -> Report:
    _one_extract(con)
    threshold = settings.disclosure_threshold
    found = con.execute(
        "SELECT uttagsdatum, period_slut FROM marts.unika_individer WHERE period = ? LIMIT 1", [period]
    ).fetchone()
    if found is None:
        known = [r[0] for r in con.execute("SELECT DISTINCT period FROM marts.unika_individer").fetchall()]
        known.sort(key=lambda p: (p[:4], p[4:] or "-T4"))  # each year after its tertials
        raise ReportError(
            f"No figures for {period}; the marts have {', '.join(known) or 'no period at all'}."
        )
    tables, relations = build_tables(con, period, threshold)
    protect([t.grid for t in tables], relations, threshold)
    tables = [t for t in tables if t.grid.rows or t.id.startswith("datakvalitet")]
    snapshots = sorted({Path(i["fil"]).parent.name for i in inputs or [] if i["kalla"] != "utbetalningar"})
    about = {
        "Period": period,
        "Status": status,
        "Uttagsdatum": str(found[0]),
        "Indata": (
            f"ärendesystemets uttag {', '.join(snapshots) or '-'}, "
            f"{sum(1 for i in inputs if i['kalla'] == 'utbetalningar')} utbetalningsleveranser"
            if inputs is not None
            else "okända (analysfilens indata är inte registrerade)"
        ),
        "Pipeline": f"jobbtorg-pipeline {code_version()}",
    }
    return Report(period, tables, about, found[0], found[1], inputs)


def _one_extract(con: duckdb.DuckDBPyConnection) -> None:
    """A report rests on one extract: marts of different uttagsdatum (a file pieced together from
    different runs) are refused."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'marts' AND column_name = 'uttagsdatum' ORDER BY table_name"
        ).fetchall()
    ]
    if not tables:
        return
    union = " UNION ALL ".join(f'SELECT DISTINCT uttagsdatum, ? AS tabell FROM marts."{t}"' for t in tables)
    dates = con.execute(
        f"SELECT uttagsdatum, list(tabell ORDER BY tabell) FROM ({union}) GROUP BY uttagsdatum ORDER BY 1",
        tables,
    ).fetchall()
    if len(dates) > 1:
        raise ReportError(
            "The marts rest on different extracts, so no report is built from them: "
            + "; ".join(
                f"uttagsdatum {d} in {', '.join(ts[:4])}{' …' if len(ts) > 4 else ''}" for d, ts in dates
            )
            + ". Run the whole pipeline (`jobbtorg run`) and build the report again."
        )


def figures(report: Report) -> dict[str, Any]:
    """The published figures, hidden values as `..`, in a stable order."""
    return {
        "period": report.period,
        "uttagsdatum": str(report.uttagsdatum),
        "tabeller": [
            {
                "id": t.id,
                "rubrik": t.title,
                "kolumner": [t.labels[c] for c in t.grid.columns],
                "enheter": [t.units[c] for c in t.grid.columns],
                "rader": [
                    {
                        "rad": t.row_label(row),
                        "varden": [_json_value(t.grid.value(row, c)) for c in t.grid.columns],
                    }
                    for row in t.grid.rows
                ],
            }
            for t in report.tables
        ],
    }


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    return round(float(value), 6)


def _write_files(report: Report, folder: Path, threshold: int) -> list[Path]:
    (folder / "rapport.html").write_text(
        render_html(report.tables, report.about, threshold), encoding="utf-8"
    )
    render_excel(report.tables, report.about, threshold, folder / "rapport.xlsx", report.uttagsdatum)
    (folder / "siffror.json").write_text(
        json.dumps(figures(report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return [folder / name for name in FILES]


PRELIMINARY = "preliminär: uppdateras varje natt tills perioden publiceras"


def write_preliminary(
    settings: Settings,
    period: str,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    inputs: list[dict[str, Any]] | None = None,
) -> Path:
    """Rebuild `<warehouse>/rapporter/<period>/preliminar/` (from the analysts' file, or from `con`)."""
    report = build(settings, period, status=PRELIMINARY, con=con, inputs=inputs)
    folder = reports_dir(settings) / period / "preliminar"
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".bygge-", dir=folder.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp's 0700 is for secrets; the report is for its readers
        _write_files(report, tmp, settings.disclosure_threshold)
        if folder.exists():
            shutil.rmtree(folder)
        tmp.replace(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def versions(settings: Settings, period: str) -> list[int]:
    folder = reports_dir(settings) / period
    return (
        sorted(int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit()) if folder.exists() else []
    )


def _status(version: int, reason: str | None) -> str:
    return f"publicerad, version {version}" + (f" (rättelse: {reason})" if reason else "")


def publish(settings: Settings, period: str, *, correction: str | None = None) -> Path:
    """Freeze the period's report as the next version; a second version needs the correction's reason.

    Only a period that is over (its last day on or before the uttagsdatum) can be published, and only
    when the analysts' file's inputs are on record: a frozen version must hold final figures and say
    what they rest on. Two publications of one period take turns (an OS lock beside the periods'
    folders): the second sees the first's version, so it neither builds the same version nor fails."""
    check_folder(settings.warehouse_dir)
    if not PERIOD.match(period):
        raise ReportError(f"--period must look like 2019-T2 or 2019, not {period!r}")
    reports_dir(settings).mkdir(parents=True, exist_ok=True)
    said: list[str] = []

    def waiting(holder: str) -> None:
        if not said:
            said.append(holder)
            _say(f"waiting for another publication of {period} to finish ({holder or 'another process'})")

    me = f"jobbtorg report --publish, pid {os.getpid()}"
    with oslock.hold(reports_dir(settings) / f".{period}.publicering.lock", holder=me, waiting=waiting):
        return _publish(settings, period, correction)


def _say(message: str) -> None:
    print(f"jobbtorg: {message}", file=sys.stderr, flush=True)


def _publish(settings: Settings, period: str, correction: str | None) -> Path:
    existing = versions(settings, period)
    if existing and not correction:
        raise ReportError(
            f"{period} is already published (version {existing[-1]}); a published tertial is never changed. "
            "Publish a correction as a new version with --correction 'the reason'."
        )
    if correction and not existing:
        raise ReportError(
            f"{period} has never been published, so there is nothing to correct. "
            "Publish its first version with --publish."
        )
    version = (existing[-1] + 1) if existing else 1
    report = build(settings, period, status=_status(version, correction))
    if report.period_slut > report.uttagsdatum:
        raise ReportError(
            f"{period} is not over: it ends {report.period_slut} and the figures rest on the extract of "
            f"{report.uttagsdatum}, so they would still change. Publish it once the pipeline has run on an "
            f"extract taken on or after {report.period_slut}."
        )
    if report.inputs is None:
        raise ReportError(
            "The inputs of the analysts' file are not on record (a run stopped while publishing it, or the "
            "file was changed since). Run the pipeline again, then publish."
        )
    folder = reports_dir(settings) / period / f"v{version}"
    tmp = folder.with_name(f".v{version}.bygge")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _freeze(report, settings, tmp, version, correction)
        tmp.replace(folder)  # the version appears whole or not at all
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # a half-built version never stays behind
    with (reports_dir(settings) / "publiceringar.jsonl").open("a", encoding="utf-8") as log:
        entry = {
            "period": period,
            "version": version,
            "rattelse": correction,
            "publicerad": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return folder


def _freeze(report: Report, settings: Settings, tmp: Path, version: int, correction: str | None) -> None:
    """Write a version's files and manifest into `tmp` and make them read-only."""
    period = report.period
    _write_files(report, tmp, settings.disclosure_threshold)
    manifest = {
        "period": period,
        "version": version,
        "rattelse": correction,
        "uttagsdatum": str(report.uttagsdatum),
        "pipeline": code_version(),
        "roj_grans": settings.disclosure_threshold,
        "indata": report.inputs,
        "filer": {name: hashlib.sha256((tmp / name).read_bytes()).hexdigest() for name in FILES},
    }
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    for path in tmp.iterdir():
        path.chmod(0o444)  # frozen: read-only for everyone, the owner included


def verify(settings: Settings, period: str, version: int) -> list[str]:
    """Rebuild a published version from the current inputs; the files that differ (none: identical)."""
    check_folder(settings.warehouse_dir)
    folder = reports_dir(settings) / period / f"v{version}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest["pipeline"] != code_version():
        return [f"the pipeline (built with {manifest['pipeline']}, now {code_version()})"]
    inputs = published_inputs(settings)
    if inputs != manifest["indata"]:
        return ["the inputs (the extract files behind the analysts' file are not those of the version)"]
    report = build(settings, period, status=_status(version, manifest["rattelse"]))
    with tempfile.TemporaryDirectory() as tmp:
        _write_files(report, Path(tmp), manifest["roj_grans"])
        return [name for name in FILES if (Path(tmp) / name).read_bytes() != (folder / name).read_bytes()]

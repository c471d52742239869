"""The file connector (CONTRACT §1, the embedded default): snapshot folders and monthly payment files.

Every CSV is read by DuckDB with all columns as text, so that a bad date or number becomes a quarantine
reason in staging instead of a failed read. Lines with the wrong number of fields are kept out of the
table by DuckDB's `store_rejects` and stored, with their line number and text, in `raw.avvisade_rader`:
nothing read is lost. The header is matched by name, so a file with its columns in another order reads
the same; a missing column or an empty file stops the extract with a clear message.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from jobbtorg_pipeline.sources.contract import COLUMNS
from jobbtorg_pipeline.sources.encoding import (
    EncodingProblem,
    FileFingerprint,
    fingerprint,
    read_header,
    transcode_to_utf8,
)

CASE_SYSTEM_DIR = "arendesystem"
PAYMENTS_DIR = "utbetalningar"
SUCCESS_MARKER = "_SUCCESS"
_SNAPSHOT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PAYMENT_NAME = re.compile(r"^utbetalningar_(\d{4})-(\d{2})(?:[_-](.*))?\.csv$", re.IGNORECASE)


class SourceError(RuntimeError):
    """There is no extract to read (no source folder, no complete snapshot): the run stops at once.

    A file that is there but cannot be read is not an error here: it is recorded with its problem in
    `raw.filer`, and the blocking check `filer_lasbara` stops the run with that reason.
    """


@dataclass(frozen=True)
class Snapshot:
    path: Path
    uttagsdatum: date
    skipped: tuple[tuple[str, str], ...] = ()  # (folder, why it was not used)
    previous: Path | None = None  # the complete snapshot before it: the truncation check's baseline


@dataclass(frozen=True)
class PaymentDelivery:
    path: Path
    manad: str  # YYYY-MM, the payment month the file delivers
    superseded: tuple[Path, ...] = ()  # earlier deliveries of the same month, replaced by this one


@dataclass
class LoadedFile:
    kalla: str
    label: str  # the file's path relative to the source folder
    fingerprint: FileFingerprint | None  # None when the file could not be read at all
    rader: int  # data rows parsed into the raw table
    avvisade: int  # lines DuckDB could not split into the header's fields
    okanda_kolumner: tuple[str, ...] = ()
    manad: str | None = None
    problem: str | None = None  # why the file could not be read; its rows are then not loaded
    foregaende_rader: int | None = None  # rows of the same file in the previous complete snapshot


def find_snapshot(source_dir: Path) -> Snapshot:
    """The newest snapshot folder holding `_SUCCESS`; its name is the uttagsdatum."""
    root = source_dir / CASE_SYSTEM_DIR
    if not root.is_dir():
        raise SourceError(
            f"No case-system folder at {root}. Point JOBBTORG_SOURCE (or --source) at a source laid out "
            "as in CONTRACT §1, or make one with `jobbtorg generate --out DIR`."
        )
    complete: list[tuple[date, Path]] = []
    skipped: list[tuple[str, str]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        when = _parse_date(folder.name) if _SNAPSHOT_NAME.match(folder.name) else None
        if when is None:
            skipped.append((folder.name, "namnet är inte ett datum YYYY-MM-DD"))
        elif not (folder / SUCCESS_MARKER).exists():
            skipped.append((folder.name, "ofullständig: saknar _SUCCESS"))
        else:
            complete.append((when, folder))
    if not complete:
        raise SourceError(f"No complete snapshot (a folder with {SUCCESS_MARKER}) under {root}.")
    complete.sort()
    uttagsdatum, path = complete[-1]
    previous = complete[-2][1] if len(complete) > 1 else None
    return Snapshot(path=path, uttagsdatum=uttagsdatum, skipped=tuple(skipped), previous=previous)


def payment_deliveries(source_dir: Path) -> tuple[list[PaymentDelivery], list[tuple[str, str]]]:
    """One delivery per payment month; a re-delivered month replaces the earlier delivery as a whole.

    `utbetalningar_2019-09.csv` is the month's delivery. A re-delivery overwrites it, or arrives beside it
    with a suffix (`utbetalningar_2019-09_2.csv`); the suffixed file with the highest number (natural
    order) wins and the others are recorded as replaced, not read.
    """
    root = source_dir / PAYMENTS_DIR
    if not root.is_dir():
        return [], []  # no payments delivered yet: the payment-based marts say so by their coverage
    by_month: dict[str, list[tuple[tuple[object, ...], Path]]] = {}
    skipped: list[tuple[str, str]] = []
    for path in sorted(root.iterdir()):
        match = _PAYMENT_NAME.match(path.name)
        if not path.is_file():
            continue
        if not match or not 1 <= int(match.group(2)) <= 12:
            skipped.append((path.name, "namnet följer inte utbetalningar_YYYY-MM.csv"))
            continue
        month = f"{match.group(1)}-{match.group(2)}"
        suffix = match.group(3)
        order = (0,) if suffix is None else (1, *_natural_key(suffix))
        by_month.setdefault(month, []).append((order, path))
    deliveries = []
    for month in sorted(by_month):
        ranked = [p for _, p in sorted(by_month[month], key=lambda item: (item[0], item[1].name))]
        deliveries.append(PaymentDelivery(path=ranked[-1], manad=month, superseded=tuple(ranked[:-1])))
    return deliveries, skipped


def _natural_key(text: str) -> tuple[object, ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text))


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


RAW_SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.filer (
    kalla VARCHAR, fil VARCHAR, manad VARCHAR, status VARCHAR, encoding VARCHAR, bom BOOLEAN,
    storlek BIGINT, sha256 VARCHAR, rader BIGINT, avvisade BIGINT, okanda_kolumner VARCHAR[],
    problem VARCHAR, foregaende_rader BIGINT);
CREATE TABLE IF NOT EXISTS raw.avvisade_rader (
    kalla VARCHAR, fil VARCHAR, rad BIGINT, feltyp VARCHAR, felmeddelande VARCHAR, radtext VARCHAR);
"""


def create_raw_table(con: duckdb.DuckDBPyConnection, kalla: str) -> None:
    """(Re)create `raw.<kalla>`: the contract's columns as text, plus where each row came from."""
    columns = ", ".join(f'"{c}" VARCHAR' for c in COLUMNS[kalla])
    con.execute(RAW_SCHEMA_SQL)
    con.execute(f"CREATE OR REPLACE TABLE raw.{kalla} ({columns}, _fil VARCHAR, _radnr BIGINT)")
    con.execute("DELETE FROM raw.filer WHERE kalla = ?", [kalla])
    con.execute("DELETE FROM raw.avvisade_rader WHERE kalla = ?", [kalla])


def load_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kalla: str,
    *,
    label: str,
    work_dir: Path,
    manad: str | None = None,
    previous: Path | None = None,
    problem: str | None = None,
) -> LoadedFile:
    """Append one extract file to `raw.<kalla>`; `label` is the name recorded for it (relative path).

    `previous` is the same file in the previous complete snapshot; its row count is recorded as the
    baseline of the truncation check. `problem` records a file known to be unreadable (a table that
    could not be pulled) without reading it.
    """
    baseline = count_rows(previous) if previous is not None and previous.is_file() else None

    def unreadable(problem: str, fp: FileFingerprint | None = None) -> LoadedFile:
        loaded = LoadedFile(kalla, label, fp, 0, 0, (), manad, problem, baseline)
        _record(con, loaded, "oläsbar")
        return loaded

    if problem:
        return unreadable(problem)
    if not path.is_file():
        return unreadable(f"{label} is missing from the extract.")
    try:
        fp = fingerprint(path)
    except EncodingProblem as exc:
        return unreadable(str(exc))
    header = read_header(path, fp.encoding)
    if header is None:
        return unreadable(f"{label} is empty: not even a header row. Ask for a new delivery.", fp)
    wanted = COLUMNS[kalla]
    missing = [c for c in wanted if c not in header]
    if missing:
        return unreadable(
            f"{label} lacks the column(s) {', '.join(missing)}; {_header_in_words(header, wanted)} "
            "The file does not follow CONTRACT §1.",
            fp,
        )
    duplicated = sorted({c for c in header if header.count(c) > 1 and c in wanted})
    if duplicated:
        return unreadable(f"{label} has the column(s) {', '.join(duplicated)} more than once.", fp)
    names = [c if c else f"_tom_{i}" for i, c in enumerate(header)]
    names = [c if names.count(c) == 1 else f"{c}_{i}" for i, c in enumerate(names)]
    unknown = shown_header_cells([c for c in header if c not in wanted])

    with tempfile.TemporaryDirectory(dir=work_dir, prefix="las-") as tmp:
        readable = path
        if fp.encoding != "utf-8":
            readable = transcode_to_utf8(path, fp.encoding, Path(tmp) / "utf8.csv")
        columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        select = ", ".join(f'"{c}"' for c in wanted)
        con.execute("DROP TABLE IF EXISTS temp.avvisade; DROP TABLE IF EXISTS temp.avvisade_scan")
        con.execute(
            f"""
            INSERT INTO raw.{kalla}
            SELECT {select}, ? AS _fil, row_number() OVER () AS _radnr
            FROM read_csv(?, delim = ';', header = true, quote = '"', escape = '"',
                          columns = {columns}, auto_detect = false, store_rejects = true,
                          rejects_table = 'avvisade', rejects_scan = 'avvisade_scan')
            """,
            [label, str(readable)],
        )
        con.execute(
            """
            INSERT INTO raw.avvisade_rader
            SELECT ?, ?, line, arg_min(error_type::VARCHAR, column_idx),
                   string_agg(error_message, ' | ' ORDER BY column_idx), arg_min(csv_line, column_idx)
            FROM temp.avvisade GROUP BY line
            """,
            [kalla, label],
        )
    rader = con.execute(f"SELECT count(*) FROM raw.{kalla} WHERE _fil = ?", [label]).fetchone()[0]
    avvisade = con.execute(
        "SELECT count(*) FROM raw.avvisade_rader WHERE kalla = ? AND fil = ?", [kalla, label]
    ).fetchone()[0]
    con.execute("DROP TABLE IF EXISTS temp.avvisade; DROP TABLE IF EXISTS temp.avvisade_scan")
    loaded = LoadedFile(kalla, label, fp, rader, avvisade, unknown, manad, None, baseline)
    _record(con, loaded, "last")
    return loaded


_COLUMN_NAME = re.compile(r"[^\W\d]([^\W\d]|[ _-]){0,39}")


def shown_header_cells(cells: list[str]) -> tuple[str, ...]:
    """Header cells fit to show in messages and metadata: those that look like column names (letters,
    `_`, `-` or spaces, no digit). A file without its header row has a data line there, personnummer
    included, and what is shown reaches check metadata, Data Docs, logs and alerts: never echo data. The
    others are counted in a last entry."""
    shown = [c for c in cells if _COLUMN_NAME.fullmatch(c)]
    hidden = len(cells) - len(shown)
    if hidden:
        shown.append(f"({hidden} cell{'s' if hidden > 1 else ''} with digits not shown)")
    return tuple(shown)


def _header_in_words(header: list[str], wanted: tuple[str, ...]) -> str:
    if not set(header) & set(wanted):
        return (
            f"its first line has none of the contract's columns ({len(header)} cells, not shown): is the "
            "header row missing?"
        )
    other = shown_header_cells([c for c in header if c not in wanted])
    return f"its other header cells: {', '.join(other)}." if other else "it has no other header cells."


def count_rows(path: Path) -> int:
    """Data rows of a CSV by counting line ends (a baseline only: a quoted line break counts twice)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def record_not_read(con: duckdb.DuckDBPyConnection, kalla: str, labels: Iterable[str], status: str) -> None:
    """Files present but not read (an earlier delivery replaced, an unknown name) stay visible."""
    for label in labels:
        con.execute(
            "INSERT INTO raw.filer (kalla, fil, status, rader, avvisade) VALUES (?, ?, ?, 0, 0)",
            [kalla, label, status],
        )


def _record(con: duckdb.DuckDBPyConnection, loaded: LoadedFile, status: str) -> None:
    fp = loaded.fingerprint
    con.execute(
        "INSERT INTO raw.filer VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            loaded.kalla,
            loaded.label,
            loaded.manad,
            status,
            fp.encoding if fp else None,
            fp.bom if fp else None,
            fp.size if fp else None,
            fp.sha256 if fp else None,
            loaded.rader,
            loaded.avvisade,
            list(loaded.okanda_kolumner),
            loaded.problem,
            loaded.foregaende_rader,
        ],
    )


@dataclass(frozen=True)
class CaseSystemLoad:
    snapshot: Snapshot
    files: tuple[LoadedFile, ...]


@dataclass(frozen=True)
class PaymentsLoad:
    files: tuple[LoadedFile, ...]
    replaced: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction per load: all files or none (and one commit instead of one per file)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def load_case_system(con: duckdb.DuckDBPyConnection, source_dir: Path, work_dir: Path) -> CaseSystemLoad:
    """Read the newest complete snapshot into `raw.inskrivningar`, `raw.insatser` and `raw.uttag`."""
    snapshot = find_snapshot(source_dir)
    with transaction(con):
        return _load_snapshot(con, snapshot, work_dir)


def _load_snapshot(con: duckdb.DuckDBPyConnection, snapshot: Snapshot, work_dir: Path) -> CaseSystemLoad:
    loaded = []
    for kalla in ("inskrivningar", "insatser"):
        create_raw_table(con, kalla)
        path = snapshot.path / f"{kalla}.csv"
        label = f"{CASE_SYSTEM_DIR}/{snapshot.path.name}/{path.name}"
        previous = snapshot.previous / path.name if snapshot.previous else None
        loaded.append(load_csv(con, path, kalla, label=label, work_dir=work_dir, previous=previous))
    con.execute(
        """
        CREATE OR REPLACE TABLE raw.uttag AS
        SELECT ?::DATE AS uttagsdatum, 'filer' AS kalltyp, ? AS ogonblicksbild
        """,
        [snapshot.uttagsdatum, f"{CASE_SYSTEM_DIR}/{snapshot.path.name}"],
    )
    return CaseSystemLoad(snapshot, tuple(loaded))


def load_payments(con: duckdb.DuckDBPyConnection, source_dir: Path, work_dir: Path) -> PaymentsLoad:
    """Read the latest delivery of every payment month into `raw.utbetalningar`."""
    deliveries, skipped = payment_deliveries(source_dir)
    with transaction(con):
        return _load_deliveries(con, deliveries, skipped, work_dir)


def _load_deliveries(
    con: duckdb.DuckDBPyConnection,
    deliveries: list[PaymentDelivery],
    skipped: list[tuple[str, str]],
    work_dir: Path,
) -> PaymentsLoad:
    create_raw_table(con, "utbetalningar")
    loaded = []
    replaced: list[str] = []
    for delivery in deliveries:
        label = f"{PAYMENTS_DIR}/{delivery.path.name}"
        loaded.append(
            load_csv(
                con, delivery.path, "utbetalningar", label=label, work_dir=work_dir, manad=delivery.manad
            )
        )
        replaced.extend(f"{PAYMENTS_DIR}/{p.name}" for p in delivery.superseded)
    record_not_read(con, "utbetalningar", replaced, "ersatt av senare leverans")
    record_not_read(con, "utbetalningar", (f"{PAYMENTS_DIR}/{name}" for name, _ in skipped), "okänt filnamn")
    return PaymentsLoad(tuple(loaded), tuple(replaced), tuple(skipped))

"""The file connector (docs/source-files.md, the embedded default): loading the snapshot folder and the
monthly payment files that `leverans.py` finds, into the raw tables, with the ledger of files read
(`raw.filer`).

Every CSV is read by DuckDB with all columns as text, so that a bad date or number becomes a quarantine
reason in staging instead of a failed read. Lines with the wrong number of fields are kept out of the
table by DuckDB's `store_rejects` and stored, with their line number and text, in `raw.avvisade_rader`
(`avvisade.py`): nothing read is lost. The header is matched by name, so a file with its columns in
another order reads the same; a missing column or an empty file stops the extract with a clear message.

A payment delivery is read once: its rows stay in `raw.utbetalningar` from one run to the next, and a
later run reads only the deliveries that are new or whose content (SHA-256) changed, or all of them when
the reading code changed (`reader_version`). A month delivered anew replaces exactly that month's rows;
a delivery no longer in the folder takes its rows with it. The case system's snapshot is read whole on
every run: each snapshot is a new copy of every registration and insats.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from jobbtorg_pipeline.sources.avvisade import (
    parsed_lines,
    reject_lone_cr,
    sql_string,
    store_rejected,
    unmark,
)
from jobbtorg_pipeline.sources.contract import (
    ARENDESYSTEM_KALLOR,
    CASE_SYSTEM_DIR,
    COLUMNS,
    PAYMENTS_DIR,
)
from jobbtorg_pipeline.sources.encoding import (
    CR_MARK,
    EncodingProblem,
    FileFingerprint,
    count_lines,
    fingerprint,
    read_header,
    transcode_to_utf8,
)
from jobbtorg_pipeline.sources.leverans import (
    UNKNOWN_NAME,
    PaymentDelivery,
    Snapshot,
    UnderDelivery,
    find_snapshot,
    payment_deliveries,
)
from jobbtorg_pipeline.warehouse import table_exists


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
    # Row accounting against the file's lines: fysiska_rader = rader + avvisade + inneslutna + tomma.
    fysiska_rader: int | None = None  # data lines in the file (after the header)
    inneslutna_rader: int = 0  # lines held inside a parsed or rejected record, past its first line
    tomma_rader: int = 0  # blank lines between records: no data, skipped by the reader
    redan_last: bool = False  # unchanged since an earlier run read it: its rows were kept, not read again


RAW_SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.filer (
    kalla VARCHAR, fil VARCHAR, manad VARCHAR, status VARCHAR, encoding VARCHAR, bom BOOLEAN,
    storlek BIGINT, sha256 VARCHAR, rader BIGINT, avvisade BIGINT, okanda_kolumner VARCHAR[],
    problem VARCHAR, foregaende_rader BIGINT);
CREATE TABLE IF NOT EXISTS raw.avvisade_rader (
    kalla VARCHAR, fil VARCHAR, rad BIGINT, feltyp VARCHAR, felmeddelande VARCHAR, radtext VARCHAR);
-- Row accounting against the file's lines (LoadedFile says what each is); added later, so a warehouse
-- from before gets them here.
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS fysiska_rader BIGINT;
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS inneslutna_rader BIGINT;
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS tomma_rader BIGINT;
ALTER TABLE raw.avvisade_rader ADD COLUMN IF NOT EXISTS rader BIGINT;  -- lines the record spans
ALTER TABLE raw.avvisade_rader ADD COLUMN IF NOT EXISTS tomma_i_posten BIGINT;  -- blank ones among them
ALTER TABLE raw.avvisade_rader ADD COLUMN IF NOT EXISTS avkortad BOOLEAN;  -- the reader cut its text short
-- When a file was read and by which reading code: a payment delivery is kept until either changes.
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS inlast TIMESTAMP;
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS lasare VARCHAR;
"""


@cache
def reader_version() -> str:
    """A fingerprint of the code that turns a file into raw rows (this package): what it read before a
    change to that code is read again, not trusted."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()[:16]


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
    if fp.lone_cr > 1 and fp.lines <= 1:  # not one LF: every line ends in a CR alone
        return unreadable(
            f"{label} ends its lines with a carriage return alone (CR, as old Mac files do), not with LF or "
            "CRLF, so its lines cannot be told apart. Ask for a new delivery with LF or CRLF line ends.",
            fp,
        )
    header = read_header(path, fp.encoding)
    if header is None:
        return unreadable(f"{label} is empty: not even a header row. Ask for a new delivery.", fp)
    wanted = COLUMNS[kalla]
    missing = [c for c in wanted if c not in header]
    if missing:
        return unreadable(
            f"{label} lacks the column(s) {', '.join(missing)}; {_header_in_words(header, wanted)} "
            "The file does not follow docs/source-files.md.",
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
        if fp.encoding != "utf-8" or fp.lone_cr:
            readable = transcode_to_utf8(path, fp.encoding, Path(tmp) / "utf8.csv")
        # the header's own cells name the columns: quoted as SQL strings, never pasted as they are
        columns = "{" + ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names) + "}"
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
        if fp.lone_cr:
            reject_lone_cr(con, kalla, label)
        rader, inneslutna, tomma_inne = parsed_lines(con, kalla, label)
        store_rejected(con, kalla, label, readable, len(names), spanning_before=inneslutna > 0)
        if fp.lone_cr:  # the reader's copy marked them; the quarantine shows the line as delivered
            con.execute(
                f"UPDATE raw.avvisade_rader SET radtext = {unmark('radtext')} "
                "WHERE kalla = ? AND fil = ? AND contains(radtext, ?)",
                [kalla, label, CR_MARK],
            )
    avvisade, inneslutna_avvisade, tomma_inne_avvisade = con.execute(
        """
        SELECT count(*), coalesce(sum(rader - 1), 0), coalesce(sum(tomma_i_posten), 0)
        FROM raw.avvisade_rader WHERE kalla = ? AND fil = ?
        """,
        [kalla, label],
    ).fetchone()
    inneslutna += inneslutna_avvisade
    tomma = fp.blank_lines - tomma_inne - tomma_inne_avvisade
    con.execute("DROP TABLE IF EXISTS temp.avvisade; DROP TABLE IF EXISTS temp.avvisade_scan")
    loaded = LoadedFile(
        kalla,
        label,
        fp,
        rader,
        avvisade,
        unknown,
        manad,
        None,
        baseline,
        fysiska_rader=max(fp.lines - 1, 0),
        inneslutna_rader=inneslutna,
        tomma_rader=tomma,
    )
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
    """Data lines of a CSV that are not blank (a baseline only: a quoted line break counts twice)."""
    lines, blank = count_lines(path)
    return max(lines - 1 - blank, 0)


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
        """
        INSERT INTO raw.filer (kalla, fil, manad, status, encoding, bom, storlek, sha256, rader, avvisade,
                               okanda_kolumner, problem, foregaende_rader, fysiska_rader, inneslutna_rader,
                               tomma_rader, inlast, lasare)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)
        """,
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
            loaded.fysiska_rader,
            loaded.inneslutna_rader,
            loaded.tomma_rader,
            reader_version(),
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
    under_delivery: tuple[UnderDelivery, ...] = ()


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
    for kalla in ARENDESYSTEM_KALLOR:
        create_raw_table(con, kalla)
        path = snapshot.path / f"{kalla}.csv"
        label = f"{CASE_SYSTEM_DIR}/{snapshot.path.name}/{path.name}"
        previous = snapshot.previous / path.name if snapshot.previous else None
        loaded.append(load_csv(con, path, kalla, label=label, work_dir=work_dir, previous=previous))
    record_not_read(con, "inskrivningar", snapshot.unknown, UNKNOWN_NAME)
    con.execute(
        """
        CREATE OR REPLACE TABLE raw.uttag AS
        SELECT ?::DATE AS uttagsdatum, 'filer' AS kalltyp, ? AS ogonblicksbild
        """,
        [snapshot.uttagsdatum, f"{CASE_SYSTEM_DIR}/{snapshot.path.name}"],
    )
    return CaseSystemLoad(snapshot, tuple(loaded))


UNDER_DELIVERY = "under leverans"


def load_payments(
    con: duckdb.DuckDBPyConnection,
    source_dir: Path,
    work_dir: Path,
    *,
    settle_seconds: float = 0,
    now: float | None = None,
) -> PaymentsLoad:
    """Read the latest settled delivery of every payment month into `raw.utbetalningar`."""
    deliveries, skipped, unsettled = payment_deliveries(source_dir, settle_seconds=settle_seconds, now=now)
    with transaction(con):
        return _load_deliveries(con, deliveries, skipped, unsettled, work_dir)


def _load_deliveries(
    con: duckdb.DuckDBPyConnection,
    deliveries: list[PaymentDelivery],
    skipped: list[tuple[str, str]],
    unsettled: list[UnderDelivery],
    work_dir: Path,
) -> PaymentsLoad:
    kept = _unchanged_deliveries(con, deliveries)
    _keep_only(con, kept)
    loaded = []
    replaced: list[str] = []
    for delivery in deliveries:
        label = f"{PAYMENTS_DIR}/{delivery.path.name}"
        loaded.append(
            kept.get(label)
            or load_csv(
                con, delivery.path, "utbetalningar", label=label, work_dir=work_dir, manad=delivery.manad
            )
        )
        replaced.extend(f"{PAYMENTS_DIR}/{p.name}" for p in delivery.superseded)
    record_not_read(con, "utbetalningar", replaced, "ersatt av senare leverans")
    record_not_read(con, "utbetalningar", (f"{PAYMENTS_DIR}/{name}" for name, _ in skipped), UNKNOWN_NAME)
    for file in unsettled:  # visible in raw.filer and the asset's metadata; the next run reads it
        con.execute(
            "INSERT INTO raw.filer (kalla, fil, manad, status, rader, avvisade) VALUES (?, ?, ?, ?, 0, 0)",
            ["utbetalningar", f"{PAYMENTS_DIR}/{file.path.name}", file.manad, UNDER_DELIVERY],
        )
    return PaymentsLoad(tuple(loaded), tuple(replaced), tuple(skipped), tuple(unsettled))


def _unchanged_deliveries(
    con: duckdb.DuckDBPyConnection, deliveries: list[PaymentDelivery]
) -> dict[str, LoadedFile]:
    """The deliveries an earlier run read whole, by the same reading code, whose file has not changed
    since (same name, month, size and SHA-256): their rows in the raw tables are what reading them again
    would give."""
    con.execute(RAW_SCHEMA_SQL)
    if not table_exists(con, "raw", "utbetalningar"):
        return {}
    ledger = {
        row[0]: row
        for row in con.execute(
            """
            SELECT fil, manad, encoding, bom, storlek, sha256, rader, avvisade, okanda_kolumner,
                   fysiska_rader, inneslutna_rader, tomma_rader
            FROM raw.filer
            WHERE kalla = 'utbetalningar' AND status = 'last' AND problem IS NULL AND lasare = ?
            """,
            [reader_version()],
        ).fetchall()
    }
    kept = {}
    for delivery in deliveries:
        label = f"{PAYMENTS_DIR}/{delivery.path.name}"
        row = ledger.get(label)
        if row is None or row[1] != delivery.manad or row[4] != delivery.path.stat().st_size:
            continue
        with delivery.path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != row[5]:
                continue
        _, manad, encoding, bom, size, sha256, rader, avvisade, okanda, fysiska, inneslutna, tomma = row
        # the line counts that only the reading itself needs are not kept: the ledger holds its results
        fp = FileFingerprint(delivery.path, encoding, bom, size, sha256, fysiska + 1)
        kept[label] = LoadedFile(
            "utbetalningar",
            label,
            fp,
            rader,
            avvisade,
            tuple(okanda or ()),
            manad,
            fysiska_rader=fysiska,
            inneslutna_rader=inneslutna,
            tomma_rader=tomma,
            redan_last=True,
        )
    return kept


def _keep_only(con: duckdb.DuckDBPyConnection, kept: dict[str, LoadedFile]) -> None:
    """Remove every payment row, rejected line and ledger entry but those of the `kept` deliveries."""
    if not kept:
        create_raw_table(con, "utbetalningar")
        return
    labels = sorted(kept)
    con.execute("DELETE FROM raw.utbetalningar WHERE NOT list_contains(?, _fil)", [labels])
    con.execute(
        "DELETE FROM raw.avvisade_rader WHERE kalla = 'utbetalningar' AND NOT list_contains(?, fil)", [labels]
    )
    con.execute(
        "DELETE FROM raw.filer "
        "WHERE kalla = 'utbetalningar' AND NOT (status = 'last' AND list_contains(?, fil))",
        [labels],
    )

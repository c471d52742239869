"""The file connector (docs/source-files.md, the embedded default): snapshot folders, monthly payment files.

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
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from jobbtorg_pipeline.sources.contract import (
    ARENDESYSTEM_KALLOR,
    CASE_SYSTEM_DIR,
    COLUMNS,
    PAYMENT_FILE_RULE,
    PAYMENTS_DIR,
    SNAPSHOT_FILES,
    SNAPSHOT_FOLDER,
    SUCCESS_MARKER,
    payment_file,
    settling,
)
from jobbtorg_pipeline.sources.encoding import (
    CR_MARK,
    CR_MARK_END,
    EncodingProblem,
    FileFingerprint,
    count_lines,
    fingerprint,
    read_header,
    transcode_to_utf8,
)

UNKNOWN_NAME = "okänt filnamn"


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
    unknown: tuple[str, ...] = ()  # files in the snapshot folder that are not extract files: not read


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
    # Row accounting against the file's lines: fysiska_rader = rader + avvisade + inneslutna + tomma.
    fysiska_rader: int | None = None  # data lines in the file (after the header)
    inneslutna_rader: int = 0  # lines held inside a parsed or rejected record, past its first line
    tomma_rader: int = 0  # blank lines between records: no data, skipped by the reader


def find_snapshot(source_dir: Path) -> Snapshot:
    """The newest snapshot folder holding `_SUCCESS`; its name is the uttagsdatum."""
    root = source_dir / CASE_SYSTEM_DIR
    if not root.is_dir():
        raise SourceError(
            f"No case-system folder at {root}. Point JOBBTORG_SOURCE (or --source) at a source laid out "
            "as in docs/source-files.md, or make one with `jobbtorg generate --out DIR`."
        )
    complete: list[tuple[date, Path]] = []
    skipped: list[tuple[str, str]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        when = _parse_date(folder.name) if SNAPSHOT_FOLDER.match(folder.name) else None
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
    unknown = tuple(
        f"{CASE_SYSTEM_DIR}/{path.name}/{p.name}"
        for p in sorted(path.iterdir())
        if p.name not in SNAPSHOT_FILES
    )
    return Snapshot(path, uttagsdatum, tuple(skipped), previous, unknown)


@dataclass(frozen=True)
class UnderDelivery:
    """A payment file changed so recently that it may still be being copied: not read this time."""

    path: Path
    manad: str
    age: float  # seconds since it last changed


def payment_deliveries(
    source_dir: Path, *, settle_seconds: float = 0, now: float | None = None
) -> tuple[list[PaymentDelivery], list[tuple[str, str]], list[UnderDelivery]]:
    """One delivery per payment month; a re-delivered month replaces the earlier delivery as a whole.

    Which names are deliveries is the rule in `sources/contract.py` (`payment_file`): a re-delivery
    overwrites the month's file or arrives beside it numbered (`utbetalningar_2019-09_2.csv`); the highest
    number wins and the others are recorded as replaced, not read. Any other name (a copy with another
    suffix, another case, a folder) is an unknown file: listed, never read.

    A file changed less than `settle_seconds` ago may be half copied: it is left out (returned as under
    delivery) and the month's newest settled delivery, if any, is read instead; the next run reads it.
    """
    root = source_dir / PAYMENTS_DIR
    if not root.is_dir():
        return [], [], []  # no payments delivered yet: the payment-based marts say so by their coverage
    now = time.time() if now is None else now
    by_month: dict[str, list[tuple[int, Path]]] = {}
    skipped: list[tuple[str, str]] = []
    unsettled: list[UnderDelivery] = []
    for path in sorted(root.iterdir()):
        delivery = payment_file(path.name) if path.is_file() else None
        if delivery is None:
            skipped.append((path.name, f"{UNKNOWN_NAME}: en leverans heter {PAYMENT_FILE_RULE}"))
            continue
        month, number = delivery
        mtime = path.stat().st_mtime
        if settling(mtime, settle_seconds, now):
            unsettled.append(UnderDelivery(path, month, max(now - mtime, 0.0)))
            continue
        by_month.setdefault(month, []).append((number, path))
    deliveries = []
    for month in sorted(by_month):
        ranked = [p for _, p in sorted(by_month[month])]
        deliveries.append(PaymentDelivery(path=ranked[-1], manad=month, superseded=tuple(ranked[:-1])))
    return deliveries, skipped, unsettled


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
-- Row accounting against the file's lines (LoadedFile says what each is); added later, so a warehouse
-- from before gets them here.
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS fysiska_rader BIGINT;
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS inneslutna_rader BIGINT;
ALTER TABLE raw.filer ADD COLUMN IF NOT EXISTS tomma_rader BIGINT;
ALTER TABLE raw.avvisade_rader ADD COLUMN IF NOT EXISTS rader BIGINT;  -- lines the record spans
ALTER TABLE raw.avvisade_rader ADD COLUMN IF NOT EXISTS tomma_i_posten BIGINT;  -- blank ones among them
ALTER TABLE raw.avvisade_rader ADD COLUMN IF NOT EXISTS avkortad BOOLEAN;  -- the reader cut its text short
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
        columns = "{" + ", ".join(f"{_sql_string(n)}: 'VARCHAR'" for n in names) + "}"
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
            _reject_lone_cr(con, kalla, label)
        rader, inneslutna, tomma_inne = _parsed_lines(con, kalla, label)
        _store_rejected(con, kalla, label, readable, len(names), spanning_before=inneslutna > 0)
        if fp.lone_cr:  # the reader's copy marked them; the quarantine shows the line as delivered
            con.execute(
                f"UPDATE raw.avvisade_rader SET radtext = {_unmark('radtext')} "
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


_CR_TAG = f"{CR_MARK}([0-9]+){CR_MARK_END}"


def _unmark(text: str) -> str:
    """SQL: `text` with each marked lone CR put back as the CR it was."""
    return f"regexp_replace({text}, {_sql_string(_CR_TAG)}, chr(13), 'g')"


def _reject_lone_cr(con: duckdb.DuckDBPyConnection, kalla: str, label: str) -> None:
    """Move the records that held a lone CR (marked in the reader's copy with its line) from
    `raw.<kalla>` to `raw.avvisade_rader`: the file's dialect ends lines with LF or CRLF only, so such a
    record's fields cannot be trusted. The reason names the field(s) and `rad` the line of the CR."""
    cols = COLUMNS[kalla]
    marked = " OR ".join(f"contains(r.{c}, {_sql_string(CR_MARK)})" for c in cols)
    names = ", ".join(f"CASE WHEN contains(r.{c}, {_sql_string(CR_MARK)}) THEN '{c}' END" for c in cols)
    joined = f"concat_ws(';', {', '.join(f'r.{c}' for c in cols)})"
    lines = _lines_sql("t")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ensamma_cr AS
        SELECT _radnr, {_unmark(joined)} AS t, concat_ws(', ', {names}) AS falt,
               list_min(list_transform(regexp_extract_all({joined}, {_sql_string(_CR_TAG)}, 1),
                                       lambda x: x::BIGINT)) AS rad
        FROM raw.{kalla} AS r WHERE r._fil = ? AND ({marked})
        """,
        [label],
    )
    con.execute(
        f"""
        INSERT INTO raw.avvisade_rader
            (kalla, fil, rad, feltyp, felmeddelande, radtext, rader, tomma_i_posten, avkortad)
        SELECT ?, ?, rad, 'ENSAMT CR',
               'ett ensamt CR-tecken (vagnretur utan radslut) i fältet ' || falt || ' på rad ' || rad
               || ': filens rader ska sluta med LF eller CRLF, så radens fält går inte att lita på',
               t, len({lines}), {_blank(f"list_slice({lines}, 2, len({lines}) - 1)")}, false
        FROM temp.ensamma_cr ORDER BY rad
        """,
        [kalla, label],
    )
    con.execute(
        f"DELETE FROM raw.{kalla} WHERE _fil = ? AND _radnr IN (SELECT _radnr FROM temp.ensamma_cr)", [label]
    )
    con.execute("DROP TABLE temp.ensamma_cr")


def _sql_string(text: str) -> str:
    """A SQL string literal holding `text` as it is (a header cell may hold a quote)."""
    return "'" + text.replace("'", "''") + "'"


def _parsed_lines(con: duckdb.DuckDBPyConnection, kalla: str, label: str) -> tuple[int, int, int]:
    """(records parsed, the lines they hold beyond their first, the blank lines among those) of a file.

    A field holds a line break only when a quote kept it open over a line end (the row rule
    `radbrytning_i_falt` quarantines such a record). Only the records with one are split into lines. The
    fields are joined with `;`, so a line is blank only when a field itself held two line breaks in a row
    (the last piece runs on into the closing quote or the next field: never a blank line).
    """
    cols = COLUMNS[kalla]
    joined = f"concat_ws(';', {', '.join(f'r.{c}' for c in cols)})"
    spanning = " OR ".join(f"contains(r.{c}, chr(10))" for c in cols)
    lines = _lines_sql("t")
    return con.execute(
        f"""
        SELECT count(*), coalesce(sum(len({lines}) - 1), 0),
               coalesce(sum({_blank(f"list_slice({lines}, 2, len({lines}) - 1)")}), 0)
        FROM (SELECT CASE WHEN {spanning} THEN {joined} END AS t FROM raw.{kalla} AS r WHERE r._fil = ?)
        """,
        [label],
    ).fetchone()


def _lines_sql(text: str) -> str:
    return f"string_split({text}, chr(10))"


def _blank(lines: str) -> str:
    """How many of a list of lines are empty (a lone CR counts as empty)."""
    return f"len(list_filter({lines}, lambda x: x = '' OR x = chr(13)))"


# DuckDB's CSV reader keeps at most this many bytes of a line it rejects: a quote left open to the
# end of the file beyond that leaves lines that no row or quarantined text holds (radredovisning blocks).
REJECTED_TEXT_LIMIT = 10_000
# DuckDB's CSV reader rejects a line longer than this (its max_line_size, left at the default).
MAX_LINE_BYTES = 2_000_000


def _store_rejected(
    con: duckdb.DuckDBPyConnection,
    kalla: str,
    label: str,
    readable: Path,
    fields: int,
    spanning_before: bool,
) -> None:
    """Move the lines DuckDB's CSV reader rejected into `raw.avvisade_rader`, one row per record.

    A rejected record's text (`csv_line`) starts with the blank lines before it, and one that an unclosed
    quote ran to the end of the file ends with its line end: the record is what lies between, and the
    lines it spans are counted. The reason is one sentence: the fields expected and found, or the quote.
    DuckDB numbers a record that spans several lines as one line; `rad` is corrected to the line in the
    file from the record's byte position when an earlier record spanned several lines.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE avvisade_poster AS
        WITH fel AS (
            -- a line too long for the reader has no column (column_idx NULL): order it first
            SELECT line, min(line_byte_position) AS byte,
                   arg_min(csv_line, coalesce(column_idx, -1)) AS csv_line,
                   CASE WHEN bool_or(error_type::VARCHAR = 'UNQUOTED VALUE') THEN 'UNQUOTED VALUE'
                        ELSE arg_min(error_type::VARCHAR, coalesce(column_idx, -1)) END AS feltyp,
                   max(regexp_extract(error_message, 'Actual Size: *([0-9]+)', 1))
                       FILTER (WHERE error_type::VARCHAR = 'LINE SIZE OVER MAXIMUM') AS langd,
                   min(column_idx) FILTER (WHERE error_type::VARCHAR = 'MISSING COLUMNS') AS fann_fa,
                   max(column_idx) FILTER (WHERE error_type::VARCHAR = 'TOO MANY COLUMNS') AS fann_manga
            FROM temp.avvisade GROUP BY line
        ),
        delad AS (
            SELECT *, length(csv_line) - length(ltrim(csv_line, chr(13) || chr(10))) AS inledande,
                   regexp_replace(ltrim(csv_line, chr(13) || chr(10)), '\r?\n$', '') AS post
            FROM fel
        )
        SELECT line, byte, csv_line, feltyp, post, strlen(csv_line) >= {REJECTED_TEXT_LIMIT} AS avkortad,
               len(string_split(substr(csv_line, 1, inledande), chr(10))) - 1 AS tomma_fore,
               len({_lines_sql("post")}) AS rader,
               {_blank(f"{_lines_sql('post')}[2:]")} AS tomma_i_posten,
               CASE
                   WHEN feltyp = 'UNQUOTED VALUE' AND strlen(csv_line) >= {REJECTED_TEXT_LIMIT}
                       THEN 'ett citattecken som inte stängs slog ihop raderna härifrån till filens slut; '
                            || 'läsaren behöll bara de första {REJECTED_TEXT_LIMIT} byten ('
                            || len({_lines_sql("post")}) || ' rader)'
                   WHEN feltyp = 'UNQUOTED VALUE' AND len({_lines_sql("post")}) > 1
                       THEN 'ett citattecken som inte stängs slog ihop ' || len({_lines_sql("post")})
                            || ' rader, som inte kunde delas i fält'
                   WHEN feltyp = 'UNQUOTED VALUE'
                       THEN 'ett citattecken som inte stängs: raden kunde inte delas i fält'
                   WHEN feltyp = 'LINE SIZE OVER MAXIMUM'
                       THEN 'raden är ' || coalesce(langd || ' byte', 'för') || ' lång, över läsarens '
                            || 'gräns på {MAX_LINE_BYTES} byte per rad: något fält är orimligt stort '
                            || '(radens första {REJECTED_TEXT_LIMIT} byte visas)'
                   WHEN coalesce(fann_fa, fann_manga) IS NOT NULL
                       THEN 'fel antal fält: väntade {fields}, fann ' || coalesce(fann_fa, fann_manga)
                            || CASE WHEN len({_lines_sql("post")}) > 1
                                    THEN ' (på ' || len({_lines_sql("post")}) || ' rader, ihopslagna av ett '
                                         || 'citattecken som inte stängs)' ELSE '' END
                   ELSE 'raden kunde inte delas i fält (' || feltyp || ')'
               END AS felmeddelande
        FROM delad
        """
    )
    rad = _physical_lines(con, readable, spanning_before)
    con.execute(
        f"""
        INSERT INTO raw.avvisade_rader
            (kalla, fil, rad, feltyp, felmeddelande, radtext, rader, tomma_i_posten, avkortad)
        SELECT ?, ?, {rad}, feltyp, felmeddelande, post, rader, tomma_i_posten, avkortad
        FROM temp.avvisade_poster ORDER BY line
        """,
        [kalla, label],
    )
    con.execute("DROP TABLE temp.avvisade_poster; DROP TABLE IF EXISTS temp.avvisade_fysiska")


def _physical_lines(con: duckdb.DuckDBPyConnection, readable: Path, spanning_before: bool) -> str:
    """SQL for the line in the file where each rejected record's own text starts.

    DuckDB counts blank lines but numbers a record spanning several lines as one line, so its number is
    the line in the file while no record spans several lines (the common case). Otherwise the line is
    counted from the record's byte position in one streamed pass over the file. The position is checked
    against the record's text; where they disagree, DuckDB's number is kept.
    """
    if not spanning_before:
        (spanning_before,) = con.execute(
            "SELECT count(*) > 0 FROM temp.avvisade_poster WHERE rader > 1"
        ).fetchone()
    records = con.execute("SELECT line, byte, left(csv_line, 32) FROM temp.avvisade_poster").fetchall()
    if not spanning_before or not records:
        return "line"
    offsets = {}
    with readable.open("rb") as handle:
        for line, byte, start in records:
            for offset in (byte - 1, byte):  # DuckDB 2.0 gives the offset plus one
                handle.seek(max(offset, 0))
                text = start.encode("utf-8")
                if offset >= 0 and handle.read(len(text)) == text:
                    offsets[line] = offset
                    break
    at = _line_numbers_at(readable, sorted(set(offsets.values())))
    con.execute("CREATE OR REPLACE TEMP TABLE avvisade_fysiska (line BIGINT, fysisk BIGINT)")
    if offsets:
        con.executemany(
            "INSERT INTO temp.avvisade_fysiska VALUES (?, ?)", [(line, at[o]) for line, o in offsets.items()]
        )
    return (
        "coalesce((SELECT f.fysisk + tomma_fore FROM temp.avvisade_fysiska AS f WHERE f.line = "
        "avvisade_poster.line), line)"
    )


def _line_numbers_at(path: Path, offsets: list[int]) -> dict[int, int]:
    """The line number (the first line is 1) at each of the sorted byte offsets of a file, in one pass."""
    found: dict[int, int] = {}
    line, start, i = 1, 0, 0
    with path.open("rb") as handle:
        while i < len(offsets) and (block := handle.read(1 << 20)):
            end = start + len(block)
            done = 0
            while i < len(offsets) and offsets[i] < end:
                line += block.count(b"\n", done, offsets[i] - start)
                done = offsets[i] - start
                found[offsets[i]] = line
                i += 1
            line += block.count(b"\n", done)
            start = end
    return found


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
                               tomma_rader)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
    record_not_read(con, "utbetalningar", (f"{PAYMENTS_DIR}/{name}" for name, _ in skipped), UNKNOWN_NAME)
    for file in unsettled:  # visible in raw.filer and the asset's metadata; the next run reads it
        con.execute(
            "INSERT INTO raw.filer (kalla, fil, manad, status, rader, avvisade) VALUES (?, ?, ?, ?, 0, 0)",
            ["utbetalningar", f"{PAYMENTS_DIR}/{file.path.name}", file.manad, UNDER_DELIVERY],
        )
    return PaymentsLoad(tuple(loaded), tuple(replaced), tuple(skipped), tuple(unsettled))

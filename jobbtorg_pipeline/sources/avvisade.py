"""Lines of a source file that DuckDB's CSV reader could not split into the header's fields, kept with
their line numbers and text in `raw.avvisade_rader`, so that nothing read is lost: the forensics of the
file connector (`files.py`). A record that held a lone CR (a line end the file's dialect does not use) is
moved there too; and every line of a file is accounted for, as a row, a rejected line, a line inside a
record or a blank line (the blocking check `radredovisning` holds them equal).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from jobbtorg_pipeline.sources.contract import COLUMNS
from jobbtorg_pipeline.sources.encoding import CR_MARK, CR_MARK_END

_CR_TAG = f"{CR_MARK}([0-9]+){CR_MARK_END}"


def unmark(text: str) -> str:
    """SQL: `text` with each marked lone CR put back as the CR it was."""
    return f"regexp_replace({text}, {sql_string(_CR_TAG)}, chr(13), 'g')"


def reject_lone_cr(con: duckdb.DuckDBPyConnection, kalla: str, label: str) -> None:
    """Move the records that held a lone CR (marked in the reader's copy with its line) from
    `raw.<kalla>` to `raw.avvisade_rader`: the file's dialect ends lines with LF or CRLF only, so such a
    record's fields cannot be trusted. The reason names the field(s) and `rad` the line of the CR."""
    cols = COLUMNS[kalla]
    marked = " OR ".join(f"contains(r.{c}, {sql_string(CR_MARK)})" for c in cols)
    names = ", ".join(f"CASE WHEN contains(r.{c}, {sql_string(CR_MARK)}) THEN '{c}' END" for c in cols)
    joined = f"concat_ws(';', {', '.join(f'r.{c}' for c in cols)})"
    lines = _lines_sql("t")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ensamma_cr AS
        SELECT _radnr, {unmark(joined)} AS t, concat_ws(', ', {names}) AS falt,
               list_min(list_transform(regexp_extract_all({joined}, {sql_string(_CR_TAG)}, 1),
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


def sql_string(text: str) -> str:
    """A SQL string literal holding `text` as it is (a header cell may hold a quote)."""
    return "'" + text.replace("'", "''") + "'"


def parsed_lines(con: duckdb.DuckDBPyConnection, kalla: str, label: str) -> tuple[int, int, int]:
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


def store_rejected(
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

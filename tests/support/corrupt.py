"""Ways to damage a source extract, for the tests that check nothing is lost and nothing crashes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

CASE_FILES = ("inskrivningar.csv", "insatser.csv")


def copy_source(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def newest_snapshot(source: Path) -> Path:
    complete = sorted(p for p in (source / "arendesystem").iterdir() if (p / "_SUCCESS").exists())
    return complete[-1]


def payment_files(source: Path) -> list[Path]:
    return sorted((source / "utbetalningar").glob("utbetalningar_*.csv"))


def read_lines(path: Path) -> tuple[str, list[str]]:
    """The file's encoding as written by the generator (UTF-8, maybe with BOM, or Windows-1252) and lines."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return encoding, raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise ValueError(path)


def write_lines(path: Path, encoding: str, lines: list[str]) -> None:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def append_lines(path: Path, extra: list[str]) -> None:
    encoding, lines = read_lines(path)
    write_lines(path, encoding, lines + extra)


def replace_field(line: str, index: int, value: str) -> str:
    fields = line.split(";")
    fields[index] = value
    return ";".join(fields)


# --- random damage for the property test: each returns a short description of what it did ---------------


def _pick_file(source: Path, rng: random.Random) -> Path:
    files = [newest_snapshot(source) / name for name in CASE_FILES] + payment_files(source)
    return rng.choice(files)


def drop_field(source: Path, rng: random.Random) -> str:
    path = _pick_file(source, rng)
    encoding, lines = read_lines(path)
    i = rng.randrange(1, len(lines))
    fields = lines[i].split(";")
    del fields[rng.randrange(len(fields))]
    lines[i] = ";".join(fields)
    write_lines(path, encoding, lines)
    return f"dropped a field on line {i + 1} of {path.name}"


def bad_date(source: Path, rng: random.Random) -> str:
    path = newest_snapshot(source) / rng.choice(CASE_FILES)
    encoding, lines = read_lines(path)
    header = lines[0].split(";")
    column = header.index("startdatum" if "startdatum" in header else "inskrivningsdatum")
    i = rng.randrange(1, len(lines))
    lines[i] = replace_field(lines[i], column, rng.choice(["2019-02-30", "2019-2-3", "igår", "20190203"]))
    write_lines(path, encoding, lines)
    return f"bad date on line {i + 1} of {path.name}"


def bad_number(source: Path, rng: random.Random) -> str:
    path = rng.choice(payment_files(source))
    encoding, lines = read_lines(path)
    column = lines[0].split(";").index("belopp")
    i = rng.randrange(1, len(lines))
    lines[i] = replace_field(lines[i], column, rng.choice(["abc", "12.345", "1 2 3", ""]))
    write_lines(path, encoding, lines)
    return f"bad belopp on line {i + 1} of {path.name}"


def empty_id(source: Path, rng: random.Random) -> str:
    # a case-system file two times in three: an empty registration id also leaves its insatser orphaned
    path = rng.choice(
        [newest_snapshot(source) / name for name in CASE_FILES] + [rng.choice(payment_files(source))]
    )
    encoding, lines = read_lines(path)
    header = lines[0].split(";")
    column = next(header.index(c) for c in ("insats_id", "utbetalning_id", "inskrivning_id") if c in header)
    i = rng.randrange(1, len(lines))
    lines[i] = replace_field(lines[i], column, rng.choice(["", "  "]))
    write_lines(path, encoding, lines)
    return f"emptied the id on line {i + 1} of {path.name}"


def stray_quote(source: Path, rng: random.Random) -> str:
    """A quote opening a field, closed some lines later or never: the lines between join one field."""
    path = _pick_file(source, rng)
    encoding, lines = read_lines(path)
    i = rng.randrange(1, len(lines))
    column = rng.randrange(len(lines[i].split(";")))
    lines[i] = replace_field(lines[i], column, '"' + lines[i].split(";")[column])
    closed = ""
    if rng.random() < 0.5 and i + 1 < len(lines):
        j = rng.randrange(i + 1, min(i + 12, len(lines)))
        lines[j] = replace_field(lines[j], column, lines[j].split(";")[column] + '"')
        closed = f", closed on line {j + 1}"
    write_lines(path, encoding, lines)
    return f"stray quote on line {i + 1} of {path.name}{closed}"


def duplicate_row(source: Path, rng: random.Random) -> str:
    path = _pick_file(source, rng)
    encoding, lines = read_lines(path)
    i = rng.randrange(1, len(lines))
    write_lines(path, encoding, [*lines, lines[i]])
    return f"duplicated line {i + 1} of {path.name}"


def conflicting_row(source: Path, rng: random.Random) -> str:
    path = newest_snapshot(source) / rng.choice(CASE_FILES)
    encoding, lines = read_lines(path)
    i = rng.randrange(1, len(lines))
    last = len(lines[0].split(";")) - 1  # andrad_tid: a changed timestamp is a different row
    write_lines(path, encoding, [*lines, replace_field(lines[i], last, "2000-01-01 00:00:00")])
    return f"conflicting copy of line {i + 1} of {path.name}"


def to_windows_1252(source: Path, rng: random.Random) -> str:
    path = _pick_file(source, rng)
    _, lines = read_lines(path)
    write_lines(path, "cp1252", lines)
    return f"re-encoded {path.name} in Windows-1252"


def invalid_bytes(source: Path, rng: random.Random) -> str:
    path = _pick_file(source, rng)
    path.write_bytes(path.read_bytes() + b"X1;\x81\x8d\x90;\n")
    return f"bytes in no known encoding in {path.name}"


def truncate(source: Path, rng: random.Random) -> str:
    path = newest_snapshot(source) / rng.choice(CASE_FILES)
    encoding, lines = read_lines(path)
    write_lines(path, encoding, lines[: max(2, len(lines) // 2)])
    return f"cut {path.name} in half"


def empty_file(source: Path, rng: random.Random) -> str:
    path = _pick_file(source, rng)
    path.write_bytes(b"")
    return f"emptied {path.name}"


DAMAGE = (
    drop_field,
    bad_date,
    bad_number,
    empty_id,
    stray_quote,
    duplicate_row,
    conflicting_row,
    to_windows_1252,
    invalid_bytes,
    truncate,
    empty_file,
)

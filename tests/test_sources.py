"""The file connector: newest complete snapshot, encodings, re-deliveries, and malformed files."""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobbtorg_pipeline.sources.contract import PAYMENT_FILE_RULE
from jobbtorg_pipeline.sources.encoding import EncodingProblem, LineCounter, fingerprint
from jobbtorg_pipeline.sources.files import load_case_system, load_payments
from jobbtorg_pipeline.sources.leverans import SourceError, find_snapshot, payment_deliveries
from tests.support.sourcebuilder import SourceBuilder, pnr

A = pnr("19800101", 1, woman=True)


def _source(root: Path, uttag: str = "2019-10-01", **write) -> SourceBuilder:
    src = SourceBuilder(root, uttag)
    src.inskrivning("I1", A, "2019-01-10", "2019-03-01", "aterremiss", stadsdel="Älvsjö")
    src.insats("S1", "I1", "coachning", "2019-01-15")
    src.utbetalning("U1", A, "2019-03", "5000,50", stadsdel="Älvsjö")
    src.write(**write)
    return src


def _load(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_case_system(con, root, root)
    load_payments(con, root, root)
    return con


def test_newest_complete_snapshot_wins_and_incomplete_ones_are_reported(tmp_path):
    _source(tmp_path, "2019-09-24")
    _source(tmp_path, "2019-10-01")
    _source(tmp_path, "2019-10-02", complete=False)  # still being written
    (tmp_path / "arendesystem" / "senaste").mkdir()
    snap = find_snapshot(tmp_path)
    assert snap.uttagsdatum == date(2019, 10, 1)
    assert dict(snap.skipped) == {
        "2019-10-02": "ofullständig: saknar _SUCCESS",
        "senaste": "namnet är inte ett datum YYYY-MM-DD",
    }


def test_no_complete_snapshot_is_a_clear_error(tmp_path):
    _source(tmp_path, complete=False)
    with pytest.raises(SourceError, match="No complete snapshot"):
        find_snapshot(tmp_path)
    with pytest.raises(SourceError, match="No case-system folder"):
        find_snapshot(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("data", "encoding", "bom"),
    [
        ("a;b\nÄlvsjö;1\n".encode(), "utf-8", False),
        (b"\xef\xbb\xbf" + "a;b\nÄlvsjö;1\n".encode(), "utf-8", True),
        ("a;b\nÄlvsjö;€1\n".encode("cp1252"), "cp1252", False),
        (b"a;b\nplain;1\n", "utf-8", False),
    ],
)
def test_encoding_is_found_per_file(tmp_path, data, encoding, bom):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    fp = fingerprint(path)
    assert (fp.encoding, fp.bom, fp.size) == (encoding, bom, len(data))


def test_bytes_in_no_known_encoding_are_a_clear_error(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a;b\n\xc3(\x81;1\n")  # invalid UTF-8, and 0x81 is undefined in Windows-1252
    with pytest.raises(EncodingProblem, match="neither UTF-8 nor Windows-1252"):
        fingerprint(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_every_allowed_encoding_reads_the_same_text(tmp_path, encoding):
    _source(tmp_path, encoding=encoding)
    con = _load(tmp_path)
    assert con.execute("SELECT stadsdel FROM raw.inskrivningar").fetchone()[0] == "Älvsjö"
    assert con.execute("SELECT stadsdel, belopp FROM raw.utbetalningar").fetchone() == ("Älvsjö", "5000,50")
    files = con.execute("SELECT fil, encoding, rader, avvisade FROM raw.filer ORDER BY fil").fetchall()
    special = "cp1252" if encoding == "cp1252" else "utf-8"
    # insatser.csv holds only ASCII, which is valid UTF-8 whatever it was written as
    assert [f[1] for f in files] == ["utf-8", special, special]
    assert [f[2:] for f in files] == [(1, 0)] * 3


def test_a_header_in_another_order_reads_by_name(tmp_path):
    _source(tmp_path)
    path = tmp_path / "arendesystem" / "2019-10-01" / "insatser.csv"
    header, row = path.read_text().splitlines()
    order = list(reversed(range(len(header.split(";")))))
    path.write_text(
        ";".join(header.split(";")[i] for i in order)
        + "\n"
        + ";".join(row.split(";")[i] for i in order)
        + "\n"
    )
    con = _load(tmp_path)
    assert con.execute("SELECT insats_id, insatstyp, startdatum FROM raw.insatser").fetchone() == (
        "S1",
        "coachning",
        "2019-01-15",
    )


def _problems(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT fil, problem FROM raw.filer WHERE problem IS NOT NULL").fetchall())


def test_a_missing_column_is_recorded_for_the_blocking_check(tmp_path):
    _source(tmp_path)
    path = tmp_path / "arendesystem" / "2019-10-01" / "insatser.csv"
    lines = [";".join(line.split(";")[1:]) for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")
    con = _load(tmp_path)
    (problem,) = _problems(con).values()
    assert "lacks the column(s) insats_id" in problem
    assert con.execute("SELECT count(*) FROM raw.insatser").fetchone()[0] == 0  # not half-read


def test_an_empty_file_is_recorded_for_the_blocking_check(tmp_path):
    _source(tmp_path)
    (tmp_path / "arendesystem" / "2019-10-01" / "insatser.csv").write_bytes(b"")
    assert "is empty" in _problems(_load(tmp_path))["arendesystem/2019-10-01/insatser.csv"]


def test_a_file_in_no_known_encoding_is_recorded_for_the_blocking_check(tmp_path):
    _source(tmp_path)
    path = tmp_path / "utbetalningar" / "utbetalningar_2019-03.csv"
    path.write_bytes(path.read_bytes() + b"U9;\x81\x8d;x\n")
    assert (
        "neither UTF-8 nor Windows-1252"
        in _problems(_load(tmp_path))["utbetalningar/utbetalningar_2019-03.csv"]
    )


def test_a_complete_snapshot_without_a_file_is_recorded_for_the_blocking_check(tmp_path):
    _source(tmp_path)
    (tmp_path / "arendesystem" / "2019-10-01" / "insatser.csv").unlink()
    assert "is missing" in _problems(_load(tmp_path))["arendesystem/2019-10-01/insatser.csv"]


def test_the_previous_snapshot_gives_the_truncation_baseline(tmp_path):
    older = _source(tmp_path, "2019-09-24")
    older.inskrivning("I2", A, "2019-02-10")
    older.write()
    _source(tmp_path, "2019-10-01")
    con = _load(tmp_path)
    baselines = dict(
        con.execute("SELECT fil, foregaende_rader FROM raw.filer WHERE kalla <> 'utbetalningar'").fetchall()
    )
    assert baselines == {
        "arendesystem/2019-10-01/inskrivningar.csv": 2,
        "arendesystem/2019-10-01/insatser.csv": 1,
    }


def test_lines_with_the_wrong_number_of_fields_are_kept_aside_not_lost(tmp_path):
    _source(tmp_path)
    path = tmp_path / "arendesystem" / "2019-10-01" / "insatser.csv"
    text = path.read_text()
    path.write_text(text + "S2;I1;coachning\n" + text.splitlines()[1].replace("S1", "S3") + ";extra\n")
    con = _load(tmp_path)
    assert con.execute("SELECT count(*) FROM raw.insatser").fetchone()[0] == 1
    rejected = con.execute("SELECT rad, feltyp, radtext FROM raw.avvisade_rader ORDER BY rad").fetchall()
    assert [(r[0], r[1]) for r in rejected] == [(3, "MISSING COLUMNS"), (4, "TOO MANY COLUMNS")]
    assert rejected[0][2].strip() == "S2;I1;coachning"


def test_a_redelivered_month_replaces_the_earlier_delivery(tmp_path):
    src = _source(tmp_path)
    folder = tmp_path / "utbetalningar"
    (folder / "utbetalningar_2019-03_2.csv").write_text(
        (folder / "utbetalningar_2019-03.csv").read_text().replace("5000,50", "4000,00")
    )
    (folder / "utbetalningar_2019-03_10.csv").write_text(
        (folder / "utbetalningar_2019-03.csv").read_text().replace("5000,50", "3000,00")
    )
    (folder / "README.txt").write_text("not a delivery")
    deliveries, skipped, unsettled = payment_deliveries(tmp_path)
    assert unsettled == []  # nothing waits for files to settle unless asked to
    assert [(d.manad, d.path.name) for d in deliveries] == [("2019-03", "utbetalningar_2019-03_10.csv")]
    assert [p.name for p in deliveries[0].superseded] == [
        "utbetalningar_2019-03.csv",
        "utbetalningar_2019-03_2.csv",
    ]
    assert skipped == [("README.txt", f"okänt filnamn: en leverans heter {PAYMENT_FILE_RULE}")]
    con = _load(tmp_path)
    assert con.execute("SELECT belopp FROM raw.utbetalningar").fetchall() == [("3000,00",)]
    statuses = dict(con.execute("SELECT fil, status FROM raw.filer WHERE kalla = 'utbetalningar'").fetchall())
    assert statuses["utbetalningar/utbetalningar_2019-03.csv"] == "ersatt av senare leverans"
    assert statuses["utbetalningar/README.txt"] == "okänt filnamn"
    del src


@pytest.mark.parametrize(
    "name",
    [
        "utbetalningar_2019-03_gammal.csv",  # a half copy kept beside the month
        "utbetalningar_2019-03-2.csv",
        "utbetalningar_2019-03_0.csv",
        "Utbetalningar_2019-03.csv",
        "utbetalningar_2019-03.CSV",
        "utbetalningar_2019-13.csv",
        "utbetalningar_2019-03.csv.bak",
    ],
)
def test_only_the_named_deliveries_are_read_any_other_file_is_listed_not_read(tmp_path, name):
    """A copy with another name beside the month must never replace it (it once won on a fresh warehouse,
    being half the month): only utbetalningar_YYYY-MM.csv and its numbered re-deliveries are read."""
    _source(tmp_path)
    folder = tmp_path / "utbetalningar"
    (folder / name).write_text((folder / "utbetalningar_2019-03.csv").read_text().replace("5000,50", "1,00"))
    (folder / "utbetalningar_2019-04").mkdir()  # a folder is not a delivery either
    deliveries, skipped, _ = payment_deliveries(tmp_path)
    assert [(d.manad, d.path.name, d.superseded) for d in deliveries] == [
        ("2019-03", "utbetalningar_2019-03.csv", ())
    ]
    assert [n for n, _ in skipped] == sorted([name, "utbetalningar_2019-04"])
    con = _load(tmp_path)
    assert con.execute("SELECT belopp FROM raw.utbetalningar").fetchall() == [("5000,50",)]
    assert con.execute(
        "SELECT fil, status FROM raw.filer WHERE kalla = 'utbetalningar' AND status <> 'last' ORDER BY fil"
    ).fetchall() == [(f"utbetalningar/{n}", "okänt filnamn") for n in sorted([name, "utbetalningar_2019-04"])]


def test_an_unknown_file_in_a_snapshot_is_listed_not_read(tmp_path):
    _source(tmp_path)
    snapshot = tmp_path / "arendesystem" / "2019-10-01"
    (snapshot / "inskrivningar_gammal.csv").write_text((snapshot / "inskrivningar.csv").read_text())
    assert find_snapshot(tmp_path).unknown == ("arendesystem/2019-10-01/inskrivningar_gammal.csv",)
    con = _load(tmp_path)
    assert con.execute("SELECT fil, status, rader FROM raw.filer WHERE fil LIKE '%gammal%'").fetchall() == [
        ("arendesystem/2019-10-01/inskrivningar_gammal.csv", "okänt filnamn", 0)
    ]


def test_an_overwritten_month_reads_the_new_content(tmp_path):
    _source(tmp_path)
    path = tmp_path / "utbetalningar" / "utbetalningar_2019-03.csv"
    first = (
        _load(tmp_path).execute("SELECT sha256 FROM raw.filer WHERE fil LIKE 'utbetalningar/%'").fetchone()
    )
    path.write_text(path.read_text().replace("5000,50", "1,00"))
    os.utime(path)
    con = _load(tmp_path)
    assert con.execute("SELECT belopp FROM raw.utbetalningar").fetchall() == [("1,00",)]
    assert con.execute("SELECT sha256 FROM raw.filer WHERE fil LIKE 'utbetalningar/%'").fetchone() != first


SETTLE = 30  # seconds, JOBBTORG_SETTLE_SECONDS's default


def _set_age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_a_payment_file_still_being_copied_is_left_out_until_it_has_settled(tmp_path):
    """A copy in progress must not be read half-written: a new month's file, and a suffixed re-delivery,
    changed within the settle time, are left out (the month's earlier delivery is read instead),
    recorded as 'under leverans', and read by the first load after they have settled."""
    src = _source(tmp_path)
    src.utbetalning("U2", A, "2019-04", "7000,00", stadsdel="Älvsjö")
    src.write()
    folder = tmp_path / "utbetalningar"
    for path in folder.iterdir():
        _set_age(path, 3_600)
    redelivery = folder / "utbetalningar_2019-03_2.csv"
    redelivery.write_text((folder / "utbetalningar_2019-03.csv").read_text().replace("5000,50", "4000,00"))
    _set_age(folder / "utbetalningar_2019-04.csv", SETTLE - 10)  # still being copied
    _set_age(redelivery, 2)

    con = duckdb.connect()
    loaded = load_payments(con, tmp_path, tmp_path, settle_seconds=SETTLE)
    assert sorted(u.path.name for u in loaded.under_delivery) == [
        "utbetalningar_2019-03_2.csv",
        "utbetalningar_2019-04.csv",
    ]
    assert [f.label for f in loaded.files] == ["utbetalningar/utbetalningar_2019-03.csv"]
    assert con.execute("SELECT belopp FROM raw.utbetalningar").fetchall() == [("5000,50",)]
    assert con.execute(
        "SELECT fil, manad, status, rader FROM raw.filer WHERE kalla = 'utbetalningar' ORDER BY fil"
    ).fetchall() == [
        ("utbetalningar/utbetalningar_2019-03.csv", "2019-03", "last", 1),
        ("utbetalningar/utbetalningar_2019-03_2.csv", "2019-03", "under leverans", 0),
        ("utbetalningar/utbetalningar_2019-04.csv", "2019-04", "under leverans", 0),
    ]

    _set_age(folder / "utbetalningar_2019-04.csv", SETTLE + 1)  # the copies have finished
    _set_age(redelivery, SETTLE + 1)
    loaded = load_payments(con, tmp_path, tmp_path, settle_seconds=SETTLE)
    assert loaded.under_delivery == ()
    assert sorted(con.execute("SELECT belopp FROM raw.utbetalningar").fetchall()) == [
        ("4000,00",),
        ("7000,00",),
    ]
    assert con.execute("SELECT count(*) FROM raw.filer WHERE status = 'under leverans'").fetchone()[0] == 0


def test_a_file_without_its_header_row_names_the_missing_columns_and_echoes_no_data(tmp_path):
    """Its first data line is read as the header: the problem names the contract's columns it lacks and
    shows no cell of that line, which holds a personnummer (it reaches the check, Data Docs and logs)."""
    _source(tmp_path)
    path = tmp_path / "arendesystem" / "2019-10-01" / "inskrivningar.csv"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    (problem,) = _problems(_load(tmp_path)).values()
    assert "lacks the column(s) inskrivning_id, personnummer, kon" in problem
    assert "header row missing" in problem
    assert A not in problem and "I1" not in problem and "Älvsjö" not in problem
    assert not re.search(r"\d{4}", problem.replace("2019-10-01", ""))


def test_header_cells_are_shown_only_when_they_look_like_column_names(tmp_path):
    _source(tmp_path)
    path = tmp_path / "arendesystem" / "2019-10-01" / "insatser.csv"
    header, row = path.read_text().splitlines()
    cells = header.split(";")
    cells[0] = "insats_nr"  # a renamed column: worth showing
    path.write_text(";".join([*cells, A]) + "\n" + row + ";x\n")  # and a cell that is a personnummer
    (problem,) = _problems(_load(tmp_path)).values()
    assert "lacks the column(s) insats_id" in problem
    assert "insats_nr" in problem
    assert A not in problem and "1 cell with digits not shown" in problem


@given(
    data=st.binary(max_size=40).map(lambda b: bytes(b"ab;\n\r"[x % 5] for x in b)), block=st.integers(1, 8)
)
@settings(max_examples=300, deadline=None)
def test_lines_and_blank_lines_are_counted_across_blocks(data, block):
    """The streamed count (any block size: a blank line may straddle two blocks) against splitting the
    whole file: lines = line ends plus a last line without one; blank = empty lines after the first,
    a lone CR counting as empty; lone CRs = carriage returns without a line feed after them."""
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines = lines[:-1]
    counter = LineCounter()
    for i in range(0, len(data), block):
        counter.update(data[i : i + block])
    assert counter.result() == (len(lines) if data else 0, sum(1 for x in lines[1:] if x in (b"", b"\r")))
    assert counter.lone_cr == sum(1 for i, b in enumerate(data) if b == 13 and data[i + 1 : i + 2] != b"\n")


def _raw_payments(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Everything the payments' load leaves in the raw tables, but when each file was read."""
    ledger = "SELECT * EXCLUDE (inlast) FROM raw.filer WHERE kalla = 'utbetalningar' ORDER BY fil, status"
    return {
        "rows": con.execute("SELECT * FROM raw.utbetalningar ORDER BY _fil, _radnr").fetchall(),
        "rejected": con.execute(
            "SELECT * FROM raw.avvisade_rader WHERE kalla = 'utbetalningar' ORDER BY fil, rad"
        ).fetchall(),
        "ledger": con.execute(ledger).fetchall(),
    }


def _fresh(root: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect()
    load_payments(con, root, root)
    return _raw_payments(con)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The payment files actually read (not kept from an earlier load), in order."""
    from jobbtorg_pipeline.sources import files

    read: list[str] = []
    real = files.load_csv

    def counting(con, path, kalla, **kwargs):
        read.append(path.name)
        return real(con, path, kalla, **kwargs)

    monkeypatch.setattr(files, "load_csv", counting)
    return read


def test_a_payment_delivery_is_read_once_and_its_rows_kept_while_its_file_is_unchanged(tmp_path, reads):
    """A later load reads only what is new or changed, and leaves the raw tables exactly as reading every
    file afresh would: a changed file (same size, one digit changed), a month re-delivered beside the
    first delivery, a month gone from the folder, a new month."""
    src = _source(tmp_path)
    src.utbetalning("U2", A, "2019-04", "7000,00", stadsdel="Älvsjö")
    src.write()
    folder = tmp_path / "utbetalningar"
    with (folder / "utbetalningar_2019-04.csv").open("a", encoding="utf-8") as f:
        f.write("en;rad;med;fel;antal;fält\n")  # a rejected line, kept with its delivery
    con = duckdb.connect()
    first = load_payments(con, tmp_path, tmp_path)
    assert [f.redan_last for f in first.files] == [False, False]
    assert _raw_payments(con)["rejected"]
    when = con.execute("SELECT fil, inlast FROM raw.filer ORDER BY fil").fetchall()

    reads.clear()
    again = load_payments(con, tmp_path, tmp_path)
    assert reads == []
    assert [f.redan_last for f in again.files] == [True, True]
    assert [(f.rader, f.avvisade, f.fingerprint.sha256) for f in again.files] == [
        (f.rader, f.avvisade, f.fingerprint.sha256) for f in first.files
    ]
    assert con.execute("SELECT fil, inlast FROM raw.filer ORDER BY fil").fetchall() == when
    assert _raw_payments(con) == _fresh(tmp_path)

    april = folder / "utbetalningar_2019-04.csv"
    april.write_text(april.read_text().replace("7000,00", "7000,01"))  # the same size
    reads.clear()
    load_payments(con, tmp_path, tmp_path)
    assert reads == ["utbetalningar_2019-04.csv"]
    assert _raw_payments(con) == _fresh(tmp_path)

    march = folder / "utbetalningar_2019-03.csv"
    (folder / "utbetalningar_2019-03_2.csv").write_text(march.read_text().replace("5000,50", "4000,00"))
    april.unlink()
    src.utbetalning("U3", A, "2019-05", "100,00", stadsdel="Älvsjö")
    src.write()  # writes every month again: March and April as they first were, and May
    april.unlink()
    reads.clear()
    loaded = load_payments(con, tmp_path, tmp_path)
    assert sorted(reads) == ["utbetalningar_2019-03_2.csv", "utbetalningar_2019-05.csv"]
    assert con.execute("SELECT _fil, belopp FROM raw.utbetalningar ORDER BY _fil").fetchall() == [
        ("utbetalningar/utbetalningar_2019-03_2.csv", "4000,00"),
        ("utbetalningar/utbetalningar_2019-05.csv", "100,00"),
    ]
    assert loaded.replaced == ("utbetalningar/utbetalningar_2019-03.csv",)
    assert _raw_payments(con) == _fresh(tmp_path)


def test_a_change_to_the_reading_code_reads_every_delivery_again(tmp_path, reads, monkeypatch):
    from jobbtorg_pipeline.sources import files

    _source(tmp_path)
    con = duckdb.connect()
    load_payments(con, tmp_path, tmp_path)
    monkeypatch.setattr(files, "reader_version", lambda: "another reader")
    reads.clear()
    loaded = load_payments(con, tmp_path, tmp_path)
    assert reads == ["utbetalningar_2019-03.csv"]
    assert [f.redan_last for f in loaded.files] == [False]
    assert con.execute("SELECT DISTINCT lasare FROM raw.filer WHERE status = 'last'").fetchall() == [
        ("another reader",)
    ]


def test_a_delivery_that_could_not_be_read_is_tried_again_by_every_load(tmp_path, reads):
    _source(tmp_path)
    empty = tmp_path / "utbetalningar" / "utbetalningar_2019-04.csv"
    empty.write_text("")
    con = duckdb.connect()
    for _ in range(2):
        reads.clear()
        loaded = load_payments(con, tmp_path, tmp_path)
        assert "utbetalningar_2019-04.csv" in reads
        assert [f.problem is not None for f in loaded.files] == [False, True]
    assert con.execute("SELECT count(*) FROM raw.filer WHERE fil LIKE '%2019-04%'").fetchone()[0] == 1

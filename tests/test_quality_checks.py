"""The JUST-team checks (quality/checks.py) on hand-built, staged extracts: what each check reports.

Each test stages a small source with the same functions the assets call (tests/support/staging.py) and
runs one check function on it, as the Dagster check step does; the answers are worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

from jobbtorg_pipeline.quality import checks
from tests.support.pipeline import settings_for
from tests.support.sourcebuilder import SourceBuilder, pnr
from tests.support.staging import judge, stage

UTTAG = "2019-10-01"
A = pnr("19800101", 1, woman=True)
B = pnr("19750615", 2, woman=False)


def _check(tmp_path: Path, src: SourceBuilder, run) -> object:
    src.write()
    con = stage(src.root, tmp_path / "work")
    try:
        return run(con, settings_for(tmp_path / "work", src.root))
    finally:
        con.close()


def test_rows_without_an_id_are_named_by_file_and_row_in_the_check(tmp_path):
    """A row with an empty id is quarantined (obligatoriskt_falt); the check names it by its file and
    its row number among the file's parsed rows, as it has no id to show (it used to crash)."""
    src = SourceBuilder(tmp_path / "source", UTTAG)
    src.inskrivning("I1", A, "2019-02-01")
    src.inskrivning("", B, "2019-02-01")  # parsed row 2 of inskrivningar.csv
    src.insats("S1", "I1", "coachning", "2019-03-01")
    src.insats("", "I1", "coachning", "2019-03-01")  # parsed row 2 of insatser.csv
    src.utbetalning("", A, "2019-03", "100")  # parsed row 1 of the March file
    results = {
        kalla: _check(tmp_path / kalla, src, lambda con, s, k=kalla: judge(checks._rules, con, s, k))
        for kalla in ("inskrivningar", "insatser", "utbetalningar")
    }
    expected = {
        "inskrivningar": f"arendesystem/{UTTAG}/inskrivningar.csv post 2",
        "insatser": f"arendesystem/{UTTAG}/insatser.csv post 2",
        "utbetalningar": "utbetalningar/utbetalningar_2019-03.csv post 1",
    }
    for kalla, result in results.items():
        assert result.passed, kalla
        table = result.metadata["quarantined_per_rule"].value
        assert f"| `{kalla}.obligatoriskt_falt` | 1 | {expected[kalla]} |" in table, table


INSATSER = f"arendesystem/{UTTAG}/insatser.csv"
T = "2019-01-15 12:00:00"


def _insats_line(n: int, anordnare: str = "") -> str:
    return f"S{n:02d};I1;coachning;egen;{anordnare};2019-01-15;;;{T}"


def _stray_quote_source(root: Path) -> SourceBuilder:
    """insatser.csv with 60 data lines S01..S60 (file lines 2..61). S20's anordnare opens a quote that
    S30's closes, so lines 21..31 are one record of 9 fields: S20 with everything up to `AB` as its
    anordnare. S45 has 3 fields: rejected. Parsed: 60 - 11 + 1 - 1 = 49; rejected 1; lines inside a
    record past its first: 10; 49 + 1 + 10 = 60."""
    src = SourceBuilder(root, UTTAG)
    src.inskrivning("I1", A, "2019-01-10")
    src.write()
    lines = []
    for n in range(1, 61):
        if n == 20:
            lines.append(_insats_line(n, '"Anordnare'))
        elif n == 30:
            lines.append(_insats_line(n, 'AB"'))
        elif n == 45:
            lines.append("S45;I1;coachning")
        else:
            lines.append(_insats_line(n))
    path = root / INSATSER
    path.write_text(path.read_text().splitlines()[0] + "\n" + "\n".join(lines) + "\n")
    return src


def _line_accounting(con) -> tuple[int, int, int, int, int]:
    """The insatser file's (physical lines, rows read, rows rejected, lines inside rows, blank lines)."""
    return con.execute(
        "SELECT fysiska_rader, rader, avvisade, inneslutna_rader, tomma_rader FROM raw.filer WHERE fil = ?",
        [INSATSER],
    ).fetchone()


def test_a_stray_quote_is_quarantined_with_the_lines_it_swallowed_and_every_line_is_accounted_for(tmp_path):
    src = _stray_quote_source(tmp_path / "source")
    con = stage(src.root, tmp_path / "work")
    try:
        assert _line_accounting(con) == (60, 49, 1, 10, 0)
        quarantined = con.execute(
            "SELECT post_id, rad, regel, orsak, radinnehall FROM staging.karantan WHERE kalla = 'insatser' "
            "ORDER BY regel"
        ).fetchall()
        assert [q[:4] for q in quarantined] == [
            (None, 46, "insatser.felaktig_rad", "fel antal fält: väntade 9, fann 3"),
            (
                "S20",
                None,
                "insatser.radbrytning_i_falt",  # under this rule alone: its fields are not what they say
                "fält med radbrytning (anordnare): ett citattecken som inte stängs slog ihop 11 rader",
            ),
        ]
        swallowed = quarantined[1][4]
        assert all(f"S{n:02d};I1;coachning" in swallowed for n in range(21, 31))  # kept, not lost
        staged = {r[0] for r in con.execute("SELECT insats_id FROM staging.insatser").fetchall()}
        assert staged == {f"S{n:02d}" for n in range(1, 61)} - {f"S{n:02d}" for n in range(20, 31)} - {"S45"}
        result = judge(checks._accounting, con, settings_for(tmp_path / "work", src.root), "insatser")
        assert result.passed, result.description
    finally:
        con.close()


def test_row_accounting_fails_naming_the_file_when_lines_or_rows_are_lost(tmp_path, monkeypatch):
    """The check can fail: lines the reader joined into a record but nobody counted (as before the
    lines inside a record were counted: 60 lines, 49 rows + 1 rejected line), and a row lost between
    reading and staging."""
    from jobbtorg_pipeline.sources import files

    counted = files.parsed_lines
    monkeypatch.setattr(files, "parsed_lines", lambda *a: (counted(*a)[0], 0, 0))
    src = _stray_quote_source(tmp_path / "source")
    con = stage(src.root, tmp_path / "work")
    try:
        settings = settings_for(tmp_path / "work", src.root)
        result = judge(checks._accounting, con, settings, "insatser")
        assert not result.passed
        assert result.description == (
            f"{INSATSER}: 60 data lines in the file, but 50 accounted for (49 rows, 1 rejected lines, "
            "0 lines inside a row, 0 blank lines): lines were lost in reading"
        )
        con.execute("DELETE FROM staging.insatser WHERE insats_id = 'S01'")
        result = judge(checks._accounting, con, settings, "insatser")
        assert not result.passed
        assert result.description.startswith(f"{INSATSER}: 1 rows read but neither staged nor quarantined; ")
    finally:
        con.close()


def test_blank_lines_hold_no_data_are_skipped_and_counted(tmp_path):
    """Decision: a blank line (nothing before its line end) is no row: skipped, counted in
    raw.filer.tomma_rader, and accounting reconciles it. A line of only `;` is a row with every field
    empty: quarantined for its missing fields. Lines: S01, blank, S02, `;;;;;;;;`, blank, blank."""
    src = SourceBuilder(tmp_path / "source", UTTAG)
    src.inskrivning("I1", A, "2019-01-10")
    src.write()
    path = tmp_path / "source" / INSATSER
    header = path.read_text().splitlines()[0]
    path.write_bytes(f"{header}\n{_insats_line(1)}\n\n{_insats_line(2)}\n;;;;;;;;\n\n\n".encode())
    con = stage(src.root, tmp_path / "work")
    try:
        assert _line_accounting(con) == (6, 3, 0, 0, 3)
        assert [
            r[0] for r in con.execute("SELECT insats_id FROM staging.insatser ORDER BY 1").fetchall()
        ] == [
            "S01",
            "S02",
        ]
        assert con.execute("SELECT regel FROM staging.karantan WHERE kalla = 'insatser'").fetchall() == [
            ("insatser.obligatoriskt_falt",)
        ]
        result = judge(checks._accounting, con, settings_for(tmp_path / "work", src.root), "insatser")
        assert result.passed, result.description
    finally:
        con.close()


def test_a_quote_left_open_to_the_end_of_the_file_is_quarantined_with_the_lines_it_took(tmp_path):
    """S03's anordnare opens a quote that nothing closes: lines 4-6 of the file (S03, S04, S05) are one
    record the reader cannot split; it is quarantined as felaktig_rad with their text. 5 data lines =
    2 rows + 1 rejected record + 2 lines inside it."""
    src = SourceBuilder(tmp_path / "source", UTTAG)
    src.inskrivning("I1", A, "2019-01-10")
    src.write()
    path = tmp_path / "source" / INSATSER
    header = path.read_text().splitlines()[0]
    lines = [
        _insats_line(1),
        _insats_line(2),
        _insats_line(3, '"Anordnare'),
        _insats_line(4),
        _insats_line(5),
    ]
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    con = stage(src.root, tmp_path / "work")
    try:
        assert _line_accounting(con) == (5, 2, 1, 2, 0)
        ((rad, regel, orsak, radinnehall, rader),) = con.execute(
            "SELECT rad, regel, orsak, radinnehall, rader FROM staging.karantan WHERE kalla = 'insatser'"
        ).fetchall()
        assert (rad, regel, rader) == (4, "insatser.felaktig_rad", 3)
        assert orsak == "ett citattecken som inte stängs slog ihop 3 rader, som inte kunde delas i fält"
        assert "S04;I1" in radinnehall and "S05;I1" in radinnehall
        result = judge(checks._accounting, con, settings_for(tmp_path / "work", src.root), "insatser")
        assert result.passed, result.description
    finally:
        con.close()


def test_missing_payment_months_warn_with_the_months_in_the_metadata(tmp_path):
    """Deliveries for 2019-01, 2019-02 and 2019-05: March and April are missing between the first and
    the last (2 of 5 months), and would read as months without försörjningsstöd for everyone."""
    src = SourceBuilder(tmp_path / "source", UTTAG)
    src.inskrivning("I1", A, "2019-01-10")
    for month in ("2019-01", "2019-02", "2019-05"):
        src.utbetalning(f"U{month}", A, month, "100")
    (indicator,) = [i for i in checks.indicators_for("utbetalningar") if i.id == "utbetalningsmanad_saknas"]
    result = _check(tmp_path, src, lambda con, s: judge(checks._indicator, con, s, indicator))
    assert not result.passed and result.severity.value == "WARN"
    assert result.metadata["missing_months"].value == ["2019-03", "2019-04"]
    assert result.metadata["share"].value == 0.4
    assert result.description.endswith(": 40.0% (warns above 0%); missing months: 2019-03, 2019-04")

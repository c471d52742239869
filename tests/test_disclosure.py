"""Disclosure control, tried by a reader who sees every table of the report at once.

The attacker (tests/support/attacker.py) is an integer program over all tables, written apart from the
report's own audit. Hand-built examples reproduce each leak of the old table-by-table control (a line
never holding exactly one hidden cell) and show the whole-report control closes it; reports built from
generated data of two sizes and several periods are attacked as published (siffror.json), and their
HTML, workbook and figures are searched for a small count.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobbtorg_pipeline.report import disclosure
from jobbtorg_pipeline.report.build import _write_files, build
from jobbtorg_pipeline.report.content import build_tables
from jobbtorg_pipeline.report.disclosure import (
    HIDDEN,
    Attacker,
    Derived,
    Grid,
    Key,
    Relation,
    _hide_measures_everywhere,
    _prune,
    at_most,
    hide_derived,
    hide_measures,
    protect,
    published_small_counts,
    report_values,
    sums_to,
)
from jobbtorg_pipeline.report.optimal import _Model, _parts, optimal_hidden
from jobbtorg_pipeline.report.tabell import stat
from jobbtorg_pipeline.settings import Settings
from tests.support.attacker import SLACK, measure_reading, narrowest, published_counts

T = 5  # the default threshold


def _grid(name: str, values: dict[str, dict[str, int]], keys: dict[str, Key] | None = None) -> Grid:
    """A hand table: rows -> columns -> count; `keys` gives a column the key of another table's column."""
    rows = list(values)
    columns = list(next(iter(values.values())))
    keys = keys or {}
    return Grid(
        rows=rows,
        columns=columns,
        values={(r, c): v for r, cells in values.items() for c, v in cells.items()},
        count_columns=columns,
        name=name,
        keys={(r, c): (*keys[c], r) if c in keys else (name, c, r) for r in rows for c in columns},
        total_rows={"totalt"} & set(rows),
    )


def _column_sums(grid: Grid, total_row: str = "totalt") -> list[Relation]:
    details = [r for r in grid.rows if r != total_row]
    return [
        sums_to(grid.key(total_row, c), [grid.key(r, c) for r in details], "kolumn") for c in grid.columns
    ]


def _row_sums(grid: Grid, total: str, parts: list[str]) -> list[Relation]:
    return [sums_to(grid.key(r, total), [grid.key(r, p) for p in parts], "rad") for r in grid.rows]


def _old_table_by_table(grid: Grid, lines: list[tuple[list[tuple[str, str]], tuple[str, str]]]) -> None:
    """The control this replaced, for the examples: small counts hidden, then while a line (its detail
    cells and its total) has exactly one hidden cell, hide its smallest open detail, else its total."""
    grid.hidden = {c for c in grid.count_cells() if 0 < grid.values[c] < T}
    changed = True
    while changed:
        changed = False
        for details, total in lines:
            if sum(c in grid.hidden for c in [*details, total]) != 1:
                continue
            open_details = [c for c in details if c not in grid.hidden]
            if open_details:
                grid.hidden.add(
                    min(open_details, key=lambda c: (grid.values[c], grid.columns.index(c[1]), c[0]))
                )
            elif total not in grid.hidden:
                grid.hidden.add(total)
            else:
                continue
            changed = True


def _lines(grid: Grid, *, columns: bool = True, row_total: str | None = None):
    """The old control's lines: each column over the rows to `totalt`, each row's parts to `row_total`."""
    lines = []
    if columns:
        details = [r for r in grid.rows if r != "totalt"]
        lines += [([(r, c) for r in details], ("totalt", c)) for c in grid.columns]
    if row_total:
        parts = [c for c in grid.columns if c != row_total]
        lines += [([(r, c) for c in parts], (r, row_total)) for r in grid.rows]
    return lines


def _published(grids: list[Grid]) -> dict[Key, int | None]:
    """What a reader of all the tables has: a statistic shown in any table is known."""
    seen: dict[Key, int | None] = {}
    for grid in grids:
        for cell in grid.count_cells():
            key = grid.key(*cell)
            shown = None if cell in grid.hidden else grid.values[cell]
            if seen.get(key) is None:
                seen[key] = shown
    return seen


def _pinned(grids: list[Grid], relations: list[Relation]) -> dict[Key, tuple[int, int]]:
    """The hidden small counts a reader narrows below the criterion (lo > 0 or hi < threshold)."""
    published = _published(grids)
    truth = {g.key(*c): g.values[c] for g in grids for c in g.count_cells()}
    small = [k for k, v in published.items() if v is None and 0 < truth[k] < T]
    found = {}
    for exact in (False, True):
        intervals = narrowest(published, relations, small, exact_reading=exact) or {}
        found.update({k: i for k, i in intervals.items() if i[0] > 0 or i[1] < T})
    return found


def test_small_counts_are_hidden_and_zero_is_shown():
    grid = _grid("t", {"egen": {"kvinnor": 6, "män": 40}, "extern": {"kvinnor": 0, "män": 20}})
    assert protect([grid], [], T) == set()  # 0 identifies no one; nothing is under 5
    assert grid.value("extern", "kvinnor") == 0
    grid = _grid("t", {"egen": {"kvinnor": 1, "män": 4}, "extern": {"kvinnor": 5, "män": 0}})
    protect([grid], [], T)  # nothing relates them: each hidden count is free
    assert grid.hidden == {("egen", "kvinnor"), ("egen", "män")}


def test_two_small_counts_in_one_line_are_not_safe_by_themselves():
    #   a=1 b=2 c=7, total 10. The old control saw two hidden cells in the line and stopped, but a reader
    #   gets a + b = 10 - 7 = 3: both are known to be small. The criterion (each could be 0, and could be
    #   5 or more) needs a third cell: hiding c leaves a + b + c = 10, so a lies anywhere in [0, 10].
    grid = _grid("t", {"r": {"a": 1, "b": 2, "c": 7, "totalt": 10}})
    relations = _row_sums(grid, "totalt", ["a", "b", "c"])
    _old_table_by_table(grid, _lines(grid, columns=False, row_total="totalt"))
    assert grid.hidden == {("r", "a"), ("r", "b")}
    assert _pinned([grid], relations) == {grid.key("r", "a"): (0, 3), grid.key("r", "b"): (0, 3)}
    protect([grid], relations, T)
    assert grid.hidden == {("r", "a"), ("r", "b"), ("r", "c")}
    assert _pinned([grid], relations) == {}


def test_the_same_statistic_in_two_tables_is_hidden_in_both():
    # unika (studier, saknas, ovrigt -> avslutade)      kolada (studier is unika's avslut_studier)
    #   A   3*  40   30 |  73                            A  3*  20
    #   B  10    2*  30 |  42                            B 10   20
    #   C   6   40   30 |  76                            C  6   20
    #   T  19   82   90 | 191                            T 19   60
    # The old control, unika alone: column studier hides C's 6 (smallest), column saknas A's 40, row B
    # then B's studier 10, row C C's ovrigt 30, column ovrigt A's 30. Kolada alone: column studier hides
    # C's 6, so kolada shows B's 10, and unika's row B gives saknas = 42 - 10 - 30 = 2.
    studier = ("unika", "avslut_studier")
    unika = _grid(
        "unika",
        {
            "A": {"avslut_studier": 3, "saknas": 40, "ovrigt": 30, "avslutade": 73},
            "B": {"avslut_studier": 10, "saknas": 2, "ovrigt": 30, "avslutade": 42},
            "C": {"avslut_studier": 6, "saknas": 40, "ovrigt": 30, "avslutade": 76},
            "totalt": {"avslut_studier": 19, "saknas": 82, "ovrigt": 90, "avslutade": 191},
        },
    )
    kolada = _grid(
        "kolada",
        {
            "A": {"studier": 3, "arbete": 20},
            "B": {"studier": 10, "arbete": 20},
            "C": {"studier": 6, "arbete": 20},
            "totalt": {"studier": 19, "arbete": 60},
        },
        keys={"studier": studier},
    )
    relations = [
        *_column_sums(unika),
        *_row_sums(unika, "avslutade", ["avslut_studier", "saknas", "ovrigt"]),
        *_column_sums(kolada),
    ]
    _old_table_by_table(unika, _lines(unika, row_total="avslutade"))
    _old_table_by_table(kolada, _lines(kolada))
    assert ("B", "avslut_studier") in unika.hidden and ("B", "studier") not in kolada.hidden
    assert _pinned([unika, kolada], relations)[unika.key("B", "saknas")] == (2, 2)

    protect([unika, kolada], relations, T)
    assert _pinned([unika, kolada], relations) == {}
    for row in unika.rows:  # one statistic, one decision
        assert ((row, "avslut_studier") in unika.hidden) == ((row, "studier") in kolada.hidden)


def test_a_sum_the_reader_knows_is_declared():
    # kolada: arbete, studier, arbete_eller_studier = arbete + studier
    #   A  20  3*  23        The old control knew only the columns: it hid B's studier with A's and
    #   B  30 10   40        published both arbete_eller_studier, so 23 - 20 = 3.
    #   T  50 13   63
    kolada = _grid(
        "kolada",
        {
            "A": {"arbete": 20, "studier": 3, "arbete_eller_studier": 23},
            "B": {"arbete": 30, "studier": 10, "arbete_eller_studier": 40},
            "totalt": {"arbete": 50, "studier": 13, "arbete_eller_studier": 63},
        },
    )
    relations = [*_column_sums(kolada), *_row_sums(kolada, "arbete_eller_studier", ["arbete", "studier"])]
    _old_table_by_table(kolada, _lines(kolada))
    assert kolada.hidden == {("A", "studier"), ("B", "studier")}
    assert _pinned([kolada], relations)[kolada.key("A", "studier")] == (3, 3)

    protect([kolada], relations, T)
    assert _pinned([kolada], relations) == {}


def test_a_hidden_zero_pinned_by_a_published_zero_total_protects_nothing():
    # arbetsträning results (2017 in the generated data had this shape):
    #            avslutat  arb/stud  fortsatt  återrem  övrigt
    #   egen         12       4*         0        8       0
    #   extern       20      10          0        5       5
    #   totalt       32      14          0       13       5
    # The old control: column arb/stud hides extern's 10; row egen then hides its smallest open detail,
    # fortsatt's 0, and row extern its 0 too. But totalt's fortsatt is a published 0: both hidden zeros
    # are 0, and row egen gives 12 - 0 - 8 - 0 = 4.
    parts = ["arbete_eller_studier", "fortsatt_inskrivna", "aterremitterade", "ovrigt"]
    grid = _grid(
        "resultat",
        {
            "egen": dict(zip(["avslutat", *parts], [12, 4, 0, 8, 0], strict=True)),
            "extern": dict(zip(["avslutat", *parts], [20, 10, 0, 5, 5], strict=True)),
            "totalt": dict(zip(["avslutat", *parts], [32, 14, 0, 13, 5], strict=True)),
        },
    )
    relations = [*_column_sums(grid), *_row_sums(grid, "avslutat", parts)]
    _old_table_by_table(grid, _lines(grid, row_total="avslutat"))
    assert {("egen", "fortsatt_inskrivna"), ("extern", "fortsatt_inskrivna")} <= grid.hidden
    assert _pinned([grid], relations)[grid.key("egen", "arbete_eller_studier")] == (4, 4)

    protect([grid], relations, T)
    assert _pinned([grid], relations) == {}
    assert not any(c[1] == "fortsatt_inskrivna" for c in grid.hidden)  # a pinned zero is no partner


def test_a_chain_of_two_subtractions_across_tables():
    # unika, one jobbtorg: avslut_arbete 20, studier 3*, ovrigt 30, avslutade 53. The old control hid the
    # row's smallest open detail, avslut_arbete's 20, with the 3. Kolada shows arbete 14 and kommunal
    # anställning 6, and an avslut for work is one or the other: 14 + 6 = 20, then 53 - 20 - 30 = 3.
    unika = _grid("unika", {"A": {"avslut_arbete": 20, "avslut_studier": 3, "ovrigt": 30, "avslutade": 53}})
    kolada = _grid("kolada", {"A": {"arbete": 14, "kommunal": 6}})
    relations = [
        *_row_sums(unika, "avslutade", ["avslut_arbete", "avslut_studier", "ovrigt"]),
        sums_to(
            unika.key("A", "avslut_arbete"), [kolada.key("A", "arbete"), kolada.key("A", "kommunal")], "arb"
        ),
    ]
    _old_table_by_table(unika, _lines(unika, columns=False, row_total="avslutade"))
    _old_table_by_table(kolada, [])
    assert unika.hidden == {("A", "avslut_arbete"), ("A", "avslut_studier")} and kolada.hidden == set()
    assert _pinned([unika, kolada], relations)[unika.key("A", "avslut_studier")] == (3, 3)

    protect([unika, kolada], relations, T)
    assert _pinned([unika, kolada], relations) == {}


def test_nearly_additive_totals_are_read_as_exact_unless_the_figures_rule_it_out():
    # persons by regi: egen 7, extern 3, totalt 9 (one person in both). Read as exact, hiding extern's 3
    # alone would give 9 - 7 = 2 (wrong by one, but a reader may well guess so); hiding egen too leaves
    # egen + extern = 9, and then the 3 could be anything from 0 to 9.
    grid = _grid("t", {"egen": {"n": 7, "m": 20}, "extern": {"n": 3, "m": 20}, "totalt": {"n": 9, "m": 40}})
    relations = [
        sums_to(grid.key("totalt", c), [grid.key("egen", c), grid.key("extern", c)], "regi", exact=False)
        for c in ("n", "m")
    ]
    relations += [
        at_most(grid.key(r, c), grid.key("totalt", c), "del") for r in ("egen", "extern") for c in ("n", "m")
    ]
    grid.hidden = {("extern", "n")}
    assert _pinned([grid], relations) == {grid.key("extern", "n"): (2, 2)}
    protect([grid], relations, T)
    assert ("egen", "n") in grid.hidden or ("totalt", "n") in grid.hidden
    assert _pinned([grid], relations) == {}


def test_shares_hide_with_their_counts_or_a_small_denominator_only():
    grid = Grid(
        rows=["a", "b", "c", "d", "totalt"],
        columns=["n", "k", "andel", "medel"],
        values={
            ("a", "n"): 50, ("a", "k"): 3, ("a", "andel"): 0.06, ("a", "medel"): 7.5,
            ("b", "n"): 4, ("b", "k"): 0, ("b", "andel"): 0.0, ("b", "medel"): 1.0,
            ("c", "n"): 0, ("c", "k"): 0, ("c", "andel"): None, ("c", "medel"): None,
            ("d", "n"): 354, ("d", "k"): 0, ("d", "andel"): 0.0, ("d", "medel"): 2.0,
            ("totalt", "n"): 408, ("totalt", "k"): 3, ("totalt", "andel"): 3 / 408, ("totalt", "medel"): 3.0,
        },
        count_columns=["n", "k"],
        name="t",
        derived={"andel": Derived("n", "k"), "medel": Derived("n")},
    )  # fmt: skip
    protect([grid], [], T)
    assert grid.value("a", "andel") == HIDDEN  # its numerator 3 is hidden: 0.06 x 50 would give it away
    assert grid.value("a", "medel") == 7.5  # a mean over 50 persons, resting on no hidden count
    assert grid.value("b", "andel") == HIDDEN and grid.value("b", "medel") == HIDDEN  # over 4 persons
    assert grid.value("c", "andel") is None  # no one: nothing to hide
    assert grid.value("d", "andel") == 0.0  # 0 of 354: shown (it was `..` when the numerator counted)
    assert grid.value("totalt", "andel") == HIDDEN


def test_the_same_tables_give_the_same_hidden_cells():
    def tables():
        grid = _grid(
            "t",
            {
                "a": {"x": 3, "y": 9, "z": 12},
                "b": {"x": 8, "y": 2, "z": 10},
                "c": {"x": 9, "y": 9, "z": 18},
                "totalt": {"x": 20, "y": 20, "z": 40},
            },
        )
        return grid, [*_column_sums(grid), *_row_sums(grid, "z", ["x", "y"])]

    first, relations = tables()
    second, again = tables()
    assert protect([first], relations, T) == protect([second], list(reversed(again)), T)
    assert first.hidden == second.hidden


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 14), min_size=2, max_size=3), min_size=2, max_size=4).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    st.integers(0, 3),
)
def test_no_hidden_count_of_related_tables_can_be_narrowed(rows, extra):
    """A cross-table (rows x kön) with totals, and a second table of one column that shows the first's
    kön-totals again plus a part of each: every small count stays protected against the attacker."""
    kon = [f"k{j}" for j in range(len(rows[0]))]
    cells = {f"r{i}": dict(zip(kon, r, strict=True)) for i, r in enumerate(rows)}
    cells["totalt"] = {k: sum(c[k] for c in list(cells.values())) for k in kon}
    for c in cells.values():
        c["totalt"] = sum(c[k] for k in kon)
    first = _grid("first", cells)
    varav = {r: min(extra, c["totalt"]) for r, c in cells.items() if r != "totalt"}
    varav["totalt"] = sum(varav.values())
    second = _grid(
        "second",
        {r: {"alla": c["totalt"], "varav": varav[r]} for r, c in cells.items()},
        keys={"alla": ("first", "totalt")},
    )
    relations = [*_column_sums(first), *_row_sums(first, "totalt", kon), *_column_sums(second)]
    relations += [at_most(second.key(r, "varav"), second.key(r, "alla"), "del") for r in second.rows]
    protect([first, second], relations, T)
    assert published_small_counts(first, T) == [] and published_small_counts(second, T) == []
    assert _pinned([first, second], relations) == {}


# ---- reports built from generated data -------------------------------------------------------------

REPORTS = [  # (source size, period): years, tertials, the first period and the unfinished current one
    ("stor", "2017-T1"),
    ("stor", "2017"),
    ("stor", "2018-T2"),
    ("stor", "2019-T2"),
    ("stor", "2020-T3"),
    ("liten", "2018"),
    ("liten", "2019-T3"),
    ("liten", "2020-T2"),
]


@pytest.fixture(scope="module")
def warehouses(cli_run, small_run) -> dict[str, Settings]:
    """The session's `jobbtorg run` on 1,500 generated persons, and its run on 200."""
    _, warehouse = cli_run
    big = Settings(source_dir=warehouse.parent, warehouse_dir=warehouse, home_dir=warehouse.parent / "home")
    return {"stor": big, "liten": small_run}


@pytest.fixture(scope="module")
def built(warehouses, tmp_path_factory):
    """Each generated report built and written once for this module's tests: (report, its folder)."""
    cache = {}

    def get(size: str, period: str):
        if (size, period) not in cache:
            report = build(warehouses[size], period, status="test")
            folder = tmp_path_factory.mktemp(f"rapport-{size}-{period}")
            _write_files(report, folder, T)
            cache[size, period] = report, folder
        return cache[size, period]

    return get


class _Tables(HTMLParser):
    """The report page's tables: id -> rows of cell texts (the row label first)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.table, self.row, self.cell = None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.table = dict(attrs)["id"].removeprefix("tabell-")
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None


def _count(text: str) -> int | None:
    text = str(text).replace("\u00a0", "").strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


@pytest.mark.slow
@pytest.mark.parametrize(("size", "period"), REPORTS)
def test_no_hidden_count_of_a_generated_report_can_be_narrowed(warehouses, built, size, period):
    settings = warehouses[size]
    report, folder = built(size, period)
    figures = json.loads((folder / "siffror.json").read_text(encoding="utf-8"))
    published = published_counts(figures, report.tables)
    with duckdb.connect(str(settings.analysts_file), read_only=True) as con:
        _, relations = build_tables(con, period, T)
    for relation in relations:  # a statistic no table shows (withheld) is unknown to the reader
        for key, _ in relation.terms:
            published.setdefault(key, None)
    truth = {t.grid.key(*c): t.grid.values[c] for t in report.tables for c in t.grid.count_cells()}
    small = [k for k, v in published.items() if v is None and 0 < truth[k] < T]
    assert small  # the generated data has small cells: the control was really exercised
    narrowed = {}
    for exact in (False, True):
        found = narrowest(published, relations, small, exact_reading=exact)
        narrowed.update({k: i for k, i in (found or {}).items() if i[0] > 0 or i[1] < T})
    assert narrowed == {}
    assert not [k for k, v in published.items() if v is not None and 0 < v < T]


@pytest.mark.slow
@pytest.mark.parametrize(("size", "period"), REPORTS)
def test_no_hidden_count_of_a_generated_report_can_be_told_from_its_arsplatser(built, size, period):
    """Årsplatser add up exactly and are above 0 exactly when their deltagare are: read from the published
    figures with every sum, each hidden deltagare count's årsplatser can still be 0 and above 0."""
    report, folder = built(size, period)
    figures = json.loads((folder / "siffror.json").read_text(encoding="utf-8"))
    by_id = {t.id: t for t in report.tables}
    measured = [t for t in figures["tabeller"] if by_id[t["id"]].grid.measures]
    assert measured  # the insatser table, this year and the year before
    readings = {}
    for table in measured:
        readings.update(measure_reading(table, by_id[table["id"]].grid))
    if size == "liten":  # 200 persons: deltagare counts are hidden, so the rule is really exercised
        assert readings
    assert {c: r for c, r in readings.items() if not (r[0] < SLACK and r[1] > SLACK)} == {}


@pytest.mark.slow
@pytest.mark.parametrize(("size", "period"), REPORTS)
def test_kommunal_anstallning_per_jobbtorg_cannot_be_had_by_subtraction(warehouses, built, size, period):
    """Per jobbtorg the report does not show kommunal anställning, but a reader knows what it is: the
    avslut to work (unika individer, `varav arbete`) that Kolada does not count as arbete. So for every
    jobbtorg and the city, avslut_arbete = arbete + kommunal_anstallning exactly (the marts' definition,
    checked below), and the attacker, told so, must not narrow a kommunal anställning of 1 to 4."""
    settings = warehouses[size]
    report, folder = built(size, period)
    figures = json.loads((folder / "siffror.json").read_text(encoding="utf-8"))
    published = published_counts(figures, report.tables)
    with duckdb.connect(str(settings.analysts_file), read_only=True) as con:
        _, relations = build_tables(con, period, T)
        kommunal = dict(
            con.execute(
                """
                SELECT k.jobbtorg, k.kommunal_anstallning FROM marts.kolada_resultat_vid_avslut AS k
                JOIN marts.unika_individer AS u USING (period, jobbtorg, kon)
                WHERE period = ? AND kon = 'totalt' AND k.arbete + k.kommunal_anstallning = u.avslut_arbete
                """,
                [period],
            ).fetchall()
        )
    jobbtorg = report.tables[0].grid.rows
    assert set(kommunal) == set(jobbtorg)  # the identity holds on every row
    known = []
    for j in jobbtorg:
        key = stat("kolada_resultat_vid_avslut", "kommunal_anstallning", jobbtorg=j, kon="totalt")
        if published.get(key) is None:  # not shown (per jobbtorg) or hidden (the city's, when small)
            published[key] = None
        known.append(
            sums_to(
                stat("unika_individer", "avslut_arbete", jobbtorg=j, kon="totalt"),
                [stat("kolada_resultat_vid_avslut", "arbete", jobbtorg=j, kon="totalt"), key],
                "avslut till arbete = arbete + kommunal anställning",
            )
        )
    small = [
        stat("kolada_resultat_vid_avslut", "kommunal_anstallning", jobbtorg=j, kon="totalt")
        for j in jobbtorg
        if 0 < kommunal[j] < T
    ]
    narrowed = {}
    for exact in (False, True):
        found = narrowest(published, [*relations, *known], small, exact_reading=exact)
        narrowed.update({k: i for k, i in (found or {}).items() if i[0] > 0 or i[1] < T})
    assert narrowed == {}


@pytest.mark.slow
@pytest.mark.parametrize(("size", "period"), REPORTS[:4])
def test_no_small_count_is_published_in_the_page_the_workbook_or_the_figures(built, size, period):
    from openpyxl import load_workbook

    _, folder = built(size, period)
    figures = json.loads((folder / "siffror.json").read_text(encoding="utf-8"))
    units = {t["id"]: t["enheter"] for t in figures["tabeller"]}
    parser = _Tables()
    parser.feed((folder / "rapport.html").read_text(encoding="utf-8"))
    workbook = load_workbook(folder / "rapport.xlsx")
    found, hidden = [], 0
    for table in figures["tabeller"]:
        counts = [j for j, u in enumerate(units[table["id"]]) if u == "antal"]
        html_rows = parser.tables[table["id"]][1:]  # after the header
        sheet_rows = list(
            workbook[table["id"]].iter_rows(min_row=5, max_row=4 + len(table["rader"]), values_only=True)
        )
        assert len(html_rows) == len(sheet_rows) == len(table["rader"])
        for json_row, html_row, sheet_row in zip(table["rader"], html_rows, sheet_rows, strict=True):
            for j in counts:
                for source, value in (
                    ("json", json_row["varden"][j]),
                    ("html", html_row[1 + j]),
                    ("xlsx", sheet_row[1 + j]),
                ):
                    hidden += value == HIDDEN
                    number = _count(value) if value not in (None, HIDDEN) else None
                    if number is not None and 0 < number < T:
                        found.append((source, table["id"], json_row["rad"], j, number))
    assert found == []
    assert hidden > 0


@pytest.mark.slow
def test_the_readers_knowledge_is_declared(warehouses):
    """The identities and relations the audit found missing are declared (the attacker uses them)."""
    with duckdb.connect(str(warehouses["stor"].analysts_file), read_only=True) as con:
        tables, relations = build_tables(con, "2019-T2", T)
    declared = {(r.sense, frozenset(r.terms)) for r in relations}
    j = "Jobbtorg Järva"

    def has(sense, *terms):
        return (sense, frozenset(terms)) in declared

    unika = lambda c, jt=j, kon="totalt": stat("unika_individer", c, jobbtorg=jt, kon=kon)  # noqa: E731
    kolada = lambda c, jt=j: stat("kolada_resultat_vid_avslut", c, jobbtorg=jt, kon="totalt")  # noqa: E731
    # the same statistic, one key
    assert (
        kolada("avslutade")
        == unika("avslutade")
        == stat("aterremisser", "avslutade", jobbtorg=j, kon="totalt")
    )
    assert kolada("studier") == unika("avslut_studier")
    assert stat("sjalvforsorjning", "avslutade", jobbtorg="totalt", kon="totalt", manader="3") == unika(
        "avslutade", "totalt"
    )
    keys = {
        t.id: {r: t.grid.key(r, "inskrivna") for r in t.grid.rows} for t in tables if t.id.startswith("unika")
    }
    assert keys["unika_individer"]["totalt"] == keys["unika_individer_kon"]["totalt"]
    # sums
    assert has("=", (kolada("arbete_eller_studier"), 1), (kolada("arbete"), -1), (kolada("studier"), -1))
    # kommunal anställning is shown for the city only, but per jobbtorg too the reader knows it is
    # avslut_arbete - arbete (withheld there, so protected), and that the city's is (nearly) their sum
    city = "totalt"
    details = [r for r in tables[0].grid.rows if r != city]
    for jt in [*details, city]:
        assert has(
            "=",
            (unika("avslut_arbete", jt), 1),
            (kolada("arbete", jt), -1),
            (kolada("kommunal_anstallning", jt), -1),
        )
    assert has(
        "~<=",
        (kolada("kommunal_anstallning", city), 1),
        *((kolada("kommunal_anstallning", d), -1) for d in details),
    )
    kolada_table = next(t for t in tables if t.id == "kolada").grid
    assert kolada_table.withheld == {(d, "kommunal_anstallning") for d in details}
    assert has(
        "=",
        (unika("avslutade"), 1),
        *(
            (unika(g), -1)
            for g in (
                "avslut_arbete",
                "avslut_studier",
                "avslut_aterremiss",
                "avslut_ovrigt",
                "avslut_orsak_saknas",
            )
        ),
    )
    # orderings
    aterremisser = lambda c: stat("aterremisser", c, jobbtorg=j, kon="totalt")  # noqa: E731
    assert has("<=", (aterremisser("aterremitterade"), 1), (unika("avslutade"), -1))
    assert has("<=", (unika("avslut_aterremiss"), 1), (aterremisser("aterremitterade"), -1))
    assert has("<=", (aterremisser("aterkom_inom_365_dagar"), 1), (aterremisser("aterremitterade"), -1))
    sjalv = lambda c: stat("sjalvforsorjning", c, jobbtorg="totalt", kon="totalt", manader="3")  # noqa: E731
    assert has("<=", (sjalv("sjalvforsorjande"), 1), (sjalv("uppfoljningsbara"), -1))
    assert has("<=", (sjalv("uppfoljningsbara"), 1), (unika("avslutade", "totalt"), -1))
    parallella = lambda c: stat("parallella_insatser", c, jobbtorg=j, kon="totalt")  # noqa: E731
    assert has(
        "<=", (parallella("personer_med_parallella_insatser"), 1), (parallella("personer_med_insats"), -1)
    )


@pytest.mark.slow
def test_the_declared_identities_hold_in_every_period(warehouses):
    """Not only by reading the SQL: on the generated marts, for every period, jobbtorg and kön."""
    with duckdb.connect(str(warehouses["stor"].analysts_file), read_only=True) as con:
        broken = con.execute(
            """
            SELECT count(*) FROM marts.unika_individer AS u
            JOIN marts.kolada_resultat_vid_avslut AS k USING (period, jobbtorg, kon)
            JOIN marts.aterremisser AS a USING (period, jobbtorg, kon)
            WHERE k.avslutade <> u.avslutade OR a.avslutade <> u.avslutade OR k.studier <> u.avslut_studier
               OR k.arbete + k.kommunal_anstallning <> u.avslut_arbete
               OR k.arbete_eller_studier <> k.arbete + k.studier
            """
        ).fetchone()[0]
        sjalv = con.execute(
            """
            SELECT count(*) FROM marts.sjalvforsorjning AS s
            JOIN marts.unika_individer AS u USING (period, jobbtorg, kon)
            WHERE s.avslutade <> u.avslutade
            """
        ).fetchone()[0]
        rows = con.execute("SELECT count(*) FROM marts.kolada_resultat_vid_avslut").fetchone()[0]
    assert broken == 0 and sjalv == 0 and rows > 100


def test_a_share_over_enough_persons_is_shown_when_its_numerator_is_zero():
    grid = Grid(
        rows=["inskrivningar"],
        columns=["rader", "karantan", "andel"],
        values={
            ("inskrivningar", "rader"): 354,
            ("inskrivningar", "karantan"): 0,
            ("inskrivningar", "andel"): 0.0,
        },
        count_columns=["rader", "karantan"],
        derived={"andel": Derived("rader", "karantan")},
    )
    hide_derived(grid, T)
    assert grid.value("inskrivningar", "andel") == 0.0


# ---- additive measures (årsplatser) --------------------------------------------------------------------

# Three insatstyper a, b, c and their total; per regi e(gen) and (e)x(tern) the persons n and the places m,
# each row's m_e + m_x = m and the rows a + b + c = totalt exactly (persons only nearly: n is not the sum).
MEASURED = {
    "a": {"n_e": 2, "n_x": 10, "n": 12, "m_e": 0.5, "m_x": 4.0, "m": 4.5},
    "b": {"n_e": 30, "n_x": 0, "n": 30, "m_e": 10.0, "m_x": 0.0, "m": 10.0},
    "c": {"n_e": 8, "n_x": 6, "n": 13, "m_e": 3.0, "m_x": 2.0, "m": 5.0},
    "totalt": {"n_e": 39, "n_x": 16, "n": 53, "m_e": 13.5, "m_x": 6.0, "m": 19.5},
}


def _measured(hidden_counts: set[tuple[str, str]], values=MEASURED) -> Grid:
    columns = list(values["totalt"])
    grid = Grid(
        rows=list(values),
        columns=columns,
        values={(r, c): v for r, row in values.items() for c, v in row.items()},
        count_columns=["n_e", "n_x", "n"],
        total_rows={"totalt"},
        measures={"m_e": "n_e", "m_x": "n_x", "m": "n"},
        measure_groups=[("m_e", "m_x", "m")],
    )
    grid.hidden = set(hidden_counts)
    return grid


def _hidden_measures(grid: Grid) -> set[tuple[str, str]]:
    return {c for c in grid.hidden if c[1] in grid.measures}


def test_a_measure_is_hidden_with_its_row_and_a_second_row_of_its_column():
    """a's 2 persons in egen regi are hidden. Their 0.5 places would be 13.5 - 10 - 3 down the column, and
    4.5 - 4.0 along the row: the row is hidden whole, and with it the row of the column with the smallest
    count above 0 there (c: 8 persons, 3.0 places), so that a's places are anything from 0 to 3.5."""
    grid = _measured({("a", "n_e")})
    hide_measures(grid)
    assert _hidden_measures(grid) == {(r, c) for r in ("a", "c") for c in ("m_e", "m_x", "m")}


def test_two_hidden_counts_in_a_column_need_no_third_row():
    grid = _measured({("a", "n_e"), ("c", "n_e")})
    hide_measures(grid)
    assert _hidden_measures(grid) == {(r, c) for r in ("a", "c") for c in ("m_e", "m_x", "m")}


def test_a_hidden_total_hides_the_measures_of_every_row():
    grid = _measured({("totalt", "n_x")})
    hide_measures(grid)
    assert _hidden_measures(grid) == {(r, c) for r in MEASURED for c in ("m_e", "m_x", "m")}


def test_hidden_measures_adding_up_to_zero_would_show_their_counts_are_zero():
    """a's and b's extern counts are hidden and both 0: their places add up to 0 (6.0 - 6.0), which tells
    that both counts are 0. c, the only row with places there, is hidden too."""
    values = {r: dict(v) for r, v in MEASURED.items()}
    values["a"].update(n_x=0, m_x=0.0, m=0.5)
    values["totalt"].update(n_x=6, m_x=2.0, m=15.5)
    grid = _measured({("a", "n_x"), ("b", "n_x")}, values)
    hide_measures(grid)
    assert _hidden_measures(grid) == {(r, c) for r in ("a", "b", "c") for c in ("m_e", "m_x", "m")}


def test_a_measure_hidden_in_one_table_is_hidden_wherever_it_is_shown():
    """b's row is the second one hidden with a's small count (b: 8 persons, the fewest above 0). b's 3.0
    places are also the total of a table of b by regi (egen 1.0 + extern 2.0): hidden there too, and
    with its total every row of that table, or 1.0 + 2.0 would give it back."""
    values = {
        "a": {"n": 2, "m": 0.5},
        "b": {"n": 8, "m": 3.0},
        "c": {"n": 30, "m": 10.0},
        "totalt": {"n": 39, "m": 13.5},
    }
    types = _measured({("a", "n")}, values)
    types.measures, types.measure_groups = {"m": "n"}, [("m",)]
    types.keys = {(r, "n"): ("typ", r) for r in values}
    by_regi = _measured(
        set(), {"egen": {"n": 5, "m": 1.0}, "extern": {"n": 4, "m": 2.0}, "totalt": {"n": 8, "m": 3.0}}
    )
    by_regi.measures, by_regi.measure_groups = {"m": "n"}, [("m",)]
    by_regi.keys = {
        ("egen", "n"): ("b", "egen"),
        ("extern", "n"): ("b", "extern"),
        ("totalt", "n"): ("typ", "b"),
    }
    _hide_measures_everywhere([types, by_regi])
    assert _hidden_measures(types) == {("a", "m"), ("b", "m")}
    assert _hidden_measures(by_regi) == {("egen", "m"), ("extern", "m"), ("totalt", "m")}


# ---- near-minimal secondary suppression (the integer program) ----------------------------------------


def _cross(cells: dict[str, dict[str, int]], name: str = "t") -> tuple[Grid, list[Relation]]:
    """A table `name` with its row totals and column totals added, and the sums a reader knows."""
    columns = list(next(iter(cells.values())))
    table = {r: {**c, "totalt": sum(c.values())} for r, c in cells.items()}
    table["totalt"] = {c: sum(row[c] for row in table.values()) for c in [*columns, "totalt"]}
    grid = _grid(name, table)
    grid.total_columns = {"totalt"}
    return grid, [*_column_sums(grid), *_row_sums(grid, "totalt", columns)]


def test_one_small_cell_of_a_table_with_totals_needs_a_rectangle_of_three():
    #   a  b  c       One primary, a = 2 in row r1. Its row and its column each need a second hidden
    #   r1  2 10 20   cell, and those two cells' other row and column meet in a fourth, closing the
    #   r2 30 40 50   rectangle: fewer than 3 complementary cells always leave a line with one hidden
    #   r3 60 70 80   cell (exact by subtraction). With the rectangle r1-r2 x a-b the reader can move
    #   a by -2 (b +2, r2a +2, r2b -2) to 0 and by +3 to 5: protected. The cheapest rectangle takes the
    #   smallest cells (r1b = 10, r2a = 30, r2b = 40) and no total (totals cost most).
    grid, relations = _cross(
        {
            "r1": {"a": 2, "b": 10, "c": 20},
            "r2": {"a": 30, "b": 40, "c": 50},
            "r3": {"a": 60, "b": 70, "c": 80},
        }
    )
    protect([grid], relations, T)
    assert grid.hidden == {("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")}
    assert _pinned([grid], relations) == {}


def test_tables_no_relation_ties_are_solved_apart_with_the_same_choice():
    #   Two tables with nothing in common, each with one small cell: the integer program is solved per
    #   part of the report, and the cells it hides are exactly those it hides in each table alone (the
    #   rectangle of three for each; a table without a small cell gives nothing). A relation without
    #   terms says nothing and ties nothing together.
    first, first_relations = _cross({"r1": {"a": 2, "b": 10}, "r2": {"a": 30, "b": 40}})
    second, second_relations = _cross({"r1": {"a": 50, "b": 3}, "r2": {"a": 60, "b": 70}}, "u")
    third, third_relations = _cross({"r1": {"a": 40, "b": 10}, "r2": {"a": 30, "b": 40}}, "v")
    alone = []
    for grid, relations in ((first, first_relations), (second, second_relations)):
        values, totals = report_values([grid])
        alone.append(optimal_hidden(values, relations, T, totals))
    values, totals = report_values([first, second, third])
    relations = [*first_relations, *second_relations, *third_relations, Relation((), "=", "tom")]
    together = optimal_hidden(values, relations, T, totals)
    assert len(_parts(values, relations)) == 3
    assert together == alone[0] | alone[1]
    assert together == {
        ("t", "a", "r1"), ("t", "b", "r1"), ("t", "a", "r2"), ("t", "b", "r2"),
        ("u", "a", "r1"), ("u", "b", "r1"), ("u", "a", "r2"), ("u", "b", "r2"),
    }  # fmt: skip


def test_copies_are_made_only_for_the_small_counts_that_need_them(monkeypatch):
    #   r1: a = 2, b = 3 (row total 5): hidden together, each can be 0 or 5 (a + b = 5), so neither needs
    #   more, nor copies in the program. r2: a = 1 beside b = 40 (41): one more cell must go with it, b
    #   (its log cost is below the total's), and only r2's a gets its four copies. The two rows are one
    #   part of the report (r1's total is at most r2's, which hides nothing). The choice is the whole
    #   program's (every small count copied).
    grid = _grid("t", {"r1": {"a": 2, "b": 3, "tot": 5}, "r2": {"a": 1, "b": 40, "tot": 41}})
    relations = [
        *_row_sums(grid, "tot", ["a", "b"]),
        at_most(grid.key("r1", "tot"), grid.key("r2", "tot"), ""),
    ]
    values, totals = report_values([grid])
    copied: list[list[Key]] = []
    solve = _Model.solve
    monkeypatch.setattr(_Model, "solve", lambda self, keys: copied.append(list(keys)) or solve(self, keys))
    hidden = optimal_hidden(values, relations, T, totals)
    assert hidden == {grid.key(r, c) for r in ("r1", "r2") for c in ("a", "b")}
    assert copied == [[], [grid.key("r2", "a")]]
    whole = _Model(values, relations, T, totals, set())
    chosen = whole.solve(whole.primary)
    assert hidden == {k for k in whole.keys if chosen[whole.index[k]]}


def test_the_copies_of_many_small_counts_exist_together_exactly_when_each_ones_do():
    #   Once the hidden cells are chosen, the copies of two small counts share nothing free (a nearly exact
    #   sum's h is then fixed by its cells), so one program holding the copies of many (the check once most
    #   are protected) answers what a program per small count does. Every choice of hidden cells around
    #   four small counts, with exact column sums and nearly exact row sums (r2: one person in a and b).
    grid = _grid(
        "t",
        {
            "r1": {"a": 2, "b": 3, "tot": 5},
            "r2": {"a": 1, "b": 40, "tot": 40},
            "totalt": {"a": 3, "b": 43, "tot": 45},
        },
    )
    rows = [
        sums_to(grid.key(r, "tot"), [grid.key(r, "a"), grid.key(r, "b")], "regi", exact=False)
        for r in grid.rows
    ]
    values, totals = report_values([grid])
    model = _Model(values, [*_column_sums(grid), *rows], T, totals, set())
    others = [i for i, k in enumerate(model.keys) if k not in model.primary]
    answers = []
    for choice in range(2 ** len(others)):
        hidden = np.zeros(len(model.keys), dtype=bool)
        hidden[[model.index[k] for k in model.primary]] = True
        hidden[[i for n, i in enumerate(others) if choice >> n & 1]] = True
        together = model.unprotected(hidden, model.primary, likely_protected=True)
        assert together == model.unprotected(hidden, model.primary, likely_protected=False)
        answers.append(len(together))
    assert len(model.primary) == 4
    assert 0 in answers and max(answers) == 4 and len(set(answers)) > 2  # all protected, none, some


def test_the_audit_solves_each_question_once():
    #   The greedy passes and the pruning ask for a primary's interval again and again while cells far
    #   from it come and go; its LPs depend only on the hidden statistics tied to it, so they are solved
    #   once per such set, and the answer is what a fresh audit gives.
    grid, relations = _cross({"r1": {"a": 2, "b": 10}, "r2": {"a": 30, "b": 40}})
    other, other_relations = _cross({"r1": {"a": 50, "b": 60}, "r2": {"a": 70, "b": 80}}, "u")
    values, _ = report_values([grid, other])
    relations = [*relations, *other_relations]
    attacker = Attacker(values, relations)
    primary = grid.key("r1", "a")
    tied = {primary, grid.key("r1", "b"), grid.key("r2", "a"), grid.key("r2", "b")}
    asked = [tied, tied | {other.key("r1", "a")}, tied | {grid.key("totalt", "a")}, tied]
    answers, solved = [], []
    for hidden in asked:
        answers.append(attacker.interval(primary, hidden))
        solved.append(len(attacker._solved))
    assert solved == [1, 1, 2, 2]  # a cell of the other table hidden: not a new question
    assert answers == [Attacker(values, relations).interval(primary, hidden) for hidden in asked]
    assert answers[0] == [0.0, 12.0]  # r1a can go to 0 (r1b +2 ...) and up to 12 (r1b down to 0)


def test_two_small_cells_in_one_row_need_two_more_not_four():
    #   r1: a = 2, b = 3 (both primary). Along r1 they protect each other (a + b = 5 - 0 .. 5), but
    #   each is alone in its column: one more row must give up its a and b (r2: 30 and 40, the smaller
    #   row), 2 complementary cells. The reader can move (a, b, r2a, r2b) by (-2, +2, +2, -2) and
    #   (+3, -3, -3, +3): a reaches 0 and 5, b 5 and 0.
    grid, relations = _cross(
        {
            "r1": {"a": 2, "b": 3, "c": 20},
            "r2": {"a": 30, "b": 40, "c": 50},
            "r3": {"a": 60, "b": 70, "c": 80},
        }
    )
    hidden = protect([grid], relations, T)
    assert len(hidden) == 4
    assert grid.hidden == {("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")}
    assert _pinned([grid], relations) == {}


def test_a_column_of_tiny_counts_costs_one_cell_per_row_and_keeps_the_totals():
    #   Per jobbtorg: avslut till arbete (totalt) = reguljärt arbete + kommunal anställning; kommunal is
    #   1, 1, 0, 1 (the demo's pattern) and 3 for the city. Each small kommunal cell hides (4 primaries) and
    #   its row then has one hidden cell: one more must go, the cheaper of arbete and the row total. A total
    #   costs most, so arbete goes in j1, j2 and j4; in the total row both candidates are totals, and the
    #   smaller (arbete 116 < 119) goes. That is 4 complementary cells, the fewest possible (one per row
    #   with a hidden primary); no row total, no j3 cell. The reader can move kommunal j1 by -1 (arbete j1
    #   +1, kommunal totalt -1, arbete totalt +1) to 0 and by +4 to 5. The greedy method hides at least
    #   as many.
    cells = {
        "j1": {"arbete": 20, "kommunal": 1},
        "j2": {"arbete": 50, "kommunal": 1},
        "j3": {"arbete": 30, "kommunal": 0},
        "j4": {"arbete": 16, "kommunal": 1},
    }
    grid, relations = _cross(cells)
    hidden = protect([grid], relations, T)
    primary = {grid.key(r, "kommunal") for r in ("j1", "j2", "j4", "totalt")}
    assert primary <= hidden
    assert hidden - primary == {grid.key(r, "arbete") for r in ("j1", "j2", "j4", "totalt")}
    assert _pinned([grid], relations) == {}
    greedy_grid, greedy_relations = _cross(cells)
    greedy = protect([greedy_grid], greedy_relations, T, method="greedy")
    assert len(greedy) >= len(hidden)
    assert _pinned([greedy_grid], greedy_relations) == {}


def test_a_cell_hidden_in_one_year_cannot_be_recovered_from_the_other_year_and_the_difference():
    #   Per jobbtorg: this year = last year + the increase (the difference a reader takes between the
    #   columns), every column summing to its total. j1 is small in all three (3 = 1 + 2).
    #   Protected column by column (each year as its own table), each hides j1 and its smallest other cell:
    #   this year j2 or j3 (20), last year j2 (10), the increase j3 (8). Then the reader subtracts: row j3
    #   shows 20 = 12 + increase, so increase j3 = 8 and increase j1 = 10 - 8 = 2 exactly. Protected over
    #   both years and the difference at once, no small count can be narrowed.
    cells = {
        "j1": {"i_ar": 3, "fjol": 1, "okning": 2},
        "j2": {"i_ar": 20, "fjol": 10, "okning": 10},
        "j3": {"i_ar": 20, "fjol": 12, "okning": 8},
        "totalt": {"i_ar": 43, "fjol": 23, "okning": 20},
    }
    grid = _grid("t", cells)
    relations = [*_column_sums(grid), *_row_sums(grid, "i_ar", ["fjol", "okning"])]
    hidden = set()
    for column in ("i_ar", "fjol", "okning"):
        alone = _grid("t", {r: {column: v[column]} for r, v in cells.items()})
        protect([alone], _column_sums(alone), T)
        hidden |= {(r, column) for r, _ in alone.hidden}
    grid.hidden = hidden
    assert _pinned([grid], relations)  # column by column: a small count is recovered
    protect([grid], relations, T)
    assert published_small_counts(grid, T) == []
    assert _pinned([grid], relations) == {}


def test_a_small_count_of_women_who_ended_leaves_the_results_by_regi_alone():
    #   The arbetsträning results by regi (kvinnor and män together) and, beside them, the number who ended
    #   by regi and kön, whose totalt column is the results table's `avslutat` (one statistic):
    #     results   avslutat arbete ovrigt         ended   kvinnor män totalt
    #     egen          22     10     12           egen        2    20     22
    #     extern        70     30     40           extern     30    40     70
    #     totalt        92     40     52           totalt     32    60     92
    #   egen kvinnor = 2 is the one primary. Its row (22 = 2 + män) and its column (32 = 2 + extern) each
    #   need a second hidden cell, and those meet in extern män: 3 complementary cells (egen män, extern
    #   kvinnor, extern män), none a total, and no cell of the results table. Fewer leave a line with one
    #   hidden cell; the reader can move egen kvinnor by -2 and +3 (egen män and extern kvinnor the other
    #   way, extern män with it).
    results = _grid(
        "resultat",
        {
            "egen": {"avslutat": 22, "arbete": 10, "ovrigt": 12},
            "extern": {"avslutat": 70, "arbete": 30, "ovrigt": 40},
            "totalt": {"avslutat": 92, "arbete": 40, "ovrigt": 52},
        },
    )
    results.total_columns = {"avslutat"}
    ended = _grid(
        "avslutade_kon",
        {
            "egen": {"kvinnor": 2, "män": 20, "totalt": 22},
            "extern": {"kvinnor": 30, "män": 40, "totalt": 70},
            "totalt": {"kvinnor": 32, "män": 60, "totalt": 92},
        },
        keys={"totalt": ("resultat", "avslutat")},
    )
    ended.total_columns = {"totalt"}
    assert ended.key("egen", "totalt") == results.key("egen", "avslutat")
    relations = [
        *_column_sums(results),
        *_row_sums(results, "avslutat", ["arbete", "ovrigt"]),
        *_column_sums(ended),
        *_row_sums(ended, "totalt", ["kvinnor", "män"]),
    ]
    protect([results, ended], relations, T)
    assert ended.hidden == {("egen", "kvinnor"), ("egen", "män"), ("extern", "kvinnor"), ("extern", "män")}
    assert results.hidden == set()
    assert _pinned([results, ended], relations) == {}


def test_a_sum_the_figures_show_is_not_exact_needs_no_cells_to_make_it_exact():
    #   Arbetsträning results by regi, from the demo's 2020-T2: a person under both regi counts once in
    #   Totalt, so the regi add up to at most the total's persons plus the overlap (71 < 44 + 29):
    #              avslutat  arbete fortsatt aterremitterade ovrigt
    #     egen         44       9      15         10          10
    #     extern       29       8      14          3           4
    #     totalt       71      16      29         12          14
    #   extern återremitterade 3 and övrigt 4 are primary. Hiding egen återremitterade and övrigt as well
    #   (a rectangle, 2 complementary cells) leaves each of the two anywhere in [0, 7]: the rows give
    #   3 + 4 = 7 and 10 + 10 = 20, and the columns, which the figures show are not exact, only that the
    #   total is at most the sum of the regi. A reader who took them as exact would find 12 + 14 = 26
    #   against 20 + 7 = 27: impossible, so no reader does. The integer program models that reader (each
    #   sum exact once a cell of it is hidden) and hides more; what no reader needs is shown again.
    rows = {
        "egen": {"avslutat": 44, "arbete": 9, "fortsatt": 15, "aterremitterade": 10, "ovrigt": 10},
        "extern": {"avslutat": 29, "arbete": 8, "fortsatt": 14, "aterremitterade": 3, "ovrigt": 4},
        "totalt": {"avslutat": 71, "arbete": 16, "fortsatt": 29, "aterremitterade": 12, "ovrigt": 14},
    }
    grid = _grid("resultat", rows)
    grid.total_columns = {"avslutat"}
    parts = ["arbete", "fortsatt", "aterremitterade", "ovrigt"]
    relations = _row_sums(grid, "avslutat", parts)
    for c in grid.columns:
        relations.append(
            sums_to(grid.key("totalt", c), [grid.key(r, c) for r in ("egen", "extern")], "regi", exact=False)
        )
    relations += [
        at_most(grid.key(r, "avslutat"), grid.key("totalt", "avslutat"), "del") for r in ("egen", "extern")
    ]
    rectangle = {
        ("extern", "aterremitterade"),
        ("extern", "ovrigt"),
        ("egen", "aterremitterade"),
        ("egen", "ovrigt"),
    }
    protect([grid], relations, T)
    assert grid.hidden == rectangle
    assert _pinned([grid], relations) == {}
    # what the integer program chose on the demo: the rectangle, extern arbete and extern's total too
    values, totals = report_values([grid])
    primary = [grid.key("extern", "aterremitterade"), grid.key("extern", "ovrigt")]
    chosen = {grid.key(*c) for c in rectangle | {("extern", "arbete"), ("extern", "avslutat")}}
    pruned = _prune(Attacker(values, relations), primary, chosen, set(), totals, T)
    assert pruned == {grid.key(*c) for c in rectangle}


def test_the_year_to_date_holding_the_tertial_is_enforced_though_the_program_leaves_it_out(monkeypatch):
    #   A tertial and the year to date, per kön, each column summing to its total:
    #              tertial   year to date
    #     kvinnor       2             30
    #     män          48             48
    #     totalt       50             78
    #   Within the tertial, kvinnor (2) and män (48) hidden protect each other: kvinnor could be 0 to 50.
    #   But a reader also knows the tertial's count of persons is at most the year to date's: män <= 48,
    #   so kvinnor >= 2: narrowed. The relation is left out of the integer program (it would tie the two
    #   columns into one program); the audit, which has it, must hide more.
    grid = _grid(
        "t",
        {
            "kvinnor": {"tertial": 2, "hittills": 30},
            "män": {"tertial": 48, "hittills": 48},
            "totalt": {"tertial": 50, "hittills": 78},
        },
    )
    sums = _column_sums(grid)
    growing = [
        Relation(
            at_most(grid.key(r, "tertial"), grid.key(r, "hittills"), "rymmer").terms, "<=", "rymmer", True
        )
        for r in ("kvinnor", "män")
    ]
    given_to_program = []
    real = disclosure.optimal_hidden

    def spy(values, relations, *args):
        given_to_program.extend(relations)
        return real(values, relations, *args)

    monkeypatch.setattr(disclosure, "optimal_hidden", spy)
    grid.hidden = {("kvinnor", "tertial"), ("män", "tertial")}
    assert _pinned([grid], [*sums, *growing])  # the two alone do not protect kvinnor
    protect([grid], [*sums, *growing], T)
    assert given_to_program and not any(r.audit_only for r in given_to_program)
    assert published_small_counts(grid, T) == []
    assert _pinned([grid], [*sums, *growing]) == {}

"""Disclosure control: small counts hidden, and no hidden count recoverable from its row or column."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobbtorg_pipeline.report.disclosure import HIDDEN, Grid, published_small_counts, recoverable, suppress


def _grid(rows: dict[str, dict[str, int]], *, total_column: bool = True) -> Grid:
    """A cross-table with a `totalt` row and (optionally) a `totalt` column that sum their details."""
    details = list(next(iter(rows.values())))
    names = [*rows, "totalt"]
    values = {(r, c): v for r, cells in rows.items() for c, v in cells.items()}
    for c in details:
        values[("totalt", c)] = sum(cells[c] for cells in rows.values())
    columns = details
    sums = []
    if total_column:
        for r in names:
            values[(r, "totalt")] = sum(values[(r, c)] for c in details)
        columns = [*details, "totalt"]
        sums = [("totalt", details)]
    return Grid(
        rows=names,
        columns=columns,
        values=values,
        count_columns=columns,
        total_row="totalt",
        column_sums=sums,
    )


def test_small_counts_are_hidden_and_zero_is_shown():
    grid = suppress(_grid({"egen": {"kvinnor": 6, "män": 40}, "extern": {"kvinnor": 0, "män": 20}}), 5)
    assert grid.hidden == set()  # 0 identifies no one; nothing is under 5
    assert grid.value("extern", "kvinnor") == 0


def test_a_worked_table():
    #            kvinnor  män  totalt
    #   egen           3   40      43
    #   extern         0   20      20
    #   totalt         3   60      63
    # primary: egen/kvinnor 3 and totalt/kvinnor 3. The lines, columns first then rows, until stable:
    # column kvinnor has two hidden (fine); row egen (3 hidden, 40, 43) has one: its smallest open detail,
    # män 40, goes too; row totalt (3 hidden, 60, 63) likewise hides män 60; column män (40 hidden, 20,
    # 60 hidden) then has two. Extern is shown whole: the four hidden cells obey only three independent
    # sums (egen_k = totalt_k, egen_k + egen_m = 43, egen_m + 20 = totalt_m), so none can be worked out.
    grid = suppress(_grid({"egen": {"kvinnor": 3, "män": 40}, "extern": {"kvinnor": 0, "män": 20}}), 5)
    assert grid.hidden == {("egen", "kvinnor"), ("egen", "män"), ("totalt", "kvinnor"), ("totalt", "män")}
    assert [grid.value(r, "totalt") for r in grid.rows] == [43, 20, 63]
    assert published_small_counts(grid, 5) == [] and recoverable(grid) == []


def test_one_hidden_cell_in_a_row_hides_a_second_one():
    # egen: kvinnor 3 (hidden), män 40, totalt 43 -> 43 - 40 would give 3 away: män must go too.
    # kvinnor column: 3 (hidden) + 10 = 13 -> 13 - 10 would give it away: extern kvinnor must go too,
    # and then extern's row (10 hidden, 20, 30) needs a second hidden cell: extern män.
    grid = suppress(_grid({"egen": {"kvinnor": 3, "män": 40}, "extern": {"kvinnor": 10, "män": 20}}), 5)
    assert grid.hidden == {("egen", "kvinnor"), ("egen", "män"), ("extern", "kvinnor"), ("extern", "män")}
    assert recoverable(grid) == []
    assert grid.value("totalt", "totalt") == 73  # the totals stay


def test_the_smallest_detail_is_the_second_cell():
    # row egen: 2 (hidden), 7, 50, total 59 -> the smallest open detail, 7, is hidden with it
    grid = _grid({"egen": {"a": 2, "b": 7, "c": 50}, "extern": {"a": 30, "b": 30, "c": 30}})
    suppress(grid, 5)
    assert ("egen", "b") in grid.hidden and ("egen", "c") not in grid.hidden
    assert recoverable(grid) == []


def test_a_share_on_a_hidden_or_small_count_is_hidden_and_a_share_of_nobody_stays_empty():
    grid = Grid(
        rows=["a", "b", "c", "totalt"],
        columns=["n", "k", "andel"],
        values={
            ("a", "n"): 50, ("a", "k"): 3, ("a", "andel"): 0.06,
            ("b", "n"): 4, ("b", "k"): 0, ("b", "andel"): 0.0,
            ("c", "n"): 0, ("c", "k"): 0, ("c", "andel"): None,
            ("totalt", "n"): 54, ("totalt", "k"): 3, ("totalt", "andel"): 3 / 54,
        },
        count_columns=["n", "k"],
        total_row="totalt",
        derived={"andel": ("k", "n")},
    )  # fmt: skip
    suppress(grid, 5)
    assert grid.value("a", "andel") == HIDDEN  # its numerator 3 is hidden: 0.06 x 50 would give it away
    assert grid.value("b", "andel") == HIDDEN  # built on 4 persons
    assert grid.value("c", "andel") is None  # no one: nothing to hide
    assert grid.value("totalt", "andel") == HIDDEN


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=4), min_size=2, max_size=6).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    st.booleans(),
)
def test_no_hidden_count_can_be_recovered_by_subtraction(rows, total_column):
    table = {f"r{i}": {f"c{j}": v for j, v in enumerate(r)} for i, r in enumerate(rows)}
    grid = suppress(_grid(table, total_column=total_column), 5)
    assert published_small_counts(grid, 5) == []
    assert recoverable(grid) == []
    # by hand: in every line with a hidden cell, the published cells leave at least two unknowns
    for column in grid.count_columns:
        line = [(r, column) for r in grid.rows]
        assert sum(c in grid.hidden for c in line) != 1
    if total_column:
        for row in grid.rows:
            assert sum((row, c) in grid.hidden for c in grid.columns) != 1

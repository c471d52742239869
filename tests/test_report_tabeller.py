"""The report's tables by målgrupp and of insatser (jobbtorg_pipeline/report/tabeller/): each built from
small hand-made marts whose table is worked out by hand, and each under the whole-report disclosure
control: its cells are statistics of the model (shared with the other tables where they are the same
figure) and the sums a reader knows are declared, so that leaving one out lets the attacker narrow a
hidden count."""

from __future__ import annotations

import duckdb
import pytest

from jobbtorg_pipeline.report.content import stat
from jobbtorg_pipeline.report.disclosure import HIDDEN, Relation, protect, published_small_counts
from jobbtorg_pipeline.report.tabeller import malgrupp
from tests.support.attacker import narrowest

T = 5
PERIOD = "2019-T2"


def _pinned(tables, relations: list[Relation]) -> dict:
    """Hidden small counts a reader with every published figure and `relations` narrows (lo > 0 or
    hi < threshold), whether nearly additive sums are read as exact or not."""
    published, truth = {}, {}
    for table in tables:
        grid = table.grid
        for cell in grid.count_cells():
            key = grid.key(*cell)
            truth[key] = grid.values[cell]
            if published.get(key) is None:
                published[key] = None if cell in grid.hidden else grid.values[cell]
    small = [k for k, v in published.items() if v is None and 0 < truth[k] < T]
    found = {}
    for exact in (False, True):
        intervals = narrowest(published, relations, small, exact_reading=exact) or {}
        found.update({k: i for k, i in intervals.items() if i[0] > 0 or i[1] < T})
    return found


# ---- A: by målgrupp ----------------------------------------------------------------------------------


@pytest.fixture
def malgrupp_marts():
    """2019-T2 by målgrupp (over all jobbtorg and kön):

    group               inskrivna  avslutade  arbete eller studier
    fsst_arbetsloshet          40         20          8
    sfi                        30         12          6
    ungdom                      3          2          1     small: hidden
    okänd                      12          0          -     no kolada row: nobody ended (a share of nobody)
    etablering                  -          -          -     only in 2019-T1: shown with zeros
    totalt                     84         34         15     one person in two groups: 85 - 1 = 84

    The totals come from the marts' own tables (unika_individer, kolada_resultat_vid_avslut)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        """
        CREATE TABLE marts.unika_individer_grupper AS
        SELECT * FROM (VALUES
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'fsst_arbetsloshet', 40, 20),
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'sfi', 30, 12),
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'ungdom', 3, 2),
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'okänd', 12, 0),
            ('2019-T1', 'totalt', 'totalt', 'malgrupp', 'etablering', 7, 7),
            ('2019-T2', 'Jobbtorg Järva', 'totalt', 'malgrupp', 'sfi', 30, 12),
            ('2019-T2', 'totalt', 'kvinnor', 'malgrupp', 'sfi', 14, 5),
            ('2019-T2', 'totalt', 'totalt', 'aldersgrupp', '16-24', 9, 9)
        ) AS t(period, jobbtorg, kon, dimension, grupp, inskrivna, avslutade)
        """
    )
    con.execute(
        """
        CREATE TABLE marts.kolada_resultat_vid_avslut_grupper AS
        SELECT *, arbete_eller_studier / avslutade AS andel_arbete_eller_studier FROM (VALUES
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'fsst_arbetsloshet', 20, 8),
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'sfi', 12, 6),
            ('2019-T2', 'totalt', 'totalt', 'malgrupp', 'ungdom', 2, 1),
            ('2019-T1', 'totalt', 'totalt', 'malgrupp', 'etablering', 7, 3)
        ) AS t(period, jobbtorg, kon, dimension, grupp, avslutade, arbete_eller_studier)
        """
    )
    con.execute(
        """
        CREATE TABLE marts.unika_individer AS
        SELECT * FROM (VALUES ('2019-T2', 'totalt', 'totalt', 84, 34), ('2019-T1', 'totalt', 'totalt', 7, 7))
            AS t(period, jobbtorg, kon, inskrivna, avslutade)
        """
    )
    con.execute(
        """
        CREATE TABLE marts.kolada_resultat_vid_avslut AS
        SELECT *, arbete_eller_studier / avslutade AS andel_arbete_eller_studier FROM (VALUES
            ('2019-T2', 'totalt', 'totalt', 34, 15), ('2019-T1', 'totalt', 'totalt', 7, 3)
        ) AS t(period, jobbtorg, kon, avslutade, arbete_eller_studier)
        """
    )
    yield con
    con.close()


def test_the_malgrupp_table_holds_the_hand_worked_figures(malgrupp_marts):
    [table], _ = malgrupp.tabell(malgrupp_marts, PERIOD, T, {})
    grid = table.grid
    assert grid.rows == ["fsst_arbetsloshet", "sfi", "etablering", "ungdom", "okänd", "totalt"]
    assert [table.row_label(r) for r in grid.rows][-2:] == ["Målgrupp saknas", "Totalt"]
    columns = ["inskrivna", "avslutade", "arbete_eller_studier", "andel_arbete_eller_studier"]
    assert {r: [grid.values[(r, c)] for c in columns] for r in grid.rows} == {
        "fsst_arbetsloshet": [40, 20, 8, 0.4],
        "sfi": [30, 12, 6, 0.5],
        "etablering": [0, 0, 0, None],
        "ungdom": [3, 2, 1, 0.5],
        "okänd": [12, 0, 0, None],
        "totalt": [84, 34, 15, 15 / 34],
    }
    assert table.units["andel_arbete_eller_studier"] == "andel"


def test_the_malgrupp_totals_are_the_citys_figures_of_the_other_tables(malgrupp_marts):
    """One statistic, one cell: the Totalt row is the city's inskrivna and avslutade of the unika
    individer table and its arbete eller studier of the Kolada table, so it is hidden in all or none."""
    [table], _ = malgrupp.tabell(malgrupp_marts, PERIOD, T, {})
    city = {"jobbtorg": "totalt", "kon": "totalt"}
    assert table.grid.key("totalt", "inskrivna") == stat("unika_individer", "inskrivna", **city)
    assert table.grid.key("totalt", "avslutade") == stat("unika_individer", "avslutade", **city)
    assert table.grid.key("totalt", "arbete_eller_studier") == stat(
        "kolada_resultat_vid_avslut", "arbete_eller_studier", **city
    )
    keys = {table.grid.key(r, c) for r in table.grid.rows for c in table.grid.count_columns}
    assert len(keys) == len(table.grid.rows) * len(table.grid.count_columns)  # no two cells alike


def test_a_small_malgrupp_is_hidden_and_cannot_be_read_off_the_total(malgrupp_marts):
    """ungdom's 3, 2 and 1 are hidden. Alone that is not enough: Totalt 84 against 40 + 30 + 0 + 12 = 82
    leaves ungdom's inskrivna at least 2 (84 <= 82 + ungdom: everyone is in some group), exactly 2 if the
    groups are read as adding up. The declared sums make the control hide more, and then no reader can
    narrow a small count; without them it hides only the primaries and the attacker narrows them."""
    [table], relations = malgrupp.tabell(malgrupp_marts, PERIOD, T, {})
    grid = table.grid
    protect([grid], relations, T)
    primary = {("ungdom", c) for c in ("inskrivna", "avslutade", "arbete_eller_studier")}
    # one more per column, the smallest that can carry the slack (a hidden 0 cannot: etablering's 0 would
    # leave ungdom's inskrivna at most 2): okänd's 12 inskrivna, sfi's 12 avslutade and 6 to arbete/studier
    assert {c for c in grid.hidden if c[1] in grid.count_columns} == primary | {
        ("okänd", "inskrivna"),
        ("sfi", "avslutade"),
        ("sfi", "arbete_eller_studier"),
    }
    assert grid.value("ungdom", "andel_arbete_eller_studier") == HIDDEN
    assert not grid.hidden & {("totalt", c) for c in grid.count_columns}  # a group's cell is cheaper
    assert published_small_counts(grid, T) == []
    assert _pinned([table], relations) == {}

    sums = [r for r in relations if r.why.startswith("målgrupp") and "<=" in r.sense and "del" not in r.why]
    assert sums  # the column sums, the relation a reader knows best
    [again], _ = malgrupp.tabell(malgrupp_marts, PERIOD, T, {})
    without = [r for r in relations if r not in sums]
    protect([again.grid], without, T)
    assert {c for c in again.grid.hidden if c[1] in again.grid.count_columns} == primary
    pinned = _pinned([again], relations)
    assert stat("unika_individer", "inskrivna", jobbtorg="totalt", kon="totalt", malgrupp="ungdom") in pinned


def test_the_malgrupp_relations_are_those_a_reader_knows(malgrupp_marts):
    [table], relations = malgrupp.tabell(malgrupp_marts, PERIOD, T, {})
    grid = table.grid
    declared = {(r.sense, frozenset(r.terms)) for r in relations}
    details = [r for r in grid.rows if r != "totalt"]
    for column in ("inskrivna", "avslutade", "arbete_eller_studier"):
        # nearly additive, and everyone in the total is in some group (every registration has a målgrupp)
        terms = {(grid.key("totalt", column), 1), *((grid.key(d, column), -1) for d in details)}
        assert ("~<=", frozenset(terms)) in declared, column
    for d in details:  # a person with a registration in a group is in the total; not so for the last avslut
        for column in ("inskrivna", "avslutade"):
            terms = frozenset({(grid.key(d, column), 1), (grid.key("totalt", column), -1)})
            assert ("<=", terms) in declared
        terms = frozenset(
            {(grid.key(d, "arbete_eller_studier"), 1), (grid.key("totalt", "arbete_eller_studier"), -1)}
        )
        assert ("<=", terms) not in declared
    for r in grid.rows:
        for part, whole in (("avslutade", "inskrivna"), ("arbete_eller_studier", "avslutade")):
            assert ("<=", frozenset({(grid.key(r, part), 1), (grid.key(r, whole), -1)})) in declared

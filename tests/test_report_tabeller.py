"""The report's tables by målgrupp and of insatser (jobbtorg_pipeline/report/tabeller/): each built from
small hand-made marts whose table is worked out by hand, and each under the whole-report disclosure
control: its cells are statistics of the model (shared with the other tables where they are the same
figure) and the sums a reader knows are declared, so that leaving one out lets the attacker narrow a
hidden count."""

from __future__ import annotations

import duckdb
import pytest

from jobbtorg_pipeline.report.disclosure import HIDDEN, Relation, protect, published_small_counts
from jobbtorg_pipeline.report.tabell import stat
from jobbtorg_pipeline.report.tabeller import insatser, insatser_resultat, malgrupp, stegforflyttningar
from tests.support.attacker import SLACK, measure_reading, narrowest

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


# ---- B: deltagare and årsplatser per insatstyp, and per regi -----------------------------------------


@pytest.fixture
def insatser_marts():
    """2019-T2 over all jobbtorg and kön (deltagare; årsplatser):

    insatstyp       egen         extern        totalt
    coachning       30; 10.0     -             30; 10.0     no extern row: 0 persons, 0 places
    arbetstraning   20;  8.0     10;  4.0      28; 12.0     two persons in both regi
    praktik          1;  0.5      2;  1.0       3;  1.5     small: hidden
    sfi              -           40; 20.0      40; 20.0
    validering       -           -             -            only in 2019-T1: shown with zeros
    totalt          50; 18.5     52; 25.0      99; 43.5     persons: 101 in the rows above

    Årsplatser add up exactly (10 + 12 + 1.5 + 20 = 43.5); persons only nearly (a person in two types or
    both regi is one person in the total). Rows of one regi by type are read only for arbetsträning."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        """
        CREATE TABLE marts.insatser AS
        SELECT * FROM (VALUES
            ('2019-T2', 'coachning', 'egen', 'totalt', 'totalt', 30, 10.0),
            ('2019-T2', 'coachning', 'totalt', 'totalt', 'totalt', 30, 10.0),
            ('2019-T2', 'arbetstraning', 'egen', 'totalt', 'totalt', 20, 8.0),
            ('2019-T2', 'arbetstraning', 'extern', 'totalt', 'totalt', 10, 4.0),
            ('2019-T2', 'arbetstraning', 'totalt', 'totalt', 'totalt', 28, 12.0),
            ('2019-T2', 'praktik', 'egen', 'totalt', 'totalt', 1, 0.5),
            ('2019-T2', 'praktik', 'extern', 'totalt', 'totalt', 2, 1.0),
            ('2019-T2', 'praktik', 'totalt', 'totalt', 'totalt', 3, 1.5),
            ('2019-T2', 'sfi', 'extern', 'totalt', 'totalt', 40, 20.0),
            ('2019-T2', 'sfi', 'totalt', 'totalt', 'totalt', 40, 20.0),
            ('2019-T2', 'totalt', 'egen', 'totalt', 'totalt', 50, 18.5),
            ('2019-T2', 'totalt', 'extern', 'totalt', 'totalt', 52, 25.0),
            ('2019-T2', 'totalt', 'totalt', 'totalt', 'totalt', 99, 43.5),
            ('2019-T1', 'validering', 'egen', 'totalt', 'totalt', 9, 3.0),
            ('2019-T2', 'sfi', 'extern', 'Jobbtorg Järva', 'totalt', 25, 12.0),
            ('2019-T2', 'sfi', 'extern', 'totalt', 'kvinnor', 18, 9.0)
        ) AS t(period, insatstyp, regi, jobbtorg, kon, deltagare, arsplatser)
        """
    )
    yield con
    con.close()


def _values(table) -> dict[str, list]:
    return {r: [table.grid.values[(r, c)] for c in table.grid.columns] for r in table.grid.rows}


def test_the_insatser_tables_hold_the_hand_worked_figures(insatser_marts):
    per_typ, arbetstraning, alla = insatser.tabell(insatser_marts, PERIOD, T, {})[0]
    assert per_typ.grid.rows == ["coachning", "arbetstraning", "praktik", "sfi", "validering", "totalt"]
    assert [per_typ.row_label(r) for r in per_typ.grid.rows] == [
        "Coachning",
        "Arbetsträning",
        "Praktik",
        "SFI",
        "Validering",
        "Totalt",
    ]
    assert _values(per_typ) == {
        "coachning": [30, 10.0],
        "arbetstraning": [28, 12.0],
        "praktik": [3, 1.5],
        "sfi": [40, 20.0],
        "validering": [0, 0.0],
        "totalt": [99, 43.5],
    }
    assert _values(arbetstraning) == {"egen": [20, 8.0], "extern": [10, 4.0], "totalt": [28, 12.0]}
    assert _values(alla) == {"egen": [50, 18.5], "extern": [52, 25.0], "totalt": [99, 43.5]}
    assert [alla.row_label(r) for r in alla.grid.rows] == ["Egen regi", "Extern regi", "Totalt"]
    for table in (per_typ, arbetstraning, alla):
        assert [table.units[c] for c in table.grid.columns] == ["antal", "platser"]
        assert table.grid.count_columns == ["deltagare"]
        assert table.grid.measures == {"arsplatser": "deltagare"}


def test_the_insatser_cells_shown_elsewhere_are_the_same_statistics(insatser_marts):
    """All persons with an insats are the parallella insatser table's, and arbetsträning's deltagare
    (per regi) are arbetstraning_deltagare's: one statistic each, hidden everywhere or nowhere."""
    per_typ, arbetstraning, alla = insatser.tabell(insatser_marts, PERIOD, T, {})[0]
    everyone = stat("parallella_insatser", "personer_med_insats", jobbtorg="totalt", kon="totalt")
    assert per_typ.grid.key("totalt", "deltagare") == everyone == alla.grid.key("totalt", "deltagare")
    for regi in ("egen", "extern", "totalt"):
        assert arbetstraning.grid.key(regi, "deltagare") == stat(
            "arbetstraning_deltagare", "deltagare", regi=regi, kon="totalt"
        )
    assert per_typ.grid.key("arbetstraning", "deltagare") == arbetstraning.grid.key("totalt", "deltagare")
    assert alla.grid.key("egen", "deltagare") == stat(
        "insatser", "deltagare", insatstyp="totalt", regi="egen", jobbtorg="totalt", kon="totalt"
    )
    assert per_typ.grid.key("praktik", "deltagare") == stat(
        "insatser", "deltagare", insatstyp="praktik", regi="totalt", jobbtorg="totalt", kon="totalt"
    )


def test_the_insatser_relations_are_those_a_reader_knows(insatser_marts):
    tables, relations = insatser.tabell(insatser_marts, PERIOD, T, {})
    declared = {(r.sense, frozenset(r.terms)) for r in relations}
    for table in tables:  # everyone in a total is in some part; a person in two parts counts once
        grid = table.grid
        details = grid.rows[:-1]
        terms = {(grid.key("totalt", "deltagare"), 1), *((grid.key(d, "deltagare"), -1) for d in details)}
        assert ("~<=", frozenset(terms)) in declared, table.id
        for d in details:
            nested = frozenset({(grid.key(d, "deltagare"), 1), (grid.key("totalt", "deltagare"), -1)})
            assert ("<=", nested) in declared


def test_a_small_insats_count_hides_its_places_so_that_they_cannot_be_worked_out(insatser_marts):
    """praktik's 3 deltagare are hidden, and so are its 1.5 årsplatser, and a second row's: else
    43.5 - 10.0 - 12.0 - 20.0 - 0.0 down the column would tell that the hidden count is above 0. No hidden
    count's årsplatser can be shown to be above 0, nor to be 0."""
    tables, relations = insatser.tabell(insatser_marts, PERIOD, T, {})
    per_typ = tables[0]
    grid = per_typ.grid
    protect([t.grid for t in tables], relations, T)
    assert ("praktik", "deltagare") in grid.hidden
    for table in tables:
        assert published_small_counts(table.grid, T) == []
    assert _pinned(tables, relations) == {}
    hidden = {r for r, c in grid.hidden if c == "arsplatser"}
    assert "praktik" in hidden
    assert hidden - {"praktik"}, "a second row hides its places too"
    assert "totalt" not in hidden
    published = {"rader": [{"varden": [grid.value(r, c) for c in grid.columns]} for r in grid.rows]}
    reading = measure_reading(published, grid)
    assert ("praktik", "arsplatser") in reading
    assert all(lo < SLACK and hi > SLACK for lo, hi in reading.values()), reading

    # a row hidden in the table per insatstyp is hidden in the arbetsträning table per regi too
    regi = tables[1].grid
    at_regi = {(r, "arsplatser") for r in regi.rows}
    assert at_regi <= regi.hidden if "arbetstraning" in hidden else not at_regi & regi.hidden

    naive = insatser.tabell(insatser_marts, PERIOD, T, {})[0][0].grid  # the small count's places alone
    naive.hidden = {("praktik", "deltagare"), ("praktik", "arsplatser")}
    published = {"rader": [{"varden": [naive.value(r, c) for c in grid.columns]} for r in grid.rows]}
    lo, hi = measure_reading(published, naive)[("praktik", "arsplatser")]
    assert lo == pytest.approx(1.5, abs=2 * SLACK) and hi == pytest.approx(1.5, abs=2 * SLACK)


# ---- C: results per insatstyp ------------------------------------------------------------------------


@pytest.fixture
def resultat_marts():
    """2019-T2, both regi and kön together:

    insatstyp      avslutade  arbete/studier  (fortsatt  återremitterade  övrigt: not shown)
    coachning             20               8          6                4       2
    arbetstraning         12               3          4                3       2
    sfi                    3               1          1                1       0   small: hidden
    praktik                -               -          -                -       -   only in 2019-T1
    totalt                30              11         10                6       3   5 persons in two types

    Each person's outcome in Totalt is that of their last insats, so the types' outcomes need not be
    nested in the total's (here they are not all: 8 + 3 + 1 = 12 to arbete/studier against 11)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        """
        CREATE TABLE marts.insatser_resultat AS
        SELECT *, arbete_eller_studier / nullif(avslutat_insats, 0) AS andel_arbete_eller_studier
        FROM (VALUES
            ('2019-T2', 'coachning', 'totalt', 'totalt', 20, 8, 6, 4, 2),
            ('2019-T2', 'arbetstraning', 'totalt', 'totalt', 12, 3, 4, 3, 2),
            ('2019-T2', 'sfi', 'totalt', 'totalt', 3, 1, 1, 1, 0),
            ('2019-T2', 'totalt', 'totalt', 'totalt', 30, 11, 10, 6, 3),
            ('2019-T1', 'praktik', 'totalt', 'totalt', 4, 4, 0, 0, 0),
            ('2019-T2', 'coachning', 'egen', 'totalt', 15, 6, 5, 3, 1),
            ('2019-T2', 'coachning', 'totalt', 'kvinnor', 9, 4, 3, 1, 1)
        ) AS t(period, insatstyp, regi, kon, avslutat_insats, arbete_eller_studier, fortsatt_inskrivna,
               aterremitterade, ovrigt)
        """
    )
    yield con
    con.close()


def test_the_results_per_insatstyp_hold_the_hand_worked_figures(resultat_marts):
    [table], _ = insatser_resultat.tabell(resultat_marts, PERIOD, T, {})
    grid = table.grid
    assert grid.rows == ["coachning", "arbetstraning", "praktik", "sfi", "totalt"]
    assert grid.columns == ["avslutat_insats", "arbete_eller_studier", "andel_arbete_eller_studier"]
    assert _values(table) == {
        "coachning": [20, 8, 0.4],
        "arbetstraning": [12, 3, 0.25],
        "praktik": [0, 0, None],
        "sfi": [3, 1, 1 / 3],
        "totalt": [30, 11, 11 / 30],
    }


def test_the_arbetstraning_results_are_one_statistic_in_both_tables(resultat_marts):
    [table], _ = insatser_resultat.tabell(resultat_marts, PERIOD, T, {})
    grid = table.grid
    assert grid.key("arbetstraning", "avslutat_insats") == stat(
        "arbetstraning_resultat", "avslutat_arbetstraning", regi="totalt", kon="totalt"
    )
    assert grid.key("arbetstraning", "arbete_eller_studier") == stat(
        "arbetstraning_resultat", "arbete_eller_studier", regi="totalt", kon="totalt"
    )
    keys = {grid.key(r, c) for r in grid.rows for c in grid.count_columns}
    assert len(keys) == len(grid.rows) * len(grid.count_columns)


def test_the_results_relations_are_those_a_reader_knows(resultat_marts):
    [table], relations = insatser_resultat.tabell(resultat_marts, PERIOD, T, {})
    grid = table.grid
    declared = {(r.sense, frozenset(r.terms)) for r in relations}
    details = grid.rows[:-1]
    for row in grid.rows:
        part = frozenset({(grid.key(row, "arbete_eller_studier"), 1), (grid.key(row, "avslutat_insats"), -1)})
        assert ("<=", part) in declared
    for column in ("avslutat_insats", "arbete_eller_studier"):
        terms = {(grid.key("totalt", column), 1), *((grid.key(d, column), -1) for d in details)}
        assert ("~<=", frozenset(terms)) in declared, column
    for d in details:  # a person who ended an insats of a type is in the total; their outcome may differ
        nested = frozenset({(grid.key(d, "avslutat_insats"), 1), (grid.key("totalt", "avslutat_insats"), -1)})
        assert ("<=", nested) in declared
        terms = frozenset(
            {(grid.key(d, "arbete_eller_studier"), 1), (grid.key("totalt", "arbete_eller_studier"), -1)}
        )
        assert ("<=", terms) not in declared


def test_a_small_insatstyp_result_is_hidden_and_cannot_be_read_off(resultat_marts):
    [table], relations = insatser_resultat.tabell(resultat_marts, PERIOD, T, {})
    grid = table.grid
    protect([grid], relations, T)
    assert {("sfi", "avslutat_insats"), ("sfi", "arbete_eller_studier")} <= grid.hidden
    assert grid.value("sfi", "andel_arbete_eller_studier") == HIDDEN
    assert published_small_counts(grid, T) == []
    assert _pinned([table], relations) == {}


# ---- D: stegförflyttningar ---------------------------------------------------------------------------


@pytest.fixture
def steg_marts():
    """Insatser that ended in 2019-T2, by what came next within 90 days (transitions, not persons):

    från        ny insats    arbete  studier  återremiss  inget inom 90  ännu inget  totalt
    coachning   3 + 2 = 5         6        0           1              4           0      16
    praktik             0         7        5           0              0           2      14
    sfi                 -         -        -           -              -           -       -   2019-T1 only
    totalt              5        13        5           1              4           2      30

    Per insatstyp the avslut are one column (coachning 7, praktik 12, totalt 19); the Totalt row is split
    by reason in a table of its own (arbete or studier 18, återremiss 1, annat avslut 0).

    The mart's own `totalt` rows (over every next step) are left out of the sums."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        """
        CREATE TABLE marts.stegforflyttningar AS
        SELECT * FROM (VALUES
            ('2019-T2', 'coachning', 'arbetstraning', 3, 3),
            ('2019-T2', 'coachning', 'praktik', 2, 2),
            ('2019-T2', 'coachning', 'arbete', 6, 6),
            ('2019-T2', 'coachning', 'aterremiss', 1, 1),
            ('2019-T2', 'coachning', 'inget_inom_90_dagar', 4, 3),
            ('2019-T2', 'coachning', 'totalt', 16, 14),
            ('2019-T2', 'praktik', 'arbete', 7, 7),
            ('2019-T2', 'praktik', 'studier', 5, 5),
            ('2019-T2', 'praktik', 'inget_annu', 2, 2),
            ('2019-T2', 'praktik', 'totalt', 14, 14),
            ('2019-T2', 'totalt', 'arbetstraning', 3, 3),
            ('2019-T2', 'totalt', 'praktik', 2, 2),
            ('2019-T2', 'totalt', 'arbete', 13, 12),
            ('2019-T2', 'totalt', 'studier', 5, 5),
            ('2019-T2', 'totalt', 'aterremiss', 1, 1),
            ('2019-T2', 'totalt', 'inget_inom_90_dagar', 4, 3),
            ('2019-T2', 'totalt', 'inget_annu', 2, 2),
            ('2019-T2', 'totalt', 'totalt', 30, 25),
            ('2019-T1', 'sfi', 'arbete', 6, 6),
            ('2019-T1', 'sfi', 'totalt', 6, 6)
        ) AS t(period, fran_insatstyp, till, overgangar, personer)
        """
    )
    yield con
    con.close()


def test_the_stegforflyttningar_hold_the_hand_worked_figures(steg_marts):
    [matrix, chart], _ = stegforflyttningar.tabell(steg_marts, PERIOD, T, {})
    assert matrix.grid.rows == ["coachning", "praktik", "sfi", "totalt"]
    assert matrix.grid.columns == ["ny_insats", "avslut", "inget_inom_90_dagar", "inget_annu", "totalt"]
    assert _values(matrix) == {
        "coachning": [5, 7, 4, 0, 16],
        "praktik": [0, 12, 0, 2, 14],
        "sfi": [0, 0, 0, 0, 0],
        "totalt": [5, 19, 4, 2, 30],
    }
    assert chart.grid.rows == list(stegforflyttningar.STEG)
    assert [chart.grid.values[(s, "overgangar")] for s in chart.grid.rows] == [5, 18, 1, 0, 4, 2]
    for shared in ("ny_insats", "inget_inom_90_dagar", "inget_annu"):  # one statistic in both tables
        assert chart.grid.key(shared, "overgangar") == matrix.grid.key("totalt", shared)


def test_the_avslut_of_every_insatstyp_add_up_to_the_avslut_column(steg_marts):
    """The chart splits the matrix's Totalt avslut (19) by reason: 18 to arbete or studier, 1 återremiss."""
    (matrix, chart), relations = stegforflyttningar.tabell(steg_marts, PERIOD, T, {})
    declared = {(r.sense, frozenset(r.terms)) for r in relations}
    parts = [chart.grid.key(s, "overgangar") for s in stegforflyttningar.AVSLUT]
    assert ("=", frozenset({(matrix.grid.key("totalt", "avslut"), 1), *((p, -1) for p in parts)})) in declared
    assert sum(chart.grid.values[(s, "overgangar")] for s in stegforflyttningar.AVSLUT) == 19


def test_a_small_transition_is_hidden_and_cannot_be_read_off_the_sums(steg_marts):
    """praktik's 2 not yet known and the city's 1 återremiss are hidden; every row and column adds up
    exactly, so at least one more cell of each of their rows and columns goes too."""
    tables, relations = stegforflyttningar.tabell(steg_marts, PERIOD, T, {})
    protect([t.grid for t in tables], relations, T)
    matrix, chart = tables
    assert ("praktik", "inget_annu") in matrix.grid.hidden
    assert chart.grid.value("aterremiss", "overgangar") == HIDDEN
    for table in tables:
        assert published_small_counts(table.grid, T) == []
    assert _pinned(tables, relations) == {}

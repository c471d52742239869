"""marts.anordnare on hand-built data (the scenario, with each insats's days per period and the outcomes'
reasoning, is in tests/marts/_insatser_scenario.py and tests/marts/test_insatser_resultat.py).

Names: b1 and e2 say "Framtidsvägen AB", d1 "  FRAMTIDSVÄGEN   AB ": one provider, matched ignoring case
and spaces, shown as "Framtidsvägen AB", the spelling two of its three insatser use (in code-point order
the capitals would come first, so the majority is what decides). d2 is extern without a name: `okänd`.
a1, c1 and e1 are egen without a name: `egen regi`; a2 is egen regi's "Jobbverkstaden".

Measures, in this order: (personer_paborjade, deltagare, arsplatser, avslutat_insats,
arbete_eller_studier, fortsatt_inskrivna, aterremitterade, ovrigt, the three shares,
uppfoljningsbara_6_man, sjalvforsorjande_6_man, andel_sjalvforsorjande_6_man,
uppfoljningsbara_12_man, sjalvforsorjande_12_man, andel_sjalvforsorjande_12_man)
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.marts._helpers import COMMON, columns, keys
from tests.marts._insatser_scenario import build_and_run

MART = "anordnare"
MEASURES = (
    "personer_paborjade",
    "deltagare",
    "arsplatser",
    "avslutat_insats",
    "arbete_eller_studier",
    "fortsatt_inskrivna",
    "aterremitterade",
    "ovrigt",
    "andel_arbete_eller_studier",
    "andel_fortsatt_inskrivna",
    "andel_aterremitterade",
    "uppfoljningsbara_6_man",
    "sjalvforsorjande_6_man",
    "andel_sjalvforsorjande_6_man",
    "uppfoljningsbara_12_man",
    "sjalvforsorjande_12_man",
    "andel_sjalvforsorjande_12_man",
)
T = "totalt"
AT = "arbetstraning"
EXT = "extern"
FV = "Framtidsvägen AB"
EGEN = "egen regi"
NONE3 = (None, None, None)
NO_COHORT = (0, 0, 0, 0, 0, *NONE3, 0, 0, None, 0, 0, None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_and_run(tmp_path_factory.mktemp("anordnare"))


# fmt: off
CASES = [
    # --- 2019-T1 (120 days).
    # d1 (P4; spelled in capitals): 61 days; återremitterad; +6 net 0 SEK: self-sufficient.
    pytest.param("2019-T1", AT, EXT, FV,
                 (1, 1, 61 / 120, 1, 0, 0, 1, 0, 0.0, 0.0, 1.0, 1, 1, 1.0, 0, 0, None),
                 id="T1-AT-two-spellings"),
    # e2 (P5): 16 days; r5b open: fortsatt; +6 1,500 SEK.
    pytest.param("2019-T1", "praktik", EXT, FV,
                 (1, 1, 16 / 120, 1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None),
                 id="T1-praktik"),
    # both: P4 and P5, 77 days.
    pytest.param("2019-T1", T, EXT, FV, (2, 2, 77 / 120, 2, 0, 1, 1, 0, 0.0, 0.5, 0.5, 2, 1, 0.5, 0, 0, None),
                 id="T1-all-types"),
    # egen regi without a name: a1 (10 days, ends in T2: no cohort) ...
    pytest.param("2019-T1", AT, "egen", EGEN, (1, 1, 10 / 120, *NO_COHORT), id="T1-AT-egen-regi"),
    # ... and with c1 (P3, 81 days, studier) and e1 (P5, 27 days, återremiss; +12 2,000 SEK): 118 days.
    pytest.param("2019-T1", T, "egen", EGEN,
                 (3, 3, 118 / 120, 2, 1, 0, 1, 0, 0.5, 0.0, 0.5, 2, 1, 0.5, 1, 0, 0.0),
                 id="T1-egen-regi-all"),
    # --- 2019-T2 (123 days).
    pytest.param("2019-T2", AT, EXT, FV, (1, 1, 17 / 123, *NO_COHORT), id="T2-AT-ongoing"),  # b1
    # d2: extern without a provider; återremitterad; +6 (2019-12) 4,000 SEK.
    pytest.param("2019-T2", AT, EXT, "okänd",
                 (1, 1, 30 / 123, 1, 0, 0, 1, 0, 0.0, 0.0, 1.0, 1, 0, 0.0, 0, 0, None),
                 id="T2-okänd"),
    # a2: egen regi's unit Jobbverkstaden, 1 day; fortsatt, +6 (2019-11) nothing.
    pytest.param("2019-T2", AT, "egen", "Jobbverkstaden",
                 (1, 1, 1 / 123, 1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 1, 1.0, 0, 0, None), id="T2-named-unit"),
    # a1's 10 days of T2 (begun in T1: not started here); it ends in T2: fortsatt, +6 (2019-11) nothing.
    pytest.param("2019-T2", AT, "egen", EGEN,
                 (0, 1, 10 / 123, 1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 1, 1.0, 0, 0, None),
                 id="T2-egen-regi-boundary"),
    pytest.param("2019-T2", "jobbsok", EXT, "Vägval Coachning AB",
                 (1, 1, 90 / 123, *NO_COHORT), id="T2-jobbsok"),
    # --- 2019: b1 139 + d1 61 + e2 16 = 216 days; cohort P4 (d1: d2 is `okänd`'s) and P5 (e2).
    pytest.param("2019", T, EXT, FV, (3, 3, 216 / 365, 2, 0, 1, 1, 0, 0.0, 0.5, 0.5, 2, 1, 0.5, 0, 0, None),
                 id="2019-all-types"),
    # --- 2020-T1: b1, going on at the uttagsdatum: one place over the 75 days.
    pytest.param("2020-T1", AT, EXT, FV, (0, 1, 1.0, *NO_COHORT), id="2020-T1-ongoing"),
]
# fmt: on


@pytest.mark.parametrize(("period", "insatstyp", "regi", "anordnare", "expected"), CASES)
def test_measures(run, period, insatstyp, regi, anordnare, expected):
    row = run.row(MART, period=period, insatstyp=insatstyp, regi=regi, anordnare=anordnare)
    want = {
        m: (v if v is None or not (m == "arsplatser" or m.startswith("andel")) else pytest.approx(v))
        for m, v in zip(MEASURES, expected, strict=True)
    }
    assert {m: row[m] for m in MEASURES} == want


def test_columns(run):
    assert columns(run, MART) == [*COMMON, "insatstyp", "regi", "anordnare", *MEASURES]


def test_rows_only_for_providers_with_an_insats_active(run):
    """T1: egen regi's arbetstraning (a1), coachning (c1), praktik (e1) and all types; Framtidsvägen's
    arbetstraning (d1), praktik (e2) and all types. No other spelling, no Jobbverkstaden (a2 is in T2), no
    `okänd` (d2 is in T2), no total over providers."""
    assert keys(run, MART, "insatstyp", "regi", "anordnare", period="2019-T1") == {
        (AT, "egen", EGEN),
        ("coachning", "egen", EGEN),
        ("praktik", "egen", EGEN),
        (T, "egen", EGEN),
        (AT, EXT, FV),
        ("praktik", EXT, FV),
        (T, EXT, FV),
    }
    assert keys(run, MART, "insatstyp", "regi", "anordnare", period="2020-T1") == {
        (AT, EXT, FV),
        (T, EXT, FV),
    }


def test_the_indicator_counts_the_extern_insats_without_a_provider(run):
    with run.internal() as con:
        from jobbtorg_pipeline.quality.rules import INDICATORS

        (indicator,) = [i for i in INDICATORS if i.id == "extern_utan_anordnare"]
        values = [r[0] for r in con.execute(indicator.query).fetchall()]
        listed = [r[0] for r in con.execute(indicator.listing).fetchall()]
    # staged as given, trimmed (the typing trims; the matching is the staging model's)
    assert sorted(values, key=str) == sorted(
        [FV, "FRAMTIDSVÄGEN   AB", FV, None, "Vägval Coachning AB"], key=str
    )
    assert listed == ["d2"]


def test_one_spelling_per_provider_by_the_staging_rule():
    """staging.insats_anordnare on its own, worked out by hand:
    - "Nya Steget AB" x2, "NYA STEGET AB", "nya\\u00a0steget\\tab " (no-break space, tab, trailing space): one
      key; "Nya Steget AB" is used twice, the others once: it is shown.
    - "Beta AB" and "beta ab" once each: a tie; code-point order puts "B" (66) before "b" (98).
    - egen without a name, and egen named "Egen Regi": `egen regi`; extern named " OKÄND ": `okänd`, as is
      extern without a name."""
    from jobbtorg_pipeline.assets.staging.build import sql_model

    rows = [
        ("s1", "extern", "Nya Steget AB"),
        ("s2", "extern", "Nya Steget AB"),
        ("s3", "extern", "NYA STEGET AB"),
        ("s4", "extern", "nya\u00a0steget\tab "),
        ("s5", "extern", "Beta AB"),
        ("s6", "extern", "beta ab"),
        ("s7", "egen", None),
        ("s8", "egen", "Egen Regi"),
        ("s9", "extern", " OKÄND "),
        ("s10", "extern", None),
    ]
    con = duckdb.connect()
    try:
        con.execute("CREATE SCHEMA staging")
        con.execute("CREATE TABLE staging.insatser (insats_id VARCHAR, regi VARCHAR, anordnare VARCHAR)")
        con.executemany("INSERT INTO staging.insatser VALUES (?, ?, ?)", rows)
        got = dict(con.execute(sql_model("insats_anordnare")).fetchall())
    finally:
        con.close()
    assert got == {
        "s1": "Nya Steget AB",
        "s2": "Nya Steget AB",
        "s3": "Nya Steget AB",
        "s4": "Nya Steget AB",
        "s5": "Beta AB",
        "s6": "Beta AB",
        "s7": EGEN,
        "s8": EGEN,
        "s9": "okänd",
        "s10": "okänd",
    }


def test_the_readmes_ranking_of_providers_runs(run):
    """The README's ranking query, as written, on this scenario's 2019 arbetsträning: egen regi (a1: P1's
    last egen-regi one, fortsatt), Jobbverkstaden (a2, fortsatt), Framtidsvägen AB (b1 going on; d1
    återremiss) and okänd (d2, återremiss): all with a share of 0 of their cohort of 1, so by name
    (capitals first in code-point order)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (query,) = [b for b in re.findall(r"```sql\n(.*?)```", readme, re.S) if "FROM marts.anordnare" in b]
    with run.analysts() as con:
        got = [(r[0], r[4], r[5]) for r in con.execute(query).fetchall()]
    assert got == [(FV, 1, 0.0), ("Jobbverkstaden", 1, 0.0), (EGEN, 1, 0.0), ("okänd", 1, 0.0)]

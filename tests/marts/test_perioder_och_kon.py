"""The definitions every mart shares (CONTRACT §2): the period list and columns, kön, dimension values.

Scenario (uttagsdatum 2020-01-01, the first day of a new year and tertial). One jobbtorg per kön rule, so
each rule shows on its own row. "kon" is the kön registered on the registration; the number's kön in [].

  person            reg  jobbtorg     inskrivning  avslut      kon  insatser
  P1 [K by number]  k0   Järva        2017-05-10   2017-06-20  -    -
  K1 [K by number]  k1   Järva        2019-02-04   (open)      -    arbetstraning egen 2019-03-04..12-20
  K2 [M by number]  k2   Järva        2019-02-04   (open)      -    -
  K3 [M by number]  k3   Innerstaden  2019-02-04   (open)      K    -
  K4 [K by number]  k4a  Västerort    2019-01-10   2019-02-10  K    kartlaggning and vagledning,
                    k4b  Västerort    2019-06-03   (open)      M    both 2019-01-14..2019-01-31 (in k4a)
  K5 [K by number]  k5a  Sydväst      2019-01-15   2019-03-01  M    -
                    k5b  Sydväst      2019-05-02   (open)      -
  K6 [K, samordn.]  k6   Sydost       2019-03-04   (open)      -    -

Kön expected: P1, K1 kvinnor and K2 män from the number; K3 kvinnor (registered beats the number); K4 män
(the LATEST registration wins, even in 2019-T1 when only k4a, registered K, is active); K5 män (the latest
registration that HAS a kon); K6 kvinnor (samordningsnummer). First data: 2017-T2 (k0); nothing in 2017-T3
and 2018.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import keys, run_scenario
from tests.support.sourcebuilder import INNERSTADEN, JARVA, SYDOST, SYDVAST, VASTERORT, SourceBuilder, pnr

UTTAG = date(2020, 1, 1)
MARTS = (
    "unika_individer",
    "parallella_insatser",
    "parallella_insatser_kombinationer",
    "aterremisser",
    "aterremisser_per_insatstyp",
    "arbetstraning_deltagare",
    "arbetstraning_resultat",
    "sjalvforsorjning",
    "datakvalitet",
)
# The marts whose YAML promises a row for every period (an all-`totalt` row).
EVERY_PERIOD = {
    "unika_individer": {"jobbtorg": "totalt", "kon": "totalt"},
    "parallella_insatser": {"jobbtorg": "totalt", "kon": "totalt"},
    "aterremisser": {"jobbtorg": "totalt", "kon": "totalt"},  # "the same rows as unika_individer"
    "aterremisser_per_insatstyp": {"insatstyp": "totalt"},  # "... and `totalt`"
}

# From the first period with data (k0 from 10 May 2017: 2017 and 2017-T2, not 2017-T1) to the period
# holding 2020-01-01 (2020, 2020-T1). (period_typ, period_start, period_slut), written out by hand:
PERIODS = {
    "2017": ("ar", date(2017, 1, 1), date(2017, 12, 31)),
    "2018": ("ar", date(2018, 1, 1), date(2018, 12, 31)),
    "2019": ("ar", date(2019, 1, 1), date(2019, 12, 31)),
    "2020": ("ar", date(2020, 1, 1), date(2020, 12, 31)),
    "2017-T2": ("tertial", date(2017, 5, 1), date(2017, 8, 31)),
    "2017-T3": ("tertial", date(2017, 9, 1), date(2017, 12, 31)),
    "2018-T1": ("tertial", date(2018, 1, 1), date(2018, 4, 30)),
    "2018-T2": ("tertial", date(2018, 5, 1), date(2018, 8, 31)),
    "2018-T3": ("tertial", date(2018, 9, 1), date(2018, 12, 31)),
    "2019-T1": ("tertial", date(2019, 1, 1), date(2019, 4, 30)),
    "2019-T2": ("tertial", date(2019, 5, 1), date(2019, 8, 31)),
    "2019-T3": ("tertial", date(2019, 9, 1), date(2019, 12, 31)),
    "2020-T1": ("tertial", date(2020, 1, 1), date(2020, 4, 30)),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("perioder_och_kon")
    src = SourceBuilder(root / "source", uttagsdatum=UTTAG.isoformat())
    p1 = pnr("19700101", 1, woman=True)
    k1 = pnr("19710202", 2, woman=True)
    k2 = pnr("19720303", 3, woman=False)
    k3 = pnr("19730404", 4, woman=False)
    k4 = pnr("19740505", 5, woman=True)
    k5 = pnr("19750606", 6, woman=True)
    k6 = pnr("19760707", 7, woman=True, samordning=True)
    src.inskrivning("k0", p1, "2017-05-10", "2017-06-20", "studier", jobbtorg=JARVA)
    src.inskrivning("k1", k1, "2019-02-04", jobbtorg=JARVA)
    src.inskrivning("k2", k2, "2019-02-04", jobbtorg=JARVA)
    src.inskrivning("k3", k3, "2019-02-04", jobbtorg=INNERSTADEN, kon="K")
    src.inskrivning("k4a", k4, "2019-01-10", "2019-02-10", "annan", jobbtorg=VASTERORT, kon="K")
    src.inskrivning("k4b", k4, "2019-06-03", jobbtorg=VASTERORT, kon="M")
    src.inskrivning("k5a", k5, "2019-01-15", "2019-03-01", "annan", jobbtorg=SYDVAST, kon="M")
    src.inskrivning("k5b", k5, "2019-05-02", jobbtorg=SYDVAST, kon="")
    src.inskrivning("k6", k6, "2019-03-04", jobbtorg=SYDOST)
    src.insats("s1", "k1", "arbetstraning", "2019-03-04", "2019-12-20", regi="egen")
    src.insats("s2", "k4a", "kartlaggning", "2019-01-14", "2019-01-31")
    src.insats("s3", "k4a", "vagledning", "2019-01-14", "2019-01-31")
    return run_scenario(src, root / "work")


# --- periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mart", sorted(EVERY_PERIOD))
def test_period_list(run, mart):
    """Every period from the first with data (2017-T2) to the one holding the uttagsdatum, gaps included."""
    assert {p for (p,) in keys(run, mart, "period", **EVERY_PERIOD[mart])} == set(PERIODS)


@pytest.mark.parametrize("mart", MARTS)
def test_period_columns(run, mart):
    """period_typ, period_start, period_slut and uttagsdatum on every row of every mart."""
    rows = run.rows(mart)
    assert rows, f"{mart} has no rows in this scenario"
    wrong = [
        r
        for r in rows
        if (r["period_typ"], r["period_start"], r["period_slut"]) != PERIODS.get(r["period"])
        or r["uttagsdatum"] != UTTAG
    ]
    assert wrong == []


def test_period_holding_uttagsdatum_runs_to_its_last_day(run):
    """2020-T1 holds 2020-01-01; its period_slut is still 30 April (the YAML), and no later period exists."""
    row = run.row("unika_individer", period="2020-T1", jobbtorg="totalt", kon="totalt")
    assert (row["period_start"], row["period_slut"]) == (date(2020, 1, 1), date(2020, 4, 30))
    # open k1 k2 k3 k4b k5b k6 are active on the uttagsdatum: K1 K2 K3 K4 K5 K6.
    assert row["inskrivna"] == 6


def test_period_without_data_has_zero_totalt_row_only(run):
    """2018 has no registration: unika_individer has just its (totalt, totalt) row, with zeros."""
    assert keys(run, "unika_individer", "jobbtorg", "kon", period="2018") == {("totalt", "totalt")}
    row = run.row("unika_individer", period="2018", jobbtorg="totalt", kon="totalt")
    measures = ("inskrivna", "nyinskrivna", "registreringar", "avslutade")
    measures += (
        "avslut_arbete",
        "avslut_studier",
        "avslut_aterremiss",
        "avslut_ovrigt",
        "avslut_orsak_saknas",
    )
    assert {m: row[m] for m in measures} == dict.fromkeys(measures, 0)


def test_empty_period_in_other_marts(run):
    """2017-T3 (no data): parallella_insatser counts 0; aterremisser avslutade 0 and an empty share."""
    par = run.row("parallella_insatser", period="2017-T3", jobbtorg="totalt", kon="totalt")
    assert (par["personer_med_insats"], par["personer_med_parallella_insatser"], par["insatser"]) == (0, 0, 0)
    ater = run.row("aterremisser", period="2017-T3", jobbtorg="totalt", kon="totalt")
    assert (ater["avslutade"], ater["aterremitterade"], ater["andel_aterremitterade"]) == (0, 0, None)


def test_empty_period_in_the_marts_with_a_measure_in_their_grain(run):
    """Marts whose grain holds a column of their own get every period's all-`totalt` rows once per level.
    2018 has no registration, insats or payment: sjalvforsorjning has (totalt, totalt) for k = 3, 6, 12, 18,
    24, 36, 48, counts 0 and the share empty; datakvalitet has (totalt, <källa>, totalt) for each of the
    three sources, 0 rows read, staged and quarantined and the share empty (0 / 0)."""
    assert keys(run, "sjalvforsorjning", "jobbtorg", "kon", "manader_efter_avslut", period="2018") == {
        ("totalt", "totalt", k) for k in (3, 6, 12, 18, 24, 36, 48)
    }
    for r in run.rows("sjalvforsorjning", period="2018"):
        assert (
            r["avslutade"],
            r["uppfoljningsbara"],
            r["sjalvforsorjande"],
            r["andel_sjalvforsorjande"],
        ) == (
            0,
            0,
            0,
            None,
        )
    sources = ("inskrivningar", "insatser", "utbetalningar")
    assert keys(run, "datakvalitet", "jobbtorg", "kalla", "regel", period="2018") == {
        ("totalt", kalla, "totalt") for kalla in sources
    }
    for r in run.rows("datakvalitet", period="2018"):
        assert (r["rader_lasta"], r["rader_stagade"], r["rader_i_karantan"], r["andel_i_karantan"]) == (
            0,
            0,
            0,
            None,
        )


def test_datakvalitet_every_period_and_source_has_its_totalt_row(run):
    """Every period from 2017-T2 to 2020-T1 has (totalt, <källa>, totalt) for all three sources. Rows read
    per source and period, by the row's own date: registrations k0 (2017-05-10: 2017, 2017-T2); k1 k2 k3
    k4a k5a k6 (2019-T1); k5b (05-02), k4b (06-03) (2019-T2); insatser s1 s2 s3 (2019-T1); no payments."""
    got = {
        (r["period"], r["kalla"]): r["rader_lasta"]
        for r in run.rows("datakvalitet", jobbtorg="totalt", regel="totalt")
    }
    expected = dict.fromkeys(
        ((p, k) for p in PERIODS for k in ("inskrivningar", "insatser", "utbetalningar")), 0
    )
    expected |= {("2017", "inskrivningar"): 1, ("2017-T2", "inskrivningar"): 1}
    expected |= {
        ("2019", "inskrivningar"): 8,
        ("2019-T1", "inskrivningar"): 6,
        ("2019-T2", "inskrivningar"): 2,
    }
    expected |= {("2019", "insatser"): 3, ("2019-T1", "insatser"): 3}
    assert got == expected


def test_first_period_with_data(run):
    """2017-T2 (P1 from 10 May 2017): P1 inskriven and avslutad (studier, 20 Jun), kön from the number."""
    row = run.row("unika_individer", period="2017-T2", jobbtorg=JARVA, kon="kvinnor")
    assert (row["inskrivna"], row["nyinskrivna"], row["avslutade"], row["avslut_studier"]) == (1, 1, 1, 1)


# --- kön -----------------------------------------------------------------------------------------------


def test_kon_rows_2019_t1(run):
    """2019-T1: each jobbtorg shows exactly the kön its persons are given by the rules."""
    assert keys(run, "unika_individer", "jobbtorg", "kon", period="2019-T1") == {
        # K1 (woman by number), K2 (man by number), no kon registered
        (JARVA, "kvinnor"),
        (JARVA, "män"),
        (JARVA, "totalt"),
        # K3: registered K beats the number (man)
        (INNERSTADEN, "kvinnor"),
        (INNERSTADEN, "totalt"),
        # K4: only k4a (registered K) is active in T1, but the LATEST registration k4b says M
        (VASTERORT, "män"),
        (VASTERORT, "totalt"),
        # K5: k5b (latest) has no kon, so k5a's M, over the number (woman)
        (SYDVAST, "män"),
        (SYDVAST, "totalt"),
        # K6: samordningsnummer of a woman, no kon registered
        (SYDOST, "kvinnor"),
        (SYDOST, "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_kon_counts_2019_t1(run):
    """kvinnor K1 K3 K6 = 3, män K2 K4 K5 = 3, totalt 6."""
    got = {
        k: run.row("unika_individer", period="2019-T1", jobbtorg="totalt", kon=k)["inskrivna"]
        for k in ("kvinnor", "män", "totalt")
    }
    assert got == {"kvinnor": 3, "män": 3, "totalt": 6}


def test_latest_registered_kon_wins_in_other_marts_too(run):
    """K4's insatser (in k4a, registered K) count under män in parallella_insatser and the pair exists."""
    assert keys(run, "parallella_insatser", "kon", period="2019-T1", jobbtorg=VASTERORT) == {
        ("män",),
        ("totalt",),
    }
    row = run.row("parallella_insatser", period="2019-T1", jobbtorg=VASTERORT, kon="män")
    assert (row["personer_med_insats"], row["personer_med_parallella_insatser"]) == (1, 1)


def test_kon_from_number_in_arbetstraning(run):
    """K1 (woman by number, no kon registered) is a kvinna in arbetstraning_deltagare 2019."""
    assert keys(run, "arbetstraning_deltagare", "regi", "kon", period="2019") == {
        ("egen", "kvinnor"),
        ("egen", "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "totalt"),
    }


# --- dimension values and totals ---------------------------------------------------------------------


def test_dimension_values(run):
    """kon is 'kvinnor', 'män' or 'totalt' (nobody is 'okänt' here); jobbtorg a unit's name or 'totalt'."""
    assert {k for (k,) in keys(run, "unika_individer", "kon")} == {"kvinnor", "män", "totalt"}
    assert {j for (j,) in keys(run, "unika_individer", "jobbtorg")} == {
        JARVA,
        INNERSTADEN,
        VASTERORT,
        SYDVAST,
        SYDOST,
        "totalt",
    }
    assert {r for (r,) in keys(run, "arbetstraning_deltagare", "regi")} == {"egen", "totalt"}


def test_kon_totalt_is_the_sum_of_the_kon(run):
    """A person has one kön, so inskrivna(totalt) = kvinnor + män + okänt in every period and jobbtorg."""
    by = {(r["period"], r["jobbtorg"], r["kon"]): r["inskrivna"] for r in run.rows("unika_individer")}
    groups = {(p, j) for (p, j, _) in by}
    wrong = {
        g: by[(*g, "totalt")]
        for g in groups
        if by[(*g, "totalt")] != sum(by.get((*g, k), 0) for k in ("kvinnor", "män", "okänt"))
    }
    assert wrong == {}

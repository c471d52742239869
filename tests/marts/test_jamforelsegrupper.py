"""marts.jamforelsegrupper on hand-built data: every expected number is worked out by hand below.

Definition (jamforelsegrupper.yml): the persons with an avslut in the period, each with the registration of
their last avslut in the period. For an insatstyp, the persons whose registration held it are compared with
the persons whose registration did not (the pool), stratum by stratum (målgrupp x kön x age band at
inskrivning x jobbtorg x year of inskrivning). A stratum with no comparison person is dropped and counted.
The comparison shares are directly standardised: each stratum's comparison share weighted by its number
of persons holding the insats. The 12-month figures use only the persons who can be followed (avslut
month + 12 within the delivered payment months 2019-01 .. 2020-08), in strata with followable persons of
both groups (strata_anvanda_12_man); a stratum with followable persons holding the insats but no
followable comparison person is dropped and counted (strata_utan_jamforelse_12_man, with its persons); a
stratum where no one holding the insats can be followed is in neither count.

Scenario (uttagsdatum 2020-10-01; J = Järva, S = Sydost). AT = arbetstraning, PR = praktik.
Outcome: a = arbete, s = studier, - = other. 12 m: S självförsörjande, N not, X not followable.

  stratum (målgrupp, kön, age band, jt, year)  person  born        inskrivning  avslut      orsak  insats  12m
  A (fsst_arbetsloshet, K, 30-39, J, 2019)     T1      1985-06-15  2019-01-14   2019-03-15  a      AT      N
                                               T7      1984-02-20  2019-06-03   2019-12-06  s      AT      X
                                               C1      1989-01-14  2019-01-14   2019-04-12  -      -       S
                                               (C1 turns 30 ON the inskrivning day: 30-39)
  B (fsst_arbetsloshet, M, 25-29, J, 2019)     T2      1993-03-10  2019-01-21   2019-04-18  a      AT, PR  S
                                               T3      1992-08-08  2019-02-04   2019-05-24  s      AT      S
                                               T4      1991-11-11  2019-03-04   2019-07-12  -      AT      N
                                               C2      1989-03-20  2019-02-04   2019-03-29  a      -       N
                                               (C2 is 29 at inskrivning although 2019 - 1989 = 30)
                                               C2b     1991-05-05  2019-05-06   2019-11-15  -      -       X
  C (sfi, K, 40-49, S, 2019)                   T5      1975-04-04  2019-02-11   2019-06-20  a      AT, PR  S
  D (etablering, M, 50-64, S, 2019)            T6      1962-09-09  2019-01-07   2019-05-10  a      AT      N
                                               C4      1965-12-12  2019-03-04   2019-10-18  a      -       X
  E (ungdom, M, 16-24, S, 2019)                C3      2000-01-20  2019-02-04   2019-02-26  a      -       S
                                               (C3's earlier registration 2019-01-07..01-31, aterremiss,
                                               held an AT: not the registration of the last avslut)
  B' (fsst_arbetsloshet, M, 25-29, J, 2018)    C5      1993-05-05  2018-11-05   2019-04-12  a      -       N
                                               (same as B but inskrivning in 2018: another stratum)

Payments at avslut month + 12 (försörjningsstöd unless said): T1 2020-03 5000; T3 2020-05 +2000 -2000 (0);
T4 2020-07 1000; T6 2020-05 4000; C1 2020-04 `ovrigt` 3000 only; C2 2020-03 2500; C5 2020-04 6000;
T2, T5, C3 none. A filler person Z has a payment in every file 2019-01 .. 2020-08.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "jamforelsegrupper"
COUNTS = (
    "personer_med_insats",
    "personer_utan_insats",
    "strata_anvanda",
    "strata_utan_jamforelse",
    "personer_med_insats_anvanda",
    "personer_med_insats_utan_jamforelse",
    "personer_jamforelse_anvanda",
)
SHARES = ("andel_arbete_eller_studier_med_insats", "andel_arbete_eller_studier_jamforelse")
FOLLOW = (
    "personer_med_insats_uppfoljningsbara_12_man",
    "strata_anvanda_12_man",
    "strata_utan_jamforelse_12_man",
    "personer_med_insats_utan_jamforelse_12_man",
    "personer_jamforelse_anvanda_12_man",
    "andel_sjalvforsorjande_12_man_med_insats",
    "andel_sjalvforsorjande_12_man_jamforelse",
)
MEASURES = COUNTS + SHARES + FOLLOW
TOLKNING = "beskrivande jämförelse (direkt standardisering), ingen effektskattning"


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("jamforelsegrupper")
    src = SourceBuilder(root / "source", uttagsdatum="2020-10-01")
    fa, ao, sub = "fsst_arbetsloshet", "arbete_osubventionerat", "arbete_subventionerat"
    # fmt: off
    people = [
        # (person, born, woman, reg, jobbtorg, malgrupp, inskrivning, avslut, orsak)
        ("T1", "19850615", True, "t1", JARVA, fa, "2019-01-14", "2019-03-15", ao),
        ("T7", "19840220", True, "t7", JARVA, fa, "2019-06-03", "2019-12-06", "studier"),
        ("C1", "19890114", True, "c1", JARVA, fa, "2019-01-14", "2019-04-12", "aterremiss"),
        ("T2", "19930310", False, "t2", JARVA, fa, "2019-01-21", "2019-04-18", sub),
        ("T3", "19920808", False, "t3", JARVA, fa, "2019-02-04", "2019-05-24", "studier"),
        ("T4", "19911111", False, "t4", JARVA, fa, "2019-03-04", "2019-07-12", "aterremiss"),
        ("C2", "19890320", False, "c2", JARVA, fa, "2019-02-04", "2019-03-29", ao),
        ("C2b", "19910505", False, "c2b", JARVA, fa, "2019-05-06", "2019-11-15", "aterremiss"),
        ("T5", "19750404", True, "t5", SYDOST, "sfi", "2019-02-11", "2019-06-20", ao),
        ("T6", "19620909", False, "t6", SYDOST, "etablering", "2019-01-07", "2019-05-10", ao),
        ("C4", "19651212", False, "c4", SYDOST, "etablering", "2019-03-04", "2019-10-18", ao),
        ("C3", "20000120", False, "c3a", SYDOST, "ungdom", "2019-01-07", "2019-01-31", "aterremiss"),
        ("C3", "20000120", False, "c3b", SYDOST, "ungdom", "2019-02-04", "2019-02-26", ao),
        ("C5", "19930505", False, "c5", JARVA, fa, "2018-11-05", "2019-04-12", ao),
    ]
    # fmt: on
    serial = {who: n for n, who in enumerate(dict.fromkeys(p[0] for p in people), start=1)}
    nr = {who: pnr(born, serial[who], woman=woman) for who, born, woman, *_ in people}
    for who, _born, woman, reg, jobbtorg, malgrupp, start, slut, orsak in people:
        src.inskrivning(
            reg, nr[who], start, slut, orsak, jobbtorg=jobbtorg, malgrupp=malgrupp, kon="K" if woman else "M"
        )
    insatser = [
        # (insats, reg, type, start, slut)
        ("a1", "t1", "arbetstraning", "2019-01-21", "2019-03-08"),
        ("a7", "t7", "arbetstraning", "2019-06-10", "2019-11-29"),
        ("a2", "t2", "arbetstraning", "2019-01-28", "2019-04-12"),
        ("p2", "t2", "praktik", "2019-02-04", "2019-03-29"),
        ("a3", "t3", "arbetstraning", "2019-02-11", "2019-05-17"),
        ("a4", "t4", "arbetstraning", "2019-03-11", "2019-07-05"),
        ("a5", "t5", "arbetstraning", "2019-02-18", "2019-06-14"),
        ("p5", "t5", "praktik", "2019-03-04", "2019-05-31"),
        ("a6", "t6", "arbetstraning", "2019-01-14", "2019-05-03"),
        ("a3c", "c3a", "arbetstraning", "2019-01-14", "2019-01-31"),
    ]
    for insats, reg, typ, start, slut in insatser:
        src.insats(insats, reg, typ, start, slut)
    payments = [
        # (id, person, avser_manad, belopp, bistandstyp)
        ("u1", "T1", "2020-03", "5000", "forsorjningsstod"),
        ("u3a", "T3", "2020-05", "2000", "forsorjningsstod"),
        ("u3b", "T3", "2020-05", "-2000", "forsorjningsstod"),
        ("u4", "T4", "2020-07", "1000", "forsorjningsstod"),
        ("u6", "T6", "2020-05", "4000", "forsorjningsstod"),
        ("uc1", "C1", "2020-04", "3000", "ovrigt"),
        ("uc2", "C2", "2020-03", "2500", "forsorjningsstod"),
        ("uc5", "C5", "2020-04", "6000", "forsorjningsstod"),
    ]
    for uid, who, month, belopp, typ in payments:
        src.utbetalning(uid, nr[who], month, belopp, bistandstyp=typ)
    z = pnr("19600606", 60, woman=False)
    for month in _months("2019-01", "2020-08"):
        src.utbetalning(f"z{month}", z, month, "1000")
    return run_scenario(src, root / "work")


def values(run, period, insatstyp):
    row = run.row(MART, period=period, insatstyp=insatstyp)
    return {m: row[m] for m in MEASURES}


def expect(counts, shares, follow):
    """counts (7 ints), shares (2), follow (5 ints: persons followed, strata used, strata dropped, persons
    dropped, comparison persons used; then 2 shares); shares compared approximately."""
    out = dict(zip(MEASURES, (*counts, *shares, *follow), strict=True))
    for m in (*SHARES, *FOLLOW[-2:]):
        if out[m] is not None:
            out[m] = pytest.approx(out[m])
    return out


NO_SHARES = (None, None)

# fmt: off
CASES = [
    # --- 2019, arbetstraning. With AT: T1..T7 = 7. Pool (no AT in the registration of the last avslut):
    # C1 C2 C2b C3 C4 C5 = 6. Strata: A (T1 T7 | C1), B (T2 T3 T4 | C2 C2b), D (T6 | C4) compared = 3;
    # C (T5 | nobody) dropped = 1. With AT compared: 6; dropped: 1 (T5); comparison compared: C1 C2 C2b C4 = 4
    # (C3 in E and C5 in B' stand in strata without AT).
    # Share a/s with AT: T1 a, T7 s, T2 a, T3 s, T4 -, T6 a -> 5/6.
    # Comparison, standardised: A weight 2, share 0/1 (C1 -) = 0; B weight 3, share 1/2 (C2 a, C2b -);
    #   D weight 1, share 1/1 (C4 a) -> (2 x 0 + 3 x 0.5 + 1 x 1) / 6 = 2.5 / 6 = 0.41667
    #   (the crude comparison share would be 2/4 = 0.5).
    # 12 m, followable only (T7, C2b, C4 X): A (T1 | C1), B (T2 T3 T4 | C2) used = 2 strata; C (T5 | -) and
    #   D (T6 | C4 X) dropped = 2 strata, 2 persons (T5, T6); comparison used C1 C2 = 2. D is compared at
    #   avslut but dropped at 12 months. 4 + 2 + T7 (not followable) = 7.
    #   With AT: T1 N, T2 S, T3 S (net 0), T4 N -> 4 persons, 2/4 = 0.5.
    #   Comparison: A weight 1, C1 S (ovrigt only) = 1.0; B weight 3, C2 N = 0.0 -> (1 + 0) / 4 = 0.25.
    pytest.param("2019", "arbetstraning",
                 expect((7, 6, 3, 1, 6, 1, 4), (5 / 6, 2.5 / 6), (4, 2, 2, 2, 2, 0.5, 0.25)),
                 id="2019-AT-direct-standardisation"),
    # --- 2019, praktik. With PR: T2 (B), T5 (C). Pool: everyone whose registration held no praktik:
    # T1 T3 T4 T6 T7 C1 C2 C2b C3 C4 C5 = 11. B (T2 | T3 T4 C2 C2b) compared; C (T5 | nobody) dropped.
    # Share with PR: T2 a = 1.0. Comparison in B: T3 s, T4 -, C2 a, C2b - = 0.5.
    # 12 m: B (T2 | T3 T4 C2; C2b X) used; C (T5 followable | -) dropped -> 1 person, strata 1 / 1, 1 person
    #   dropped, 3 comparison persons. T2 S -> 1.0; comparison T3 S, T4 N, C2 N = 1/3.
    pytest.param("2019", "praktik", expect((2, 11, 1, 1, 1, 1, 4), (1.0, 0.5), (1, 1, 1, 1, 3, 1.0, 1 / 3)),
                 id="2019-PR-pool-without-praktik"),
    # --- 2019-T1 (Jan-Apr). Ended: T1, T2, C1, C2, C3 (last c3b, no AT), C5.
    # AT: with T1 T2; pool C1 C2 C3 C5 = 4. A (T1 | C1), B (T2 | C2) compared. Share with: 2/2 = 1.0.
    # Comparison: A C1 - = 0, B C2 a = 1 -> (1 x 0 + 1 x 1) / 2 = 0.5.
    # 12 m: all four followable: A, B used (2 strata, C1 C2), none dropped. T1 N, T2 S -> 0.5; comparison
    #   A C1 S (1), B C2 N (0) -> 0.5.
    pytest.param("2019-T1", "arbetstraning",
                 expect((2, 4, 2, 0, 2, 0, 2), (1.0, 0.5), (2, 2, 0, 0, 2, 0.5, 0.5)),
                 id="2019-T1-AT-earlier-registration-not-counted"),
    # PR: with T2; pool T1 C1 C2 C3 C5 = 5; B (T2 | C2). Share 1.0 vs C2 a 1.0. 12 m: B used (T2 | C2):
    # T2 S 1.0 vs C2 N 0.0.
    pytest.param("2019-T1", "praktik", expect((1, 5, 1, 0, 1, 0, 1), (1.0, 1.0), (1, 1, 0, 0, 1, 1.0, 0.0)),
                 id="2019-T1-PR"),
    # --- 2019-T2 (May-Aug). Ended: T3, T4 (B), T5 (C), T6 (D): all hold AT -> no comparison anywhere:
    # 3 strata dropped, 4 persons; shares empty. 12 m: all four followable (avslut 05-07 -> 2020-05..07),
    # no comparison: B, C, D dropped = 3 strata, 4 persons.
    pytest.param("2019-T2", "arbetstraning",
                 expect((4, 0, 0, 3, 0, 4, 0), NO_SHARES, (0, 0, 3, 4, 0, None, None)),
                 id="2019-T2-AT-all-strata-dropped"),
    # PR: T5 (C); pool T3 T4 T6 (in B and D, not C) -> C dropped, at avslut and at 12 m (T5 followable).
    pytest.param("2019-T2", "praktik", expect((1, 3, 0, 1, 0, 1, 0), NO_SHARES, (0, 0, 1, 1, 0, None, None)),
                 id="2019-T2-PR-dropped"),
    # --- 2019-T3 (Sep-Dec). Ended: T7 (A), C2b (B), C4 (D). AT: T7 in A, no comparison in A -> dropped.
    # 12 m: T7 (avslut 2019-12 -> 2020-12) cannot be followed: A is neither used nor dropped -> all 0.
    pytest.param("2019-T3", "arbetstraning",
                 expect((1, 2, 0, 1, 0, 1, 0), NO_SHARES, (0, 0, 0, 0, 0, None, None)),
                 id="2019-T3-AT-dropped-none-followable"),
]
# fmt: on


@pytest.mark.parametrize(("period", "insatstyp", "expected"), CASES)
def test_measures(run, period, insatstyp, expected):
    """Every measure of a (period, insatstyp) row equals the hand-worked value (shares approx.)."""
    assert values(run, period, insatstyp) == expected


def test_stratum_without_comparison_dropped_and_counted(run):
    """2019 AT: stratum C (sfi, K, 40-49, S) holds only T5: dropped, 1 stratum and 1 person counted."""
    got = values(run, "2019", "arbetstraning")
    assert (got["strata_utan_jamforelse"], got["personer_med_insats_utan_jamforelse"]) == (1, 1)
    assert got["personer_med_insats_anvanda"] + got["personer_med_insats_utan_jamforelse"] == 7


def test_direct_standardisation_by_hand(run):
    """2019-T1 AT over two strata of different make-up: A (T1 a | C1 -), B (T2 a | C2 a): comparison share
    (1 x 0 + 1 x 1) / 2 = 0.5. 2019 AT: weights A 2, B 3, D 1 -> (0 + 3 x 0.5 + 1) / 6 = 0.41667, not the
    crude 0.5."""
    assert values(run, "2019", "arbetstraning")["andel_arbete_eller_studier_jamforelse"] == pytest.approx(
        2.5 / 6
    )


def test_12_month_shares_reweighted_to_followable_strata(run):
    """2019 AT, 12 months: A (T1 | C1 S) weight 1, B (T2 T3 T4 | C2 N) weight 3 -> comparison 0.25; with AT
    2 of 4 (T2, T3). T7, C2b, C4 cannot be followed; D drops out (C4)."""
    got = values(run, "2019", "arbetstraning")
    assert got["personer_med_insats_uppfoljningsbara_12_man"] == 4
    assert got["andel_sjalvforsorjande_12_man_med_insats"] == pytest.approx(0.5)
    assert got["andel_sjalvforsorjande_12_man_jamforelse"] == pytest.approx(0.25)


def test_12_month_strata_used_and_dropped(run):
    """2019 AT: at 12 months A (T1 | C1) and B (T2 T3 T4 | C2) are used; C (T5 | nobody) and D (T6 | C4, who
    ended 2019-10 and cannot be followed to 2020-10) are dropped. D is compared at avslut (strata_anvanda 3)
    but not at 12 months (2): the 12-month comparison is standardised over its own strata. Persons: 4
    followed + 2 dropped (T5, T6) + 1 not followable (T7) = 7 holding AT; comparison persons used C1, C2."""
    got = values(run, "2019", "arbetstraning")
    assert got["strata_anvanda"] == 3
    assert (got["strata_anvanda_12_man"], got["strata_utan_jamforelse_12_man"]) == (2, 2)
    assert got["personer_med_insats_utan_jamforelse_12_man"] == 2
    assert got["personer_jamforelse_anvanda_12_man"] == 2


def test_12_month_person_counts_add_up(run):
    """In every row, followed + dropped at 12 months <= personer_med_insats (the rest cannot be followed) and
    the comparison persons used at 12 months <= those used at avslut (a stratum used at 12 months has
    persons of both groups, so it is used at avslut too)."""
    for r in run.rows(MART):
        followed = (
            r["personer_med_insats_uppfoljningsbara_12_man"] + r["personer_med_insats_utan_jamforelse_12_man"]
        )
        assert followed <= r["personer_med_insats"], r
        assert r["personer_jamforelse_anvanda_12_man"] <= r["personer_jamforelse_anvanda"], r


def test_stratum_where_no_one_holding_the_insats_can_be_followed_is_in_neither_12_month_count(run):
    """2019-T3 AT: stratum A holds T7 (avslut 2019-12, month + 12 = 2020-12 after the last delivered month
    2020-08) and no comparison person: dropped at avslut (1), but at 12 months neither used nor dropped
    (0, 0)."""
    got = values(run, "2019-T3", "arbetstraning")
    assert got["strata_utan_jamforelse"] == 1
    assert (got["strata_anvanda_12_man"], got["strata_utan_jamforelse_12_man"]) == (0, 0)


def test_age_band_from_exact_age_at_inskrivning(run):
    """C1 turns 30 on the inskrivning day (30-39: stratum A with T1); C2 is 29 (25-29: stratum B with T2).
    Were the bands taken from the birth year, 2019-T1 AT would have A with C1 and C2 and no B comparison."""
    got = values(run, "2019-T1", "arbetstraning")
    assert (got["strata_anvanda"], got["personer_jamforelse_anvanda"]) == (2, 2)


def test_year_of_inskrivning_splits_strata(run):
    """C5 (fsst_arbetsloshet, M, 25-29, J) registered in 2018: not a comparison person in stratum B (2019)."""
    got = values(run, "2019-T1", "praktik")  # B: T2 | C2 only
    assert got["personer_jamforelse_anvanda"] == 1


def test_tolkning(run):
    """Every row says the figures describe, they do not estimate an effect."""
    assert {r["tolkning"] for r in run.rows(MART)} == {TOLKNING}


def test_rows(run):
    """Rows for every (period, insatstyp) held by the registration of someone who ended in the period."""
    assert keys(run, MART, "period", "insatstyp") == {
        ("2019", "arbetstraning"),
        ("2019", "praktik"),
        ("2019-T1", "arbetstraning"),
        ("2019-T1", "praktik"),
        ("2019-T2", "arbetstraning"),
        ("2019-T2", "praktik"),
        ("2019-T3", "arbetstraning"),  # no praktik ended in 2019-T3; nobody ended in 2018 or 2020
    }
    assert all(r["uttagsdatum"] == date(2020, 10, 1) for r in run.rows(MART))


def test_columns(run):
    """Period columns, insatstyp, the measures and tolkning: no stratum, jobbtorg or kön reaches the table."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "insatstyp", *MEASURES, "tolkning"])

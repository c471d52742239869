"""marts.forsorjningsstod_fore_efter on hand-built data: every expected number is worked out by hand below.

Definition (forsorjningsstod_fore_efter.yml): for the persons with an avslut in the period (their last; under
a jobbtorg that jobbtorg's last), net försörjningsstöd per month (reclaims netted, `ovrigt` not counted, no
payment = 0 SEK) in the 3 months before the month of the inskrivning OF THAT REGISTRATION, against month +2
and month +8 after the month of the avslut. A comparison uses only persons whose months all lie within the
delivered payment months; averages are per person; change = 100 x (efter - fore) / fore, one decimal,
empty when fore is 0.

Scenario (uttagsdatum 2020-03-02; J = Järva, S = Sydost; kön registered). Payment files delivered:
2018-10 .. 2019-12 (a filler person Z, never registered, has a payment in each).

  person  reg  jt inskrivning avslut      orsak        3 months before     +2       +8
  F1 [K]  f1   J  2019-02-04  2019-04-10  arbete_osub  2018-11..2019-01    2019-06  2019-12 (last delivered)
  F2 [M]  f2   J  2019-01-14  2019-03-22  studier      2018-10..2018-12    2019-05  2019-11
                                                       (2018-10 = the first delivered month)
  F3 [K]  f3   S  2019-02-11  2019-04-26  flytt        2018-11..2019-01    2019-06  2019-12   no payments
  F4 [M]  f4   S  2019-03-04  2019-06-14  annan        2018-12..2019-02    2019-08  2020-02 not delivered
  F5 [K]  f5   J  2018-12-03  2019-02-15  arbete_osub  2018-09..2018-11    2019-04  2019-10
                                                       (2018-09 not delivered: in neither comparison)
  F6 [M]  f6a  J  2018-11-05  2019-01-18  aterremiss   2018-08..2018-10    2019-03  2019-09  (08, 09 missing)
          f6b  J  2019-03-04  2019-05-17  arbete_sub   2018-12..2019-02    2019-07  2020-01 not delivered

Payments (försörjningsstöd unless said; file month = avser_manad unless said) and net per month:
  F1: 2018-11 6000,00; 2018-12 6000 and -1500 reclaimed in the 2019-01 file (4500); 2019-01 6000 and
      `ovrigt` 900 (6000)  -> before 16500 / 3 = 5500 a month;  2019-06 1200;  2019-12 600
  F2: 2018-10, 2018-11, 2018-12 3000 each -> 3000 a month;  2019-05 3000;  2019-11 +2000 -2000 (0)
  F3: none -> 0, 0, 0
  F4: 2018-12, 2019-01, 2019-02 4000 each -> 4000 a month;  2019-08 2500
  F5: 2018-10 5000, 2018-11 5000, 2019-04 7000, 2019-10 100 (never used: F5 cannot be compared)
  F6: 2018-12, 2019-01, 2019-02 2000 each -> 2000 a month (for f6b);  2019-07 500

Measures, in this order:
  (avslutade, uppfoljningsbara_2_man, fore_sek_per_manad_2_man, efter_2_man_sek, forandring_2_man_procent,
   uppfoljningsbara_8_man, fore_sek_per_manad_8_man, efter_8_man_sek, forandring_8_man_procent)
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SYDVAST, SourceBuilder, pnr

MART = "forsorjningsstod_fore_efter"
MEASURES = (
    "avslutade",
    "uppfoljningsbara_2_man",
    "fore_sek_per_manad_2_man",
    "efter_2_man_sek",
    "forandring_2_man_procent",
    "uppfoljningsbara_8_man",
    "fore_sek_per_manad_8_man",
    "efter_8_man_sek",
    "forandring_8_man_procent",
)
SEK = ("fore_sek_per_manad_2_man", "efter_2_man_sek", "fore_sek_per_manad_8_man", "efter_8_man_sek")
PROCENT = ("forandring_2_man_procent", "forandring_8_man_procent")


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("forsorjningsstod_fore_efter")
    women = {1, 3, 5}
    p = {n: pnr(f"19{80 + n}0202", n, woman=n in women) for n in range(1, 7)}
    z = pnr("19600606", 20, woman=False)
    src = SourceBuilder(root / "source", uttagsdatum="2020-03-02")
    regs = [
        # (reg, person, jobbtorg, start, slut, orsak)
        ("f1", 1, JARVA, "2019-02-04", "2019-04-10", "arbete_osubventionerat"),
        ("f2", 2, JARVA, "2019-01-14", "2019-03-22", "studier"),
        ("f3", 3, SYDOST, "2019-02-11", "2019-04-26", "flytt"),
        ("f4", 4, SYDOST, "2019-03-04", "2019-06-14", "annan"),
        ("f5", 5, JARVA, "2018-12-03", "2019-02-15", "arbete_osubventionerat"),
        ("f6a", 6, JARVA, "2018-11-05", "2019-01-18", "aterremiss"),
        ("f6b", 6, JARVA, "2019-03-04", "2019-05-17", "arbete_subventionerat"),
    ]
    for reg, n, jobbtorg, start, slut, orsak in regs:
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon="K" if n in women else "M")
    payments = [
        # (id, person, avser_manad, belopp, file month or None, bistandstyp)
        ("u1a", 1, "2018-11", "6000,00", None, "forsorjningsstod"),
        ("u1b", 1, "2018-12", "6000", None, "forsorjningsstod"),
        ("u1c", 1, "2018-12", "-1500", "2019-01", "forsorjningsstod"),
        ("u1d", 1, "2019-01", "6000", None, "forsorjningsstod"),
        ("u1e", 1, "2019-01", "900", None, "ovrigt"),
        ("u1f", 1, "2019-06", "1200", None, "forsorjningsstod"),
        ("u1g", 1, "2019-12", "600", None, "forsorjningsstod"),
        ("u2a", 2, "2018-10", "3000", None, "forsorjningsstod"),
        ("u2b", 2, "2018-11", "3000", None, "forsorjningsstod"),
        ("u2c", 2, "2018-12", "3000", None, "forsorjningsstod"),
        ("u2d", 2, "2019-05", "3000", None, "forsorjningsstod"),
        ("u2e", 2, "2019-11", "2000", None, "forsorjningsstod"),
        ("u2f", 2, "2019-11", "-2000", None, "forsorjningsstod"),
        ("u4a", 4, "2018-12", "4000", None, "forsorjningsstod"),
        ("u4b", 4, "2019-01", "4000", None, "forsorjningsstod"),
        ("u4c", 4, "2019-02", "4000", None, "forsorjningsstod"),
        ("u4d", 4, "2019-08", "2500", None, "forsorjningsstod"),
        ("u5a", 5, "2018-10", "5000", None, "forsorjningsstod"),
        ("u5b", 5, "2018-11", "5000", None, "forsorjningsstod"),
        ("u5c", 5, "2019-04", "7000", None, "forsorjningsstod"),
        ("u5d", 5, "2019-10", "100", None, "forsorjningsstod"),
        ("u6a", 6, "2018-12", "2000", None, "forsorjningsstod"),
        ("u6b", 6, "2019-01", "2000", None, "forsorjningsstod"),
        ("u6c", 6, "2019-02", "2000", None, "forsorjningsstod"),
        ("u6d", 6, "2019-07", "500", None, "forsorjningsstod"),
    ]
    for uid, n, month, belopp, fil, typ in payments:
        src.utbetalning(uid, p[n], month, belopp, fil_manad=fil, bistandstyp=typ)
    for month in _months("2018-10", "2019-12"):
        src.utbetalning(f"z{month}", z, month, "1000")
    return run_scenario(src, root / "work")


def values(run, period, jobbtorg, kon):
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    return {m: row[m] for m in MEASURES}


def _sek(v):
    return None if v is None else Decimal(v)


def _pct(v):
    return None if v is None else pytest.approx(v, abs=1e-9)  # already rounded to one decimal


def expect(avslutade, n2, fore2, efter2, pct2, n8, fore8, efter8, pct8):
    """SEK as exact decimals (DECIMAL(18,2)); per cent exact to one decimal."""
    return {
        "avslutade": avslutade,
        "uppfoljningsbara_2_man": n2,
        "fore_sek_per_manad_2_man": _sek(fore2),
        "efter_2_man_sek": _sek(efter2),
        "forandring_2_man_procent": _pct(pct2),
        "uppfoljningsbara_8_man": n8,
        "fore_sek_per_manad_8_man": _sek(fore8),
        "efter_8_man_sek": _sek(efter8),
        "forandring_8_man_procent": _pct(pct8),
    }


NO_8 = (0, None, None, None)

# fmt: off
CASES = [
    # --- 2019-T1 (Jan-Apr). Ended: F1, F2, F3, F5, F6 (f6a, 18 Jan: its 3 months before, 2018-08..10,
    #     are not all delivered; nor are F5's) -> 5 ended.
    # +2: F1, F2, F3. fore (5500 + 3000 + 0) / 3 = 2833.333 -> 2833.33; efter (1200 + 3000 + 0) / 3 = 1400.00;
    #     100 x (1400 - 2833.33) / 2833.33 = -50.588 -> -50.6.
    # +8: F1 (2019-12), F2 (2019-11), F3 (2019-12): fore 2833.33; efter (600 + 0 + 0) / 3 = 200.00;
    #     100 x (200 - 2833.33) / 2833.33 = -92.941 -> -92.9.
    pytest.param("2019-T1", "totalt", "totalt",
                 expect(5, 3, "2833.33", "1400.00", -50.6, 3, "2833.33", "200.00", -92.9),
                 id="2019-T1-totalt"),
    # kvinnor F1, F3, F5 (F5 out): fore (5500 + 0) / 2 = 2750; +2 (1200 + 0) / 2 = 600 -> -78.18 -> -78.2;
    #     +8 (600 + 0) / 2 = 300 -> -89.09 -> -89.1.
    pytest.param("2019-T1", "totalt", "kvinnor",
                 expect(3, 2, "2750.00", "600.00", -78.2, 2, "2750.00", "300.00", -89.1),
                 id="2019-T1-kvinnor"),
    # män F2, F6 (f6a out): F2 3000 -> 3000 (0.0 %) and -> 0 (-100.0 %).
    pytest.param("2019-T1", "totalt", "män",
                 expect(2, 1, "3000.00", "3000.00", 0.0, 1, "3000.00", "0.00", -100.0),
                 id="2019-T1-män"),
    # J: F1, F2, F5, F6 -> F1, F2: fore (5500 + 3000) / 2 = 4250; +2 (1200 + 3000) / 2 = 2100
    #     -> -50.588 -> -50.6; +8 (600 + 0) / 2 = 300 -> -92.94 -> -92.9.
    pytest.param("2019-T1", JARVA, "totalt",
                 expect(4, 2, "4250.00", "2100.00", -50.6, 2, "4250.00", "300.00", -92.9),
                 id="2019-T1-J"),
    # S: F3, no payments at all: 0 before -> change empty.
    pytest.param("2019-T1", SYDOST, "kvinnor",
                 expect(1, 1, "0.00", "0.00", None, 1, "0.00", "0.00", None),
                 id="2019-T1-S-kvinnor-no-payments"),
    # S män: F4 registered (from 4 Mar) but ended only in June.
    pytest.param("2019-T1", SYDOST, "män", expect(0, 0, None, None, None, *NO_8),
                 id="2019-T1-S-män-none-ended"),
    # --- 2019-T2 (May-Aug). Ended F4 (S), F6 (f6b, J). +2: fore (4000 + 2000) / 2 = 3000;
    #     efter (2500 + 500) / 2 = 1500 -> -50.0. +8: 2020-02 and 2020-01 not delivered -> nobody.
    pytest.param("2019-T2", "totalt", "totalt",
                 expect(2, 2, "3000.00", "1500.00", -50.0, *NO_8),
                 id="2019-T2-totalt-8-not-delivered"),
    pytest.param("2019-T2", JARVA, "män",
                 expect(1, 1, "2000.00", "500.00", -75.0, *NO_8),
                 id="2019-T2-J-män-F6-second-registration"),
    pytest.param("2019-T2", SYDOST, "män",
                 expect(1, 1, "4000.00", "2500.00", -37.5, *NO_8),
                 id="2019-T2-S-män-F4-in-n2-not-n8"),
    # --- 2019. Ended F1..F6 = 6 (F6 by f6b).
    # +2: F1 F2 F3 F4 F6: fore (5500 + 3000 + 0 + 4000 + 2000) / 5 = 2900;
    #     efter (1200 + 3000 + 0 + 2500 + 500) / 5 = 1440; 100 x (1440 - 2900) / 2900 = -50.345 -> -50.3.
    # +8: F1 F2 F3 (F4, F6 after 2019-12; F5 out): as in 2019-T1.
    pytest.param("2019", "totalt", "totalt",
                 expect(6, 5, "2900.00", "1440.00", -50.3, 3, "2833.33", "200.00", -92.9),
                 id="2019-totalt"),
    pytest.param("2019", "totalt", "kvinnor",
                 expect(3, 2, "2750.00", "600.00", -78.2, 2, "2750.00", "300.00", -89.1),
                 id="2019-kvinnor"),
    # män F2 F4 F6: fore (3000 + 4000 + 2000) / 3 = 3000; efter (3000 + 2500 + 500) / 3 = 2000 -> -33.3;
    #     +8 F2 only: 3000 -> 0, -100.0.
    pytest.param("2019", "totalt", "män",
                 expect(3, 3, "3000.00", "2000.00", -33.3, 1, "3000.00", "0.00", -100.0),
                 id="2019-män"),
    # J: F1 F2 F5 F6 -> +2 F1 F2 F6: fore (5500 + 3000 + 2000) / 3 = 3500; efter (1200 + 3000 + 500) / 3
    #     = 1566.667 -> 1566.67; 100 x (1566.67 - 3500) / 3500 = -55.238 -> -55.2.
    #     +8 F1 F2: 4250 -> 300, -92.9.
    pytest.param("2019", JARVA, "totalt",
                 expect(4, 3, "3500.00", "1566.67", -55.2, 2, "4250.00", "300.00", -92.9),
                 id="2019-J"),
    # J kvinnor F1 (F5 out): 5500 -> 1200 (-78.18 -> -78.2); -> 600 (-89.09 -> -89.1).
    pytest.param("2019", JARVA, "kvinnor",
                 expect(2, 1, "5500.00", "1200.00", -78.2, 1, "5500.00", "600.00", -89.1),
                 id="2019-J-kvinnor"),
    # J män F2 F6: fore (3000 + 2000) / 2 = 2500; efter (3000 + 500) / 2 = 1750 -> -30.0; +8 F2: -100.0.
    pytest.param("2019", JARVA, "män",
                 expect(2, 2, "2500.00", "1750.00", -30.0, 1, "3000.00", "0.00", -100.0),
                 id="2019-J-män"),
    # S: F3 F4: fore (0 + 4000) / 2 = 2000; efter (0 + 2500) / 2 = 1250 -> -37.5; +8 F3 only: 0 -> empty.
    pytest.param("2019", SYDOST, "totalt",
                 expect(2, 2, "2000.00", "1250.00", -37.5, 1, "0.00", "0.00", None),
                 id="2019-S-before-0"),
    # --- 2018-T3: F5 and F6 (f6a) registered, nobody ended: all empty.
    pytest.param("2018-T3", "totalt", "totalt", expect(0, 0, None, None, None, *NO_8),
                 id="2018-T3-none-ended"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, jobbtorg, kon, expected):
    """Every measure of a (period, jobbtorg, kön) row equals the hand-worked value."""
    assert values(run, period, jobbtorg, kon) == expected


def test_before_mean_nets_reclaims_and_skips_ovrigt(run):
    """F1 alone (2019 J kvinnor): 6000 + (6000 - 1500) + 6000 (ovrigt 900 left out) = 16500 / 3 = 5500.00."""
    assert values(run, "2019", JARVA, "kvinnor")["fore_sek_per_manad_2_man"] == Decimal("5500.00")


def test_person_whose_month_8_is_not_delivered_is_in_n2_not_n8(run):
    """F4 (S män 2019): +2 = 2019-08 delivered, +8 = 2020-02 after the last delivered month 2019-12."""
    got = values(run, "2019", SYDOST, "män")
    assert (got["uppfoljningsbara_2_man"], got["uppfoljningsbara_8_man"]) == (1, 0)
    assert (got["fore_sek_per_manad_8_man"], got["efter_8_man_sek"], got["forandring_8_man_procent"]) == (
        None,
        None,
        None,
    )


def test_person_without_payments_counts_as_0_sek(run):
    """F3 has no payment row: 0 SEK before and after; the S mean (F3, F4) is halved by F3."""
    assert values(run, "2019", SYDOST, "kvinnor") == expect(
        1, 1, "0.00", "0.00", None, 1, "0.00", "0.00", None
    )
    assert values(run, "2019", SYDOST, "totalt")["fore_sek_per_manad_2_man"] == Decimal("2000.00")


def test_before_months_outside_delivery_exclude_the_person(run):
    """F5's 3 months before (2018-09..11) start before the first delivered month 2018-10: in neither
    comparison (kvinnor 2019: 3 ended, 2 compared)."""
    got = values(run, "2019", "totalt", "kvinnor")
    assert (got["avslutade"], got["uppfoljningsbara_2_man"], got["uppfoljningsbara_8_man"]) == (3, 2, 2)


def test_first_delivered_month_is_within(run):
    """F2's first month before is 2018-10, the first delivered month: F2 is compared (2019-T1 män)."""
    assert values(run, "2019-T1", "totalt", "män")["uppfoljningsbara_2_man"] == 1


def test_before_months_follow_the_registration_of_the_last_avslut(run):
    """F6: in 2019-T1 its last avslut is f6a (before-months 2018-08..10, not delivered), in 2019-T2 f6b
    (2018-12..2019-02, 2000 a month)."""
    assert values(run, "2019-T1", JARVA, "män")["uppfoljningsbara_2_man"] == 1  # F2 only
    assert values(run, "2019-T2", JARVA, "män")["fore_sek_per_manad_2_man"] == Decimal("2000.00")


def test_change_rounded_to_one_decimal(run):
    """2019 totalt: 100 x (1440 - 2900) / 2900 = -50.3448... -> -50.3."""
    assert run.row(MART, period="2019", jobbtorg="totalt", kon="totalt")["forandring_2_man_procent"] == (
        pytest.approx(-50.3, abs=1e-9)
    )


def test_sek_columns_are_decimal_18_2(run):
    """The SEK columns are DECIMAL(18,2), the per-cent columns DOUBLE (the YAML types)."""
    with run.analysts() as con:
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE marts.{MART})").fetchall())
    assert {c: types[c] for c in SEK} == dict.fromkeys(SEK, "DECIMAL(18,2)")
    assert {c: types[c] for c in PROCENT} == dict.fromkeys(PROCENT, "DOUBLE")


def test_rows_2019_t2(run):
    """2019-T2: f4 (S, man) and f6b (J, man) are active: no kvinnor rows."""
    assert keys(run, MART, "jobbtorg", "kon", period="2019-T2") == {
        (JARVA, "män"),
        (JARVA, "totalt"),
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_periods(run):
    """Rows from 2018-T3 (f6a, 5 Nov 2018, the first data); every period with an active registration."""
    assert {p for (p,) in keys(run, MART, "period")} >= {"2018", "2018-T3", "2019", "2019-T1", "2019-T2"}
    assert not {p for (p,) in keys(run, MART, "period")} & {"2017", "2018-T1", "2018-T2"}
    assert all(r["uttagsdatum"] == date(2020, 3, 2) for r in run.rows(MART))


def test_a_period_without_registrations_has_only_its_all_totalt_row(run):
    """The rows: every (period, jobbtorg, kön) with a registration active, and every period has at least
    its all-`totalt` row. Every registration has ended by 2019-06-14, so 2019-T3, 2020 and 2020-T1 have
    the (totalt, totalt) row only: no one ended, no one followed, no amounts."""
    for period in ("2019-T3", "2020", "2020-T1"):
        assert keys(run, MART, "jobbtorg", "kon", period=period) == {("totalt", "totalt")}
        row = run.row(MART, period=period, jobbtorg="totalt", kon="totalt")
        assert row["avslutade"] == 0 and row["uppfoljningsbara_2_man"] == 0 and row["efter_2_man_sek"] is None


def test_columns(run):
    """The analyst-facing column set: the common columns, the dimensions and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", "kon", *MEASURES])


# --- Half öre and a before-figure shown as 0.00 ---------------------------------------------------------
#
# A second, small source. Six persons, all registered 2019-02-04 and ended 2019-04-10 (2019-T1), so the 3
# months before are 2018-11..2019-01, month +2 is 2019-06 and month +8 is 2019-12; a filler person Z,
# never registered, has a payment in every month 2018-10..2019-12 (all months delivered). Two persons per
# jobbtorg, one woman (K) and one man (M):
#
#   J  (Järva)    A [K] before 0.07 + 0.07 + 0.07 = 0.21;  +2 2.01;     +8 0.09
#                 B [M] no payments
#   S  (Sydost)   C [K] before 0.01 (2018-11 only);        +2 7568.03;  +8 none
#                 D [M] only a reclaim of -0.01 in 2019-12 (a net of -0.01 that month)
#   SV (Sydväst)  E [K] before 4000 + 4000 + 4000 = 12000; +2 3998;     +8 4002
#                 F [M] no payments
#
# Means are exact sums divided once and rounded half away from zero to whole öre; the change is computed
# from those published figures, to one decimal, half away from zero, and empty when the before-figure shown
# is 0.00.
#   J:  fore 0.21 / 6 = 0.035 -> 0.04 (floating point gave 0.03); +2 2.01 / 2 = 1.005 -> 1.01 (gave 1.00);
#       change 100 x (1.01 - 0.04) / 0.04 = 2425.0 (from the unrounded 0.035 and 1.005 it would be 2771.4);
#       +8 0.09 / 2 = 0.045 -> 0.05, change 100 x (0.05 - 0.04) / 0.04 = 25.0 (unrounded: 28.6).
#   J kvinnor (A): fore 0.21 / 3 = 0.07; +2 2.01 -> 100 x 1.94 / 0.07 = 2771.428.. -> 2771.4;
#       +8 0.09 -> 100 x 0.02 / 0.07 = 28.571.. -> 28.6.
#   S:  fore 0.01 / 6 = 0.0017 -> 0.00: both changes empty (not 100 x 3784.015 / 0.0017 = 227 million %);
#       +2 7568.03 / 2 = 3784.015 -> 3784.02; +8 -0.01 / 2 = -0.005 -> -0.01 (away from zero, not -0.00).
#   S män (D): +8 -0.01.  S kvinnor (C): fore 0.01 / 3 -> 0.00; +2 7568.03; +8 0.00.
#   SV: fore 12000 / 6 = 2000.00; +2 3998 / 2 = 1999.00, change 100 x -1 / 2000 = -0.05 -> -0.1;
#       +8 4002 / 2 = 2001.00, change +0.05 -> 0.1 (halves of a tenth, away from zero).
#   totalt (six): fore (0.21 + 0.01 + 12000) / 18 = 666.6789 -> 666.68;
#       +2 (2.01 + 7568.03 + 3998) / 6 = 1928.0067 -> 1928.01,
#       change 100 x 1261.33 / 666.68 = 189.196 -> 189.2;
#       +8 (0.09 - 0.01 + 4002) / 6 = 667.0133 -> 667.01, change 100 x 0.33 / 666.68 = 0.0495 -> 0.0.
#   totalt män (B, D, F): fore 0.00; +2 0.00; +8 -0.01 / 3 = -0.0033 -> 0.00 (no minus zero); both empty.
HALVES = "forsorjningsstod_fore_efter_halvor"


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    root = tmp_path_factory.mktemp(HALVES)
    people = {  # person: (jobbtorg, woman)
        "A": (JARVA, True),
        "B": (JARVA, False),
        "C": (SYDOST, True),
        "D": (SYDOST, False),
        "E": (SYDVAST, True),
        "F": (SYDVAST, False),
    }
    p = {name: pnr(f"19{70 + i}0303", 30 + i, woman=w) for i, (name, (_, w)) in enumerate(people.items())}
    src = SourceBuilder(root / "source", uttagsdatum="2020-03-02")
    for name, (jobbtorg, woman) in people.items():
        src.inskrivning(
            f"h{name}",
            p[name],
            "2019-02-04",
            "2019-04-10",
            "annan",
            jobbtorg=jobbtorg,
            kon="K" if woman else "M",
        )
    payments = [
        ("A", "2018-11", "0,07"),
        ("A", "2018-12", "0,07"),
        ("A", "2019-01", "0,07"),
        ("A", "2019-06", "2,01"),
        ("A", "2019-12", "0,09"),
        ("C", "2018-11", "0,01"),
        ("C", "2019-06", "7568,03"),
        ("D", "2019-12", "-0,01"),
        ("E", "2018-11", "4000"),
        ("E", "2018-12", "4000"),
        ("E", "2019-01", "4000"),
        ("E", "2019-06", "3998"),
        ("E", "2019-12", "4002"),
    ]
    for i, (name, month, belopp) in enumerate(payments):
        src.utbetalning(f"h{i}", p[name], month, belopp)
    for month in _months("2018-10", "2019-12"):
        src.utbetalning(f"z{month}", pnr("19600606", 20, woman=False), month, "1000")
    return run_scenario(src, root / "work")


# fmt: off
HALF_CASES = [
    pytest.param(JARVA, "totalt", expect(2, 2, "0.04", "1.01", 2425.0, 2, "0.04", "0.05", 25.0),
                 id="J-half-ore-up-change-from-shown-figures"),
    pytest.param(JARVA, "kvinnor", expect(1, 1, "0.07", "2.01", 2771.4, 1, "0.07", "0.09", 28.6),
                 id="J-kvinnor"),
    pytest.param(SYDOST, "totalt", expect(2, 2, "0.00", "3784.02", None, 2, "0.00", "-0.01", None),
                 id="S-shown-base-0-change-empty-negative-half-away-from-zero"),
    pytest.param(SYDOST, "kvinnor", expect(1, 1, "0.00", "7568.03", None, 1, "0.00", "0.00", None),
                 id="S-kvinnor"),
    pytest.param(SYDOST, "män", expect(1, 1, "0.00", "0.00", None, 1, "0.00", "-0.01", None),
                 id="S-män-net-reclaim"),
    pytest.param(SYDVAST, "totalt", expect(2, 2, "2000.00", "1999.00", -0.1, 2, "2000.00", "2001.00", 0.1),
                 id="SV-half-tenth-away-from-zero"),
    pytest.param("totalt", "totalt", expect(6, 6, "666.68", "1928.01", 189.2, 6, "666.68", "667.01", 0.0),
                 id="totalt"),
    pytest.param("totalt", "män", expect(3, 3, "0.00", "0.00", None, 3, "0.00", "0.00", None),
                 id="totalt-män-no-minus-zero"),
]
# fmt: on


@pytest.mark.parametrize(("jobbtorg", "kon", "expected"), HALF_CASES)
def test_half_ore_and_shown_base(halves, jobbtorg, kon, expected):
    """2019-T1 of the second source: every measure equals the hand-worked value above."""
    assert values(halves, "2019-T1", jobbtorg, kon) == expected


def test_change_recomputes_from_the_published_columns(halves):
    """For every row, the change equals 100 x (after - before) / before of the published columns, rounded
    half away from zero to one decimal, and is empty exactly when the before-figure shown is 0.00."""
    for row in halves.rows(MART):
        for n, after in ((2, "efter_2_man_sek"), (8, "efter_8_man_sek")):
            before, got = row[f"fore_sek_per_manad_{n}_man"], row[f"forandring_{n}_man_procent"]
            if before is None or before == 0:
                assert got is None, row
            else:
                want = (100 * (row[after] - before) / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                assert got == pytest.approx(float(want), abs=1e-9), row

"""marts.kolada_resultat_vid_avslut on hand-built data: every expected number is worked out by hand below.

Definition (kolada_resultat_vid_avslut.yml): each person's last avslut in the period counts (same day: the
highest inskrivning_id). An avslut for SUBSIDISED work (arbete_subventionerat) is a kommunal_anstallning,
not arbete, when THAT registration held a visstidsanställning active on the avslut day or ended within the
30 days before it. An avslut for unsubsidised work (arbete_osubventionerat) is always arbete: a municipal
labour-market employment is subsidised. arbete_eller_studier = arbete + studier; the share is over
avslutade.

Scenario (uttagsdatum 2019-10-01; J = Järva, S = Sydost; kön registered). "vt" = visstidsanställning.

  person  reg   jt inskrivning avslut      orsak        insats in that registration     -> group
  K1 [K]  k1    J  2019-01-07  2019-03-29  arbete_osub  vt 02-01..03-29 (ends the same day) arbete
                                                        (unsubsidised: never municipal)
  K2 [M]  k2    J  2019-01-14  2019-04-15  arbete_sub   vt 01-21..03-16 (30 days before)    kommunal
  K3 [K]  k3a   S  2019-01-14  2019-04-15  arbete_sub   vt 01-21..03-15 (31 days before)    arbete
          k3b   J  2019-05-02  2019-08-16  studier      -                                  studier
  K4 [M]  k4    S  2019-02-04  2019-04-26  studier      vt 02-11..04-26 (active)           studier
  K5 [K]  k5    J  2019-02-04  2019-03-22  arbete_sub   praktik 02-11..03-22 (not a vt)    arbete
  K6 [M]  k6a   J  2019-01-07  2019-02-15  arbete_osub  -                                  (not last)
          k6b   J  2019-02-18  2019-04-05  aterremiss   -                                  none of the 3
  K7 [K]  k7a   S  2019-01-07  2019-02-08  flytt        vt 01-14..02-08                    (not last)
          k7b   S  2019-02-11  2019-03-01  arbete_sub   - (the vt was in k7a, 21 days ago)  arbete
  K8 [M]  k8a   J  2019-03-01  2019-04-12  arbete_sub   vt 03-04..04-12 (active)           (lower id)
          k8b   J  2019-03-04  2019-04-12  studier      -                  same day: k8b -> studier
  K9 [M]  k9    J  2019-01-21  2019-03-08  arbete_sub   vt 02-04..(ongoing)                kommunal
  K10 [K] k10   J  2019-02-04  2019-04-30  (no reason)  -                                  none of the 3
  K11 [M] k11   S  2019-05-06  2019-07-31  arbete_sub   vt 05-13..07-01 (30 days before)   kommunal
  K12 [K] k12   J  2019-09-02  (open)                   -                                  no avslut
  K0 [M]  k0    J  2018-05-07  2018-06-15  flytt        -                                  none of the 3
                                                        (nothing is active in 2018-T3: no rows there)

Measures, in this order:
  (avslutade, arbete, studier, kommunal_anstallning, arbete_eller_studier, andel_arbete_eller_studier)
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts._helpers import COMMON, columns, keys, run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

MART = "kolada_resultat_vid_avslut"
MEASURES = (
    "avslutade",
    "arbete",
    "studier",
    "kommunal_anstallning",
    "arbete_eller_studier",
    "andel_arbete_eller_studier",
)
WOMEN = {1, 3, 5, 7, 10, 12}  # K0 is a man


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("kolada")
    p = {n: pnr(f"19{70 + n}0909", n, woman=n in WOMEN) for n in range(13)}
    src = SourceBuilder(root / "source", uttagsdatum="2019-10-01")
    regs = [
        # (reg, person, jobbtorg, start, slut, orsak)
        ("k0", 0, JARVA, "2018-05-07", "2018-06-15", "flytt"),
        ("k1", 1, JARVA, "2019-01-07", "2019-03-29", "arbete_osubventionerat"),
        ("k2", 2, JARVA, "2019-01-14", "2019-04-15", "arbete_subventionerat"),
        ("k3a", 3, SYDOST, "2019-01-14", "2019-04-15", "arbete_subventionerat"),
        ("k3b", 3, JARVA, "2019-05-02", "2019-08-16", "studier"),
        ("k4", 4, SYDOST, "2019-02-04", "2019-04-26", "studier"),
        ("k5", 5, JARVA, "2019-02-04", "2019-03-22", "arbete_subventionerat"),
        ("k6a", 6, JARVA, "2019-01-07", "2019-02-15", "arbete_osubventionerat"),
        ("k6b", 6, JARVA, "2019-02-18", "2019-04-05", "aterremiss"),
        ("k7a", 7, SYDOST, "2019-01-07", "2019-02-08", "flytt"),
        ("k7b", 7, SYDOST, "2019-02-11", "2019-03-01", "arbete_subventionerat"),
        ("k8a", 8, JARVA, "2019-03-01", "2019-04-12", "arbete_subventionerat"),
        ("k8b", 8, JARVA, "2019-03-04", "2019-04-12", "studier"),
        ("k9", 9, JARVA, "2019-01-21", "2019-03-08", "arbete_subventionerat"),
        ("k10", 10, JARVA, "2019-02-04", "2019-04-30", None),
        ("k11", 11, SYDOST, "2019-05-06", "2019-07-31", "arbete_subventionerat"),
        ("k12", 12, JARVA, "2019-09-02", None, None),
    ]
    for reg, n, jobbtorg, start, slut, orsak in regs:
        src.inskrivning(reg, p[n], start, slut, orsak, jobbtorg=jobbtorg, kon="K" if n in WOMEN else "M")
    vt = [
        # (insats, reg, start, slut)
        ("v1", "k1", "2019-02-01", "2019-03-29"),
        ("v2", "k2", "2019-01-21", "2019-03-16"),
        ("v3", "k3a", "2019-01-21", "2019-03-15"),
        ("v4", "k4", "2019-02-11", "2019-04-26"),
        ("v7", "k7a", "2019-01-14", "2019-02-08"),
        ("v8", "k8a", "2019-03-04", "2019-04-12"),
        ("v9", "k9", "2019-02-04", None),
        ("v11", "k11", "2019-05-13", "2019-07-01"),
    ]
    for insats, reg, start, slut in vt:
        src.insats(insats, reg, "visstidsanstallning", start, slut)
    src.insats("pr5", "k5", "praktik", "2019-02-11", "2019-03-22")
    return run_scenario(src, root / "work")


def values(run, period, jobbtorg, kon):
    row = run.row(MART, period=period, jobbtorg=jobbtorg, kon=kon)
    return {m: row[m] for m in MEASURES}


def expect(avslutade, arbete, studier, kommunal):
    """The hand-worked counts; arbete_eller_studier and its share follow by their definitions."""
    a_s = arbete + studier
    share = None if avslutade == 0 else pytest.approx(a_s / avslutade)
    return dict(zip(MEASURES, (avslutade, arbete, studier, kommunal, a_s, share), strict=True))


# fmt: off
CASES = [
    # --- 2019-T1 (1 Jan-30 Apr). Ended: K1 K2 K3 (k3a) K4 K5 K6 (last k6b) K7 (last k7b) K8 (k8b) K9 K10.
    # arbete K1 (unsubsidised, vt ending that day) K3 K5 K7; studier K4 K8; kommunal K2 K9; K6 aterremiss,
    # K10 no reason -> 10, 4, 2, 2.
    pytest.param("2019-T1", "totalt", "totalt", expect(10, 4, 2, 2), id="2019-T1-totalt"),
    # kvinnor K1 (arbete) K3 (arbete) K5 (arbete) K7 (arbete) K10 (saknas).
    pytest.param("2019-T1", "totalt", "kvinnor", expect(5, 4, 0, 0), id="2019-T1-kvinnor"),
    # män K2 (kommunal) K4 (studier) K6 (aterremiss) K8 (studier) K9 (kommunal).
    pytest.param("2019-T1", "totalt", "män", expect(5, 0, 2, 2), id="2019-T1-män"),
    # J: K1 K2 K5 K6 K8 K9 K10 -> arbete K1 K5; studier K8; kommunal K2 K9.
    pytest.param("2019-T1", JARVA, "totalt", expect(7, 2, 1, 2), id="2019-T1-J"),
    pytest.param("2019-T1", JARVA, "kvinnor", expect(3, 2, 0, 0), id="2019-T1-J-kvinnor-unsubsidised"),
    pytest.param("2019-T1", JARVA, "män", expect(4, 0, 1, 2), id="2019-T1-J-män-30-days-tie"),
    # S: K3 (31 days: arbete), K4 (studier), K7 (vt in another registration: arbete).
    pytest.param("2019-T1", SYDOST, "totalt", expect(3, 2, 1, 0), id="2019-T1-S"),
    pytest.param("2019-T1", SYDOST, "kvinnor", expect(2, 2, 0, 0), id="2019-T1-S-kvinnor-31-days"),
    pytest.param("2019-T1", SYDOST, "män", expect(1, 0, 1, 0), id="2019-T1-S-män-studier-with-vt"),
    # --- 2019-T2 (1 May-31 Aug). Ended: K3 (k3b, J, studier), K11 (S, vt ended 30 days before: kommunal).
    pytest.param("2019-T2", "totalt", "totalt", expect(2, 0, 1, 1), id="2019-T2-totalt"),
    pytest.param("2019-T2", "totalt", "kvinnor", expect(1, 0, 1, 0), id="2019-T2-kvinnor"),
    pytest.param("2019-T2", "totalt", "män", expect(1, 0, 0, 1), id="2019-T2-män"),
    pytest.param("2019-T2", JARVA, "totalt", expect(1, 0, 1, 0), id="2019-T2-J"),
    pytest.param("2019-T2", SYDOST, "män", expect(1, 0, 0, 1), id="2019-T2-S-män-30-days"),
    # --- 2019-T3: K12 (J, open) only -> nobody ended, share empty.
    pytest.param("2019-T3", "totalt", "totalt", expect(0, 0, 0, 0), id="2019-T3-totalt-none-ended"),
    pytest.param("2019-T3", JARVA, "kvinnor", expect(0, 0, 0, 0), id="2019-T3-J-kvinnor"),
    # --- 2019: K1..K11 ended = 11. By the last avslut of the year: K3 studier (k3b in Aug, not k3a's work).
    # arbete K1 K5 K7; studier K3 K4 K8; kommunal K2 K9 K11.
    pytest.param("2019", "totalt", "totalt", expect(11, 3, 3, 3), id="2019-totalt"),
    pytest.param("2019", "totalt", "kvinnor", expect(5, 3, 1, 0), id="2019-kvinnor"),
    pytest.param("2019", "totalt", "män", expect(6, 0, 2, 3), id="2019-män"),
    # J (last avslut at J): K1 arb, K2 kom, K3 (k3b) stu, K5 arb, K6 åter, K8 stu, K9 kom, K10 saknas.
    pytest.param("2019", JARVA, "totalt", expect(8, 2, 2, 2), id="2019-J"),
    pytest.param("2019", JARVA, "kvinnor", expect(4, 2, 1, 0), id="2019-J-kvinnor"),
    pytest.param("2019", JARVA, "män", expect(4, 0, 1, 2), id="2019-J-män"),
    # S (last avslut at S): K3 (k3a) arbete, K4 studier, K7 arbete, K11 kommunal.
    pytest.param("2019", SYDOST, "totalt", expect(4, 2, 1, 1), id="2019-S-last-avslut-there"),
    pytest.param("2019", SYDOST, "kvinnor", expect(2, 2, 0, 0), id="2019-S-kvinnor"),
    pytest.param("2019", SYDOST, "män", expect(2, 0, 1, 1), id="2019-S-män"),
    # --- 2018-T2 and 2018: K0 ended for flytt -> 1 ended, none of the three groups, share 0.
    pytest.param("2018-T2", "totalt", "totalt", expect(1, 0, 0, 0), id="2018-T2-totalt-flytt"),
    pytest.param("2018", JARVA, "män", expect(1, 0, 0, 0), id="2018-J-män-flytt"),
]
# fmt: on


@pytest.mark.parametrize(("period", "jobbtorg", "kon", "expected"), CASES)
def test_measures(run, period, jobbtorg, kon, expected):
    """Every measure of a (period, jobbtorg, kön) row equals the hand-worked value (share approx.)."""
    assert values(run, period, jobbtorg, kon) == expected


def test_unsubsidised_work_ending_the_day_a_vt_ends_is_arbete(run):
    """K1: avslut for arbete_osubventionerat on 2019-03-29, the day the vt (02-01..03-29) in the same
    registration ended. A municipal labour-market employment is subsidised, so this is work: J kvinnor
    2019-T1 holds K1 and K5 as arbete (K10 no reason) -> arbete 2, kommunal 0 (the old rule gave 1 and 1)."""
    got = values(run, "2019-T1", JARVA, "kvinnor")
    assert (got["arbete"], got["kommunal_anstallning"]) == (2, 0)


def test_subsidised_work_with_a_vt_active_on_the_day_is_kommunal(run):
    """K9: arbete_subventionerat on 2019-03-08 with a vt from 2019-02-04 still ongoing (active on the day)
    -> kommunal; J män 2019-T1: K2 (30 days) and K9 -> 2."""
    got = values(run, "2019-T1", JARVA, "män")  # K2 kom, K6 åter, K8 studier, K9 kom
    assert (got["arbete"], got["kommunal_anstallning"]) == (0, 2)


def test_vt_ended_30_days_before_kommunal_31_days_before_arbete(run):
    """Both arbete_subventionerat. K11: vt ended 07-01, avslut 07-31 (30 days) -> kommunal. K3: vt ended
    03-15, avslut 04-15 (31 days) -> arbete."""
    k11 = values(run, "2019-T2", SYDOST, "män")
    assert (k11["arbete"], k11["kommunal_anstallning"]) == (0, 1)
    k3_k7 = values(run, "2019-T1", SYDOST, "kvinnor")  # K3 and K7, both arbete
    assert (k3_k7["arbete"], k3_k7["kommunal_anstallning"]) == (2, 0)


def test_studier_stays_studier_with_a_vt(run):
    """K4 ended for studier while a vt was active: the approximation applies to work only."""
    assert values(run, "2019-T1", SYDOST, "män") == expect(1, 0, 1, 0)


def test_last_avslut_decides(run):
    """K6: k6a for work (Feb), k6b aterremiss (Apr): neither arbete nor studier. K3 in 2019: studier."""
    j_man = values(run, "2019-T1", JARVA, "män")  # K2, K6, K8, K9: K6 in none of the groups
    assert j_man["avslutade"] - j_man["arbete"] - j_man["studier"] - j_man["kommunal_anstallning"] == 1
    assert values(run, "2019", "totalt", "kvinnor")["studier"] == 1  # K3


def test_same_day_avslut_highest_inskrivning_id(run):
    """K8 ended k8a (subsidised work, vt active) and k8b (studier) on 2019-04-12: k8b counts -> studier."""
    got = values(run, "2019-T1", "totalt", "män")
    assert (got["studier"], got["kommunal_anstallning"]) == (2, 2)  # K4, K8; K2, K9


def test_share_is_kolada_figure(run):
    """2019 totalt: (arbete 3 + studier 3) / avslutade 11."""
    assert run.row(MART, period="2019", jobbtorg="totalt", kon="totalt")[
        "andel_arbete_eller_studier"
    ] == pytest.approx(6 / 11)


def test_groups_fit_in_avslutade(run):
    """arbete + studier + kommunal_anstallning <= avslutade; arbete_eller_studier = arbete + studier."""
    for r in run.rows(MART):
        assert r["arbete"] + r["studier"] + r["kommunal_anstallning"] <= r["avslutade"], r
        assert r["arbete_eller_studier"] == r["arbete"] + r["studier"], r


def test_rows_2019_t2(run):
    """2019-T2: k3b (J, kvinna) and k11 (S, man) are the registrations active."""
    assert keys(run, MART, "jobbtorg", "kon", period="2019-T2") == {
        (JARVA, "kvinnor"),
        (JARVA, "totalt"),
        (SYDOST, "män"),
        (SYDOST, "totalt"),
        ("totalt", "kvinnor"),
        ("totalt", "män"),
        ("totalt", "totalt"),
    }


def test_periods(run):
    """From 2018-T2 (K0, the first data) to 2019-T3 (holding 2019-10-01), where a registration is active."""
    assert {p for (p,) in keys(run, MART, "period")} >= {
        "2018",
        "2018-T2",
        "2019",
        "2019-T1",
        "2019-T2",
        "2019-T3",
    }
    assert all(r["uttagsdatum"] == date(2019, 10, 1) for r in run.rows(MART))


def test_a_period_without_registrations_has_only_its_all_totalt_row(run):
    """The rows: every (period, jobbtorg, kön) with a registration active, and every period has at least
    its all-`totalt` row. K0 ended 2018-06-15 and the next registration began 2019-01-07: 2018-T3 has the
    (totalt, totalt) row only, counts 0 and the share empty."""
    assert keys(run, MART, "jobbtorg", "kon", period="2018-T3") == {("totalt", "totalt")}
    row = run.row(MART, period="2018-T3", jobbtorg="totalt", kon="totalt")
    assert (
        row["avslutade"] == 0
        and row["arbete_eller_studier"] == 0
        and row["andel_arbete_eller_studier"] is None
    )


def test_columns(run):
    """The analyst-facing column set: the common columns, the dimensions and the measures."""
    assert sorted(columns(run, MART)) == sorted([*COMMON, "jobbtorg", "kon", *MEASURES])

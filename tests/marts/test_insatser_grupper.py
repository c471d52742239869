"""marts.insatser_grupper and marts.insatser_resultat_grupper on hand-built data: every expected number is
worked out by hand below.

Scenario (uttagsdatum 2020-03-15; J = Jobbtorg Järva, S = Jobbtorg Sydost). Periods counted in days:
2019-T1 120, 2019-T2 123, 2019-T3 122, 2019 365, 2020-T1 and 2020 75 (up to the uttagsdatum).

  person, born    reg jt malgrupp          stadsdel       kon  inskrivning  avslut
  P1 1990-03-01   r1a J  sfi               Rinkeby-Kista  K    2019-01-07   2019-06-28 arbete
     (man's nr)   r1b S  fsst_arbetsloshet Farsta         -    2019-02-01   (open)
  P2 1980-05-05   r2  J  fsst_arbetsloshet Solna (none)   M    2019-03-01   (open)
  P3 2002-06-01   r3  J  ungdom            Rinkeby-Kista  K    2019-01-10   2019-09-30 studier

  insats reg typ (regi)                start..slut           days: T1  T2  T3  2019 2020-T1  ended early?
  a1     r1a arbetstraning (egen)      2019-04-21..05-10           10  10   -    20   -       yes (plan 07-20)
  a2     r1b arbetstraning (extern)    2019-03-01..06-15           61  46   -   107   -       no (plan 05-30)
  b1     r2  coachning (extern)        2019-04-01..(open)          30 123 122   275  75
  c1     r3  praktik (egen)            2019-02-01..02-28           28   -   -    28   -       yes (plan 05-02)
  Lengths of the ended ones: a1 20, a2 107, c1 28.

Groups: målgrupp sfi {a1}, fsst_arbetsloshet {a2, b1}, ungdom {c1}; stadsdel Rinkeby-Kista {a1, c1},
Farsta {a2}, okänd {b1} (Solna is not a district); aldersgrupp 25-29 {a1, a2} (P1 is 28 at both
inskrivningar), 30-39 {b1}, 16-24 {c1}.

P1 is a person with two registrations of different målgrupp, both with insatser: she counts once in each
group and once in `totalt`; her last ended arbetsträning in 2019-T2 is a2 over all and in fsst_arbetsloshet,
a1 within sfi. a1 runs over the T1/T2 boundary. Her personnummer is a man's, but her registered kön (on r1a
only) makes her a woman, in every group, also in fsst_arbetsloshet whose registration has no kön.

Outcomes (insatser_resultat): the status of the registration holding the insats, at the uttagsdatum:
a1 (r1a ended arbete) arbete_eller_studier, a2 (r1b open) fortsatt_inskriven, c1 (r3 studier)
arbete_eller_studier. Payments are delivered for 2019-01..2020-02 (P2 1,000 SEK every month); P1 2,000 SEK
for 2019-12. Month 0 is the month of the slutdatum:
  a1 2019-05: +6 = 2019-11 followable, nothing paid: self-sufficient; +12 = 2020-05 not delivered
  a2 2019-06: +6 = 2019-12 followable, 2,000 paid: not self-sufficient; +12 = 2020-06 not delivered
  c1 2019-02: +6 = 2019-08 followable, self-sufficient; +12 = 2020-02 followable, self-sufficient
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

T = "totalt"
AT = "arbetstraning"
INSATSER = (
    "personer_paborjade",
    "deltagare",
    "insatser_paborjade",
    "insatser_aktiva",
    "insatser_avslutade",
    "avslutade_fore_planerat_slut",
    "median_dagar_avslutade",
    "arsplatser",
)
RESULTAT = (
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


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("insatser_grupper")
    p1 = pnr("19900301", 1, woman=False)
    p2 = pnr("19800505", 2, woman=False)
    p3 = pnr("20020601", 3, woman=True)
    src = SourceBuilder(root / "source", uttagsdatum="2020-03-15")
    src.inskrivning(
        "r1a",
        p1,
        "2019-01-07",
        "2019-06-28",
        "arbete_osubventionerat",
        jobbtorg=JARVA,
        kon="K",
        malgrupp="sfi",
    )
    src.inskrivning("r1b", p1, "2019-02-01", jobbtorg=SYDOST, kon="")
    src.inskrivning("r2", p2, "2019-03-01", jobbtorg=JARVA, kon="M", stadsdel="Solna")
    src.inskrivning(
        "r3", p3, "2019-01-10", "2019-09-30", "studier", jobbtorg=JARVA, kon="K", malgrupp="ungdom"
    )
    src.insats("a1", "r1a", AT, "2019-04-21", "2019-05-10", regi="egen")
    src.insats("a2", "r1b", AT, "2019-03-01", "2019-06-15", regi="extern")
    src.insats("b1", "r2", "coachning", "2019-04-01", regi="extern")
    src.insats("c1", "r3", "praktik", "2019-02-01", "2019-02-28", regi="egen")
    for month in [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01", "2020-02"]:
        src.utbetalning(f"u2-{month}", p2, month, "1000")
    src.utbetalning("u1", p1, "2019-12", "2000")
    return run_scenario(src, root / "work")


def _insatser(run, period, dimension, grupp, insatstyp=T, regi=T, jobbtorg=T, kon=T):
    row = run.row(
        "insatser_grupper",
        period=period,
        dimension=dimension,
        grupp=grupp,
        insatstyp=insatstyp,
        regi=regi,
        jobbtorg=jobbtorg,
        kon=kon,
    )
    return tuple(row[c] for c in INSATSER)


def _resultat(run, period, dimension, grupp, insatstyp=T, regi=T, kon=T, mart="insatser_resultat_grupper"):
    where = {"period": period, "insatstyp": insatstyp, "regi": regi, "kon": kon}
    if mart.endswith("_grupper"):
        where |= {"dimension": dimension, "grupp": grupp}
    row = run.row(mart, **where)
    return tuple(row[c] for c in RESULTAT)


def _approx(expected):
    return tuple(pytest.approx(v) if isinstance(v, float) else v for v in expected)


# fmt: off
INSATSER_CASES = [
    # --- målgrupp. 2019-T1: sfi holds a1 only (started, 10 of its days in T1); fsst_arbetsloshet a2 (61)
    # and b1 (30), persons P1 and P2; ungdom c1 (28 days, ended before its plan). P1 is in sfi and in
    # fsst_arbetsloshet: once in each (the mart's totalt has 3 persons, the groups' rows add up to 4).
    pytest.param("2019-T1", "malgrupp", "sfi", {}, (1, 1, 1, 1, 0, 0, None, 10 / 120), id="T1-sfi"),
    pytest.param("2019-T1", "malgrupp", "fsst_arbetsloshet", {}, (2, 2, 2, 2, 0, 0, None, 91 / 120),
                 id="T1-fsst"),
    pytest.param("2019-T1", "malgrupp", "ungdom", {}, (1, 1, 1, 1, 1, 1, 28.0, 28 / 120), id="T1-ungdom"),
    # a1 over the T1/T2 boundary: 10 days in each, ended in T2 (length 20, before its planned end).
    pytest.param("2019-T2", "malgrupp", "sfi", {}, (0, 1, 0, 1, 1, 1, 20.0, 10 / 123), id="T2-sfi-boundary"),
    # T2 fsst_arbetsloshet: a2 (46 days, ended after its plan, length 107) and b1 (123 days).
    pytest.param("2019-T2", "malgrupp", "fsst_arbetsloshet", {}, (0, 2, 0, 2, 1, 0, 107.0, 169 / 123),
                 id="T2-fsst"),
    pytest.param("2019", "malgrupp", "sfi", {}, (1, 1, 1, 1, 1, 1, 20.0, 20 / 365), id="2019-sfi"),
    pytest.param("2019", "malgrupp", "fsst_arbetsloshet", {}, (2, 2, 2, 2, 1, 0, 107.0, 382 / 365),
                 id="2019-fsst"),
    # crossed with jobbtorg, insatstyp, regi and kön: a2 is fsst_arbetsloshet at Sydost, extern; P1 is a
    # woman in this group too (her kön comes from r1a, which is not in it).
    pytest.param("2019-T1", "malgrupp", "fsst_arbetsloshet", {"jobbtorg": SYDOST, "kon": "kvinnor"},
                 (1, 1, 1, 1, 0, 0, None, 61 / 120), id="T1-fsst-Sydost-kvinnor"),
    pytest.param("2019-T1", "malgrupp", "fsst_arbetsloshet", {"jobbtorg": JARVA},
                 (1, 1, 1, 1, 0, 0, None, 30 / 120), id="T1-fsst-Järva"),
    pytest.param("2019-T2", "malgrupp", "fsst_arbetsloshet", {"insatstyp": AT, "regi": "extern"},
                 (0, 1, 0, 1, 1, 0, 107.0, 46 / 123), id="T2-fsst-AT-extern"),
    pytest.param("2019-T2", "malgrupp", "sfi", {"insatstyp": AT, "regi": "egen", "kon": "kvinnor"},
                 (0, 1, 0, 1, 1, 1, 20.0, 10 / 123), id="T2-sfi-AT-egen-kvinnor"),
    # --- stadsdel. Rinkeby-Kista in T1: a1 (P1) and c1 (P3); okänd: P2's b1, ongoing, judged at the
    # uttagsdatum in 2020-T1 (75 of 75 days: one place).
    pytest.param("2019-T1", "stadsdel", "Rinkeby-Kista", {}, (2, 2, 2, 2, 1, 1, 28.0, 38 / 120), id="T1-RK"),
    pytest.param("2019-T1", "stadsdel", "Farsta", {}, (1, 1, 1, 1, 0, 0, None, 61 / 120), id="T1-Farsta"),
    pytest.param("2019", "stadsdel", "okänd", {}, (1, 1, 1, 1, 0, 0, None, 275 / 365), id="2019-okänd"),
    pytest.param("2020-T1", "stadsdel", "okänd", {"jobbtorg": JARVA, "kon": "män"},
                 (0, 1, 0, 1, 0, 0, None, 1.0), id="2020-T1-okänd-ongoing"),
    # --- aldersgrupp. 25-29 holds both of P1's insatser: one person, two places (71 days in T1).
    pytest.param("2019-T1", "aldersgrupp", "25-29", {}, (1, 1, 2, 2, 0, 0, None, 71 / 120), id="T1-25-29"),
    pytest.param("2019-T1", "aldersgrupp", "16-24", {}, (1, 1, 1, 1, 1, 1, 28.0, 28 / 120), id="T1-16-24"),
]
# fmt: on


@pytest.mark.parametrize(("period", "dimension", "grupp", "more", "expected"), INSATSER_CASES)
def test_insatser_by_group(run, period, dimension, grupp, more, expected):
    assert _insatser(run, period, dimension, grupp, **more) == _approx(expected)


def test_insatser_totalt_counts_a_person_in_two_groups_once(run):
    # The mart itself, 2019-T1: P1, P2, P3; a1 a2 b1 c1 = 10 + 61 + 30 + 28 = 129 days; c1 ended (28 days).
    row = run.row("insatser", period="2019-T1", insatstyp=T, regi=T, jobbtorg=T, kon=T)
    assert tuple(row[c] for c in INSATSER) == _approx((3, 3, 4, 4, 1, 1, 28.0, 129 / 120))
    groups = run.rows(
        "insatser_grupper", period="2019-T1", dimension="malgrupp", insatstyp=T, regi=T, jobbtorg=T, kon=T
    )
    assert sum(r["deltagare"] for r in groups) == 4  # P1 once in sfi and once in fsst_arbetsloshet


def test_a_group_without_insatser_in_a_period_has_no_row(run):
    # ungdom's only insats, c1, ended in February: no ungdom row in T2, T3 or 2020; sfi none after T2.
    assert run.rows("insatser_grupper", period="2019-T2", grupp="ungdom") == []
    assert run.rows("insatser_grupper", period="2019-T3", grupp="sfi") == []
    in_2020 = {(r["dimension"], r["grupp"]) for r in run.rows("insatser_grupper", period="2020")}
    assert in_2020 == {("malgrupp", "fsst_arbetsloshet"), ("stadsdel", "okänd"), ("aldersgrupp", "30-39")}


# fmt: off
RESULTAT_CASES = [
    # 2019-T2, arbetsträning: within sfi P1's last ended insats is a1 (r1a ended for arbete), 6 months
    # after May = November, nothing paid: self-sufficient; 12 months after is not delivered.
    pytest.param("2019-T2", "malgrupp", "sfi", {"insatstyp": AT},
                 (1, 1, 0, 0, 0, 1.0, 0.0, 0.0, 1, 1, 1.0, 0, 0, None), id="T2-sfi-AT-last-within-group"),
    # within fsst_arbetsloshet it is a2 (r1b open: still registered); 6 months after June = December,
    # when P1 was paid 2,000 SEK: not self-sufficient (her payments are the whole person's).
    pytest.param("2019-T2", "malgrupp", "fsst_arbetsloshet", {"insatstyp": AT},
                 (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None), id="T2-fsst-AT"),
    # any insatstyp in fsst_arbetsloshet: P2's b1 is active but has not ended, so the cohort is P1 alone.
    pytest.param("2019-T2", "malgrupp", "fsst_arbetsloshet", {},
                 (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None), id="T2-fsst-all"),
    pytest.param("2019-T2", "malgrupp", "sfi", {"insatstyp": AT, "regi": "egen", "kon": "kvinnor"},
                 (1, 1, 0, 0, 0, 1.0, 0.0, 0.0, 1, 1, 1.0, 0, 0, None), id="T2-sfi-AT-egen-kvinnor"),
    # P1's kön stays whole in the group whose registration has none.
    pytest.param("2019-T2", "malgrupp", "fsst_arbetsloshet",
                 {"insatstyp": AT, "regi": "extern", "kon": "kvinnor"},
                 (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None), id="T2-fsst-AT-extern-kvinnor"),
    # 25-29 holds both of P1's insatser: her last is a2, as over all.
    pytest.param("2019-T2", "aldersgrupp", "25-29", {"insatstyp": AT},
                 (1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None), id="T2-25-29-AT"),
    # ungdom, 2019: c1 ended in February (r3 ended for studier); August and February 2020 followable, no
    # payments: self-sufficient at 6 and at 12 months.
    pytest.param("2019", "malgrupp", "ungdom", {},
                 (1, 1, 0, 0, 0, 1.0, 0.0, 0.0, 1, 1, 1.0, 1, 1, 1.0), id="2019-ungdom"),
    # the unknown district: b1 is active in T3 but never ended: a row with an empty cohort.
    pytest.param("2019-T3", "stadsdel", "okänd", {},
                 (0, 0, 0, 0, 0, None, None, None, 0, 0, None, 0, 0, None), id="T3-okänd-none-ended"),
    # 2019, Rinkeby-Kista: a1 (P1, arbete, 6 months self-sufficient) and c1 (P3, studier, both followable).
    pytest.param("2019", "stadsdel", "Rinkeby-Kista", {},
                 (2, 2, 0, 0, 0, 1.0, 0.0, 0.0, 2, 2, 1.0, 1, 1, 1.0), id="2019-RK"),
]
# fmt: on


@pytest.mark.parametrize(("period", "dimension", "grupp", "more", "expected"), RESULTAT_CASES)
def test_insatser_resultat_by_group(run, period, dimension, grupp, more, expected):
    assert _resultat(run, period, dimension, grupp, **more) == _approx(expected)


def test_insatser_resultat_totalt_takes_the_last_insats_over_all(run):
    # Over all, P1's last ended arbetsträning in 2019-T2 is a2 (15 June, after a1 on 10 May): still
    # registered, not self-sufficient in December; the sfi group above has her a1 instead.
    got = _resultat(run, "2019-T2", None, None, insatstyp=AT, mart="insatser_resultat")
    assert got == _approx((1, 0, 1, 0, 0, 0.0, 1.0, 0.0, 1, 0, 0.0, 0, 0, None))

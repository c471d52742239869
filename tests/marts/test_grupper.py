"""The `_grupper` breakdown tables on hand-built data: every expected number is worked out by hand below.

Scenario (uttagsdatum 2020-03-02; J = Jobbtorg Järva, S = Jobbtorg Sydost, V = Jobbtorg Sydväst):

  person, kön, born    reg jt malgrupp          stadsdel as written        inskrivning avslut
  A [K] 1990-03-01     IA1 J  sfi               Rinkeby-Kista              2019-01-10  2019-03-20 studier
                       IA2 S  fsst_arbetsloshet Farsta                     2019-02-01  2019-06-28 aterremiss
                       IA3 J  sfi               Rinkeby-Kista              2019-05-02  2019-07-15 arbete
                       IA4 J  sfi               Rinkeby-Kista              2019-08-05  (open)
  B [M] 1994-04-12     IB1 J  fsst_arbetsloshet Rinkeby-Kista              2019-04-12  (open)
  C [K] 1994-04-13 (s) IC1 J  ungdom            Rinkeby-Kista              2019-04-12  (open)
  D [M] 1915-03-01 (+) ID1 J  fsst_arbetsloshet Rinkeby-Kista              2019-03-04  (open)
  E [K] 2004-02-01     IE1 J  ungdom            Rinkeby-Kista              2019-06-01  (open)
  F [K] 1985-06-06     IF1 V  fsst_arbetsloshet "  hägersten-LILJEHOLMEN " 2019-09-02  2019-11-29 studier
  G [M] 1980-01-20     IG1 V  fsst_arbetsloshet Hägersten-Älvsjö           2020-01-15  (open)
  H [K] 1970-07-07     IH1 V  fsst_arbetsloshet Älvsjö                     2019-02-01  2019-05-31 flytt
  I [M] 1975-05-05     II1 J  fsst_arbetsloshet Solna (not a district)     2019-10-01  (open)
  (s) samordningsnummer; (+) written as 10 digits YYMMDD+NNNC. IA3 ended for arbete_osubventionerat.

  insatser of A: SA1 (IA1, coachning) 2019-02-01..2019-03-15 and SA2 (IA2, jobbsok) 2019-02-15..2019-03-10,
  at once from 15 Feb to 10 Mar, but under different målgrupper.
  payments: A 4,000 SEK försörjningsstöd for 2019-10; the delivered months run from 2019-01 (B, 0 SEK net)
  to 2020-02 (B, 0 SEK net).

Awkward cases: A stands in two målgrupper in 2019 (counted once in each and once in `totalt`; her last avslut
in sfi is IA3's arbete, in fsst_arbetsloshet IA2's återremiss, over all IA3's); A's återremiss from
fsst_arbetsloshet is followed by a registration in sfi (a next inskrivning "at any jobbtorg" is any of the
person's registrations); A's peak of parallel insatser is 2 over all but 1 within each målgrupp. B's 25th
birthday is his inskrivningsdatum (band 25-29); C's samordningsnummer has day 73 (= 13 + 60), the day before
her 25th birthday (16-24); D's 10-digit number with `+` is 100 or older in 2019 (1915, band 65-); E is 15.
Hägersten-Liljeholmen (in odd case and spacing) and Älvsjö, both merged into Hägersten-Älvsjö on
2020-01-01, count as Hägersten-Älvsjö in 2019 as in 2020, so the district has one series; Solna is `okänd`.
"""

from __future__ import annotations

import pytest

from tests.marts._helpers import run_scenario
from tests.support.sourcebuilder import JARVA, SYDOST, SourceBuilder, pnr

SYDVAST = "Jobbtorg Sydväst"
HA = "Hägersten-Älvsjö"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("grupper")
    a = pnr("19900301", 1, woman=True)
    b = pnr("19940412", 2, woman=False)
    c = pnr("19940413", 3, woman=True, samordning=True)
    d = pnr("19150301", 4, woman=False, form="10+")
    e = pnr("20040201", 5, woman=True)
    f = pnr("19850606", 6, woman=True)
    g = pnr("19800120", 7, woman=False)
    h = pnr("19700707", 8, woman=True)
    i = pnr("19750505", 9, woman=False)
    src = SourceBuilder(root / "source", uttagsdatum="2020-03-02")
    src.inskrivning("IA1", a, "2019-01-10", "2019-03-20", "studier", jobbtorg=JARVA, kon="K", malgrupp="sfi")
    src.inskrivning("IA2", a, "2019-02-01", "2019-06-28", "aterremiss", jobbtorg=SYDOST, kon="K")
    src.inskrivning(
        "IA3",
        a,
        "2019-05-02",
        "2019-07-15",
        "arbete_osubventionerat",
        jobbtorg=JARVA,
        kon="K",
        malgrupp="sfi",
    )
    src.inskrivning("IA4", a, "2019-08-05", jobbtorg=JARVA, kon="K", malgrupp="sfi")
    src.inskrivning("IB1", b, "2019-04-12", jobbtorg=JARVA)
    src.inskrivning("IC1", c, "2019-04-12", jobbtorg=JARVA, malgrupp="ungdom")
    src.inskrivning("ID1", d, "2019-03-04", jobbtorg=JARVA)
    src.inskrivning("IE1", e, "2019-06-01", jobbtorg=JARVA, malgrupp="ungdom")
    src.inskrivning(
        "IF1", f, "2019-09-02", "2019-11-29", "studier", jobbtorg=SYDVAST, stadsdel="  hägersten-LILJEHOLMEN "
    )
    src.inskrivning("IG1", g, "2020-01-15", jobbtorg=SYDVAST, stadsdel=HA)
    src.inskrivning("IH1", h, "2019-02-01", "2019-05-31", "flytt", jobbtorg=SYDVAST, stadsdel="Älvsjö")
    src.inskrivning("II1", i, "2019-10-01", jobbtorg=JARVA, stadsdel="Solna")
    src.insats("SA1", "IA1", "coachning", "2019-02-01", "2019-03-15")
    src.insats("SA2", "IA2", "jobbsok", "2019-02-15", "2019-03-10")
    src.utbetalning("u1", a, "2019-10", "4000")
    src.utbetalning("u2", b, "2019-01", "1000")
    src.utbetalning("u3", b, "2019-01", "-1000")
    src.utbetalning("u4", b, "2020-02", "500")
    src.utbetalning("u5", b, "2020-02", "-500")
    return run_scenario(src, root / "work")


def grupp(run, mart, period, dimension, value, jobbtorg="totalt", kon="totalt", **more):
    return run.row(
        f"{mart}_grupper", period=period, dimension=dimension, grupp=value, jobbtorg=jobbtorg, kon=kon, **more
    )


def test_a_person_in_two_malgrupper_counts_once_in_each_with_the_last_avslut_within_the_group(run):
    # sfi in 2019: IA1, IA3, IA4 (A) -> 1 person, 3 registrations, new 1;
    # her last avslut in sfi: IA3 (15 Jul), arbete.
    sfi = grupp(run, "unika_individer", "2019", "malgrupp", "sfi")
    assert (sfi["inskrivna"], sfi["registreringar"], sfi["nyinskrivna"], sfi["avslutade"]) == (1, 3, 1, 1)
    assert (sfi["avslut_arbete"], sfi["avslut_studier"], sfi["avslut_aterremiss"]) == (1, 0, 0)
    # fsst_arbetsloshet in 2019: A (IA2, återremiss 28 Jun), B, D, F (studier 29 Nov), H (flytt 31 May), I.
    fsst = grupp(run, "unika_individer", "2019", "malgrupp", "fsst_arbetsloshet")
    assert (fsst["inskrivna"], fsst["avslutade"]) == (6, 3)
    assert (fsst["avslut_aterremiss"], fsst["avslut_studier"], fsst["avslut_ovrigt"]) == (1, 1, 1)
    # ungdom: C, E.  Over all: A..F, H, I = 8 persons (G starts 2020), A once; the groups sum to 9.
    assert grupp(run, "unika_individer", "2019", "malgrupp", "ungdom")["inskrivna"] == 2
    assert run.row("unika_individer", period="2019", jobbtorg="totalt", kon="totalt")["inskrivna"] == 8
    # A's last avslut over all is IA3 (arbete); under fsst_arbetsloshet it is IA2 (återremiss), as above.
    # Under fsst_arbetsloshet x Sydost only IA2 counts; kön is A's one kön (kvinnor).
    crossed = grupp(
        run, "unika_individer", "2019-T2", "malgrupp", "fsst_arbetsloshet", jobbtorg=SYDOST, kon="kvinnor"
    )
    assert (crossed["inskrivna"], crossed["avslutade"], crossed["avslut_aterremiss"]) == (1, 1, 1)
    # No row is repeated from the mart's own table, and no group is called totalt.
    with run.analysts() as con:
        assert con.execute(
            "SELECT count(*) FROM marts.unika_individer_grupper WHERE grupp = 'totalt'"
        ).fetchone() == (0,)


def test_a_person_in_one_group_has_there_the_values_of_the_whole_person(run):
    # In 2019 all four of A's registrations lie in one age band: 28 on IA1 and IA2, 29 on IA3 and IA4
    # (born 1 March 1990), so her figures there are her own, at every level; B (IB1) is 25-29 too.
    alder = grupp(run, "unika_individer", "2019", "aldersgrupp", "25-29")
    assert (alder["inskrivna"], alder["registreringar"], alder["nyinskrivna"]) == (2, 5, 2)
    # her last avslut over all is IA3 (15 Jul, arbete), not IA2 (28 Jun, återremiss) as under fsst
    assert (alder["avslutade"], alder["avslut_arbete"], alder["avslut_aterremiss"]) == (1, 1, 0)
    # under Sydost only IA2 counts, as in the mart's own Sydost row
    sydost = grupp(run, "unika_individer", "2019", "aldersgrupp", "25-29", jobbtorg=SYDOST)
    assert (sydost["inskrivna"], sydost["registreringar"], sydost["avslutade"]) == (1, 1, 1)
    assert (sydost["avslut_aterremiss"], sydost["avslut_arbete"]) == (1, 0)
    # 2019-T1: SA1 (IA1) and SA2 (IA2) at once lie in one age band, so her peak there is 2, as over all
    # (within each målgrupp it is 1)
    par = grupp(run, "parallella_insatser", "2019-T1", "aldersgrupp", "25-29")
    assert (par["personer_med_insats"], par["personer_med_parallella_insatser"]) == (1, 1)
    assert (par["insatser"], par["max_samtidiga_insatser"]) == (2, 2)
    # 2019-T2 (May-Aug), k = 3: A's last avslut is IA3 (July -> October, 4,000 SEK: not self-sufficient);
    # under Sydost it is IA2 (June -> September, no payment: self-sufficient). B has no avslut.
    sf = grupp(run, "sjalvforsorjning", "2019-T2", "aldersgrupp", "25-29", manader_efter_avslut=3)
    assert (sf["avslutade"], sf["uppfoljningsbara"], sf["sjalvforsorjande"]) == (1, 1, 0)
    sf = grupp(
        run, "sjalvforsorjning", "2019-T2", "aldersgrupp", "25-29", jobbtorg=SYDOST, manader_efter_avslut=3
    )
    assert (sf["avslutade"], sf["uppfoljningsbara"], sf["sjalvforsorjande"]) == (1, 1, 1)
    # 2019-T3: only IA4 (sfi, open) is active, so she is in one målgrupp there: nothing new, nothing ended
    sfi = grupp(run, "unika_individer", "2019-T3", "malgrupp", "sfi", kon="kvinnor")
    assert (sfi["inskrivna"], sfi["registreringar"], sfi["nyinskrivna"], sfi["avslutade"]) == (1, 1, 0, 0)
    assert run.rows("unika_individer_grupper", period="2019-T3", grupp="sfi", jobbtorg=SYDOST) == []


def test_the_next_inskrivning_after_an_aterremiss_is_any_registration_of_the_person(run):
    # fsst_arbetsloshet 2019: avslutade A, F, H; återremiss A on 28 Jun; A's next inskrivningsdatum after
    # it is IA4 (5 Aug, sfi, Järva): 38 days -> came back, although no fsst_arbetsloshet registration follows.
    row = grupp(run, "aterremisser", "2019", "malgrupp", "fsst_arbetsloshet")
    assert (row["avslutade"], row["aterremitterade"], row["aterkom_inom_365_dagar"]) == (3, 1, 1)
    assert row["andel_aterremitterade"] == pytest.approx(1 / 3)
    sfi = grupp(run, "aterremisser", "2019", "malgrupp", "sfi")
    assert (sfi["avslutade"], sfi["aterremitterade"], sfi["aterkom_inom_365_dagar"]) == (1, 0, 0)


def test_parallel_insatser_are_counted_within_the_group(run):
    # 2019-T1: over all A has SA1 and SA2 at once (max 2); within sfi only SA1, within fsst only SA2.
    total = run.row("parallella_insatser", period="2019-T1", jobbtorg="totalt", kon="totalt")
    assert (total["personer_med_parallella_insatser"], total["max_samtidiga_insatser"]) == (1, 2)
    for value in ("sfi", "fsst_arbetsloshet"):
        row = grupp(run, "parallella_insatser", "2019-T1", "malgrupp", value)
        assert (row["personer_med_insats"], row["personer_med_parallella_insatser"]) == (1, 0)
        assert (row["insatser"], row["max_samtidiga_insatser"]) == (1, 1)
    # ungdom has registrations but no insatser: no row, as a jobbtorg without insatser has none.
    assert run.rows("parallella_insatser_grupper", period="2019-T1", grupp="ungdom") == []


def test_self_sufficiency_counts_from_the_last_avslut_within_the_group(run):
    # A: month 0 in sfi is July (IA3) -> +3 = October, when she had 4,000 SEK: not self-sufficient.
    #    In fsst_arbetsloshet month 0 is June (IA2) -> +3 = September, no payment: self-sufficient.
    #    Both months lie within the delivered 2019-01..2020-02.
    sfi = grupp(run, "sjalvforsorjning", "2019-T2", "malgrupp", "sfi", manader_efter_avslut=3)
    assert (sfi["avslutade"], sfi["uppfoljningsbara"], sfi["sjalvforsorjande"]) == (1, 1, 0)
    fsst = grupp(run, "sjalvforsorjning", "2019-T2", "malgrupp", "fsst_arbetsloshet", manader_efter_avslut=3)
    # fsst_arbetsloshet 2019-T2 (May-Aug): A ended 28 Jun, H ended 31 May (no payments): both self-sufficient.
    assert (fsst["avslutade"], fsst["uppfoljningsbara"], fsst["sjalvforsorjande"]) == (2, 2, 2)


# fmt: off
AGE_CASES = [
    # 2019, every registration: A 28-29 (25-29), B 25 on his birthday (25-29), C 24 the day before her 25th
    # (16-24, samordningsnummer), D 104 ('+', 65-), E 15 (-15), F 34, H 48, I 44.
    pytest.param("25-29", 2, id="birthday-on-inskrivningsdatum-counts"),   # A, B
    pytest.param("16-24", 1, id="samordningsnummer-day-before-birthday"),  # C
    pytest.param("65-", 1, id="plus-number-100-or-older"),                 # D
    pytest.param("-15", 1, id="aged-15"),                                  # E
    pytest.param("30-39", 1, id="30-39"),                                  # F
    pytest.param("40-49", 2, id="40-49"),                                  # H, I
]
# fmt: on


@pytest.mark.parametrize(("band", "persons"), AGE_CASES)
def test_age_band_at_inskrivning(run, band, persons):
    assert grupp(run, "unika_individer", "2019", "aldersgrupp", band)["inskrivna"] == persons


def test_no_other_age_bands(run):
    bands = {r["grupp"] for r in run.rows("unika_individer_grupper", period="2019", dimension="aldersgrupp")}
    assert bands == {"25-29", "16-24", "65-", "-15", "30-39", "40-49"}


def test_a_merged_district_is_one_series_under_todays_name(run):
    # 2019: F ("  hägersten-LILJEHOLMEN ") and H (Älvsjö) count as Hägersten-Älvsjö;
    # 2020: G (Hägersten-Älvsjö).
    assert grupp(run, "unika_individer", "2019", "stadsdel", HA)["inskrivna"] == 2
    assert grupp(run, "unika_individer", "2020", "stadsdel", HA)["inskrivna"] == 1
    names = {r["grupp"] for r in run.rows("unika_individer_grupper", dimension="stadsdel")}
    assert names == {"Rinkeby-Kista", "Farsta", HA, "okänd"}
    # 2019: Rinkeby-Kista A (IA1, IA3, IA4), B, C, D, E = 5; Farsta A (IA2) = 1.
    assert grupp(run, "unika_individer", "2019", "stadsdel", "Rinkeby-Kista")["inskrivna"] == 5
    assert grupp(run, "unika_individer", "2019", "stadsdel", "Farsta")["inskrivna"] == 1


def test_an_unknown_district_is_counted_as_okand_and_flagged(run):
    # I (Solna) from 1 Oct 2019: counted, never dropped.
    assert grupp(run, "unika_individer", "2019", "stadsdel", "okänd")["inskrivna"] == 1
    assert (
        grupp(run, "unika_individer", "2020", "stadsdel", "okänd", jobbtorg=JARVA, kon="män")["inskrivna"]
        == 1
    )
    from jobbtorg_pipeline.quality.rules import INDICATORS

    indicator = next(i for i in INDICATORS if i.id == "stadsdel_okand")
    with run.internal() as con:
        assert [r[0] for r in con.execute(indicator.listing).fetchall()] == ["Solna"]
        flagged = con.execute(f"SELECT count(*) FROM ({indicator.query}) WHERE varde IS NULL").fetchone()[0]
    assert flagged == 1  # of 12 registrations


def test_every_breakdown_table_has_the_marts_columns_plus_dimension_and_grupp(run):
    from jobbtorg_pipeline.assets.marts.catalog import load_marts

    marts = {m.name: m for m in load_marts()}
    broken_down = [m for m in marts.values() if m.grupper_av]
    assert len(broken_down) == 12
    with run.analysts() as con:
        for m in broken_down:
            base = [d[0] for d in con.execute(f"SELECT * FROM marts.{m.grupper_av} LIMIT 0").description]
            own = [d[0] for d in con.execute(f"SELECT * FROM marts.{m.name} LIMIT 0").description]
            assert own == [*base[:5], "dimension", "grupp", *base[5:]], m.name
            dims = {r[0] for r in con.execute(f"SELECT DISTINCT dimension FROM marts.{m.name}").fetchall()}
            assert dims <= {"malgrupp", "stadsdel", "aldersgrupp"}, m.name

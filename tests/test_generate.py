"""The synthetic source generator: layout, determinism, and every feature the pipeline's tests rely on.

Small sources (a few hundred to 1,500 persons) keep the file fast; the checks read whole files with polars.
Expected headers are spelled out here rather than imported, so a change to the contract module shows.
"""

from __future__ import annotations

import codecs
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from personnummer import personnummer

from jobbtorg_pipeline.generate import GenerationSummary, generate_source
from jobbtorg_pipeline.generate.districts import reference_path
from jobbtorg_pipeline.generate.insatser import VARIANTS

PEOPLE = 1500
SEED = 7
END = date(2020, 10, 1)

HEADERS = {
    "inskrivningar.csv": "inskrivning_id;personnummer;kon;stadsdel;jobbtorg;malgrupp;remissdatum;"
    "inskrivningsdatum;aktivitetsplan_datum;avslutsdatum;avslutsorsak;andrad_tid",
    "insatser.csv": "insats_id;inskrivning_id;insatstyp;regi;anordnare;startdatum;planerat_slutdatum;"
    "slutdatum;andrad_tid",
    "utbetalningar": "utbetalning_id;personnummer;hushall_id;stadsdel;avser_manad;utbetalningsdatum;belopp;"
    "bistandstyp",
}
REG_DATES = ("remissdatum", "inskrivningsdatum", "aktivitetsplan_datum", "avslutsdatum")
INS_DATES = ("startdatum", "planerat_slutdatum", "slutdatum")


# ---------------------------------------------------------------- helpers


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM stripped) when it decodes, else Windows-1252."""
    try:
        return raw.removeprefix(codecs.BOM_UTF8).decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def read(path: Path) -> pl.DataFrame:
    text, _ = decode(path.read_bytes())
    return pl.read_csv(text.encode("utf-8"), separator=";", infer_schema=False)


def pnr12(column: str = "personnummer", ref_year: int = END.year) -> pl.Expr:
    """Normalise to YYYYMMDDNNNC (10-digit: century from the extract year and the separator)."""
    raw = pl.col(column)
    digits = raw.str.replace_all(r"[-+]", "")
    base = ref_year - pl.when(raw.str.contains(r"\+", literal=False)).then(100).otherwise(0)
    year = base - (base - digits.str.slice(0, 2).cast(pl.Int32)) % 100
    return (
        pl.when(digits.str.len_chars() == 12)
        .then(digits)
        .otherwise(pl.concat_str(year.cast(pl.String), digits.str.slice(2)))
        .alias("pnr")
    )


def registrations(src: Path, day: date = END) -> pl.DataFrame:
    return (
        read(src / "arendesystem" / day.isoformat() / "inskrivningar.csv")
        .with_columns(pl.col(c).str.to_date() for c in REG_DATES)
        .with_columns(pl.col("andrad_tid").str.to_datetime("%Y-%m-%d %H:%M:%S"), pnr12())
    )


def insatser(src: Path, day: date = END) -> pl.DataFrame:
    return (
        read(src / "arendesystem" / day.isoformat() / "insatser.csv")
        .with_columns(pl.col(c).str.to_date() for c in INS_DATES)
        .with_columns(pl.col("andrad_tid").str.to_datetime("%Y-%m-%d %H:%M:%S"))
    )


def payments(src: Path) -> pl.DataFrame:
    frames = [
        read(path).with_columns(pl.lit(path.name).alias("fil"))
        for path in sorted((src / "utbetalningar").glob("*.csv"))
    ]
    return pl.concat(frames).with_columns(
        pl.col("utbetalningsdatum").str.to_date(),
        pl.col("belopp").str.replace(",", ".", literal=True).cast(pl.Decimal(12, 2)).alias("b"),
        pnr12(),
    )


def reference() -> pl.DataFrame:
    return pl.read_csv(reference_path(), separator=";", infer_schema=False).with_columns(
        pl.col("giltig_fran").str.to_date(),
        pl.col("giltig_till").str.to_date().fill_null(date(9999, 12, 31)),
    )


def insatser_with_person(src: Path) -> pl.DataFrame:
    regs = registrations(src).select("inskrivning_id", "pnr", "inskrivningsdatum", "avslutsdatum", "jobbtorg")
    return insatser(src).join(regs, on="inskrivning_id", how="left")


def overlapping_pairs(frame: pl.DataFrame, start: str, end: str, open_until: date) -> pl.DataFrame:
    """Pairs of rows of one person active on a common day (an empty end = active until open_until)."""
    f = frame.with_row_index("rid").with_columns(pl.col(end).fill_null(open_until).alias("_end"))
    pairs = f.join(f, on="pnr", suffix="_b").filter(pl.col("rid") < pl.col("rid_b"))
    return pairs.filter((pl.col(start) <= pl.col("_end_b")) & (pl.col(f"{start}_b") <= pl.col("_end")))


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("source")
    return out, generate_source(out, people=PEOPLE, seed=SEED)


@pytest.fixture(scope="module")
def src(generated: tuple[Path, GenerationSummary]) -> Path:
    return generated[0]


@pytest.fixture(scope="module")
def summary(generated: tuple[Path, GenerationSummary]) -> GenerationSummary:
    return generated[1]


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- determinism and layout


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    generate_source(tmp_path / "a", people=300, seed=3)
    generate_source(tmp_path / "b", people=300, seed=3)
    generate_source(tmp_path / "c", people=300, seed=4)
    a, b, c = (all_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() - {".jobbtorg-generated.json"} == c.keys() - {".jobbtorg-generated.json"}
    changed = [name for name in a if name.endswith(".csv") and a[name] != c[name]]
    assert len(changed) == len([n for n in a if n.endswith(".csv")])


def test_regenerating_replaces_own_output_but_never_a_foreign_extract(tmp_path: Path) -> None:
    generate_source(tmp_path / "own", people=150, seed=1)
    first = all_bytes(tmp_path / "own")
    generate_source(tmp_path / "own", people=150, seed=2)
    generate_source(tmp_path / "own", people=150, seed=1)
    assert all_bytes(tmp_path / "own") == first

    (tmp_path / "real" / "arendesystem" / "2019-10-01").mkdir(parents=True)
    with pytest.raises(FileExistsError):
        generate_source(tmp_path / "real", people=150, seed=1)
    assert (tmp_path / "real" / "arendesystem" / "2019-10-01").is_dir()


def test_layout_follows_the_contract(src: Path, summary: GenerationSummary) -> None:
    days = [END - timedelta(days=14), END - timedelta(days=7), END, END + timedelta(days=1)]
    folders = sorted(p.name for p in (src / "arendesystem").iterdir())
    assert folders == [d.isoformat() for d in days] == summary.snapshot_dirs
    for day in days[:3]:
        files = {p.name for p in (src / "arendesystem" / day.isoformat()).iterdir()}
        assert files == {"inskrivningar.csv", "insatser.csv", "_SUCCESS"}
        assert (src / "arendesystem" / day.isoformat() / "_SUCCESS").read_bytes() == b""
    incomplete = src / "arendesystem" / days[3].isoformat()
    assert {p.name for p in incomplete.iterdir()} == {"inskrivningar.csv"}
    newest_complete = max(p.name for p in (src / "arendesystem").iterdir() if (p / "_SUCCESS").exists())
    assert newest_complete == END.isoformat() == summary.uttagsdatum.isoformat()

    months = pl.date_range(date(2016, 10, 1), date(2020, 10, 1), "1mo", eager=True)
    expected = [f"utbetalningar_{m:%Y-%m}.csv" for m in months]
    assert sorted(p.name for p in (src / "utbetalningar").iterdir()) == expected == summary.payment_files


def test_headers_are_exactly_the_contracts(src: Path) -> None:
    for folder in (src / "arendesystem").iterdir():
        for path in folder.glob("*.csv"):
            assert decode(path.read_bytes())[0].split("\n", 1)[0] == HEADERS[path.name]
    for path in (src / "utbetalningar").iterdir():
        assert decode(path.read_bytes())[0].split("\n", 1)[0] == HEADERS["utbetalningar"]


def test_summary_counts_match_the_files(src: Path, summary: GenerationSummary) -> None:
    assert summary.n_inskrivningar == registrations(src).height
    assert summary.n_insatser == insatser(src).height
    assert summary.n_utbetalningar == payments(src).height
    assert (summary.people, summary.seed, summary.start, summary.end) == (PEOPLE, SEED, date(2017, 1, 1), END)


def test_rows_per_person_keep_the_national_ratios(summary: GenerationSummary) -> None:
    assert 1.25 <= summary.n_inskrivningar / PEOPLE <= 1.55
    assert 4.3 <= summary.n_insatser / PEOPLE <= 6.0
    assert 21 <= summary.n_utbetalningar / PEOPLE <= 29


# ---------------------------------------------------------------- personnummer


def test_every_personnummer_is_valid_and_persons_are_unique(src: Path, summary: GenerationSummary) -> None:
    regs, pays = registrations(src), payments(src)
    spelled = pl.concat([regs["personnummer"], pays["personnummer"]]).unique()
    assert [s for s in spelled if not personnummer.valid(s)] == []
    assert not spelled.str.contains(r"^(\d{6}|\d{8})[-+]?000\d$").any()
    # One number per person and one person per number: exactly `people` registered persons.
    assert regs["pnr"].n_unique() == PEOPLE
    everyone = pl.concat([regs["pnr"], pays["pnr"]]).n_unique()
    assert PEOPLE < everyone <= PEOPLE + summary.n_payment_only
    # The same person is spelled differently on different rows.
    rows = pl.concat([regs.select("pnr", "personnummer"), pays.select("pnr", "personnummer")])
    spellings = rows.group_by("pnr").agg(pl.col("personnummer").n_unique())
    assert spellings.filter(pl.col("personnummer") >= 2).height > PEOPLE / 2


def test_numbers_stay_unique_where_birthdays_collide() -> None:
    """At 200k persons many share a birthday and a serial by chance: the generator must redraw them."""
    import numpy as np

    from jobbtorg_pipeline.generate.districts import Districts, read_stadsdelar
    from jobbtorg_pipeline.generate.people import make_persons

    districts = Districts(read_stadsdelar(), base_day=(date(2016, 10, 1) - date(1970, 1, 1)).days)
    persons = make_persons(np.random.default_rng(5), 200_000, date(2017, 1, 1), END, districts)
    assert persons.pnr12.n_unique() == persons.n
    assert persons.pnr12.str.contains(r"^\d{12}$").all()


def test_personnummer_formats_and_samordningsnummer(src: Path) -> None:
    regs = registrations(src)
    p = regs["personnummer"]
    twelve = p.str.contains(r"^\d{12}$").mean()
    ten_dash = p.str.contains(r"^\d{6}-\d{4}$").mean()
    assert twelve > 0.5
    assert p.str.contains(r"^\d{8}-\d{4}$").any()
    assert 0.10 <= ten_dash <= 0.15
    plus = regs.filter(p.str.contains(r"^\d{6}\+\d{4}$"))
    assert plus.height >= 1
    assert (plus["pnr"].str.slice(0, 4).cast(pl.Int32) <= END.year - 100).all()  # 100 or older: `+` is right
    persons = regs.select("pnr").unique()
    samordning = (persons["pnr"].str.slice(6, 2).cast(pl.Int32) > 60).mean()
    assert 0.01 <= samordning <= 0.06
    assert (persons["pnr"].str.slice(0, 4).cast(pl.Int32).is_between(1955, 2003)).mean() > 0.9


def test_kon_is_mostly_the_numbers_with_a_few_empty_or_differing(src: Path) -> None:
    regs = registrations(src).with_columns(
        pl.when(pl.col("pnr").str.slice(10, 1).cast(pl.Int32) % 2 == 1)
        .then(pl.lit("M"))
        .otherwise(pl.lit("K"))
        .alias("kon_pnr")
    )
    assert 0.02 <= regs["kon"].is_null().mean() <= 0.04
    differing = regs.filter(pl.col("kon").is_not_null() & (pl.col("kon") != pl.col("kon_pnr"))).height
    assert 1 <= differing <= 0.01 * regs.height


# ---------------------------------------------------------------- registrations


def test_registration_dates_are_coherent(src: Path) -> None:
    regs = registrations(src)
    assert regs["inskrivning_id"].is_unique().all()
    lead = (regs["inskrivningsdatum"] - regs["remissdatum"]).dt.total_days()
    assert lead.is_between(0, 30).all()
    plan = (regs["aktivitetsplan_datum"] - regs["inskrivningsdatum"]).dt.total_days()
    assert (plan.drop_nulls() >= 0).all()
    assert 0.03 <= plan.is_null().mean() <= 0.08
    assert 0.12 <= (plan > 5).mean() <= 0.28
    assert (plan <= 5).mean() > 0.6
    assert regs.filter(pl.col("aktivitetsplan_datum") > pl.col("avslutsdatum")).height == 0
    assert (regs["aktivitetsplan_datum"].drop_nulls() <= END).all()
    assert (regs["avslutsdatum"].drop_nulls() <= END).all()
    assert (regs["inskrivningsdatum"] <= END).all()
    assert regs.filter(pl.col("avslutsdatum") < pl.col("inskrivningsdatum")).height == 0
    # A return is referred after the last avslut, not while the person is still registered.
    returns = (
        regs.sort("pnr", "inskrivningsdatum", "inskrivning_id")
        .with_columns(pl.col("avslutsdatum").shift().over("pnr").alias("forra_slut"))
        .filter(pl.col("inskrivningsdatum") > pl.col("forra_slut"))
    )
    assert returns.height > 0
    assert (returns["remissdatum"] >= returns["forra_slut"]).all()
    # Open registrations carry no reason.
    assert regs.filter(pl.col("avslutsdatum").is_null() & pl.col("avslutsorsak").is_not_null()).height == 0
    assert regs["avslutsdatum"].is_null().sum() > 0.1 * regs.height
    # andrad_tid: the latest event of the row, at some time of that day.
    latest = regs.select(pl.max_horizontal(*REG_DATES)).to_series()
    assert (regs["andrad_tid"].dt.date() == latest).all()


def test_durations_and_reasons(src: Path) -> None:
    regs = registrations(src)
    closed = regs.filter(pl.col("avslutsdatum").is_not_null())
    days = (closed["avslutsdatum"] - closed["inskrivningsdatum"]).dt.total_days()
    assert 120 <= days.median() <= 260
    assert (days > 548).sum() > 0  # some beyond 18 months
    shares = closed["avslutsorsak"].fill_null("saknas").value_counts(normalize=True)
    share = dict(zip(shares["avslutsorsak"], shares["proportion"], strict=True))
    assert 0.08 <= share["saknas"] <= 0.14  # seed 003's known defect
    assert 0.20 <= share["aterremiss"] <= 0.30
    assert set(share) == {
        "arbete_osubventionerat", "arbete_subventionerat", "studier", "aterremiss", "flytt", "sjukdom",
        "foraldraledighet", "annan", "saknas",
    }  # fmt: skip


def test_malgrupper_and_ages(src: Path) -> None:
    regs = registrations(src).with_columns(
        pl.col("pnr").str.slice(6, 2).cast(pl.Int32).alias("dd"),
    )
    counts = regs["malgrupp"].value_counts(sort=True)
    assert counts["malgrupp"][0] == "fsst_arbetsloshet"
    assert set(counts["malgrupp"]) == {
        "fsst_arbetsloshet", "fsst_annat", "sfi", "etablering", "ungdom", "funktionsnedsattning"
    }  # fmt: skip
    assert counts.filter(pl.col("malgrupp") == "funktionsnedsattning")["count"][0] < counts["count"][1]
    born = pl.date(
        pl.col("pnr").str.slice(0, 4).cast(pl.Int32),
        pl.col("pnr").str.slice(4, 2).cast(pl.Int32),
        pl.col("dd") - pl.when(pl.col("dd") > 60).then(60).otherwise(0),
    )
    young = regs.filter(pl.col("malgrupp") == "ungdom").with_columns(born.alias("born"))
    age = young.select(
        pl.col("inskrivningsdatum").dt.year()
        - pl.col("born").dt.year()
        - (pl.col("inskrivningsdatum").dt.ordinal_day() < pl.col("born").dt.ordinal_day()).cast(pl.Int32)
    ).to_series()
    assert age.is_between(15, 24).all()  # ordinal days approximate the birthday by a day in leap years
    assert age.min() >= 16 or (age == 15).sum() <= 2


def test_districts_follow_the_reference_data(src: Path) -> None:
    ref = reference()
    regs = registrations(src)
    valid = regs.join(ref, on="stadsdel", how="left", suffix="_ref").filter(
        (pl.col("jobbtorg") == pl.col("jobbtorg_ref"))
        & pl.col("inskrivningsdatum").is_between(pl.col("giltig_fran"), pl.col("giltig_till"))
    )
    assert valid["inskrivning_id"].n_unique() == regs.height
    pays = payments(src)
    valid_pay = pays.join(ref, on="stadsdel", how="left").filter(
        pl.col("utbetalningsdatum").is_between(pl.col("giltig_fran"), pl.col("giltig_till"))
    )
    assert valid_pay.height == pays.height
    merged = regs.filter(pl.col("stadsdel") == "Hägersten-Älvsjö")["inskrivningsdatum"]
    assert merged.len() > 0
    assert (merged >= date(2020, 1, 1)).all()
    assert regs.filter(
        (pl.col("stadsdel") == "Älvsjö") & (pl.col("inskrivningsdatum") >= date(2020, 1, 1))
    ).is_empty()
    persons = regs.group_by("jobbtorg").agg(pl.col("pnr").n_unique())
    n = dict(zip(persons["jobbtorg"], persons["pnr"], strict=True))
    assert set(n) == {
        "Jobbtorg Sydost", "Jobbtorg Sydväst", "Jobbtorg Innerstaden", "Jobbtorg Västerort", "Jobbtorg Järva"
    }  # fmt: skip
    for big in ("Jobbtorg Järva", "Jobbtorg Sydost"):
        assert n[big] > n["Jobbtorg Innerstaden"]
        assert n[big] > n["Jobbtorg Västerort"]


def test_people_return_after_aterremiss_sometimes_elsewhere(src: Path) -> None:
    regs = registrations(src)
    ends = regs.filter(
        (pl.col("avslutsorsak") == "aterremiss") & (pl.col("avslutsdatum") <= END - timedelta(days=500))
    ).select("pnr", pl.col("avslutsdatum").alias("slut"), pl.col("jobbtorg").alias("jobbtorg_slut"))
    nxt = (
        ends.join(regs.select("pnr", "inskrivningsdatum", "jobbtorg"), on="pnr")
        .filter(pl.col("inskrivningsdatum") > pl.col("slut"))
        .group_by("pnr", "slut")
        .agg(pl.col("inskrivningsdatum").min())
        .with_columns((pl.col("inskrivningsdatum") - pl.col("slut")).dt.total_days().alias("gap"))
    )
    assert 0.3 <= nxt.height / ends.height <= 0.5
    assert nxt["gap"].is_between(1, 500).all()
    assert (nxt["gap"] <= 365).any()
    two = regs.group_by("pnr", pl.col("inskrivningsdatum").dt.year()).agg(pl.col("jobbtorg").n_unique())
    assert two.filter(pl.col("jobbtorg") >= 2).height > 0


def test_registrations_only_overlap_as_rare_duplicates_across_jobbtorg(src: Path) -> None:
    regs = registrations(src)
    pairs = overlapping_pairs(regs, "inskrivningsdatum", "avslutsdatum", END)
    assert 1 <= pairs.height <= 0.015 * regs.height
    assert (pairs["jobbtorg"] != pairs["jobbtorg_b"]).all()


# ---------------------------------------------------------------- insatser


def test_insatser_lie_within_their_registration(src: Path) -> None:
    ins = insatser_with_person(src)
    assert ins["insats_id"].is_unique().all()
    assert ins["pnr"].null_count() == 0  # every insats belongs to an existing registration
    assert (ins["startdatum"] >= ins["inskrivningsdatum"]).all()
    assert ins.filter(pl.col("slutdatum") < pl.col("startdatum")).is_empty()
    assert ins.filter(pl.col("slutdatum") > pl.col("avslutsdatum")).is_empty()
    assert ins.filter(pl.col("startdatum") > pl.col("avslutsdatum")).is_empty()
    assert (ins["slutdatum"].drop_nulls() <= END).all()
    # Ongoing insatser only in open registrations, and there are some.
    ongoing = ins.filter(pl.col("slutdatum").is_null())
    assert ongoing.height > 0
    assert ongoing["avslutsdatum"].is_null().all()
    assert 0.03 <= ins["planerat_slutdatum"].is_null().mean() <= 0.07
    plan = (ins["planerat_slutdatum"] - ins["startdatum"]).dt.total_days().drop_nulls()
    assert (plan <= 190).all()
    assert set(ins["insatstyp"]) == {
        "kartlaggning", "vagledning", "coachning", "jobbsok", "matchning", "forberedande", "arbetstraning",
        "praktik", "sfi", "yrkesutbildning", "validering", "visstidsanstallning", "supported_employment",
        "ips", "starta_eget",
    }  # fmt: skip
    assert set(ins["regi"]) == {"egen", "extern"}
    # Every extern insats names its provider but about 2 % (marts.anordnare's `okänd`); about 5 % spell it
    # in capitals with a doubled space, the same provider to marts.anordnare; egen regi never uses those.
    extern = ins.filter(pl.col("regi") == "extern")
    assert 0.005 <= extern["anordnare"].is_null().mean() <= 0.04
    variants = pl.col("anordnare").is_in(list(VARIANTS))
    assert 0.02 <= extern.select(variants.mean()).item() <= 0.09
    assert ins.filter((pl.col("regi") == "egen") & variants).is_empty()


def test_kartlaggning_comes_first(src: Path) -> None:
    ins = insatser_with_person(src)
    first = ins.sort("startdatum", "insats_id").group_by("inskrivning_id", maintain_order=True).first()
    day_one = first.filter(
        (pl.col("insatstyp") == "kartlaggning") & (pl.col("startdatum") == pl.col("inskrivningsdatum"))
    )
    assert day_one.height / first.height > 0.9


def test_parallel_and_edge_case_insatser(src: Path) -> None:
    ins = insatser_with_person(src)
    pairs = overlapping_pairs(ins, "startdatum", "slutdatum", END)
    assert pairs["pnr"].n_unique() > 0.3 * ins["pnr"].n_unique()  # many run insatser side by side
    assert pairs.filter(pl.col("insatstyp") == pl.col("insatstyp_b")).height > 0  # same type at once
    assert ins.filter(pl.col("startdatum") == pl.col("slutdatum")).height > 0  # single-day insatser
    chained = ins.join(ins, on="pnr", suffix="_b").filter(
        (pl.col("insats_id") != pl.col("insats_id_b")) & (pl.col("startdatum_b") == pl.col("slutdatum"))
    )
    assert chained.height > 0  # one starts on the day another ends


def test_arbetstraning_regi_and_volume(src: Path) -> None:
    ins = insatser_with_person(src).filter(pl.col("insatstyp") == "arbetstraning")
    egen = (ins["regi"] == "egen").mean()
    assert 0.55 <= egen <= 0.72  # seed 004: 173 egen, 98 extern
    starters_2018 = ins.filter(pl.col("startdatum").dt.year() == 2018)["pnr"].n_unique()
    assert 150 <= starters_2018 * 10_000 / PEOPLE <= 500  # a few hundred a year in a 10k-person source


# ---------------------------------------------------------------- payments


def test_payment_files_differ_in_encoding_and_decimal_mark(src: Path, summary: GenerationSummary) -> None:
    not_utf8 = []
    bom = []
    for path in sorted((src / "utbetalningar").iterdir()):
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            not_utf8.append(path.name)
        if raw.startswith(codecs.BOM_UTF8):
            bom.append(path.name)
    assert not_utf8 == [summary.cp1252_file]
    text = (src / "utbetalningar" / not_utf8[0]).read_bytes().decode("cp1252")
    assert any(name in text for name in ("Östermalm", "Älvsjö", "Södermalm", "Skärholmen", "Spånga-Tensta"))
    assert bom == summary.bom_files
    assert len(bom) >= 1
    pays = pl.concat(
        read(src / "utbetalningar" / name).with_columns(pl.lit(name).alias("fil"))
        for name in summary.payment_files
    )
    comma = pays.filter(pl.col("belopp").str.contains(",", literal=True))["fil"].unique().sort().to_list()
    assert comma == sorted(summary.decimal_comma_files)
    assert summary.cp1252_file in comma
    assert pays["belopp"].str.contains(r"^-?\d+[.,]\d{2}$").all()


def test_payments_content(src: Path) -> None:
    pays = payments(src)
    regs = registrations(src)
    assert pays["utbetalning_id"].is_unique().all()
    file_month = pays["fil"].str.extract(r"_(\d{4}-\d{2})\.csv$")
    assert (file_month == pays["utbetalningsdatum"].dt.strftime("%Y-%m")).all()
    assert (pays["utbetalningsdatum"] <= END).all()
    paid_month = pays["utbetalningsdatum"].dt.strftime("%Y-%m")
    prev_month = pays["utbetalningsdatum"].dt.offset_by("-1mo").dt.strftime("%Y-%m")
    same = pays["avser_manad"] == paid_month
    assert 0.7 <= same.mean() <= 0.95
    # A reclaim can come up to 45 days after the payment it corrects.
    assert (same | (pays["avser_manad"] == prev_month) | (pays["b"] < 0)).all()
    assert 0.01 <= (pays["b"] < 0).mean() <= 0.03
    assert 0.03 <= (pays["bistandstyp"] == "ovrigt").mean() <= 0.07
    assert set(pays["bistandstyp"]) == {"forsorjningsstod", "ovrigt"}
    base = pays.filter((pl.col("b") > 0) & (pl.col("bistandstyp") == "forsorjningsstod"))["b"]
    assert 4000 <= base.cast(pl.Float64).median() <= 15000
    net = (
        pays.filter(pl.col("bistandstyp") == "forsorjningsstod")
        .group_by("pnr", "avser_manad")
        .agg(pl.col("b").sum(), (pl.col("b") < 0).any().alias("reclaimed"))
    )
    assert net.filter(pl.col("reclaimed") & (pl.col("b") == 0)).height > 0  # a month cancelled exactly
    households = pays.group_by("hushall_id").agg(pl.col("pnr").n_unique())
    assert households.filter(pl.col("pnr") == 2).height > 0
    payment_only = set(pays["pnr"]) - set(regs["pnr"])
    assert 0.05 * PEOPLE <= len(payment_only) <= 0.12 * PEOPLE


def test_payments_start_before_the_first_registration(src: Path) -> None:
    pays = payments(src)
    regs = registrations(src)
    first = regs.group_by("pnr").agg(pl.col("inskrivningsdatum").min().alias("forsta"))
    first_paid = pays.group_by("pnr").agg(pl.col("utbetalningsdatum").min().alias("forsta_utb"))
    both = first.join(first_paid, on="pnr").filter(pl.col("forsta") >= date(2017, 4, 1))
    lead = (both["forsta"].dt.month_start() - both["forsta_utb"].dt.month_start()).dt.total_days() / 30.44
    assert 2 <= lead.median() <= 4
    # After work the assistance mostly stops; after återremiss it mostly goes on.
    ends = regs.filter(pl.col("avslutsdatum") <= date(2019, 12, 31)).select(
        "pnr", "avslutsorsak", (pl.col("avslutsdatum").dt.offset_by("4mo").dt.strftime("%Y-%m")).alias("m4")
    )
    paid = pays.filter(pl.col("b") > 0).select("pnr", pl.col("avser_manad").alias("m4")).unique()
    later = ends.join(paid.with_columns(pl.lit(True).alias("paid")), on=["pnr", "m4"], how="left")
    share = later.group_by("avslutsorsak").agg(pl.col("paid").is_not_null().mean())
    s = dict(zip(share["avslutsorsak"], share["paid"], strict=True))
    assert s["arbete_osubventionerat"] < 0.4 < s["aterremiss"]


# ---------------------------------------------------------------- snapshots


def test_older_snapshot_is_an_as_of_view_of_the_same_history(src: Path) -> None:
    day = END - timedelta(days=14)
    old, new = registrations(src, day), registrations(src, END)
    assert old.height == new.filter(pl.col("inskrivningsdatum") <= day).height
    assert old.height < new.height
    both = old.join(new, on="inskrivning_id", suffix="_ny", how="left")
    assert both["personnummer_ny"].null_count() == 0
    fixed = ("personnummer", "kon", "stadsdel", "jobbtorg", "malgrupp", "remissdatum", "inskrivningsdatum")
    for col in fixed:
        assert both[col].eq_missing(both[f"{col}_ny"]).all(), col
    for col in ("avslutsdatum", "aktivitetsplan_datum"):
        happened = both.filter((pl.col(f"{col}_ny") <= day).fill_null(False))
        assert happened[col].eq_missing(happened[f"{col}_ny"]).all(), col
        not_yet = both.filter((pl.col(f"{col}_ny") > day) | pl.col(f"{col}_ny").is_null())
        assert not_yet[col].is_null().all(), col
    assert both.filter(pl.col("avslutsdatum").is_null())["avslutsorsak"].is_null().all()
    assert (old["andrad_tid"].dt.date() <= day).all()
    assert both.filter(pl.col("avslutsdatum").is_null() & pl.col("avslutsdatum_ny").is_not_null()).height > 0

    old_ins, new_ins = insatser(src, day), insatser(src, END)
    assert old_ins.height == new_ins.filter(pl.col("startdatum") <= day).height
    joined = old_ins.join(new_ins, on="insats_id", suffix="_ny", how="left")
    assert (joined["inskrivning_id"] == joined["inskrivning_id_ny"]).all()
    assert (joined["startdatum"] == joined["startdatum_ny"]).all()
    ended = (joined["slutdatum_ny"] <= day).fill_null(False)
    assert joined.filter(ended)["slutdatum"].eq_missing(joined.filter(ended)["slutdatum_ny"]).all()
    assert joined.filter(~ended)["slutdatum"].is_null().all()
    assert (old_ins["andrad_tid"].dt.date() <= day).all()
    assert set(old_ins["inskrivning_id"]) <= set(old["inskrivning_id"])


def test_incomplete_snapshot_is_newer_and_partial(src: Path) -> None:
    day = END + timedelta(days=1)
    partial = read(src / "arendesystem" / day.isoformat() / "inskrivningar.csv")
    assert 0 < partial.height < registrations(src).height


# ---------------------------------------------------------------- tiny sources


def test_a_hundred_persons_still_show_the_defects(tmp_path: Path) -> None:
    summary = generate_source(tmp_path, people=100, seed=11)
    regs = registrations(tmp_path)
    assert regs["pnr"].n_unique() == 100
    assert regs["kon"].null_count() >= 1
    assert regs["personnummer"].str.contains(r"^\d{6}\+\d{4}$").any()
    assert regs["personnummer"].str.contains(r"^\d{6}-\d{4}$").any()
    assert (regs["pnr"].str.slice(6, 2).cast(pl.Int32) > 60).any()
    assert overlapping_pairs(regs, "inskrivningsdatum", "avslutsdatum", END).height >= 1
    assert summary.cp1252_file is not None
    assert summary.n_insatser > 0
    assert (payments(tmp_path)["b"] < 0).any()


def test_rejects_impossible_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_source(tmp_path / "x", people=0)
    with pytest.raises(ValueError):
        generate_source(tmp_path / "y", people=10, start=date(2020, 1, 1), end=date(2019, 1, 1))

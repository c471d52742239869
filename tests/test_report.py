"""The tertial report as the committee gets it: rendered in a real browser, read back from Excel and held
against the marts, frozen once published, and never publishing a tertial that is not over."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jobbtorg_pipeline.report.build import (
    ReportError,
    build,
    publish,
    published_inputs,
    reports_dir,
    verify,
    write_preliminary,
)
from jobbtorg_pipeline.report.content import build_tables
from jobbtorg_pipeline.report.disclosure import HIDDEN, NOT_YET, published_small_counts
from jobbtorg_pipeline.warehouse import publish as publish_analysts_file
from tests.conftest import cli_env, jobbtorg
from tests.support import corrupt
from tests.support.pipeline import Run, copy_warehouse, run_pipeline, settings_for

pytestmark = pytest.mark.slow
PERIOD = "2019-T2"  # complete, well before the generated source's uttagsdatum (2020-10-01)
T = 5
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# headless, and no attempt to reach Google's services (the machine has no internet)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory, generated_source, cli_run):
    """The shared `jobbtorg run` on the generated source, its warehouse and source copied for this file's
    tests to publish into and rerun on (the same figures as a run of their own, one run fewer)."""
    work = tmp_path_factory.mktemp("rapport")
    source = corrupt.copy_source(generated_source, work / "source")
    settings = settings_for(work, source)
    shutil.copytree(cli_run[1], settings.warehouse_dir)
    return Run(settings, result=None)


@pytest.fixture(scope="module")
def preliminary(run):
    return write_preliminary(run.settings, PERIOD)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"the report's browser test needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


def test_the_html_report_renders_offline_with_every_chart_and_no_console_error(preliminary, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    messages, requests = [], []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((preliminary / "rapport.html").as_uri())
    assert [m for m in messages if m[0] in ("error", "pageerror")] == []
    assert all(url.startswith("file://") for url in requests)  # self-contained: nothing from a network
    charts = page.locator("svg.diagram")
    assert charts.count() >= 6
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20
        assert charts.nth(i).locator("rect, text").count() > 0
    # the self-sufficiency chart: 18 months after a 2019-T2 avslut lies beyond the payments delivered,
    # a follow-up nobody can have yet, drawn as `ej ännu` (not as the mark for a hidden value)
    sjalv = page.locator("#sjalvforsorjning svg.diagram text").all_text_contents()
    assert "18 mån" in sjalv and HIDDEN not in sjalv and NOT_YET in sjalv
    assert page.locator("#unika_individer th").all_inner_texts()[-1] == "Totalt"  # readable row labels
    pairs = page.locator("#vanligaste_kombinationer tbody th").all_inner_texts()
    assert pairs and all(" + " in p and "_" not in p and p[0].isupper() for p in pairs)
    page.locator("#arbetstraning_resultat details summary").click()  # a definition is one click away
    assert page.locator("#arbetstraning_resultat details p").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"rapport-{PERIOD}.png"), full_page=True)
    assert (ARTIFACTS / f"rapport-{PERIOD}.png").stat().st_size > 10_000
    page.close()


# ---- the workbook against the marts, read here without the report's code --------------------------

LABEL = {
    "totalt": "Totalt",
    "kvinnor": "Kvinnor",
    "män": "Män",
    "okänt": "Okänt kön",
    "egen": "Egen regi",
    "extern": "Extern regi",
    "inskrivningar": "Inskrivningar",
    "insatser": "Insatser",
    "utbetalningar": "Utbetalningar",
}


INSATSTYP = {  # in the order of the source-file contract's code list
    "kartlaggning": "Kartläggning",
    "vagledning": "Studie- och yrkesvägledning",
    "coachning": "Coachning",
    "jobbsok": "Jobbsök",
    "matchning": "Matchning",
    "forberedande": "Förberedande insatser",
    "arbetstraning": "Arbetsträning",
    "praktik": "Praktik",
    "sfi": "SFI",
    "yrkesutbildning": "Yrkesutbildning",
    "validering": "Validering",
    "visstidsanstallning": "Visstidsanställning",
    "supported_employment": "Supported Employment",
    "ips": "IPS",
    "starta_eget": "Starta eget",
}
STEG = {  # what came next after an insats, as the report groups the marts' steps
    "Ny insats": "till NOT IN ('arbete', 'studier', 'aterremiss', 'ovrigt', 'saknas', 'inget_inom_90_dagar', "
    "'inget_annu')",
    "Avslut till arbete eller studier": "till IN ('arbete', 'studier')",
    "Återremiss": "till = 'aterremiss'",
    "Annat avslut": "till IN ('ovrigt', 'saknas')",
    "Inget inom 90 dagar": "till = 'inget_inom_90_dagar'",
    "Ännu inget (90 dagar har inte gått)": "till = 'inget_annu'",
}


def _insatstyper(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, str]:
    """Code -> label of every insatstyp `sql` finds (any period), in the contract's order, then Totalt."""
    found = {r[0] for r in con.execute(sql).fetchall()}
    return {**{t: label for t, label in INSATSTYP.items() if t in found}, "totalt": "Totalt"}


def _insatser_expected(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, dict[str, list[Any]]]:
    """The tables of insatser: deltagare and årsplatser, results and stegförflyttningar."""
    p = [period]
    figures = {
        (r[0], r[1]): [r[2], r[3]]
        for r in con.execute(
            "SELECT insatstyp, regi, deltagare, arsplatser FROM marts.insatser "
            "WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'",
            p,
        ).fetchall()
    }
    typer = _insatstyper(con, "SELECT DISTINCT insatstyp FROM marts.insatser")
    results = _select(
        con,
        "SELECT insatstyp, avslutat_insats, arbete_eller_studier, andel_arbete_eller_studier "
        "FROM marts.insatser_resultat WHERE period = ? AND regi = 'totalt' AND kon = 'totalt'",
        p,
    )
    steps = ", ".join(f"coalesce(sum(overgangar) FILTER ({c}), 0)" for c in STEG.values())
    transitions = _select(
        con,
        f"SELECT fran_insatstyp, {steps} FROM marts.stegforflyttningar "
        "WHERE period = ? AND till <> 'totalt' GROUP BY fran_insatstyp",
        p,
    )
    fran = _insatstyper(con, "SELECT DISTINCT fran_insatstyp FROM marts.stegforflyttningar")
    matrix = {}
    for code, label in fran.items():
        ny, arbete, aterremiss, annat, inget, annu = transitions.get(code, [0] * 6)
        matrix[label] = [
            ny,
            arbete + aterremiss + annat,
            inget,
            annu,
            ny + arbete + aterremiss + annat + inget + annu,
        ]
    overall = transitions.get("totalt", [0] * 6)
    return {
        "insatser": {label: figures.get((t, "totalt"), [0, 0.0]) for t, label in typer.items()},
        "arbetstraning_regi": {
            LABEL[r]: figures.get(("arbetstraning", r), [0, 0.0]) for r in ("egen", "extern", "totalt")
        },
        "insatser_regi": {
            LABEL[r]: figures.get(("totalt", r), [0, 0.0]) for r in ("egen", "extern", "totalt")
        },
        "insatser_resultat": {
            label: results.get(t, [0, 0, None])
            for t, label in _insatstyper(
                con, "SELECT DISTINCT insatstyp FROM marts.insatser_resultat"
            ).items()
        },
        "stegforflyttningar": matrix,
        "stegforflyttningar_totalt": {label: [n] for label, n in zip(STEG, overall, strict=True)},
    }


def _select(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> dict[str, list[Any]]:
    """First column -> the rest, in the order the query gives."""
    return {str(r[0]): list(r[1:]) for r in con.execute(sql, params).fetchall()}


def _with_zeros(found: dict[str, list[Any]], rows: list[str], width: int) -> dict[str, list[Any]]:
    """Every row in `rows`, labelled; one without a mart row has counts of 0 (and empty shares)."""
    return {LABEL.get(r, r): found.get(r, [0] * width) for r in rows}


def _expected(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, dict[str, list[Any]]]:
    """Every table of the report, straight from the analysts' file: table -> row label -> values."""
    p = [period]
    jobbtorg = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT jobbtorg FROM marts.unika_individer WHERE jobbtorg <> 'totalt' ORDER BY 1"
        ).fetchall()
    ] + ["totalt"]
    kon_rows = _select(
        con,
        "SELECT kon, inskrivna, nyinskrivna, avslutade FROM marts.unika_individer "
        "WHERE period = ? AND jobbtorg = 'totalt' "
        "ORDER BY array_position(['kvinnor', 'män', 'okänt', 'totalt'], kon)",
        p,
    )
    if not (kon_rows.get("okänt") or [0])[0]:
        kon_rows.pop("okänt", None)
    started = {
        (r[0], r[1]): r[2]
        for r in con.execute(
            "SELECT regi, kon, paborjade FROM marts.arbetstraning_deltagare WHERE period = ?", p
        ).fetchall()
    }
    kon_started = ["kvinnor", "män"] + (
        ["okänt"] if any(started.get((g, "okänt")) for g in ("egen", "extern", "totalt")) else []
    )
    results = {
        (r[0], r[1]): list(r[2:])
        for r in con.execute(
            """SELECT regi, kon, avslutat_arbetstraning, arbete_eller_studier, fortsatt_inskrivna,
                      aterremitterade, ovrigt, andel_arbete_eller_studier, andel_fortsatt_inskrivna,
                      andel_aterremitterade
               FROM marts.arbetstraning_resultat WHERE period = ?""",
            p,
        ).fetchall()
    }
    kon_results = ["kvinnor", "män"] + (
        ["okänt"] if any(v[0] for (_, k), v in results.items() if k == "okänt") else []
    )
    pairs = con.execute(
        "SELECT personer FROM marts.parallella_insatser_kombinationer WHERE period = ? AND personer >= ? "
        "ORDER BY personer DESC, insatstyp_a, insatstyp_b LIMIT 10",
        [period, T],
    ).fetchall()
    sources = _select(
        con,
        "SELECT kalla, sum(rader_lasta), sum(rader_i_karantan) FROM marts.datakvalitet "
        "WHERE period = ? AND jobbtorg = 'totalt' AND regel = 'totalt' GROUP BY kalla",
        p,
    )
    sources = {k: [*sources.get(k, [0, 0])] for k in ("inskrivningar", "insatser", "utbetalningar")}
    sources["totalt"] = [sum(v[0] for v in sources.values()), sum(v[1] for v in sources.values())]
    for v in sources.values():
        v.append(v[1] / v[0] if v[0] else None)
    rules = _select(
        con,
        "SELECT regel, sum(rader_i_karantan) FROM marts.datakvalitet "
        "WHERE period = ? AND jobbtorg = 'totalt' AND regel <> 'totalt' GROUP BY regel ORDER BY regel",
        p,
    )
    parallel = _select(
        con,
        "SELECT jobbtorg, personer_med_insats, personer_med_parallella_insatser, "
        "personer_med_parallella_insatser / nullif(personer_med_insats, 0), insatser "
        "FROM marts.parallella_insatser WHERE period = ? AND kon = 'totalt'",
        p,
    )
    malgrupper = {  # every målgrupp of any period, in the contract's order, then Totalt
        "fsst_arbetsloshet": "Försörjningsstöd, arbetslöshet",
        "fsst_annat": "Försörjningsstöd, andra skäl",
        "sfi": "SFI",
        "etablering": "Etablering",
        "ungdom": "Ungdomar 16-24 år",
        "funktionsnedsattning": "Funktionsnedsättning",
        "okänd": "Målgrupp saknas",
    }
    present = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT grupp FROM marts.unika_individer_grupper WHERE dimension = 'malgrupp'"
        ).fetchall()
    }
    by_malgrupp = _select(
        con,
        "SELECT grupp, u.inskrivna, u.avslutade, k.arbete_eller_studier, k.andel_arbete_eller_studier "
        "FROM marts.unika_individer_grupper AS u LEFT JOIN marts.kolada_resultat_vid_avslut_grupper AS k "
        "USING (period, jobbtorg, kon, dimension, grupp) WHERE period = ? AND jobbtorg = 'totalt' "
        "AND kon = 'totalt' AND dimension = 'malgrupp'",
        p,
    )
    city = _select(
        con,
        "SELECT 'Totalt', u.inskrivna, u.avslutade, k.arbete_eller_studier, k.andel_arbete_eller_studier "
        "FROM marts.unika_individer AS u JOIN marts.kolada_resultat_vid_avslut AS k "
        "USING (period, jobbtorg, kon) WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'",
        p,
    )
    return {
        "malgrupp": {
            **{
                label: [v if v is not None else 0 for v in by_malgrupp.get(g, [0, 0, 0])[:3]]
                + by_malgrupp.get(g, [None] * 4)[3:]
                for g, label in malgrupper.items()
                if g in present
            },
            **city,
        },
        "unika_individer": _with_zeros(
            _select(
                con,
                "SELECT jobbtorg, inskrivna, nyinskrivna, avslutade, avslut_arbete, avslut_studier, "
                "avslut_aterremiss, avslut_ovrigt, avslut_orsak_saknas FROM marts.unika_individer "
                "WHERE period = ? AND kon = 'totalt'",
                p,
            ),
            jobbtorg,
            8,
        ),
        "unika_individer_kon": {LABEL[k]: v for k, v in kon_rows.items()},
        "aterremisser": _with_zeros(
            _select(
                con,
                "SELECT jobbtorg, avslutade, aterremitterade, andel_aterremitterade, aterkom_inom_365_dagar "
                "FROM marts.aterremisser WHERE period = ? AND kon = 'totalt'",
                p,
            ),
            jobbtorg,
            4,
        ),
        "parallella_insatser": _with_zeros(parallel, jobbtorg, 4),
        "vanligaste_kombinationer": {str(i): [n] for i, (n,) in enumerate(pairs)},  # compared by rank
        "arbetstraning_paborjade": {
            LABEL[g]: [started.get((g, k), 0) for k in (*kon_started, "totalt")]
            for g in ("egen", "extern", "totalt")
        },
        "arbetstraning_resultat": {
            LABEL[g]: results.get((g, "totalt"), [0] * 5 + [None] * 3) for g in ("egen", "extern", "totalt")
        },
        "arbetstraning_avslutade_kon": {
            LABEL[g]: [results.get((g, k), [0])[0] for k in (*kon_results, "totalt")]
            for g in ("egen", "extern", "totalt")
        },
        "sjalvforsorjning": _select(
            con,
            "SELECT manader_efter_avslut || ' mån', avslutade, uppfoljningsbara, sjalvforsorjande, "
            # a follow-up no one can have yet is marked so, not left empty
            "CASE WHEN avslutade > 0 AND uppfoljningsbara = 0 THEN 'ej ännu' "
            "ELSE andel_sjalvforsorjande::VARCHAR END FROM marts.sjalvforsorjning "
            "WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt' ORDER BY manader_efter_avslut",
            p,
        ),
        "processen": _with_zeros(
            _select(
                con,
                "SELECT jobbtorg, nya_registreringar, nya_registreringar_kvar_dag_5, "
                "aktivitetsplan_inom_5_dagar, "
                "andel_aktivitetsplan_inom_5_dagar, median_dagar_till_aktivitetsplan, "
                "personer_inskrivna_over_18_manader, insatser_utan_planerat_slut, "
                "insatser_langre_an_6_manader FROM marts.processen WHERE period = ?",
                p,
            ),
            jobbtorg,
            8,
        ),
        "kolada": _with_zeros(
            _select(
                con,
                # kommunal anställning is shown for the city only (per jobbtorg it is too small)
                "SELECT jobbtorg, avslutade, arbete, studier, "
                "CASE WHEN jobbtorg = 'totalt' THEN kommunal_anstallning END, arbete_eller_studier, "
                "andel_arbete_eller_studier FROM marts.kolada_resultat_vid_avslut "
                "WHERE period = ? AND kon = 'totalt'",
                p,
            ),
            jobbtorg,
            6,
        ),
        "forsorjningsstod_fore_efter": {
            f"månad +{m}": v
            for m in (2, 8)
            for v in _select(
                con,
                f"SELECT 1, uppfoljningsbara_{m}_man, fore_sek_per_manad_{m}_man, efter_{m}_man_sek, "
                f"forandring_{m}_man_procent FROM marts.forsorjningsstod_fore_efter "
                "WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'",
                p,
            ).values()
        },
        **_insatser_expected(con, period),
        "datakvalitet": {LABEL[k]: v for k, v in sources.items()},
        "datakvalitet_regler": {
            **{r: v for r, v in rules.items() if v[0] >= T},
            "Övriga regler": [sum(v[0] for v in rules.values() if v[0] < T)],
        },
    }


def test_the_workbook_holds_the_figures_of_the_marts(run, preliminary):
    """Every table, every cell: the figure of the analysts' file, or `..` where it is hidden."""
    from openpyxl import load_workbook

    workbook = load_workbook(preliminary / "rapport.xlsx")
    with duckdb.connect(str(run.settings.analysts_file), read_only=True) as con:
        expected = _expected(con, PERIOD)
    report_tables = [n for n in workbook.sheetnames if n not in ("Innehåll", "Definitioner")]
    assert set(report_tables) == {t for t, rows in expected.items() if rows} | {
        "datakvalitet",
        "datakvalitet_regler",
    }
    hidden = 0
    for table in report_tables:
        sheet = list(workbook[table].iter_rows(min_row=5, values_only=True))
        rows = [r for r in sheet if r[0] is not None and not str(r[0]).startswith("Definition: ")]
        want = expected[table]
        if table == "vanligaste_kombinationer":
            assert all(" + " in r[0] and "_" not in r[0] for r in rows)
            rows = [(str(i), *r[1:]) for i, r in enumerate(rows)]
        assert [r[0] for r in rows] == list(want), table
        for row in rows:
            for j, value in enumerate(want[row[0]], start=1):
                cell = row[j]
                if cell == HIDDEN:
                    hidden += 1
                elif value == NOT_YET:
                    assert cell == NOT_YET, (table, row[0], j)
                elif value is None:
                    assert cell is None, (table, row[0], j)
                else:
                    assert cell == pytest.approx(float(value)), (table, row[0], j)
    assert hidden > 0
    assert "Röjandekontroll" in [c.value for c in workbook["Definitioner"]["A"]]


def test_the_figures_are_those_of_the_marts(run, preliminary):
    """Not through the report code: straight from the analysts' file, for three tables."""
    figures = json.loads((preliminary / "siffror.json").read_text())
    tables = {t["id"]: t for t in figures["tabeller"]}
    with duckdb.connect(str(run.settings.analysts_file), read_only=True) as con:
        expected = dict(
            con.execute(
                "SELECT jobbtorg, inskrivna FROM marts.unika_individer WHERE period = ? AND kon = 'totalt'",
                [PERIOD],
            ).fetchall()
        )
        started = dict(
            con.execute(
                "SELECT regi, paborjade FROM marts.arbetstraning_deltagare "
                "WHERE period = ? AND kon = 'totalt'",
                [PERIOD],
            ).fetchall()
        )
        sjalv = dict(
            con.execute(
                "SELECT manader_efter_avslut, uppfoljningsbara FROM marts.sjalvforsorjning "
                "WHERE period = ? AND jobbtorg = 'totalt' AND kon = 'totalt'",
                [PERIOD],
            ).fetchall()
        )
    inskrivna = {r["rad"]: r["varden"][0] for r in tables["unika_individer"]["rader"]}
    totals = {r["rad"]: r["varden"][-1] for r in tables["arbetstraning_paborjade"]["rader"]}
    followed = {int(r["rad"].split()[0]): r["varden"][1] for r in tables["sjalvforsorjning"]["rader"]}
    for published, marts in (
        (inskrivna, {LABEL.get(k, k): v for k, v in expected.items()}),
        (totals, {LABEL[k]: v for k, v in started.items()}),
        (followed, sjalv),
    ):
        assert set(published) == set(marts)
        for key, value in marts.items():
            # shown as in the mart, or hidden; a small count is always hidden
            assert published[key] in (value, HIDDEN)
            if 0 < value < T:
                assert published[key] == HIDDEN


def test_no_published_cell_gives_a_person_away(run):
    report = build(run.settings, PERIOD, status="test")
    for table in report.tables:
        assert published_small_counts(table.grid, T) == [], table.id
    assert sum(len(t.grid.hidden) for t in report.tables) > 0  # the control was really exercised
    assert "max_samtidiga_insatser" not in {c for t in report.tables for c in t.grid.columns}  # one person's
    text = json.dumps([[t.row_label(r) for r in t.grid.rows] for t in report.tables], ensure_ascii=False)
    assert not re.search(r"\d{6}[-+]?\d{4}", text)  # rows are groups, never persons


def test_the_preliminary_folder_is_readable_by_its_readers(preliminary):
    assert stat.S_IMODE(preliminary.stat().st_mode) == 0o755  # not mkdtemp's 0700


# ---- refusals, on the command line as a user meets them --------------------------------------------


def test_a_period_not_in_the_file_is_refused_clearly(run, tmp_path):
    done = jobbtorg(
        "report", "--period", "2021-T1", "--warehouse", str(run.settings.warehouse_dir), env=cli_env(tmp_path)
    )
    assert done.returncode == 1
    assert "No figures for 2021-T1" in done.stderr and "2020-T3" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_solver_writes_nothing_to_standard_output(small_run, tmp_path):
    """HiGHS' MIP solver prints a debug line of its own on the tests' small source's 2019-T3 report;
    `jobbtorg report` says what it did on standard error and writes nothing to standard output."""
    warehouse = copy_warehouse(small_run, tmp_path / "warehouse")
    done = jobbtorg("report", "--period", "2019-T3", "--warehouse", str(warehouse), env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "preliminary report 2019-T3" in done.stderr
    assert done.stdout == ""


def test_an_unfinished_tertial_is_never_published(run, tmp_path):
    """2020-T3 runs to 2020-12-31; the figures rest on the extract of 2020-10-01: they would change."""
    with pytest.raises(ReportError, match="2020-T3 is not over: it ends 2020-12-31"):
        publish(run.settings, "2020-T3")
    done = jobbtorg(
        "report",
        "--period",
        "2020",
        "--publish",
        "--warehouse",
        str(run.settings.warehouse_dir),
        env=cli_env(tmp_path),
    )
    assert done.returncode == 1 and "2020 is not over" in done.stderr
    for period in ("2020-T3", "2020"):  # the nightly preliminary version only
        assert not list((reports_dir(run.settings) / period).glob("*v*")), period


def test_a_correction_needs_a_published_version(run):
    with pytest.raises(ReportError, match="2018-T1 has never been published"):
        publish(run.settings, "2018-T1", correction="a reason")
    assert not (reports_dir(run.settings) / "2018-T1").exists()


# ---- what the figures rest on ----------------------------------------------------------------------


def test_the_inputs_on_record_are_those_of_the_analysts_file_even_after_a_crash(run, tmp_path):
    """The publish step records the run's extract files with the new file's hash before renaming it. A
    run that dies between the two leaves a record for a file nobody sees, and the inputs on record for
    the file in place stay its own."""
    settings = run.settings
    inputs = published_inputs(settings)
    assert inputs and {i["kalla"] for i in inputs} == {"inskrivningar", "insatser", "utbetalningar"}
    before = settings.analysts_file.read_bytes()

    def record_then_die(new_file: Path) -> None:
        from jobbtorg_pipeline.provenance import record_published
        from jobbtorg_pipeline.report.build import file_sha256
        from jobbtorg_pipeline.warehouse import connect_internal

        with connect_internal(settings) as con:
            record_published(con, "doomed-run", file_sha256(new_file))
            con.execute("UPDATE kvalitet.publicerade_filer SET sha256 = 'other' WHERE run_id = 'doomed-run'")
        raise KeyboardInterrupt  # the process is killed here, before the rename

    with pytest.raises(KeyboardInterrupt):
        publish_analysts_file(
            settings, ["marts.unika_individer"], [], run_id="doomed-run", before_replace=record_then_die
        )
    assert settings.analysts_file.read_bytes() == before
    assert published_inputs(settings) == inputs  # not the doomed run's, recorded last
    # and an analysts' file no record belongs to cannot be published from
    shutil.copy(settings.analysts_file, tmp_path / "kept.duckdb")
    with duckdb.connect(str(settings.analysts_file)) as con:
        con.execute("CREATE TABLE main.anteckning AS SELECT 1 AS x")  # someone wrote to it
    try:
        assert published_inputs(settings) is None
        with pytest.raises(ReportError, match="not on record"):
            publish(settings, "2018-T2")
    finally:
        shutil.copy(tmp_path / "kept.duckdb", settings.analysts_file)
    assert published_inputs(settings) == inputs


def test_a_failing_report_leaves_the_analysts_file_as_it_was(run, monkeypatch):
    """The report is built from this run's marts before the analysts' file is replaced: a run whose
    report fails never reaches the publish step."""
    import jobbtorg_pipeline.assets.report as report_asset

    def broken(*args, **kwargs):
        raise RuntimeError("the report could not be built")

    before = run.settings.analysts_file.read_bytes()
    inode = run.settings.analysts_file.stat().st_ino
    monkeypatch.setattr(report_asset, "write_preliminary", broken)
    again = run_pipeline(Path(run.settings.warehouse_dir).parent, run.settings.source_dir)
    assert not again.success
    steps = {e.step_key for e in again.result.all_events if e.is_step_success}
    assert "rapport__tertialrapport" not in steps and "publish__analysfil" not in steps
    assert "marts__unika_individer" in steps  # it got that far
    assert run.settings.analysts_file.read_bytes() == before
    assert run.settings.analysts_file.stat().st_ino == inode


# ---- freezing --------------------------------------------------------------------------------------


# Playwright's event loop, left behind in this process, makes the next Dagster run warn once: harmless
@pytest.mark.filterwarnings("ignore:coroutine 'BaseEventLoop.shutdown_asyncgens' was never awaited")
def test_a_published_tertial_never_changes_and_rebuilds_byte_for_byte(run, tmp_path):
    settings = run.settings
    first = publish(settings, "2019-T3")
    assert first.name == "v1"
    frozen = {p.name: p.read_bytes() for p in first.iterdir()}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in first.iterdir()} == dict.fromkeys(frozen, 0o444)
    manifest = json.loads(frozen["manifest.json"])
    assert manifest["uttagsdatum"] == "2020-10-01" and manifest["indata"] and manifest["pipeline"]
    assert all(len(i["sha256"]) == 64 for i in manifest["indata"])
    assert verify(settings, "2019-T3", 1) == []  # rebuilt from the same inputs: the same bytes
    with pytest.raises(Exception, match="already published"):
        publish(settings, "2019-T3")

    # new extracts arrive: a later snapshot in which a 2019 registration's avslut is recorded differently
    source = settings.source_dir
    newest = corrupt.newest_snapshot(source)
    later = newest.with_name("2020-10-08")
    shutil.copytree(newest, later)
    encoding, lines = corrupt.read_lines(later / "inskrivningar.csv")
    header = lines[0].split(";")
    orsak, slut = header.index("avslutsorsak"), header.index("avslutsdatum")
    changed = next(i for i, line in enumerate(lines[1:], 1) if line.split(";")[slut].startswith("2019-09"))
    lines[changed] = corrupt.replace_field(lines[changed], orsak, "annan")
    corrupt.write_lines(later / "inskrivningar.csv", encoding, lines)
    again = run_pipeline(Path(settings.warehouse_dir).parent, source)
    assert again.success

    assert {p.name: p.read_bytes() for p in first.iterdir()} == frozen  # untouched by the new run
    assert verify(settings, "2019-T3", 1) == [
        "the inputs (the extract files behind the analysts' file are not those of the version)"
    ]
    second = publish(settings, "2019-T3", correction="ny ögonblicksbild med rättad avslutsorsak")
    assert second.name == "v2"
    assert json.loads((second / "manifest.json").read_text())["rattelse"].startswith("ny ögonblicksbild")
    assert {p.name: p.read_bytes() for p in first.iterdir()} == frozen  # the old version is kept as it was
    assert [p.name for p in sorted((reports_dir(settings) / "2019-T3").iterdir())] == ["v1", "v2"]


def test_a_rules_quarantined_rows_are_bounded_by_its_own_source(run, tmp_path):
    """A reader knows that `utbetalningar.belopp_tal`'s rows are utbetalningar's quarantined rows, not
    any source's: the disclosure control must know it too, or it judges a cell safe that is not. (The
    generated source quarantines nothing, so a copy of the marts gets a rule row per source.)"""
    from jobbtorg_pipeline.report.content import build_tables
    from jobbtorg_pipeline.report.tabell import stat
    from jobbtorg_pipeline.report.tabeller.datakvalitet import rule_source

    assert rule_source("utbetalningar.belopp_tal") == "utbetalningar"
    assert rule_source("insatser.felaktig_rad") == "insatser"
    assert rule_source("totalt") is None
    marts = tmp_path / "kopia.duckdb"
    shutil.copy(run.settings.analysts_file, marts)
    with duckdb.connect(str(marts)) as con:
        con.execute(
            """
            INSERT INTO marts.datakvalitet
            SELECT d.* REPLACE (d.kalla || '.' || t.r AS regel, 3 AS rader_i_karantan)
            FROM marts.datakvalitet AS d, (VALUES ('en_regel'), ('felaktig_rad')) AS t(r)
            WHERE period = ? AND regel = 'totalt'
            """,
            [PERIOD],
        )
        rules = [
            r
            for (r,) in con.execute(
                "SELECT DISTINCT regel FROM marts.datakvalitet WHERE period = ? AND regel <> 'totalt'",
                [PERIOD],
            ).fetchall()
        ]
        _, relations = build_tables(con, PERIOD, threshold=1)  # every rule shown
    bounds = {
        next(k for k, c in r.terms if c == 1): [k for k, c in r.terms if c == -1]
        for r in relations
        if r.why == "regel"
    }
    assert len(rules) == 6
    for rule in rules:
        assert bounds[stat("datakvalitet", "rader_i_karantan", regel=rule)] == [
            stat("datakvalitet", "rader_i_karantan", kalla=rule_source(rule))
        ]


def test_a_median_over_too_few_plans_is_hidden_however_many_registrations_there_are(run, tmp_path):
    """processen's median day is taken over the registrations still there on day 5 that have a plan; when
    those are fewer than the threshold the median is hidden, even if the registrations are many."""
    from jobbtorg_pipeline.report.content import build_tables
    from jobbtorg_pipeline.report.disclosure import protect
    from jobbtorg_pipeline.report.tabeller.processen import MEDIAN_BASE

    copy = tmp_path / "kopia.duckdb"
    shutil.copy(run.settings.analysts_file, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            f"""
            UPDATE marts.processen SET {MEDIAN_BASE} = ?, median_dagar_till_aktivitetsplan = 9
            WHERE period = ? AND jobbtorg = 'totalt'
            """,
            [T - 1, PERIOD],
        )
        tables, relations = build_tables(con, PERIOD, T)
    protect([t.grid for t in tables], relations, T)
    [processen] = [t.grid for t in tables if t.id == "processen"]
    assert processen.values[("totalt", "nya_registreringar_kvar_dag_5")] >= T
    assert ("totalt", "nya_registreringar_kvar_dag_5") not in processen.hidden
    assert ("totalt", "median_dagar_till_aktivitetsplan") in processen.hidden


def test_a_follow_up_that_cannot_be_made_yet_is_marked_so(run):
    """The current tertial (2020-T3, uttagsdatum 2020-10-01): nobody who ended in it can be followed 3, 6,
    12 or 18 months on, so every share of självförsörjande and every before/after figure says `ej ännu`
    (not empty, which reads as nobody). A complete tertial marks only the months after the deliveries:
    2019-T2 followed 3 months on is known, 18 months on (Nov 2020 to Feb 2021) is not."""
    current = build(run.settings, "2020-T3", status="test")
    tables = {t.id: t.grid for t in current.tables}
    sjalv = tables["sjalvforsorjning"]
    assert sjalv.rows and all(sjalv.values[(r, "avslutade")] > 0 for r in sjalv.rows)
    assert [sjalv.value(r, "andel_sjalvforsorjande") for r in sjalv.rows] == [NOT_YET] * len(sjalv.rows)
    before_after = tables["forsorjningsstod_fore_efter"]
    assert {
        before_after.value(r, c) for r in before_after.rows for c in ("fore", "efter_sek", "forandring")
    } == {NOT_YET}
    earlier = {t.id: t.grid for t in build(run.settings, PERIOD, status="test").tables}["sjalvforsorjning"]
    marks = {r: earlier.value(r, "andel_sjalvforsorjande") == NOT_YET for r in earlier.rows}
    assert marks["3 mån"] is False and marks["18 mån"] is True
    for r in earlier.rows:  # marked exactly when some ended and none can be followed
        assert marks[r] == (
            earlier.values[(r, "avslutade")] > 0 and earlier.values[(r, "uppfoljningsbara")] == 0
        )


def test_each_headline_table_shows_the_same_period_a_year_earlier(run):
    """Beside this year's figures, the previous year's, straight from the marts (or hidden)."""
    report = build(run.settings, PERIOD, status="test")
    tables = {t.id: t for t in report.tables}
    with duckdb.connect(str(run.settings.analysts_file), read_only=True) as con:
        earlier = dict(
            con.execute(
                "SELECT jobbtorg, inskrivna FROM marts.unika_individer "
                "WHERE period = '2018-T2' AND kon = 'totalt'"
            ).fetchall()
        )
        kolada = dict(
            con.execute(
                "SELECT jobbtorg, arbete_eller_studier FROM marts.kolada_resultat_vid_avslut "
                "WHERE period = '2018-T2' AND kon = 'totalt'"
            ).fetchall()
        )
    unika = tables["unika_individer"]
    assert unika.labels["inskrivna_fjol"] == "Inskrivna 2018-T2"
    assert unika.grid.values[("totalt", "inskrivna_fjol")] == earlier["totalt"] > 0
    for row in unika.grid.rows:
        assert unika.grid.value(row, "inskrivna_fjol") in (earlier.get(row, 0), HIDDEN)
        assert tables["kolada"].grid.value(row, "arbete_eller_studier_fjol") in (kolada.get(row, 0), HIDDEN)
    for table in ("kolada", "arbetstraning_resultat", "sjalvforsorjning"):
        assert any(c.endswith("_fjol") for c in tables[table].grid.columns), table
    assert "2018-T2" in unika.definition


@pytest.mark.parametrize(
    ("period", "heading", "source"),
    [("2019-T2", "jan–aug 2019", "2019-T2"), ("2019-T3", "jan–dec 2019", "2019-T3")],
)
def test_a_tertial_shows_the_year_to_date(run, period, heading, source):
    """Beside T2 and T3 the year so far (January to August, January to December), straight from the
    year-to-date tables (or hidden); every headline table gets it."""
    report = build(run.settings, period, status="test")
    tables = {t.id: t for t in report.tables}
    with duckdb.connect(str(run.settings.analysts_file), read_only=True) as con:
        ytd = dict(
            con.execute(
                "SELECT jobbtorg, inskrivna FROM ar_hittills.unika_individer "
                "WHERE period = ? AND kon = 'totalt'",
                [source],
            ).fetchall()
        )
        year = con.execute(
            "SELECT inskrivna FROM marts.unika_individer WHERE period = '2019' AND jobbtorg = 'totalt' "
            "AND kon = 'totalt'"
        ).fetchone()[0]
        kolada = dict(
            con.execute(
                "SELECT jobbtorg, avslutade FROM ar_hittills.kolada_resultat_vid_avslut "
                "WHERE period = ? AND kon = 'totalt'",
                [source],
            ).fetchall()
        )
    unika = tables["unika_individer"]
    assert unika.labels["inskrivna_hittills"] == f"Inskrivna {heading}"
    assert (
        unika.grid.values[("totalt", "inskrivna_hittills")]
        == ytd["totalt"]
        > unika.grid.values[("totalt", "inskrivna")]
    )
    assert (ytd["totalt"] == year) == (period == "2019-T3")
    for row in unika.grid.rows:
        assert unika.grid.value(row, "inskrivna_hittills") in (ytd.get(row, 0), HIDDEN)
        assert tables["kolada"].grid.value(row, "avslutade_hittills") in (kolada.get(row, 0), HIDDEN)
    for table in ("kolada", "arbetstraning_resultat", "sjalvforsorjning", "insatser", "arbetstraning_regi"):
        assert any(c.endswith("_hittills") for c in tables[table].grid.columns), table
    assert heading in unika.definition


def test_the_reader_knows_the_year_to_date_holds_the_tertial(run):
    """Disclosure control is told that a count of persons over January-August is at least May-August's:
    a reader knows it, and with it could narrow a hidden tertial count from a shown year-to-date one."""
    with duckdb.connect(str(run.settings.analysts_file), read_only=True) as con:
        tables, relations = build_tables(con, "2019-T2", 5)
    growing = [
        {k for k, _ in r.terms}
        for r in relations
        if r.sense == "<=" and any(k[0] == "ar_hittills=2019-T2" for k, _ in r.terms)
    ]
    unika = next(t for t in tables if t.id == "unika_individer").grid
    deltagare = next(t for t in tables if t.id == "insatser").grid
    for grid, column in ((unika, "inskrivna"), (unika, "avslutade"), (deltagare, "deltagare")):
        for row in grid.rows:
            pair = {grid.key(row, column), grid.key(row, f"{column}_hittills")}
            assert pair in growing, (column, row)


def test_a_first_tertial_says_its_year_to_date_is_itself(run):
    report = build(run.settings, "2019-T1", status="test")
    unika = next(t for t in report.tables if t.id == "unika_individer")
    assert not any(c.endswith("_hittills") for c in unika.grid.columns)
    assert "Året hittills (jan–apr 2019) är tertialet självt." in unika.definition


def test_a_year_has_no_year_to_date(run):
    report = build(run.settings, "2019", status="test")
    assert not any(c.endswith("_hittills") for t in report.tables for c in t.grid.columns)

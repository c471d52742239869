"""End to end: `jobbtorg run` on a generated source, then the analysts' file as an analyst opens it."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from jobbtorg_pipeline.assets.marts import ar_hittills
from jobbtorg_pipeline.assets.marts.catalog import load_marts
from jobbtorg_pipeline.settings import INTERNAL_DIR, INTERNAL_FILE
from tests.conftest import cli_env, jobbtorg
from tests.support.pipeline import copy_warehouse, run_pipeline
from tests.support.sourcebuilder import SourceBuilder, pnr

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysts(cli_run):
    _, warehouse = cli_run
    con = duckdb.connect(str(warehouse / "jobbtorg.duckdb"), read_only=True)
    yield con
    con.close()


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.cursor().sql(sql).pl()  # duckdb 2.0: a fresh cursor, whatever the shared one has pending


def test_the_run_is_recorded_in_the_instance(cli_run):
    work, _ = cli_run
    with dg.DagsterInstance.from_config(str(work / "home" / "dagster")) as instance:
        runs = instance.get_runs()
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS]
        assert runs[0].job_name == "jobbtorg_alla"


def test_every_mart_is_published_with_comments(analysts):
    tables = {
        r[0]
        for r in analysts.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    }
    assert tables == {m.name for m in load_marts()}
    schemas = {
        r[0]
        for r in analysts.execute("SELECT schema_name FROM duckdb_schemas() WHERE NOT internal").fetchall()
    }
    assert schemas <= {"main", "marts", "ar_hittills"}  # nothing of the internal layer
    year_to_date = {
        r[0]
        for r in analysts.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ar_hittills'"
        ).fetchall()
    }
    assert year_to_date == {t.name for t in ar_hittills.tables()}
    uncommented = analysts.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('marts', 'ar_hittills') AND comment IS NULL"
    ).fetchall()
    assert uncommented == []
    assert (
        analysts.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name IN ('marts', 'ar_hittills') AND comment IS NULL"
        ).fetchone()[0]
        == 0
    )


def test_every_period_up_to_the_uttagsdatum_is_there(analysts):
    uttag = analysts.execute("SELECT DISTINCT uttagsdatum FROM marts.unika_individer").fetchall()
    assert len(uttag) == 1
    last = analysts.execute(
        "SELECT max(period_slut) FROM marts.unika_individer WHERE period_typ = 'tertial'"
    ).fetchone()[0]
    assert last >= uttag[0][0]
    gaps = analysts.execute(
        """
        SELECT period FROM (
            SELECT period, period_start, lag(period_slut) OVER (ORDER BY period_start) AS previous
            FROM (SELECT DISTINCT period, period_start, period_slut FROM marts.unika_individer
                  WHERE period_typ = 'tertial'))
        WHERE previous IS NOT NULL AND previous + 1 <> period_start
        """
    ).fetchall()
    assert gaps == []


def test_kon_rows_sum_to_their_totals(analysts):
    # kön partitions persons, so the kön rows of distinct-person counts add up to the totalt row.
    for mart, columns in {
        "unika_individer": ["inskrivna", "nyinskrivna", "registreringar", "avslutade", "avslut_arbete"],
        "parallella_insatser": ["personer_med_insats", "personer_med_parallella_insatser", "insatser"],
        "aterremisser": ["avslutade", "aterremitterade", "aterkom_inom_365_dagar"],
    }.items():
        equal = " AND ".join(
            f"sum({c}) FILTER (WHERE kon <> 'totalt') = max({c}) FILTER (WHERE kon = 'totalt')"
            for c in columns
        )
        bad = analysts.execute(
            f"SELECT period, jobbtorg FROM marts.{mart} GROUP BY period, jobbtorg HAVING NOT ({equal})"
        ).fetchall()
        assert bad == [], mart


def test_jobbtorg_rows_deduplicate_to_their_totals(analysts):
    df = _df(analysts, "SELECT * FROM marts.unika_individer WHERE kon = 'totalt'")
    units = (
        df.filter(pl.col("jobbtorg") != "totalt")
        .group_by("period")
        .agg(
            pl.col("inskrivna").sum().alias("sum_inskrivna"),
            pl.col("inskrivna").max().alias("max_inskrivna"),
            pl.col("registreringar").sum().alias("sum_registreringar"),
        )
    )
    joined = df.filter(pl.col("jobbtorg") == "totalt").join(units, on="period")
    # persons under two jobbtorg count once in totalt; registrations are not distinct and add up
    assert (joined["inskrivna"] <= joined["sum_inskrivna"]).all()
    assert (joined["inskrivna"] >= joined["max_inskrivna"]).all()
    assert (joined["registreringar"] == joined["sum_registreringar"]).all()
    assert (joined["registreringar"] >= joined["inskrivna"]).all()


def test_avslut_groups_sum_to_avslutade_on_every_row(analysts):
    bad = analysts.execute(
        """
        SELECT count(*) FROM marts.unika_individer
        WHERE avslut_arbete + avslut_studier + avslut_aterremiss + avslut_ovrigt + avslut_orsak_saknas
              <> avslutade OR nyinskrivna > inskrivna OR avslutade > inskrivna
        """
    ).fetchone()[0]
    assert bad == 0


def test_marts_agree_with_each_other(analysts):
    mismatched = analysts.execute(
        """
        SELECT count(*) FROM marts.aterremisser AS a
        JOIN marts.unika_individer AS u USING (period, jobbtorg, kon)
        WHERE a.avslutade <> u.avslutade OR a.aterremitterade < u.avslut_aterremiss
              OR a.aterkom_inom_365_dagar > a.aterremitterade
        """
    ).fetchone()[0]
    assert mismatched == 0
    results = analysts.execute(
        """
        SELECT count(*) FROM marts.arbetstraning_resultat
        WHERE arbete_eller_studier + fortsatt_inskrivna + aterremitterade + ovrigt <> avslutat_arbetstraning
        """
    ).fetchone()[0]
    assert results == 0
    regi = analysts.execute(
        """
        SELECT count(*) FROM (
            SELECT period, kon,
                   max(deltagare) FILTER (WHERE regi = 'totalt') AS totalt,
                   coalesce(sum(deltagare) FILTER (WHERE regi <> 'totalt'), 0) AS summa,
                   coalesce(max(deltagare) FILTER (WHERE regi <> 'totalt'), 0) AS storst
            FROM marts.arbetstraning_deltagare GROUP BY period, kon)
        WHERE totalt > summa OR totalt < storst
        """
    ).fetchone()[0]
    assert regi == 0
    pairs = analysts.execute(
        """
        SELECT count(*) FROM marts.parallella_insatser_kombinationer AS k
        JOIN marts.parallella_insatser AS p USING (period)
        WHERE p.jobbtorg = 'totalt' AND p.kon = 'totalt' AND k.personer > p.personer_med_parallella_insatser
        """
    ).fetchone()[0]
    assert pairs == 0


def test_the_generated_data_exercises_the_marts(analysts):
    """Not a definition test: a guard that the generated source really has what the marts count."""
    year = _df(
        analysts,
        "SELECT * FROM marts.unika_individer "
        "WHERE period_typ = 'ar' AND jobbtorg = 'totalt' AND kon = 'totalt' "
        "ORDER BY period_start DESC LIMIT 1 OFFSET 1",
    )
    assert year["registreringar"][0] > year["inskrivna"][0]  # re-registration
    assert year["avslut_orsak_saknas"][0] > 0
    assert (
        analysts.execute("SELECT max(max_samtidiga_insatser) FROM marts.parallella_insatser").fetchone()[0]
        >= 2
    )
    assert (
        analysts.execute(
            "SELECT count(*) FROM marts.parallella_insatser_kombinationer WHERE insatstyp_a = insatstyp_b"
        ).fetchone()[0]
        > 0
    )
    assert (
        analysts.execute(
            "SELECT sum(paborjade) FROM marts.arbetstraning_deltagare WHERE regi = 'extern'"
        ).fetchone()[0]
        > 0
    )


def test_insats_marts_agree_with_each_other_and_with_arbetstraning(analysts):
    """On generated data: arbetstraning_resultat is exactly insatser_resultat's arbetstraning rows;
    insatser's arbetsträning persons are arbetstraning_deltagare's; the providers' årsplatser add up to
    insatser's (a place belongs to one provider); every provider shows in one spelling and extern
    insatser without one are `okänd`."""
    at = "arbete_eller_studier, fortsatt_inskrivna, aterremitterade, ovrigt, andel_aterremitterade"
    differ = analysts.execute(
        f"""
        (SELECT period, regi, kon, avslutat_arbetstraning, {at} FROM marts.arbetstraning_resultat
         EXCEPT SELECT period, regi, kon, avslutat_insats, {at} FROM marts.insatser_resultat
                WHERE insatstyp = 'arbetstraning')
        UNION ALL
        (SELECT period, regi, kon, avslutat_insats, {at} FROM marts.insatser_resultat
         WHERE insatstyp = 'arbetstraning'
         EXCEPT SELECT period, regi, kon, avslutat_arbetstraning, {at} FROM marts.arbetstraning_resultat)
        """
    ).fetchall()
    assert differ == []
    deltagare = analysts.execute(
        """
        SELECT count(*) FROM marts.arbetstraning_deltagare AS a
        FULL JOIN (SELECT * FROM marts.insatser WHERE insatstyp = 'arbetstraning' AND jobbtorg = 'totalt')
             AS i USING (period, regi, kon)
        WHERE a.paborjade IS DISTINCT FROM i.personer_paborjade OR a.deltagare IS DISTINCT FROM i.deltagare
        """
    ).fetchone()[0]
    assert deltagare == 0
    places = analysts.execute(
        """
        SELECT count(*) FROM (
            SELECT period, insatstyp, regi, sum(arsplatser) AS arsplatser FROM marts.anordnare
            GROUP BY ALL) AS a
        FULL JOIN (SELECT * FROM marts.insatser WHERE regi <> 'totalt' AND jobbtorg = 'totalt'
                   AND kon = 'totalt' AND deltagare > 0) AS i USING (period, insatstyp, regi)
        WHERE a.arsplatser IS NULL OR i.arsplatser IS NULL OR abs(a.arsplatser - i.arsplatser) > 1e-9
        """
    ).fetchone()[0]
    assert places == 0
    names = {r[0] for r in analysts.execute("SELECT DISTINCT anordnare FROM marts.anordnare").fetchall()}
    assert "okänd" in names and "egen regi" in names and "Framtidsvägen AB" in names
    assert len({" ".join(n.lower().split()) for n in names}) == len(names)  # one spelling each


def test_arsplatser_and_deltagare_against_a_day_by_day_count(cli_run):
    """An oracle sharing no SQL with the mart: every staged insats expanded to one row per day it is
    active (startdatum to slutdatum, or to the uttagsdatum while ongoing, both days counted), days placed
    in their periods. Årsplatser x the period's days up to the uttagsdatum is the number of such days, and
    deltagare the distinct persons, per (period, insatstyp, regi) over all jobbtorg and kön."""
    _, warehouse = cli_run
    con = duckdb.connect(str(warehouse / INTERNAL_DIR / INTERNAL_FILE), read_only=True)
    try:
        bad = con.execute(
            """
            WITH dagar AS (
                SELECT s.person_key, s.insatstyp, s.regi,
                       unnest(generate_series(s.startdatum, coalesce(s.slutdatum, u.uttagsdatum),
                                              INTERVAL 1 DAY))::DATE AS dag
                FROM staging.insatser AS s CROSS JOIN raw.uttag AS u
            ),
            orakel AS (
                SELECT p.period, d.insatstyp, d.regi, count(*) AS dagar,
                       count(DISTINCT d.person_key) AS personer,
                       any_value(least(p.period_slut, u.uttagsdatum) - p.period_start + 1) AS periodens_dagar
                FROM dagar AS d
                JOIN staging.perioder AS p ON d.dag BETWEEN p.period_start AND p.period_slut
                CROSS JOIN raw.uttag AS u
                GROUP BY ALL
            )
            SELECT count(*) FROM orakel AS o
            FULL JOIN (SELECT * FROM marts.insatser WHERE insatstyp <> 'totalt' AND regi <> 'totalt'
                       AND jobbtorg = 'totalt' AND kon = 'totalt' AND deltagare > 0) AS m
              USING (period, insatstyp, regi)
            WHERE o.dagar IS NULL OR m.arsplatser IS NULL
               OR abs(m.arsplatser * o.periodens_dagar - o.dagar) > 1e-6 OR m.deltagare <> o.personer
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert bad == 0


def test_next_steps_and_long_term_marts_agree_with_the_others(analysts):
    """On generated data: stegforflyttningar counts exactly insatser's ended insatser, per insatstyp and in
    total, and its `till` rows add up to their totals; langvarigt_bistand's cohort is sjalvforsorjning's;
    and the data holds every kind of next step, long-term recipients and followable 24 and 36 months."""
    differ = analysts.execute(
        """
        SELECT s.period, s.fran_insatstyp, s.overgangar, i.insatser_avslutade
        FROM marts.stegforflyttningar AS s
        FULL JOIN (SELECT * FROM marts.insatser
                   WHERE regi = 'totalt' AND jobbtorg = 'totalt' AND kon = 'totalt') AS i
          ON i.period = s.period AND i.insatstyp = s.fran_insatstyp
        WHERE s.till = 'totalt' AND s.overgangar IS DISTINCT FROM i.insatser_avslutade
           OR s.period IS NULL AND i.insatser_avslutade > 0
        """
    ).fetchall()
    assert differ == []
    unsummed = analysts.execute(
        """
        SELECT period, fran_insatstyp FROM marts.stegforflyttningar
        GROUP BY period, fran_insatstyp
        HAVING sum(overgangar) FILTER (WHERE till <> 'totalt')
            <> any_value(overgangar) FILTER (WHERE till = 'totalt')
        """
    ).fetchall()
    assert unsummed == []
    kinds = {
        r[0]
        for r in analysts.execute(
            "SELECT DISTINCT till FROM marts.stegforflyttningar WHERE fran_insatstyp = 'totalt'"
        ).fetchall()
    }
    assert {"arbete", "aterremiss", "inget_inom_90_dagar", "coachning"} <= kinds
    cohort = analysts.execute(
        """
        SELECT count(*) FROM marts.langvarigt_bistand AS l
        FULL JOIN (SELECT * FROM marts.sjalvforsorjning WHERE manader_efter_avslut = 3) AS s
          USING (period, jobbtorg, kon)
        WHERE l.avslutade IS DISTINCT FROM s.avslutade
        """
    ).fetchone()[0]
    assert cohort == 0
    assert analysts.execute("SELECT sum(langvariga_fore) FROM marts.langvarigt_bistand").fetchone()[0] > 0
    assert analysts.execute("SELECT sum(langvariga_efter) FROM marts.langvarigt_bistand").fetchone()[0] > 0
    followed = dict(
        analysts.execute(
            "SELECT manader_efter_avslut, sum(uppfoljningsbara) FROM marts.sjalvforsorjning "
            "WHERE manader_efter_avslut IN (24, 36) GROUP BY ALL"
        ).fetchall()
    )
    assert followed[24] > 0 and followed[36] > 0


def _source_numbers(source: Path) -> set[str]:
    """Every personnummer in the source as written, plus its 12- and 10-digit forms without separators."""
    found: set[str] = set()
    for path in source.rglob("*.csv"):
        text = path.read_bytes().decode("utf-8", errors="replace")
        found.update(re.findall(r"(?<![\d])(?:\d{6}|\d{8})[-+]?\d{4}(?![\d])", text))
    forms = set()
    for number in found:
        digits = number.replace("-", "").replace("+", "")
        forms |= {number, digits, digits[-10:]}
    return forms


def _occurring(numbers: set[str], data: bytes) -> list[str]:
    """The numbers that occur in `data` as bytes: exactly `[n for n in numbers if n.encode() in data]`, in
    one pass instead of one scan of the file per number. A number is made of digits, `-` and `+`, so each
    occurrence lies inside a maximal run of those characters at least as long: every substring of a
    number's length within every such run is looked up."""
    wanted = {n.encode() for n in numbers}
    lengths = sorted({len(n) for n in wanted})
    found = set()
    for run in re.finditer(rb"[0-9+-]{%d,}" % lengths[0], data):
        text = run.group()
        for size in lengths:
            found.update(
                text[i : i + size] for i in range(len(text) - size + 1) if text[i : i + size] in wanted
            )
    return sorted(n.decode() for n in found)


def test_the_one_pass_lookup_finds_what_a_scan_per_number_finds():
    """The lookup above must agree with the plain scan, embedded numbers and separators included."""
    numbers = {"198001011234", "8001011234", "800101-1234", "191212121212"}
    data = b"\x00xx8001011234\x00 19198001011234000 800101-1234+ 19121212121"
    assert _occurring(numbers, data) == sorted(n for n in numbers if n.encode() in data)
    assert _occurring(numbers, data) == ["198001011234", "800101-1234", "8001011234"]


def test_no_personal_identifier_anywhere_in_the_analysts_file(cli_run, generated_source, analysts):
    _, warehouse = cli_run
    numbers = _source_numbers(generated_source)
    assert len(numbers) > 1000
    data = (warehouse / "jobbtorg.duckdb").read_bytes()
    assert _occurring(numbers, data) == []
    # strings may be compressed in the file: look at every text value too
    for table, column in analysts.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND data_type = 'VARCHAR'"
    ).fetchall():
        values = {r[0] for r in analysts.execute(f"SELECT DISTINCT {column} FROM marts.{table}").fetchall()}
        assert not [v for v in values if v and re.search(r"\d{6}", v)], (table, column)


def test_no_birth_date_in_the_analysts_file(cli_run, generated_source, analysts):
    """The only dates are the periods' bounds and the uttagsdatum: no column could hold a birth date, and
    no text value is a date at all (so none is one of the source's birth dates in disguise)."""
    _, warehouse = cli_run
    dated = analysts.execute(
        "SELECT DISTINCT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND (data_type LIKE 'DATE%' OR data_type LIKE 'TIMESTAMP%' OR data_type LIKE 'TIME%')"
    ).fetchall()
    assert {c for (c,) in dated} == {"period_start", "period_slut", "uttagsdatum"}
    for (table,) in analysts.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
    ).fetchall():
        odd = analysts.execute(
            f"SELECT count(*) FROM marts.{table} WHERE day(period_start) <> 1 "
            "OR month(period_start) NOT IN (1, 5, 9) OR period_slut <> last_day(period_slut) "
            "OR uttagsdatum <> (SELECT max(uttagsdatum) FROM marts.unika_individer)"
        ).fetchone()[0]
        assert odd == 0, table
    births = set()
    for number in _source_numbers(generated_source):
        digits = number.replace("-", "").replace("+", "")
        if len(digits) == 12:
            day = int(digits[6:8]) % 60 or 60  # samordningsnummer: day + 60
            births.add(f"{digits[:4]}-{digits[4:6]}-{day:02d}")
    assert len(births) > 500
    data = (warehouse / "jobbtorg.duckdb").read_bytes()
    texts = {
        v
        for table, column in analysts.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'marts' AND data_type = 'VARCHAR'"
        ).fetchall()
        for (v,) in analysts.execute(f"SELECT DISTINCT {column} FROM marts.{table}").fetchall()
        if v
    }
    assert not [t for t in texts if re.search(r"\d{4}-?\d{2}-?\d{2}", t)]
    assert _occurring(births, data) == []


def test_a_reader_holding_the_file_never_blocks_a_run_nor_sees_it_change(tmp_path, small_run):
    analysts = copy_warehouse(small_run, tmp_path / "warehouse") / small_run.analysts_file.name
    reader = duckdb.connect(str(analysts), read_only=True)
    before = reader.execute("SELECT sum(inskrivna), count(*) FROM marts.unika_individer").fetchone()
    # the reader keeps a scan going while the second run publishes
    small = SourceBuilder(tmp_path / "other-source", "2019-10-01")
    small.inskrivning("I1", pnr("19800101", 1, woman=True), "2019-01-10")
    small.write()
    results: dict[str, object] = {}

    def second_run() -> None:  # a much smaller, older extract: allowed here, two checks would block it
        results["run"] = run_pipeline(
            tmp_path, small.root, truncation_tolerance=1.0, allow_older_snapshot=True
        )

    thread = threading.Thread(target=second_run)
    thread.start()
    while thread.is_alive():
        assert (
            reader.execute("SELECT sum(inskrivna), count(*) FROM marts.unika_individer").fetchone() == before
        )
    thread.join()
    assert results["run"].success
    # the old connection still reads the old file, even tables it had not touched before
    assert reader.execute("SELECT sum(inskrivna), count(*) FROM marts.unika_individer").fetchone() == before
    assert reader.execute("SELECT count(*) FROM marts.arbetstraning_resultat").fetchone()[0] > 0
    reader.close()
    assert results["run"].settings.analysts_file == analysts
    with results["run"].analysts() as fresh:
        assert fresh.execute("SELECT max(inskrivna) FROM marts.unika_individer").fetchone()[0] == 1


def test_run_without_a_source_fails_clearly_and_publishes_nothing(tmp_path):
    """A source folder that is not there is the user's mistake: said in one line before any run starts."""
    done = jobbtorg(
        "run",
        "--source",
        str(tmp_path / "missing"),
        "--warehouse",
        str(tmp_path / "w"),
        env=cli_env(tmp_path),
    )
    assert done.returncode == 2  # a usage error
    assert f"the source folder {tmp_path / 'missing'} does not exist" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "w" / "jobbtorg.duckdb").exists()
    # no Dagster run was started, none is left in the history
    assert not (tmp_path / "home" / "dagster").exists()

"""Staging: approved source rows, typed, with the pseudonymous person key instead of the personnummer.

Plain functions over a DuckDB connection, so tests can run them without Dagster; the Dagster assets in
this package call them. The personnummer leaves the source rows here and lives on only in the restricted
`staging.personnummer` map (person_key -> number).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import duckdb

from jobbtorg_pipeline.personnummer import register_personnummer_macros
from jobbtorg_pipeline.pseudonym import register_person_key_macro
from jobbtorg_pipeline.quality.quarantine import drop_judged, split
from jobbtorg_pipeline.sources.contract import AVSLUTSGRUPP

_GRUPP = " ".join(f"WHEN '{orsak}' THEN '{grupp}'" for orsak, grupp in AVSLUTSGRUPP.items())
AVSLUTSGRUPP_SQL = (
    f"CASE WHEN avslutsdatum IS NULL THEN NULL ELSE CASE avslutsorsak {_GRUPP} ELSE 'saknas' END END"
)

VIEWS = ("inskrivning_niva", "insats_niva", "inskrivning_niva_egen", "insats_niva_egen")  # cheap: not tables
MACROS = {"med_kombination": "per_person", "i_grupper": "delsummor"}  # table macros, by their one parameter
SQL_MODELS = (
    "stadsdelar",
    "perioder",
    "personer",
    "inskrivning_period",
    "insats_period",
    "insats_anordnare",
    "inskrivning_grupp",
    "inskrivning_niva",
    "insats_niva",
    "person_grupp",
    "grupp_nummer",
    "person_kombination",
    "kombination_grupp",
    "inskrivning_grupp_delad",
    "inskrivning_niva_egen",
    "insats_niva_egen",
    "med_kombination",
    "i_grupper",
    "avslut_kohort",
    "forsorjningsstod_manad",
    "utbetalningsmanader",
    "insats_utfall",
)


def sql_model(name: str) -> str:
    return resources.files("jobbtorg_pipeline.assets.staging").joinpath("sql", f"{name}.sql").read_text()


@cache
def period_models() -> tuple[str, ...]:
    """The models whose rows depend on the periods (they read `perioder`, directly or through another
    model), in build order: what must be built again to compute the marts for other periods."""
    found = ["perioder"]
    for name in SQL_MODELS:
        reads = set(re.findall(r"\bstaging\.([a-z_]+)", sql_model(name)))
        if reads & set(found):
            found.append(name)
    return tuple(found)


def build_sql_model(con: duckdb.DuckDBPyConnection, name: str) -> None:
    with resources.as_file(resources.files("jobbtorg_pipeline.reference").joinpath("stadsdelar.csv")) as csv:
        con.execute("SET VARIABLE jobbtorg_stadsdelar_csv = ?", [str(csv)])
        if "pnr_" in sql_model(name):  # inskrivning_grupp reads the birth date from the number
            register_personnummer_macros(con)  # 15 ms a time: only where a model uses them
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        if name in MACROS:
            con.execute(f"CREATE OR REPLACE MACRO staging.{name}({MACROS[name]}) AS TABLE {sql_model(name)}")
            return
        kind = "VIEW" if name in VIEWS else "TABLE"
        con.execute(f"CREATE OR REPLACE {kind} staging.{name} AS {sql_model(name)}")


def _keyed(approved: str) -> str:
    """The approved rows with `person_key`, hashing each distinct number once (not once per row)."""
    return f"""
        WITH godkanda AS ({approved}),
        nycklar AS (
            SELECT personnummer, person_key(personnummer) AS person_key
            FROM (SELECT DISTINCT personnummer FROM godkanda)
        )
        SELECT g.*, n.person_key FROM godkanda AS g JOIN nycklar AS n USING (personnummer)
    """


def build_inskrivningar(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    register_person_key_macro(con, key)
    approved = split(con, "inskrivningar")
    con.execute(f"CREATE OR REPLACE TEMP TABLE inskrivningar_nycklade AS {_keyed(approved)}")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE staging.inskrivningar AS
        SELECT inskrivning_id, person_key, kon AS kon_registrerat, stadsdel, jobbtorg, malgrupp,
               remissdatum, inskrivningsdatum, aktivitetsplan_datum, avslutsdatum, avslutsorsak,
               {AVSLUTSGRUPP_SQL} AS avslutsgrupp, andrad_tid, _fil, _radnr
        FROM temp.inskrivningar_nycklade
        ORDER BY inskrivning_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE staging.personnummer AS
        SELECT DISTINCT person_key, personnummer FROM temp.inskrivningar_nycklade ORDER BY personnummer
        """
    )
    con.execute("DROP TABLE temp.inskrivningar_nycklade")
    drop_judged(con, "inskrivningar")


def build_insatser(con: duckdb.DuckDBPyConnection) -> None:
    approved = split(con, "insatser")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE staging.insatser AS
        SELECT s.insats_id, s.inskrivning_id, i.person_key, i.jobbtorg, s.insatstyp, s.regi, s.anordnare,
               s.startdatum, s.planerat_slutdatum, s.slutdatum, s.andrad_tid, s._fil, s._radnr
        FROM ({approved}) AS s
        JOIN staging.inskrivningar AS i USING (inskrivning_id)
        ORDER BY s.insats_id
        """
    )
    drop_judged(con, "insatser")


def build_utbetalningar(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    register_person_key_macro(con, key)
    approved = split(con, "utbetalningar")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE staging.utbetalningar AS
        SELECT u.utbetalning_id, u.person_key, u.hushall_id, u.stadsdel, u.avser_manad,
               u.utbetalningsdatum, u.belopp, u.bistandstyp, f.manad AS leverans_manad, u._fil, u._radnr
        FROM ({_keyed(approved)}) AS u
        LEFT JOIN raw.filer AS f ON f.kalla = 'utbetalningar' AND f.fil = u._fil
        """  # no ORDER BY: sorting 25M rows costs seconds, and every mart orders its own rows
    )
    drop_judged(con, "utbetalningar")

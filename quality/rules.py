"""The JUST-team's row rules, declared once.

A row rule is a SQL predicate over a typed source row (`staging/typing.py` makes the typed columns; the
raw text of each column is in the struct `_ratt`). A row for which the predicate is true breaks the rule
and goes to quarantine with the rule's id and a reason; the other rows go on to staging. From these same
declarations come the staging SQL, the Great Expectations suites that validate the staged tables, and the
catalogue in docs/just-rules.md, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobbtorg_pipeline.sources.contract import (
    AVSLUTSORSAKER,
    BISTANDSTYPER,
    COLUMNS,
    INSATSTYPER,
    KON,
    MALGRUPPER,
    OPTIONAL,
    REGI,
)

DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "inskrivningar": ("remissdatum", "inskrivningsdatum", "aktivitetsplan_datum", "avslutsdatum"),
    "insatser": ("startdatum", "planerat_slutdatum", "slutdatum"),
    "utbetalningar": ("utbetalningsdatum",),
}
TIMESTAMP_COLUMNS: dict[str, tuple[str, ...]] = {
    "inskrivningar": ("andrad_tid",),
    "insatser": ("andrad_tid",),
    "utbetalningar": (),
}
# Dates of things that have happened: none may lie after the uttagsdatum (a planned end may).
EVENT_DATES: dict[str, tuple[str, ...]] = {
    "inskrivningar": ("remissdatum", "inskrivningsdatum", "aktivitetsplan_datum", "avslutsdatum"),
    "insatser": ("startdatum", "slutdatum"),
}
ID_COLUMN = {"inskrivningar": "inskrivning_id", "insatser": "insats_id", "utbetalningar": "utbetalning_id"}


@dataclass(frozen=True)
class RowRule:
    id: str  # stable: quarantine rows, check metadata and the catalogue use it
    kalla: str  # inskrivningar, insatser or utbetalningar
    checks: str  # what it checks, in words
    why: str  # the seed or practice behind it
    breaks: str  # SQL: true when the typed row breaks the rule
    reason: str  # SQL: the reason text for a breaking row (never the personnummer)
    columns: tuple[str, ...]

    @property
    def qualified_id(self) -> str:
        return f"{self.kalla}.{self.id}"


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _required(kalla: str) -> RowRule:
    required = [c for c in COLUMNS[kalla] if c not in OPTIONAL[kalla]]
    missing = ", ".join(f"CASE WHEN _ratt.{c} IS NULL THEN '{c}' END" for c in required)
    return RowRule(
        id="obligatoriskt_falt",
        kalla=kalla,
        checks=f"required fields present: {', '.join(required)}",
        why="CONTRACT §1: every column not marked 'or empty' must be filled for the row to be counted",
        breaks=" OR ".join(f"_ratt.{c} IS NULL" for c in required),
        reason=f"'saknar ' || concat_ws(', ', {missing})",
        columns=tuple(required),
    )


def _code(kalla: str, column: str, values: tuple[str, ...]) -> RowRule:
    return RowRule(
        id=f"kod_{column}",
        kalla=kalla,
        checks=f"`{column}` is one of {', '.join(values)}",
        why="JUST-team: uniform registration; an unknown code cannot be placed in any statistic",
        breaks=f"_ratt.{column} IS NOT NULL AND NOT coalesce({_in_list(column, values)}, false)",
        reason=f"'{column} ' || citat(_ratt.{column}) || ' finns inte i kodlistan'",
        columns=(column,),
    )


def _dates(kalla: str) -> RowRule:
    cols = DATE_COLUMNS[kalla] + TIMESTAMP_COLUMNS[kalla]
    bad = [f"(_ratt.{c} IS NOT NULL AND {c} IS NULL)" for c in cols]
    names = ", ".join(
        f"CASE WHEN _ratt.{c} IS NOT NULL AND {c} IS NULL THEN '{c} ' || citat(_ratt.{c}) END" for c in cols
    )
    return RowRule(
        id="datum_lasbart",
        kalla=kalla,
        checks="every date is a real date `YYYY-MM-DD` (andrad_tid a timestamp)",
        why="CONTRACT §1 dialect; a date that cannot be read cannot place the row in a period",
        breaks=" OR ".join(bad),
        reason=f"'oläsbart datum: ' || concat_ws(', ', {names})",
        columns=cols,
    )


def _not_after_uttag(kalla: str) -> RowRule:
    cols = EVENT_DATES[kalla]
    names = ", ".join(f"CASE WHEN {c} > _uttagsdatum THEN '{c} ' || {c} END" for c in cols)
    return RowRule(
        id="datum_efter_uttag",
        kalla=kalla,
        checks=f"no date of an event ({', '.join(cols)}) lies after the uttagsdatum",
        why="a snapshot cannot know the future: such a date is a typing error",
        breaks=" OR ".join(f"{c} > _uttagsdatum" for c in cols),
        reason=f"'efter uttagsdatum ' || _uttagsdatum || ': ' || concat_ws(', ', {names})",
        columns=cols,
    )


def _personnummer(kalla: str) -> RowRule:
    return RowRule(
        id="personnummer_giltigt",
        kalla=kalla,
        checks="personnummer or samordningsnummer valid: 10 or 12 digits with or without `-`/`+`, "
        "a real date (day - 60 for samordningsnummer), serial not 000, Luhn check digit",
        why="a person who cannot be identified cannot be counted once (seed 001: unique individuals)",
        breaks="_ratt.personnummer IS NOT NULL AND _pnr_fel IS NOT NULL",
        reason="'ogiltigt personnummer: ' || _pnr_fel_text",
        columns=("personnummer",),
    )


def _duplicates(kalla: str) -> tuple[RowRule, RowRule]:
    id_col = ID_COLUMN[kalla]
    identical = RowRule(
        id="dubblett_identisk",
        kalla=kalla,
        checks=f"a row identical to an earlier row with the same `{id_col}` is counted once",
        why="a re-sent row must not count a person or a payment twice",
        breaks="_dubblett_nr > 1 AND NOT _dubblett_konflikt",
        reason=f"'identisk kopia av {id_col} ' || citat({id_col}) || ' (räknas en gång)'",
        columns=(id_col,),
    )
    conflict = RowRule(
        id="dubblett_konflikt",
        kalla=kalla,
        checks=f"rows that share a `{id_col}` but differ are all quarantined",
        why="when two rows disagree about one registration, neither can be trusted",
        breaks="_dubblett_konflikt",
        reason=f"'{id_col} ' || citat({id_col}) || ' förekommer ' || _dubblett_antal || "
        "' gånger med olika innehåll'",
        columns=(id_col,),
    )
    return identical, conflict


ROW_RULES: tuple[RowRule, ...] = (
    # inskrivningar
    _required("inskrivningar"),
    _personnummer("inskrivningar"),
    _code("inskrivningar", "malgrupp", MALGRUPPER),
    _code("inskrivningar", "avslutsorsak", AVSLUTSORSAKER),
    _code("inskrivningar", "kon", KON),
    _dates("inskrivningar"),
    RowRule(
        id="avslut_fore_inskrivning",
        kalla="inskrivningar",
        checks="`avslutsdatum >= inskrivningsdatum`",
        why="a registration cannot end before it starts",
        breaks="avslutsdatum < inskrivningsdatum",
        reason="'avslutsdatum ' || avslutsdatum || ' före inskrivningsdatum ' || inskrivningsdatum",
        columns=("inskrivningsdatum", "avslutsdatum"),
    ),
    RowRule(
        id="remiss_efter_inskrivning",
        kalla="inskrivningar",
        checks="`remissdatum <= inskrivningsdatum`",
        why="people come to Jobbtorg only by remiss from their district (seed 003)",
        breaks="remissdatum > inskrivningsdatum",
        reason="'remissdatum ' || remissdatum || ' efter inskrivningsdatum ' || inskrivningsdatum",
        columns=("remissdatum", "inskrivningsdatum"),
    ),
    RowRule(
        id="avslutsorsak_utan_avslut",
        kalla="inskrivningar",
        checks="an avslutsorsak only on a registration with an avslutsdatum",
        why="a reason without an end contradicts itself: is the person registered or not?",
        breaks="avslutsorsak IS NOT NULL AND _ratt.avslutsdatum IS NULL",
        reason="'avslutsorsak ' || citat(avslutsorsak) || ' men inget avslutsdatum'",
        columns=("avslutsorsak", "avslutsdatum"),
    ),
    _not_after_uttag("inskrivningar"),
    *_duplicates("inskrivningar"),
    # insatser
    _required("insatser"),
    _code("insatser", "insatstyp", INSATSTYPER),
    _code("insatser", "regi", REGI),
    _dates("insatser"),
    RowRule(
        id="slut_fore_start",
        kalla="insatser",
        checks="`slutdatum >= startdatum`",
        why="an insats cannot end before it starts",
        breaks="slutdatum < startdatum",
        reason="'slutdatum ' || slutdatum || ' före startdatum ' || startdatum",
        columns=("startdatum", "slutdatum"),
    ),
    _not_after_uttag("insatser"),
    RowRule(
        id="inskrivning_saknas",
        kalla="insatser",
        checks="the insats belongs to a registration in the same extract",
        why="the person and the jobbtorg of an insats come from its registration (CONTRACT §2)",
        breaks="_ratt.inskrivning_id IS NOT NULL AND NOT _inskrivning_finns",
        reason="'inskrivning_id ' || citat(inskrivning_id) || ' finns inte i uttaget'",
        columns=("inskrivning_id",),
    ),
    RowRule(
        id="inskrivning_i_karantan",
        kalla="insatser",
        checks="the insats's registration is not itself in quarantine",
        why="without a trusted registration the insats has no trusted person or jobbtorg",
        breaks="_inskrivning_finns AND NOT _inskrivning_godkand",
        reason="'inskrivning_id ' || citat(inskrivning_id) || ' är i karantän'",
        columns=("inskrivning_id",),
    ),
    *_duplicates("insatser"),
    # utbetalningar
    _required("utbetalningar"),
    _personnummer("utbetalningar"),
    RowRule(
        id="avser_manad_giltig",
        kalla="utbetalningar",
        checks="`avser_manad` is a real month `YYYY-MM`",
        why="self-sufficiency is judged per month the assistance is for (CONTRACT §2)",
        breaks="_ratt.avser_manad IS NOT NULL AND avser_manad IS NULL",
        reason="'avser_manad ' || citat(_ratt.avser_manad) || ' är ingen månad YYYY-MM'",
        columns=("avser_manad",),
    ),
    RowRule(
        id="belopp_tal",
        kalla="utbetalningar",
        checks="`belopp` is a number in SEK (decimal point or comma, at most two decimals)",
        why="an amount that cannot be read cannot be netted",
        breaks="_ratt.belopp IS NOT NULL AND belopp IS NULL",
        reason="'belopp ' || citat(_ratt.belopp) || ' är inget tal'",
        columns=("belopp",),
    ),
    _code("utbetalningar", "bistandstyp", BISTANDSTYPER),
    _dates("utbetalningar"),
    *_duplicates("utbetalningar"),
)

# Lines the CSV reader could not split into the header's fields (CONTRACT §1 dialect).
REJECTED_LINE_RULE = "felaktig_rad"
REJECTED_LINE_TEXT = "the line has more or fewer fields than the header (or an unclosed quote)"


def rules_for(kalla: str) -> tuple[RowRule, ...]:
    return tuple(rule for rule in ROW_RULES if rule.kalla == kalla)

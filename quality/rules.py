"""The JUST-team's rules, declared once: row rules, dataset rules and indicators.

- A **row rule** is a SQL predicate over a typed source row (`quality/typing.py` makes the typed
  columns; the raw text of each column is in the struct `_ratt`). A breaking row is quarantined with the
  rule's id and a reason and the rest of the extract goes on (`quality/quarantine.py`). Each row rule also
  names the Great Expectations expectations that must then hold on the staged table; a blocking check
  validates them (`quality/checks.py`), so a row that slipped through the quarantine stops the run.
- A **dataset rule** judges an extract as a whole; a breaking extract blocks the run before anything is
  published.
- An **indicator** measures registration practice and warns; it never blocks.

docs/just-rules.md is generated from these declarations and tests/test_quality_rules.py checks that the
SQL, the expectations and the catalogue agree.
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
# A source column's name in the staged table, where it differs.
STAGED_NAME = {"personnummer": "person_key", "kon": "kon_registrerat"}

QUARANTINE = "karantän"
BLOCKS = "blockerar"
WARNS = "varnar"


@dataclass(frozen=True)
class Expect:
    """A Great Expectations expectation by class name, with its arguments. Strings may hold
    `{uttagsdatum}`, filled in at validation time. Declared as data so that nothing imports GX (5 s)
    until a check runs."""

    kind: str
    kwargs: dict[str, object]


@dataclass(frozen=True)
class RowRule:
    id: str  # stable: quarantine rows, check metadata and the catalogue use it
    kalla: str  # inskrivningar, insatser or utbetalningar
    checks: str  # what it checks, in words
    why: str  # the seed or practice behind it
    breaks: str  # SQL: true when the typed row breaks the rule
    reason: str  # SQL: the reason text for a breaking row (never the personnummer)
    columns: tuple[str, ...]
    expect: tuple[Expect, ...]  # what then holds on the staged table
    typed_only: str = ""  # why there is no expectation, when the staged column's type is the guarantee
    # An exclusive rule says the row's fields cannot be trusted at all: a row breaking it is quarantined
    # under it alone (the other rules would only judge text that is not what it claims to be).
    exclusive: bool = False

    level = QUARANTINE
    consequence = "the row goes to `staging.karantan` with this rule id and the reason; the rest go on"

    @property
    def qualified_id(self) -> str:
        return f"{self.kalla}.{self.id}"


@dataclass(frozen=True)
class DatasetRule:
    id: str
    checks: str
    why: str
    level = BLOCKS
    consequence = "the run stops before anything is published; the analysts' file stays as it was"


@dataclass(frozen=True)
class Indicator:
    id: str
    kalla: str
    checks: str
    why: str
    threshold: float  # the highest share of rows that may fail `expect` without a warning
    query: str  # SQL over the staged tables: one column `varde`, one row per counted row
    expect: Expect  # what each row should satisfy; `mostly` is filled in from the threshold
    # SQL listing what fails (one column), shown in the check's metadata under `listing_name`
    listing: str = ""
    listing_name: str = ""
    level = WARNS
    consequence = "a warning with the share in the Dagster UI; the run goes on"

    @property
    def qualified_id(self) -> str:
        return f"{self.kalla}.{self.id}"

    @property
    def expectation(self) -> Expect:
        return Expect(self.expect.kind, {**self.expect.kwargs, "mostly": round(1 - self.threshold, 6)})


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _staged(column: str) -> str:
    return STAGED_NAME.get(column, column)


def _not_null(*columns: str) -> tuple[Expect, ...]:
    return tuple(Expect("ExpectColumnValuesToNotBeNull", {"column": _staged(c)}) for c in columns)


def _required(kalla: str) -> RowRule:
    required = [c for c in COLUMNS[kalla] if c not in OPTIONAL[kalla]]
    missing = ", ".join(f"CASE WHEN _ratt.{c} IS NULL THEN '{c}' END" for c in required)
    return RowRule(
        id="obligatoriskt_falt",
        kalla=kalla,
        checks=f"required fields present: {', '.join(required)}",
        why="docs/source-files.md: every column not marked 'or empty' must be filled for the row to be "
        "counted",
        breaks=" OR ".join(f"_ratt.{c} IS NULL" for c in required),
        reason=f"'saknar ' || concat_ws(', ', {missing})",
        columns=tuple(required),
        expect=_not_null(*required),
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
        expect=(
            Expect("ExpectColumnValuesToBeInSet", {"column": _staged(column), "value_set": list(values)}),
        ),
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
        why="the CSV dialect of docs/source-files.md; a date that cannot be read cannot place the row in a "
        "period",
        breaks=" OR ".join(bad),
        reason=f"'oläsbart datum: ' || concat_ws(', ', {names})",
        columns=cols,
        expect=(),
        typed_only="the staged columns are DATE and TIMESTAMP: a value that did not parse cannot be there",
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
        expect=tuple(
            Expect("ExpectColumnValuesToBeBetween", {"column": c, "max_value": "{uttagsdatum}"}) for c in cols
        ),
    )


def _personnummer(kalla: str) -> RowRule:
    return RowRule(
        id="personnummer_giltigt",
        kalla=kalla,
        checks="personnummer or samordningsnummer valid: 10 or 12 digits with or without `-`/`+`, "
        "a real date (day - 60 for samordningsnummer), serial not 000, Luhn check digit",
        why="a person who cannot be identified cannot be counted once "
        "(arbetsmarknadsnämnden 2016-02-02, ärende 11: unique individuals)",
        breaks="_ratt.personnummer IS NOT NULL AND _pnr_fel IS NOT NULL",
        reason="'ogiltigt personnummer: ' || _pnr_fel_text",
        columns=("personnummer",),
        expect=_not_null("personnummer"),  # only a valid number gets a person key
    )


def _order(kalla: str, rule: str, later: str, earlier: str, why: str) -> RowRule:
    return RowRule(
        id=rule,
        kalla=kalla,
        checks=f"`{later} >= {earlier}`",
        why=why,
        breaks=f"{later} < {earlier}",
        reason=f"'{later} ' || {later} || ' före {earlier} ' || {earlier}",
        columns=(earlier, later),
        expect=(
            Expect(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": later,
                    "column_B": earlier,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            ),
        ),
    )


_THING = {"inskrivningar": "registration", "insatser": "insats", "utbetalningar": "payment"}


def _duplicates(kalla: str) -> tuple[RowRule, RowRule]:
    id_col = ID_COLUMN[kalla]
    unique = (Expect("ExpectColumnValuesToBeUnique", {"column": id_col}),)
    identical = RowRule(
        id="dubblett_identisk",
        kalla=kalla,
        checks=f"a row identical to an earlier row with the same `{id_col}` is counted once: the extra "
        "copies are quarantined (and count in `karantanandel` and `marts.datakvalitet`)",
        why="a re-sent row must not count a person or a payment twice",
        breaks="_dubblett_nr > 1 AND NOT _dubblett_konflikt",
        reason=f"'identisk kopia av {id_col} ' || citat({id_col}) || ' (räknas en gång)'",
        columns=(id_col,),
        expect=unique,
    )
    conflict = RowRule(
        id="dubblett_konflikt",
        kalla=kalla,
        checks=f"rows that share a `{id_col}` but differ are all quarantined",
        why=f"when two rows disagree about one {_THING[kalla]}, neither can be trusted",
        breaks="_dubblett_konflikt",
        reason=f"'{id_col} ' || citat({id_col}) || ' förekommer ' || _dubblett_antal || "
        "' gånger med olika innehåll'",
        columns=(id_col,),
        expect=unique,
    )
    return identical, conflict


# Staged columns that hold text: only there can a line break be left.
_TEXT_COLUMNS = {
    kalla: tuple(
        _staged(c)
        for c in cols
        if c not in DATE_COLUMNS[kalla] + TIMESTAMP_COLUMNS[kalla]
        and c not in ("personnummer", "avser_manad", "belopp")
    )
    for kalla, cols in COLUMNS.items()
}


def extra_lines(table: str, kalla: str) -> str:
    """SQL: the line breaks in the raw fields of `table` (a raw row of `kalla`), i.e. how many lines of
    its file the row holds beyond its first (a stray quote joins lines into one field)."""
    return " + ".join(
        f"coalesce(length({table}.{c}) - length(replace({table}.{c}, chr(10), '')), 0)"
        for c in COLUMNS[kalla]
    )


def _line_break(kalla: str) -> RowRule:
    cols = COLUMNS[kalla]
    breaks = extra_lines("_ratt", kalla)
    names = ", ".join(f"CASE WHEN contains(_ratt.{c}, chr(10)) THEN '{c}' END" for c in cols)
    staged = " || ".join(f"coalesce({c}, '')" for c in _TEXT_COLUMNS[kalla])
    return RowRule(
        id="radbrytning_i_falt",
        kalla=kalla,
        checks='no field holds a line break (an unclosed quote `"` joins the lines after it into one '
        "field, up to the next quote); a row breaking it is quarantined under this rule alone, as its "
        "fields are not what they claim to be, with the number of lines it joined",
        why="the CSV dialect of docs/source-files.md has no line breaks in fields; the lines a stray quote "
        "swallowed are rows of "
        "their own, and would otherwise be lost without a trace",
        breaks=f"{' OR '.join(f'contains(_ratt.{c}, chr(10))' for c in cols)}",
        reason=f"'fält med radbrytning (' || concat_ws(', ', {names}) || '): ett citattecken som inte "
        f"stängs slog ihop ' || ({breaks} + 1) || ' rader'",
        columns=cols,
        expect=(
            Expect(
                "UnexpectedRowsExpectation",
                {
                    "unexpected_rows_query": f"SELECT {ID_COLUMN[kalla]} FROM {{batch}} "
                    f"WHERE strpos({staged}, chr(10)) > 0",
                    "description": "no staged text holds a line break",
                },
            ),
        ),
        exclusive=True,
    )


_REGISTRATION_IN_STAGING = Expect(
    "UnexpectedRowsExpectation",
    {
        # null-safe: `x NOT IN (... NULL ...)` is NULL, never true
        "unexpected_rows_query": "SELECT insats_id FROM {batch} WHERE inskrivning_id IS NULL OR "
        "inskrivning_id NOT IN (SELECT inskrivning_id FROM staging.inskrivningar "
        "WHERE inskrivning_id IS NOT NULL)",
        "description": "every staged insats belongs to a staged registration",
    },
)

ROW_RULES: tuple[RowRule, ...] = (
    # inskrivningar
    _line_break("inskrivningar"),
    _required("inskrivningar"),
    _personnummer("inskrivningar"),
    _code("inskrivningar", "malgrupp", MALGRUPPER),
    _code("inskrivningar", "avslutsorsak", AVSLUTSORSAKER),
    _code("inskrivningar", "kon", KON),
    _dates("inskrivningar"),
    _order(
        "inskrivningar",
        "avslut_fore_inskrivning",
        "avslutsdatum",
        "inskrivningsdatum",
        "a registration cannot end before it starts",
    ),
    _order(
        "inskrivningar",
        "remiss_efter_inskrivning",
        "inskrivningsdatum",
        "remissdatum",
        "people come to Jobbtorg only by remiss from their district "
        "(Inrättande av Jobbtorg i Stockholm, 2007): the remiss comes first",
    ),
    RowRule(
        id="avslutsorsak_utan_avslut",
        kalla="inskrivningar",
        checks="an avslutsorsak only on a registration with an avslutsdatum",
        why="a reason without an end contradicts itself: is the person registered or not?",
        breaks="avslutsorsak IS NOT NULL AND _ratt.avslutsdatum IS NULL",
        reason="'avslutsorsak ' || citat(avslutsorsak) || ' men inget avslutsdatum'",
        columns=("avslutsorsak", "avslutsdatum"),
        expect=(
            Expect(
                "UnexpectedRowsExpectation",
                {
                    "unexpected_rows_query": "SELECT inskrivning_id FROM {batch} "
                    "WHERE avslutsorsak IS NOT NULL AND avslutsdatum IS NULL",
                    "description": "no avslutsorsak without an avslutsdatum",
                },
            ),
        ),
    ),
    _not_after_uttag("inskrivningar"),
    *_duplicates("inskrivningar"),
    # insatser
    _line_break("insatser"),
    _required("insatser"),
    _code("insatser", "insatstyp", INSATSTYPER),
    _code("insatser", "regi", REGI),
    _dates("insatser"),
    _order("insatser", "slut_fore_start", "slutdatum", "startdatum", "an insats cannot end before it starts"),
    _not_after_uttag("insatser"),
    RowRule(
        id="inskrivning_saknas",
        kalla="insatser",
        checks="the insats belongs to a registration in the same extract",
        why="the person and the jobbtorg of an insats come from its registration",
        breaks="_ratt.inskrivning_id IS NOT NULL AND NOT _inskrivning_finns",
        reason="'inskrivning_id ' || citat(inskrivning_id) || ' finns inte bland uttagets läsbara rader'",
        columns=("inskrivning_id",),
        expect=(_REGISTRATION_IN_STAGING,),
    ),
    RowRule(
        id="inskrivning_i_karantan",
        kalla="insatser",
        checks="the insats's registration is not itself in quarantine",
        why="without a trusted registration the insats has no trusted person or jobbtorg",
        breaks="_inskrivning_finns AND NOT _inskrivning_godkand",
        reason="'inskrivning_id ' || citat(inskrivning_id) || ' är i karantän'",
        columns=("inskrivning_id",),
        expect=(_REGISTRATION_IN_STAGING,),
    ),
    *_duplicates("insatser"),
    # utbetalningar
    _line_break("utbetalningar"),
    _required("utbetalningar"),
    _personnummer("utbetalningar"),
    RowRule(
        id="avser_manad_giltig",
        kalla="utbetalningar",
        checks="`avser_manad` is a real month `YYYY-MM`",
        why="self-sufficiency is judged per month the assistance is for",
        breaks="_ratt.avser_manad IS NOT NULL AND avser_manad IS NULL",
        reason="'avser_manad ' || citat(_ratt.avser_manad) || ' är ingen månad YYYY-MM'",
        columns=("avser_manad",),
        expect=_not_null("avser_manad"),
    ),
    RowRule(
        id="belopp_tal",
        kalla="utbetalningar",
        checks="`belopp` is a number in SEK (decimal point or comma, at most two decimals; a space, "
        "also a no-break space U+00A0 or U+202F, only between groups of three digits)",
        why="an amount that cannot be read cannot be netted",
        breaks="_ratt.belopp IS NOT NULL AND belopp IS NULL",
        reason="'belopp ' || citat(_ratt.belopp) || ' är inget tal'",
        columns=("belopp",),
        expect=_not_null("belopp"),
    ),
    _code("utbetalningar", "bistandstyp", BISTANDSTYPER),
    _dates("utbetalningar"),
    *_duplicates("utbetalningar"),
)

# Lines the CSV reader could not split into the header's fields (the CSV dialect of docs/source-files.md).
REJECTED_LINE_RULE = "felaktig_rad"
REJECTED_LINE_TEXT = (
    "the line has as many fields as the header (and no quote left open to the end of the file); the reason "
    "says how many fields were expected and found"
)

DATASET_RULES: tuple[DatasetRule, ...] = (
    DatasetRule(
        id="filer_lasbara",
        checks="every file of the extract can be read: UTF-8 (with or without BOM) or Windows-1252, not "
        "empty, a header with every contract column once (in any order)",
        why="docs/source-files.md; a file that cannot be read would silently drop a whole source from the "
        "statistics",
    ),
    DatasetRule(
        id="inte_trunkerad",
        checks="no source has fewer rows than its baseline less the tolerance "
        "(JOBBTORG_TRUNCATION_TOLERANCE, default 10 %): the baseline is the last published run's rows "
        "for the same file (payments: the same month), else the previous complete snapshot",
        why="a cut-off extract looks like people leaving; the figures would drop for no reason",
    ),
    DatasetRule(
        id="radredovisning",
        checks="for every source file, rows read = rows staged + rows quarantined; and the file's data "
        "lines = rows read (parsed or rejected by the CSV reader) + the lines held inside a row past its "
        "first (a quoted line break) + blank lines (no data: skipped)",
        why="nothing read may be lost: every row is counted or has a reason, and every line of the file is "
        "in a row or blank (an unclosed quote once swallowed 10 lines into one field and nobody noticed)",
    ),
    DatasetRule(
        id="karantanandel",
        checks="the share of rows in quarantine is at most the ceiling (JOBBTORG_QUARANTINE_CEILING, default "
        "5 %) for each source as a whole and for each of its files on its own (a payment month): a file of "
        "fewer than 100 rows is judged as if it had 100, so one bad row in the month in progress does not "
        "block; counted in lines of the files, so a quarantined row that an unclosed quote joined from 11 "
        "lines counts 11, and every extra copy of an identical duplicate counts as well",
        why="a broken extract quarantines many rows; publishing what is left would misstate the figures. One "
        "mostly bad month is only 2 % of four years of payments, yet it makes that month's follow-ups look "
        "self-sufficient",
    ),
    DatasetRule(
        id="manad_inte_for_liten",
        checks="every delivered payment month has at least half the median row count of the up to 12 "
        "delivered months before it (judged once 3 months lie before it); the months still in progress, "
        "the one holding the uttagsdatum and the one holding the latest payment date, are not judged",
        why="a month delivered empty or half (a new month's file with only its header) counts as delivered: "
        "everyone followed into it would look self-sufficient",
    ),
    DatasetRule(
        id="uttag_inte_framtida",
        checks="the uttagsdatum (the snapshot folder's date) is not after today",
        why="a snapshot folder dated in the future (a typing error, a copied folder) would become the "
        "extract's date: the periods would run to that date and ongoing registrations be judged at it",
    ),
    DatasetRule(
        id="uttag_inte_aldre",
        checks="the uttagsdatum is not before the one of the figures already published, unless the operator "
        "allows it for the run (`jobbtorg run --allow-older-snapshot` or JOBBTORG_ALLOW_OLDER_SNAPSHOT=1)",
        why="with the newest snapshot removed, or being re-delivered without _SUCCESS, the run would read "
        "the snapshot before it and publish older figures over newer ones",
    ),
)

# One row per month from the first to the last delivered payment month; `varde` is the month when a
# delivery holds it, else NULL. Files name their month; payments from PostgreSQL (no files) count the
# months of their payment dates, as staging.utbetalningsmanader does.
_MONTHS_DELIVERED = (
    "WITH levererade AS ("
    "SELECT DISTINCT strptime(manad, '%Y-%m')::DATE AS manad FROM raw.filer "
    "WHERE kalla = 'utbetalningar' AND status = 'last' AND manad IS NOT NULL "
    "UNION SELECT DISTINCT date_trunc('month', utbetalningsdatum)::DATE FROM staging.utbetalningar "
    "WHERE NOT EXISTS (SELECT 1 FROM raw.filer WHERE kalla = 'utbetalningar' AND manad IS NOT NULL)), "
    "spann AS (SELECT unnest(generate_series(min(manad), max(manad), INTERVAL 1 MONTH))::DATE AS manad "
    "FROM levererade) "
    "SELECT strftime(s.manad, '%Y-%m') AS manad, l.manad AS varde "
    "FROM spann AS s LEFT JOIN levererade AS l USING (manad)"
)

# A registration's stadsdel against the reference table's names, matched as staging.inskrivning_grupp
# matches them (`varde` is NULL for a name not in the table).
_STADSDEL_MATCHED = (
    "SELECT i.stadsdel, s.nyckel AS varde FROM staging.inskrivningar AS i "
    "LEFT JOIN (SELECT DISTINCT nyckel FROM staging.stadsdelar) AS s "
    "ON s.nyckel = lower(regexp_replace(trim(i.stadsdel), '\\s+', ' ', 'g'))"
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="avslut_utan_orsak",
        kalla="inskrivningar",
        checks="share of avslut without an avslutsorsak",
        why="Inrättande av Jobbtorg i Stockholm, 2007: 11 % of the exits in the 2002-2006 projects had no "
        "recorded reason, a known defect",
        threshold=0.11,
        query="SELECT avslutsorsak AS varde FROM staging.inskrivningar WHERE avslutsdatum IS NOT NULL",
        expect=Expect("ExpectColumnValuesToNotBeNull", {"column": "varde"}),
    ),
    Indicator(
        id="aktivitetsplan_inom_5_dagar",
        kalla="inskrivningar",
        checks="share of registrations (begun at least 5 days before the uttagsdatum, and still there on "
        "day 5 or with a plan by then) without an aktivitetsplan within 5 days of the inskrivningsdatum "
        "(a plan dated before it is day 0); the denominator of marts.processen",
        why="Inrättande av Jobbtorg i Stockholm, 2007: an aktivitetsplan is drawn up within 5 days for those "
        "still at Jobbtorg then",
        threshold=0.20,
        query="SELECT CASE WHEN aktivitetsplan_datum IS NULL THEN 9999 "
        "ELSE greatest(aktivitetsplan_datum - inskrivningsdatum, 0) END AS varde "
        "FROM staging.inskrivningar, raw.uttag WHERE inskrivningsdatum <= uttagsdatum - 5 "
        "AND (avslutsdatum IS NULL OR avslutsdatum >= inskrivningsdatum + 5 "
        "OR aktivitetsplan_datum - inskrivningsdatum <= 5)",
        expect=Expect("ExpectColumnValuesToBeBetween", {"column": "varde", "max_value": 5}),
    ),
    Indicator(
        id="utbetalningsmanad_saknas",
        kalla="utbetalningar",
        checks="share of the months from the first to the last delivered payment month that have no delivery",
        why="the follow-up marts read a month without payments as a month without försörjningsstöd: a "
        "missing delivery would count everyone as self-sufficient in it",
        threshold=0.0,
        query=_MONTHS_DELIVERED,
        expect=Expect("ExpectColumnValuesToNotBeNull", {"column": "varde"}),
        listing=f"SELECT manad FROM ({_MONTHS_DELIVERED}) WHERE varde IS NULL ORDER BY manad",
        listing_name="missing_months",
    ),
    Indicator(
        id="stadsdel_okand",
        kalla="inskrivningar",
        checks="share of registrations whose stadsdel is not a district of the city's reference table "
        "(matched ignoring case and surrounding or repeated spaces); the breakdown tables count them under "
        "the stadsdel `okänd`",
        why="the districts refer the people and pay the försörjningsstöd, and follow their own residents in "
        "the breakdown by stadsdel: a misspelt or unknown name would drop out of its district's series",
        threshold=0.0,
        query=_STADSDEL_MATCHED,
        expect=Expect("ExpectColumnValuesToNotBeNull", {"column": "varde"}),
        listing=f"SELECT DISTINCT stadsdel FROM ({_STADSDEL_MATCHED}) WHERE varde IS NULL ORDER BY stadsdel",
        listing_name="unknown_districts",
    ),
    Indicator(
        id="insats_utan_planerat_slut",
        kalla="insatser",
        checks="share of insatser without a planerat_slutdatum",
        why="Inrättande av Jobbtorg i Stockholm, 2007: every insats is described and bounded in time",
        threshold=0.05,
        query="SELECT planerat_slutdatum AS varde FROM staging.insatser",
        expect=Expect("ExpectColumnValuesToNotBeNull", {"column": "varde"}),
    ),
    Indicator(
        id="extern_utan_anordnare",
        kalla="insatser",
        checks="share of extern insatser without an anordnare (provider `okänd` in marts.anordnare)",
        why="the founding decision (kommunfullmäktige, 2007): procured insatser are to be evaluated as the "
        "city's own, which needs the provider of each",
        threshold=0.0,
        query="SELECT anordnare AS varde FROM staging.insatser WHERE regi = 'extern'",
        expect=Expect("ExpectColumnValuesToNotBeNull", {"column": "varde"}),
        listing="SELECT insats_id FROM staging.insatser WHERE regi = 'extern' AND anordnare IS NULL "
        "ORDER BY insats_id LIMIT 20",
        listing_name="insatser_utan_anordnare",
    ),
)


def rules_for(kalla: str) -> tuple[RowRule, ...]:
    return tuple(rule for rule in ROW_RULES if rule.kalla == kalla)


def indicators_for(kalla: str) -> tuple[Indicator, ...]:
    return tuple(i for i in INDICATORS if i.kalla == kalla)

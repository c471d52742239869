"""The source extracts' columns and code lists, as fixed by docs/source-files.md (the outside contract)."""

from __future__ import annotations

import re

INSKRIVNINGAR = (
    "inskrivning_id",
    "personnummer",
    "kon",
    "stadsdel",
    "jobbtorg",
    "malgrupp",
    "remissdatum",
    "inskrivningsdatum",
    "aktivitetsplan_datum",
    "avslutsdatum",
    "avslutsorsak",
    "andrad_tid",
)

INSATSER = (
    "insats_id",
    "inskrivning_id",
    "insatstyp",
    "regi",
    "anordnare",
    "startdatum",
    "planerat_slutdatum",
    "slutdatum",
    "andrad_tid",
)

UTBETALNINGAR = (
    "utbetalning_id",
    "personnummer",
    "hushall_id",
    "stadsdel",
    "avser_manad",
    "utbetalningsdatum",
    "belopp",
    "bistandstyp",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "inskrivningar": INSKRIVNINGAR,
    "insatser": INSATSER,
    "utbetalningar": UTBETALNINGAR,
}

KALLOR = tuple(COLUMNS)  # the three sources, in this order wherever they are listed
ARENDESYSTEM_KALLOR = ("inskrivningar", "insatser")  # the case system's, read together from one snapshot

# Columns the contract marks "or empty"; every other column is required.
OPTIONAL: dict[str, frozenset[str]] = {
    "inskrivningar": frozenset({"kon", "aktivitetsplan_datum", "avslutsdatum", "avslutsorsak"}),
    "insatser": frozenset({"anordnare", "planerat_slutdatum", "slutdatum"}),
    "utbetalningar": frozenset(),
}

MALGRUPPER = ("fsst_arbetsloshet", "fsst_annat", "sfi", "etablering", "ungdom", "funktionsnedsattning")

AVSLUTSORSAKER = (
    "arbete_osubventionerat",
    "arbete_subventionerat",
    "studier",
    "aterremiss",
    "flytt",
    "sjukdom",
    "foraldraledighet",
    "annan",
)

# "Avslut groups"; `saknas` = no reason recorded.
AVSLUTSGRUPP = {
    "arbete_osubventionerat": "arbete",
    "arbete_subventionerat": "arbete",
    "studier": "studier",
    "aterremiss": "aterremiss",
    "flytt": "ovrigt",
    "sjukdom": "ovrigt",
    "foraldraledighet": "ovrigt",
    "annan": "ovrigt",
}

INSATSTYPER = (
    "kartlaggning",
    "vagledning",
    "coachning",
    "jobbsok",
    "matchning",
    "forberedande",
    "arbetstraning",
    "praktik",
    "sfi",
    "yrkesutbildning",
    "validering",
    "visstidsanstallning",
    "supported_employment",
    "ips",
    "starta_eget",
)

REGI = ("egen", "extern")
KON = ("K", "M")
BISTANDSTYPER = ("forsorjningsstod", "ovrigt")


# --- Which files are deliveries ----------------------------------------------------------------------
# The one rule for the names of the extract files (written for users in docs/operations.md, "Which files
# are read"). Anything else in the source folders is an unknown file: listed in raw.filer and the run's
# log, never read, so a stray copy beside a delivery can never replace it.
CASE_SYSTEM_DIR = "arendesystem"
PAYMENTS_DIR = "utbetalningar"
SUCCESS_MARKER = "_SUCCESS"
SNAPSHOT_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # the snapshot's date, the uttagsdatum
SNAPSHOT_FILES = ("inskrivningar.csv", "insatser.csv", SUCCESS_MARKER)
# utbetalningar_YYYY-MM.csv is a month's delivery; utbetalningar_YYYY-MM_N.csv (N = 1, 2, ...) is its
# re-delivery number N. Lower case, as written; the highest N of a month replaces the others as a whole.
PAYMENT_FILE = re.compile(r"^utbetalningar_(\d{4})-(0[1-9]|1[0-2])(?:_([1-9]\d{0,3}))?\.csv$")
PAYMENT_FILE_RULE = "utbetalningar_YYYY-MM.csv, or utbetalningar_YYYY-MM_N.csv for re-delivery number N"


def settling(mtime: float, settle_seconds: float, now: float) -> bool:
    """A file changed less than `settle_seconds` before `now` (both in seconds since the epoch) may still
    be being copied: it is not yet a delivery. The sensor waits for it; a run leaves it out."""
    return now - mtime < settle_seconds


def payment_file(name: str) -> tuple[str, int] | None:
    """(the month `YYYY-MM`, the re-delivery number: 0 for the first delivery) of a delivery's file name;
    None for any other name."""
    match = PAYMENT_FILE.match(name)
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2)}", int(match.group(3) or 0)

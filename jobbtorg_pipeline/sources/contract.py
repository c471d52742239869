"""The source extracts' columns and code lists, as fixed by docs/source-files.md (the outside contract)."""

from __future__ import annotations

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

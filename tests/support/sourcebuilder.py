"""Hand-built source extracts in the layout of CONTRACT §1, for tests whose answers are worked out by hand.

Only the fields a test is about need to be given; the rest get plain valid defaults (remissdatum three
days before inskrivning, målgrupp fsst_arbetsloshet, a district of the jobbtorg, ...).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from jobbtorg_pipeline.sources.contract import INSATSER, INSKRIVNINGAR, UTBETALNINGAR

JARVA = "Jobbtorg Järva"
SYDOST = "Jobbtorg Sydost"
SYDVAST = "Jobbtorg Sydväst"
INNERSTADEN = "Jobbtorg Innerstaden"
VASTERORT = "Jobbtorg Västerort"

_DISTRICT = {
    JARVA: "Rinkeby-Kista",
    SYDOST: "Farsta",
    SYDVAST: "Skärholmen",
    INNERSTADEN: "Södermalm",
    VASTERORT: "Bromma",
}


def luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 - i % 2)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10


def pnr(born: str, serial: int, *, woman: bool, samordning: bool = False, form: str = "12") -> str:
    """A valid number for a person born `born` (YYYYMMDD); `serial` 1-99 keeps persons apart.

    form: "12" YYYYMMDDNNNC, "12-" YYYYMMDD-NNNC, "10" YYMMDDNNNC, "10-" YYMMDD-NNNC, "10+" YYMMDD+NNNC.
    """
    day = int(born[6:8]) + (60 if samordning else 0)
    third = (2 * (serial % 5)) + (0 if woman else 1)  # even for women, odd for men
    nnn = f"{serial // 5 % 100:02d}{third}"
    nine = f"{born[2:6]}{day:02d}{nnn}"
    check = luhn_digit(nine)
    ten = f"{nine}{check}"
    century = born[:2]
    return {
        "12": f"{century}{ten}",
        "12-": f"{century}{ten[:6]}-{ten[6:]}",
        "10": ten,
        "10-": f"{ten[:6]}-{ten[6:]}",
        "10+": f"{ten[:6]}+{ten[6:]}",
    }[form]


def _d(text: str | None, days: int) -> str:
    return "" if not text else (date.fromisoformat(text) + timedelta(days=days)).isoformat()


@dataclass
class SourceBuilder:
    root: Path
    uttagsdatum: str
    inskrivningar: list[dict[str, str]] = field(default_factory=list)
    insatser: list[dict[str, str]] = field(default_factory=list)
    utbetalningar: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def inskrivning(
        self,
        inskrivning_id: str,
        personnummer: str,
        start: str,
        slut: str | None = None,
        orsak: str | None = None,
        *,
        jobbtorg: str = JARVA,
        kon: str = "",
        malgrupp: str = "fsst_arbetsloshet",
        **overrides: str,
    ) -> SourceBuilder:
        row = {
            "inskrivning_id": inskrivning_id,
            "personnummer": personnummer,
            "kon": kon,
            "stadsdel": _DISTRICT.get(jobbtorg, "Rinkeby-Kista"),
            "jobbtorg": jobbtorg,
            "malgrupp": malgrupp,
            "remissdatum": _d(start, -3),
            "inskrivningsdatum": start,
            "aktivitetsplan_datum": _d(start, 2),
            "avslutsdatum": slut or "",
            "avslutsorsak": orsak or "",
            "andrad_tid": f"{slut or start} 12:00:00",
        }
        row.update(overrides)
        self.inskrivningar.append(row)
        return self

    def insats(
        self,
        insats_id: str,
        inskrivning_id: str,
        insatstyp: str,
        start: str,
        slut: str | None = None,
        *,
        regi: str = "egen",
        **overrides: str,
    ) -> SourceBuilder:
        row = {
            "insats_id": insats_id,
            "inskrivning_id": inskrivning_id,
            "insatstyp": insatstyp,
            "regi": regi,
            "anordnare": "" if regi == "egen" else "Anordnare AB",
            "startdatum": start,
            "planerat_slutdatum": _d(start, 90),
            "slutdatum": slut or "",
            "andrad_tid": f"{slut or start} 12:00:00",
        }
        row.update(overrides)
        self.insatser.append(row)
        return self

    def utbetalning(
        self,
        utbetalning_id: str,
        personnummer: str,
        avser_manad: str,
        belopp: str,
        *,
        fil_manad: str | None = None,
        bistandstyp: str = "forsorjningsstod",
        **overrides: str,
    ) -> SourceBuilder:
        month = fil_manad or avser_manad
        row = {
            "utbetalning_id": utbetalning_id,
            "personnummer": personnummer,
            "hushall_id": f"H-{personnummer[-4:]}",
            "stadsdel": "Rinkeby-Kista",
            "avser_manad": avser_manad,
            "utbetalningsdatum": f"{month}-25",
            "belopp": belopp,
            "bistandstyp": bistandstyp,
        }
        row.update(overrides)
        self.utbetalningar.setdefault(month, []).append(row)
        return self

    def write(self, *, complete: bool = True, encoding: str = "utf-8") -> Path:
        snapshot = self.root / "arendesystem" / self.uttagsdatum
        snapshot.mkdir(parents=True, exist_ok=True)
        write_csv(snapshot / "inskrivningar.csv", INSKRIVNINGAR, self.inskrivningar, encoding)
        write_csv(snapshot / "insatser.csv", INSATSER, self.insatser, encoding)
        payments = self.root / "utbetalningar"
        payments.mkdir(parents=True, exist_ok=True)
        for month, rows in sorted(self.utbetalningar.items()):
            write_csv(payments / f"utbetalningar_{month}.csv", UTBETALNINGAR, rows, encoding)
        if complete:
            (snapshot / "_SUCCESS").touch()
        return self.root


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

"""Writing the extracts: as-of snapshots of the case system and the monthly payment files.

A snapshot as of day D is a consistent view of the one history: the registrations and insatser that have
started by D, with ends, reasons and activity plans only when they fall on or before D, and andrad_tid
the latest of those events. So every snapshot agrees with every other, as a real daily extract would.

Payment files differ in dialect on purpose, chosen by the file's position among the months (so any
start and end give the same pattern):
- the file at the middle position is Windows-1252 with a decimal comma (an old export from a desktop
  tool); if that month held no non-ASCII character the next month that does takes the role;
- files at positions 0, 12, 24, ... (other than the Windows-1252 one) are UTF-8 with a BOM;
- files at positions 3, 9, 15, ... use a decimal comma; all others a decimal point, UTF-8 without BOM.

With the default dates (2017-01-01 to 2020-10-01: files 2016-10 to 2020-10) that is: Windows-1252
`utbetalningar_2018-10.csv`; BOM 2016-10, 2017-10, 2019-10, 2020-10; decimal comma 2017-01, 2017-07,
2018-01, 2018-07, 2018-10, 2019-01, 2019-07, 2020-01, 2020-07. GenerationSummary reports the actual names.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from jobbtorg_pipeline.sources.contract import (
    AVSLUTSORSAKER,
    BISTANDSTYPER,
    INSATSER,
    INSATSTYPER,
    INSKRIVNINGAR,
    MALGRUPPER,
    REGI,
    UTBETALNINGAR,
)

from .common import MISSING, SECONDS_PER_DAY, IntArray, month_start, ymd
from .districts import Districts
from .formats import draw_formats, spell_belopp, spell_ids, spell_pnr
from .insatser import ANORDNARE, Insatser
from .payments import Payments
from .people import Persons
from .registrations import SAKNAS, Registrations

INSKRIVNING_PREFIX, INSATS_PREFIX, UTBETALNING_PREFIX, HUSHALL_PREFIX = "I", "S", "U", "H"
ID_WIDTH, UTBETALNING_WIDTH = 8, 9
PARTIAL_SHARE = 0.6  # how much of inskrivningar.csv the interrupted snapshot got to write


def _labels(labels: tuple[str, ...] | list[str], codes: IntArray) -> pl.Series:
    """Codes to text; a negative code is an empty field."""
    codes = np.asarray(codes, dtype=np.int64)
    index = pl.Series(codes).set(pl.Series(codes < 0), None)
    return pl.Series(list(labels), dtype=pl.String).gather(index)


def _dates(days: IntArray) -> pl.Series:
    s = pl.Series(np.asarray(days, dtype=np.int32))
    return pl.select(pl.when(s != MISSING).then(s).cast(pl.Date)).to_series()


def _timestamps(days: IntArray, seconds: IntArray) -> pl.Series:
    micros = (np.asarray(days, dtype=np.int64) * SECONDS_PER_DAY + seconds) * 1_000_000
    return pl.Series(micros).cast(pl.Datetime("us"))


def _write(frame: pl.DataFrame, target: Path | io.BytesIO) -> None:
    """The contract's dialect: `;`, ISO dates, `YYYY-MM-DD HH:MM:SS` timestamps, empty = missing."""
    frame.write_csv(
        target, separator=";", date_format="%Y-%m-%d", datetime_format="%Y-%m-%d %H:%M:%S", null_value=""
    )


@dataclass
class SnapshotWriter:
    """Writes snapshot folders; the registrations' personnummer are spelled once for all snapshots."""

    regs: Registrations
    insatser: Insatser
    persons: Persons
    districts: Districts
    pnr: pl.Series = field(init=False)

    def __post_init__(self) -> None:
        self.pnr = spell_pnr(
            self.persons.pnr12.gather(self.regs.person),
            self.regs.fmt,
            self.persons.centenarian[self.regs.person],
        )

    def inskrivningar(self, as_of: int) -> pl.DataFrame:
        r = self.regs
        k = int(np.searchsorted(r.ins, as_of, side="right"))  # sorted by inskrivningsdatum
        ended = r.avs[:k] <= as_of
        avs = np.where(ended, r.avs[:k], MISSING)
        orsak = np.where(ended & (r.orsak[:k] != SAKNAS), r.orsak[:k], -1)
        apd = np.where((r.apd[:k] != MISSING) & (r.apd[:k] <= as_of), r.apd[:k], MISSING)
        changed = np.maximum.reduce([r.remiss[:k], r.ins[:k], apd, avs])
        columns = {
            "inskrivning_id": spell_ids(INSKRIVNING_PREFIX, np.arange(1, k + 1), ID_WIDTH),
            "personnummer": self.pnr[:k],
            "kon": _labels(("K", "M"), np.where(r.kon[:k] == 2, -1, r.kon[:k])),
            "stadsdel": _labels(list(self.districts.names), r.row[:k]),
            "jobbtorg": _labels(self.districts.jobbtorg_names, r.jobbtorg[:k]),
            "malgrupp": _labels(MALGRUPPER, r.malgrupp[:k]),
            "remissdatum": _dates(r.remiss[:k]),
            "inskrivningsdatum": _dates(r.ins[:k]),
            "aktivitetsplan_datum": _dates(apd),
            "avslutsdatum": _dates(avs),
            "avslutsorsak": _labels(AVSLUTSORSAKER, orsak),
            "andrad_tid": _timestamps(changed, r.tod[:k]),
        }
        return pl.DataFrame(columns).select(INSKRIVNINGAR)

    def insatser_frame(self, as_of: int) -> pl.DataFrame:
        s = self.insatser
        k = int(np.searchsorted(s.start, as_of, side="right"))  # sorted by startdatum
        slut = np.where(s.slut[:k] <= as_of, s.slut[:k], MISSING)
        columns = {
            "insats_id": spell_ids(INSATS_PREFIX, np.arange(1, k + 1), ID_WIDTH),
            "inskrivning_id": spell_ids(INSKRIVNING_PREFIX, s.reg[:k] + 1, ID_WIDTH),
            "insatstyp": _labels(INSATSTYPER, s.typ[:k]),
            "regi": _labels(REGI, s.extern[:k].astype(np.int64)),
            "anordnare": _labels(ANORDNARE, s.anordnare[:k]),
            "startdatum": _dates(s.start[:k]),
            "planerat_slutdatum": _dates(s.planned[:k]),
            "slutdatum": _dates(slut),
            "andrad_tid": _timestamps(np.maximum(s.start[:k], slut), s.tod[:k]),
        }
        return pl.DataFrame(columns).select(INSATSER)

    def write(self, folder: Path, as_of: int, complete: bool) -> tuple[int, int]:
        """One snapshot folder; `_SUCCESS` last. An incomplete one stops part-way through inskrivningar."""
        folder.mkdir(parents=True, exist_ok=False)
        inskrivningar = self.inskrivningar(as_of)
        if not complete:
            _write(
                inskrivningar.head(int(inskrivningar.height * PARTIAL_SHARE)), folder / "inskrivningar.csv"
            )
            return inskrivningar.height, 0
        insatser = self.insatser_frame(as_of)
        _write(inskrivningar, folder / "inskrivningar.csv")
        _write(insatser, folder / "insatser.csv")
        (folder / "_SUCCESS").write_bytes(b"")
        return inskrivningar.height, insatser.height


@dataclass
class PaymentFiles:
    names: list[str] = field(default_factory=list)
    cp1252: str | None = None
    bom: list[str] = field(default_factory=list)
    decimal_comma: list[str] = field(default_factory=list)
    rows: int = 0


def write_payments(
    folder: Path,
    payments: Payments,
    persons: Persons,
    districts: Districts,
    months: IntArray,
    rng: np.random.Generator,
    progress: Callable[[str], None],
) -> PaymentFiles:
    """One file per payment month, written month by month so memory stays flat."""
    folder.mkdir(parents=True, exist_ok=False)
    result = PaymentFiles()
    bounds = np.searchsorted(payments.day, month_start(np.append(months, months[-1] + 1)))
    middle = months.size // 2
    progress(f"writing {months.size} payment files, one per month, to {folder}")  # one line, not one per file
    for i, month in enumerate(months):  # a loop over the ~50 months; each month is vectorised
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        year, mon, _ = ymd(month_start(np.array([month])))
        name = f"utbetalningar_{int(year[0]):04d}-{int(mon[0]):02d}.csv"
        person = payments.person[lo:hi]
        day = payments.day[lo:hi]
        old = persons.centenarian[person]
        rows = districts.row_at(payments.area[lo:hi], day)
        non_ascii = any(not districts.names[j].isascii() for j in np.unique(rows))
        cp1252 = result.cp1252 is None and i >= middle and non_ascii
        comma = cp1252 or i % 6 == 3
        bom = not cp1252 and i % 12 == 0
        ay, am, _ = ymd(month_start(payments.avser[lo:hi]))
        frame = pl.DataFrame(
            {
                "utbetalning_id": spell_ids(UTBETALNING_PREFIX, np.arange(lo + 1, hi + 1), UTBETALNING_WIDTH),
                "personnummer": spell_pnr(persons.pnr12.gather(person), draw_formats(rng, old), old),
                "hushall_id": spell_ids(HUSHALL_PREFIX, persons.hushall[person], ID_WIDTH),
                "stadsdel": _labels(list(districts.names), rows),
                "avser_manad": pl.select(
                    pl.concat_str(
                        pl.Series(ay).cast(pl.String), pl.lit("-"), pl.Series(am).cast(pl.String).str.zfill(2)
                    )
                ).to_series(),
                "utbetalningsdatum": _dates(day),
                "belopp": spell_belopp(payments.ore[lo:hi], comma),
                "bistandstyp": _labels(BISTANDSTYPER, payments.ovrigt[lo:hi].astype(np.int64)),
            }
        ).select(UTBETALNINGAR)
        buffer = io.BytesIO()
        _write(frame, buffer)
        data = buffer.getvalue()
        if cp1252:
            data = data.decode("utf-8").encode("cp1252")
            result.cp1252 = name
        elif bom:
            data = codecs.BOM_UTF8 + data
            result.bom.append(name)
        if comma:
            result.decimal_comma.append(name)
        (folder / name).write_bytes(data)
        result.names.append(name)
        result.rows += frame.height
    return result

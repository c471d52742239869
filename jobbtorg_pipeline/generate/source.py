"""generate_source: a whole synthetic source in the layout of docs/source-files.md.

Same arguments, same bytes: every draw comes from numpy Generators seeded from `seed` (one stream per
part), nothing reads the clock, and rows are written in a fixed order.

Snapshots of the case system: end - 14 days, end - 7 days and end (complete, with `_SUCCESS`), and one
dated end + 1 day that was interrupted: part of inskrivningar.csv, no insatser.csv, no `_SUCCESS`.
The history is simulated up to end + 1 day so that this last folder has news in it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from .common import child_rng, day_number, month_of, month_start
from .districts import Districts, read_stadsdelar
from .insatser import make_insatser
from .payments import make_payments
from .people import make_persons
from .registrations import make_registrations
from .writing import SnapshotWriter, write_payments

SNAPSHOT_DAYS_BEFORE_END = (14, 7, 0)
MARKER = ".jobbtorg-generated.json"  # marks a folder this generator may overwrite


@dataclass(frozen=True)
class GenerationSummary:
    out: Path
    people: int
    seed: int
    start: date
    end: date
    uttagsdatum: date
    n_inskrivningar: int  # rows in the newest complete snapshot
    n_insatser: int  # rows in the newest complete snapshot
    n_utbetalningar: int  # rows over all payment files
    n_payment_only: int  # recipients never registered at Jobbtorg, on top of `people`
    snapshot_dirs: list[str] = field(default_factory=list)  # oldest first; the last is incomplete
    payment_files: list[str] = field(default_factory=list)
    cp1252_file: str | None = None
    bom_files: list[str] = field(default_factory=list)
    decimal_comma_files: list[str] = field(default_factory=list)


def _prepare(out: Path, params: dict[str, object]) -> None:
    """Refuse to overwrite extracts this generator did not write; replace those it did."""
    out.mkdir(parents=True, exist_ok=True)
    ours = (out / MARKER).exists()
    for sub in ("arendesystem", "utbetalningar"):
        if (out / sub).exists():
            if not ours:
                raise FileExistsError(
                    f"{out / sub} exists and was not written by the generator; choose an empty folder"
                )
            shutil.rmtree(out / sub)
    (out / MARKER).write_text(json.dumps(params, sort_keys=True) + "\n", encoding="utf-8")


def _as_date(value: date) -> date:
    """A datetime is a date too, but one that cannot be subtracted from a date."""
    return value.date() if isinstance(value, datetime) else value


def generate_source(
    out: Path,
    people: int = 10_000,
    seed: int = 1,
    start: date = date(2017, 1, 1),
    end: date = date(2020, 10, 1),
    progress: Callable[[str], None] | None = None,
) -> GenerationSummary:
    """Write a synthetic source to `out`; `end` is the uttagsdatum of the newest complete snapshot."""
    start, end = _as_date(start), _as_date(end)
    if people < 1:
        raise ValueError("people must be at least 1")
    if seed < 0:
        raise ValueError("seed must be 0 or more")
    if end <= start:
        raise ValueError("end must come after start")
    say = progress or (lambda _line: None)
    out = Path(out)
    _prepare(out, {"people": people, "seed": seed, "start": start.isoformat(), "end": end.isoformat()})

    uttag = day_number(end)
    horizon = uttag + 1
    first_month = int(month_of(day_number(start))) - 3
    months = np.arange(first_month, int(month_of(uttag)) + 1)
    districts = Districts(read_stadsdelar(), base_day=int(month_start(first_month)))

    persons = make_persons(child_rng(seed, "persons"), people, start, end, districts)
    say(f"persons: {people:,} registered, {persons.n - people:,} payment-only")
    regs = make_registrations(child_rng(seed, "registrations"), persons, districts, uttag, horizon)
    say(f"registrations: {regs.n:,} in the history")
    insatser = make_insatser(child_rng(seed, "insatser"), regs, uttag, horizon)
    say(f"insatser: {insatser.n:,} in the history")
    payments = make_payments(child_rng(seed, "payments"), persons, regs, first_month, uttag)
    say(f"payments: {payments.n:,}")

    files = write_payments(
        out / "utbetalningar", payments, persons, districts, months, child_rng(seed, "payment-formats"), say
    )
    del payments

    writer = SnapshotWriter(regs, insatser, persons, districts)
    folders: list[str] = []
    counts = (0, 0)
    for back in SNAPSHOT_DAYS_BEFORE_END:
        day = end - timedelta(days=back)
        say(f"writing arendesystem/{day.isoformat()}")
        counts = writer.write(out / "arendesystem" / day.isoformat(), day_number(day), complete=True)
        folders.append(day.isoformat())
    incomplete = end + timedelta(days=1)
    say(f"writing arendesystem/{incomplete.isoformat()} (interrupted: no _SUCCESS)")
    writer.write(out / "arendesystem" / incomplete.isoformat(), day_number(incomplete), complete=False)
    folders.append(incomplete.isoformat())

    return GenerationSummary(
        out=out,
        people=people,
        seed=seed,
        start=start,
        end=end,
        uttagsdatum=end,
        n_inskrivningar=counts[0],
        n_insatser=counts[1],
        n_utbetalningar=files.rows,
        n_payment_only=persons.n - people,
        snapshot_dirs=folders,
        payment_files=files.names,
        cp1252_file=files.cp1252,
        bom_files=files.bom,
        decimal_comma_files=files.decimal_comma,
    )

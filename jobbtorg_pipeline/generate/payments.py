"""Payments of ekonomiskt bistånd (utbetalningar), one row per payment.

A registered person receives försörjningsstöd from a few months before the first referral, while
registered, and after the avslut with a chance that depends on how it ended: after work it mostly stops
within a month or two, after återremiss and the other reasons it mostly goes on. Periods of payment
("spells") come from the registrations, are merged per person, and unroll into one payment a month.
Payment-only recipients (never referred to Jobbtorg) get spells of their own.

On top of the monthly försörjningsstöd: about 5 % of rows are `ovrigt` (other assistance), about 2 % are
reclaims or corrections with a negative amount (some cancel a month's payment exactly), and some persons
are paid in arrears (avser_manad = the month before the payment).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import IntArray, exact_choice, month_of, month_start, pick, weighted_choice
from .people import Persons
from .registrations import Registrations

FIRST_LEAD = ((1, 2, 3, 4, 5, 6), (0.05, 0.15, 0.55, 0.15, 0.05, 0.05))  # months before the first referral
RETURN_LEAD = ((0, 1, 2), (0.5, 0.3, 0.2))
# After an avslut: chance that payments go on for long, and the short tail otherwise (months).
LONG_AFTER = {"arbete": 0.10, "studier": 0.25, "annat": 0.85}
LONG_MEAN_MONTHS = 36
ARREARS_SHARE = 0.15
OVRIGT_SHARE = 0.05
RECLAIM_SHARE = 0.02
FULL_RECLAIM_SHARE = 0.35
BASE, OVRIGT, RECLAIM = 0, 1, 2  # row kinds: sort order within a day and person


@dataclass(frozen=True)
class Payments:
    """Sorted by utbetalningsdatum, person, kind; row i has utbetalning_id number i + 1."""

    person: IntArray
    day: IntArray  # utbetalningsdatum
    avser: IntArray  # month number the assistance is for
    ore: IntArray  # amount in öre; negative = reclaim
    ovrigt: IntArray  # bool: bistandstyp `ovrigt` (else forsorjningsstod)
    area: IntArray

    @property
    def n(self) -> int:
        return self.day.size


def _after_avslut(rng: np.random.Generator, orsak: IntArray) -> IntArray:
    """Months of payment after the avslut month, by the avslut group."""
    n = orsak.size
    arbete = orsak <= 1
    studier = orsak == 2
    p_long = np.select([arbete, studier], [LONG_AFTER["arbete"], LONG_AFTER["studier"]], LONG_AFTER["annat"])
    short = np.select(
        [arbete, studier],
        [weighted_choice(rng, (0.5, 0.35, 0.15), n), rng.integers(0, 4, n)],
        rng.integers(0, 6, n),
    )
    long = 3 + rng.geometric(1 / LONG_MEAN_MONTHS, n)
    return np.where(rng.random(n) < p_long, long, short)


def _spells(
    rng: np.random.Generator, persons: Persons, regs: Registrations, first_month: int, uttag: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """(person, area, first, last) month numbers of payment, from registrations and for the others."""
    r = np.flatnonzero(~regs.duplicate)
    first_lead = np.array(FIRST_LEAD[0])[weighted_choice(rng, FIRST_LEAD[1], r.size)]
    return_lead = np.array(RETURN_LEAD[0])[weighted_choice(rng, RETURN_LEAD[1], r.size)]
    begin = month_of(regs.ins[r]) - np.where(regs.seq[r] == 0, first_lead, return_lead)
    open_at_extract = regs.avs[r] > uttag
    end = np.where(
        open_at_extract, month_of(uttag), month_of(regs.avs[r]) + _after_avslut(rng, regs.orsak[r])
    )

    extra = np.arange(persons.n_registrants, persons.n)
    months = month_of(uttag) - first_month + 1
    e_begin = first_month + rng.integers(-12, months, extra.size)
    e_end = e_begin + np.round(rng.lognormal(np.log(9), 0.8, extra.size)).astype(np.int64)
    again = rng.random(extra.size) < 0.3
    e2_begin = e_end + 2 + rng.integers(0, 12, extra.size)
    e2_end = e2_begin + np.round(rng.lognormal(np.log(6), 0.8, extra.size)).astype(np.int64)

    person = np.concatenate([regs.person[r], extra, extra[again]])
    area = np.concatenate([regs.area[r], persons.area[extra], persons.area[extra[again]]])
    begin = np.concatenate([begin, e_begin, e2_begin[again]])
    end = np.concatenate([end, e_end, e2_end[again]])
    return person, area, np.maximum(begin, first_month), np.minimum(end, month_of(uttag))


def make_payments(
    rng: np.random.Generator, persons: Persons, regs: Registrations, first_month: int, uttag: int
) -> Payments:
    person, area, begin, end = _spells(rng, persons, regs, first_month, uttag)

    # Merge overlapping spells per person: a month is paid once, from the spell that reaches it first.
    order = np.lexsort((begin, person))
    person, area, begin, end = person[order], area[order], begin[order], end[order]
    span = np.int64(1) << 32
    reach = np.maximum.accumulate(person * span + (end - first_month + 1)) - person * span
    before = np.concatenate([[0], reach[:-1]])
    before[np.concatenate([[True], person[1:] != person[:-1]])] = 0
    begin = np.maximum(begin, first_month + before)
    count = np.maximum(end - begin + 1, 0)

    spell = np.repeat(np.arange(person.size), count)
    offset = np.arange(spell.size) - np.repeat(np.cumsum(count) - count, count)
    month = begin[spell] + offset
    who = person[spell]
    del spell, offset

    payday = rng.integers(1, 29, persons.n)
    arrears = np.zeros(persons.n, dtype=np.int64)
    arrears[pick(rng, np.arange(persons.n), ARREARS_SHARE)] = 1
    base_sek = np.clip(rng.lognormal(np.log(8200), 0.3, persons.n), 3500, 19000)

    n = who.size
    day = month_start(month) + np.clip(payday[who] + rng.integers(-2, 3, n), 1, 28) - 1
    ore = np.round(base_sek[who] * 100 * np.clip(rng.normal(1.0, 0.07, n), 0.6, 1.4)).astype(np.int64)
    keep = day <= uttag
    rows = {
        "person": who[keep],
        "day": day[keep],
        "avser": (month - arrears[who])[keep],
        "ore": ore[keep],
        "kind": np.zeros(int(keep.sum()), dtype=np.int8),
        "area": np.repeat(area, count)[keep],
    }
    del who, day, month, ore, keep

    # Other assistance on top of some monthly payments.
    extra = pick(rng, np.arange(rows["day"].size), OVRIGT_SHARE / (1 - OVRIGT_SHARE))
    ovrigt = {k: v[extra] for k, v in rows.items()}
    ovrigt["ore"] = rng.integers(300_00, 4_000_00, extra.size)
    ovrigt["kind"][:] = OVRIGT
    rows = {k: np.concatenate([rows[k], ovrigt[k]]) for k in rows}

    # Reclaims and corrections: later, negative, for the same month; some cancel the payment exactly.
    source = pick(rng, np.flatnonzero(rows["day"] <= uttag - 5), RECLAIM_SHARE / (1 - RECLAIM_SHARE))
    back = {k: v[source] for k, v in rows.items()}
    back["day"] = back["day"] + rng.integers(5, 46, source.size)
    full = exact_choice(rng, source.size, (FULL_RECLAIM_SHARE, 1 - FULL_RECLAIM_SHARE)) == 0
    part = np.round(back["ore"] * rng.uniform(0.1, 0.6, source.size)).astype(np.int64)
    back["ore"] = -np.where(full, back["ore"], np.maximum(part, 1))
    back["ovrigt"] = back["kind"] == OVRIGT
    back["kind"] = np.full(source.size, RECLAIM, dtype=np.int8)
    back = {k: v[back["day"] <= uttag] for k, v in back.items()}
    rows["ovrigt"] = rows["kind"] == OVRIGT
    rows = {k: np.concatenate([rows[k], back[k]]) for k in rows}

    order = np.lexsort((rows["kind"], rows["person"], rows["day"]))
    return Payments(
        person=rows["person"][order].astype(np.int32),
        day=rows["day"][order].astype(np.int32),
        avser=rows["avser"][order].astype(np.int32),
        ore=rows["ore"][order],
        ovrigt=rows["ovrigt"][order],
        area=rows["area"][order].astype(np.int16),
    )

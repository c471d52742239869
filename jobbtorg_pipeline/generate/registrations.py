"""Registrations (inskrivningar): the full history, later cut into as-of snapshots.

The history is simulated beyond the extract day: every registration gets an end, and a snapshot as of a
day shows the ones that have started, with the end (and the reason) only if it lies on or before that
day. So an "open" registration is simply one whose end is still in the future.

People come back: after an avslut a share is referred again (about 40 % after återremiss), 1-500 days
later, so the chain is simulated in rounds (one round per return, vectorised within a round). About 10 %
of returns are at another jobbtorg (the person moved), which puts a person under two jobbtorg in one
period. A person never has two registrations at once, except a few overlapping duplicates at another
jobbtorg: a known defect of the case system that the marts must handle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobbtorg_pipeline.sources.contract import AVSLUTSORSAKER

from .common import MISSING, IntArray, exact_age, exact_choice, pick
from .districts import Districts
from .formats import TEN_DIGITS, draw_formats
from .people import FSST_ARBETSLOSHET, UNGDOM, Persons

# Reasons in the order of AVSLUTSORSAKER, then "no reason recorded"
# (Inrättande av Jobbtorg i Stockholm, 2007: 11 % of exits).
ORSAK_SHARE = (0.20, 0.12, 0.13, 0.25, 0.04, 0.06, 0.04, 0.05, 0.11)
SAKNAS = len(AVSLUTSORSAKER)
ATERREMISS = AVSLUTSORSAKER.index("aterremiss")
FLYTT = AVSLUTSORSAKER.index("flytt")
# Chance of a new referral after an avslut, per reason (same order): people back on assistance return.
REREFERRAL = np.array([0.22, 0.35, 0.30, 0.40, 0.35, 0.60, 0.70, 0.45, 0.45])
RETURN_GAP_MEAN = 140  # days; the gap is 1-500 days
MOVE_SHARE = 0.10  # returns at another jobbtorg (always after `flytt`)
DUPLICATE_SHARE = 0.005
MEDIAN_DAYS = 213  # about 7 months; sigma 0.8 puts some 12 % beyond 18 months
SIGMA = 0.8
KON_EMPTY, KON_WRONG = 0.03, 0.002
PLAN_SHARE = (0.75, 0.20, 0.05)  # activity plan within 5 days, later, never set


@dataclass(frozen=True)
class Registrations:
    """The history, sorted by inskrivningsdatum (then person); row i has inskrivning_id number i + 1."""

    person: IntArray
    ins: IntArray
    avs: IntArray  # the end in the full history; a snapshot shows it only when it has happened
    orsak: IntArray  # index into AVSLUTSORSAKER, SAKNAS for no reason
    apd: IntArray  # aktivitetsplan_datum or MISSING
    remiss: IntArray
    area: IntArray
    row: IntArray  # the stadsdel reference row valid at inskrivningsdatum
    jobbtorg: IntArray
    malgrupp: IntArray
    kon: IntArray  # 0 = K, 1 = M, 2 = empty
    fmt: IntArray  # personnummer spelling (formats.py)
    tod: IntArray  # second of the day of andrad_tid
    duplicate: IntArray  # bool: the overlapping copy at another jobbtorg
    seq: IntArray  # 0 for a person's first registration, 1 for the first return, ...

    @property
    def n(self) -> int:
        return self.ins.size


def _chains(
    rng: np.random.Generator, persons: Persons, districts: Districts, horizon: int
) -> dict[str, IntArray]:
    """First registrations and the returns after them, round by round."""
    n = persons.n_registrants
    person = np.arange(n)
    ins = persons.first_ins[:n]
    area = persons.area[:n]
    prev_end = np.full(n, MISSING, dtype=np.int64)
    seq = 0
    rounds: list[dict[str, IntArray]] = []
    while person.size:
        m = person.size
        avs = ins + np.maximum(1, np.round(rng.lognormal(np.log(MEDIAN_DAYS), SIGMA, m))).astype(np.int64)
        orsak = exact_choice(rng, m, ORSAK_SHARE).astype(np.int64)
        rounds.append(
            {
                "person": person,
                "ins": ins,
                "avs": avs,
                "orsak": orsak,
                "area": area,
                "prev_end": prev_end,
                "seq": np.full(m, seq),
            }
        )
        back = rng.random(m) < REREFERRAL[orsak]
        nxt = avs + 1 + np.floor(rng.exponential(RETURN_GAP_MEAN, m)).astype(np.int64) % 500
        move = (rng.random(m) < MOVE_SHARE) | (orsak == FLYTT)
        area = np.where(move, districts.draw_other_jobbtorg(rng, area), area)
        keep = back & (nxt <= horizon)
        person, ins, area, prev_end = person[keep], nxt[keep], area[keep], avs[keep]
        seq += 1
    return {k: np.concatenate([r[k] for r in rounds]) for k in rounds[0]}


def _duplicates(
    rng: np.random.Generator, regs: dict[str, IntArray], districts: Districts, uttag: int
) -> dict[str, IntArray]:
    """Copies at another jobbtorg that start while the original is open (visible at the extract)."""
    length = regs["avs"] - regs["ins"]
    chosen = pick(rng, np.flatnonzero((regs["ins"] < uttag) & (length >= 2)), DUPLICATE_SHARE)
    k = chosen.size
    ins = np.minimum(regs["ins"][chosen] + rng.integers(0, np.minimum(length[chosen], 90)), uttag)
    return {
        "person": regs["person"][chosen],
        "ins": ins,
        "avs": ins + np.maximum(1, np.round(rng.lognormal(np.log(45), SIGMA, k))).astype(np.int64),
        "orsak": exact_choice(rng, k, ORSAK_SHARE).astype(np.int64),
        "area": districts.draw_other_jobbtorg(rng, regs["area"][chosen]),
        "prev_end": np.full(k, MISSING, dtype=np.int64),
        "seq": regs["seq"][chosen],
    }


def make_registrations(
    rng: np.random.Generator, persons: Persons, districts: Districts, uttag: int, horizon: int
) -> Registrations:
    main = _chains(rng, persons, districts, horizon)
    dups = _duplicates(rng, main, districts, uttag)
    cols = {k: np.concatenate([main[k], dups[k]]) for k in main}
    duplicate = np.concatenate([np.zeros(main["ins"].size, bool), np.ones(dups["ins"].size, bool)])
    order = np.lexsort((cols["person"], cols["ins"]))
    cols = {k: v[order] for k, v in cols.items()}
    duplicate = duplicate[order]
    n = order.size
    person, ins, avs = cols["person"], cols["ins"], cols["avs"]

    malgrupp = persons.malgrupp[person]
    age = exact_age(persons.birth[person], ins)
    malgrupp = np.where((malgrupp == UNGDOM) & ((age < 16) | (age > 24)), FSST_ARBETSLOSHET, malgrupp)

    plan = exact_choice(rng, n, PLAN_SHARE)
    apd = ins + np.where(plan == 0, rng.integers(0, 6, n), rng.integers(6, 61, n))
    apd = np.where(plan == 2, MISSING, np.minimum(apd, avs))

    kon_kind = exact_choice(rng, n, (1 - KON_EMPTY - KON_WRONG, KON_EMPTY, KON_WRONG))
    male = persons.male[person].astype(np.int64)
    kon = np.select([kon_kind == 1, kon_kind == 2], [2, 1 - male], male)

    old = persons.centenarian[person]
    fmt = draw_formats(rng, old)
    fmt[old & (cols["seq"] == 0) & ~duplicate] = TEN_DIGITS  # so the `+` form shows in every source

    row = districts.row_at(cols["area"], ins)
    return Registrations(
        person=person,
        ins=ins,
        avs=avs,
        orsak=cols["orsak"],
        apd=apd,
        remiss=np.maximum(ins - rng.integers(0, 31, n), cols["prev_end"]),  # not before the last avslut
        area=cols["area"],
        row=row,
        jobbtorg=districts.row_jobbtorg[row],
        malgrupp=malgrupp,
        kon=kon,
        fmt=fmt,
        tod=rng.integers(7 * 3600, 18 * 3600, n),
        duplicate=duplicate,
        seq=cols["seq"],
    )

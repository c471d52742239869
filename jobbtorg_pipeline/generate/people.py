"""Persons: birth dates consistent with their målgrupp, unique personnummer, households and home areas.

The first `people` persons are the ones registered at Jobbtorg; after them come the payment-only recipients
(people on försörjningsstöd who were never referred). Each person's number is stored in canonical
12-digit form; the files spell it in several formats (see `formats.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from jobbtorg_pipeline.sources.contract import MALGRUPPER

from .common import IntArray, day_number, exact_choice, pick, weighted_choice, ymd
from .districts import Districts

# Shares of first registrations per målgrupp, in the order of MALGRUPPER.
MALGRUPP_SHARE = (0.40, 0.22, 0.13, 0.10, 0.11, 0.04)
UNGDOM = MALGRUPPER.index("ungdom")
FSST_ARBETSLOSHET = MALGRUPPER.index("fsst_arbetsloshet")
FSST_ANNAT = MALGRUPPER.index("fsst_annat")

PAYMENT_ONLY_SHARE = 0.10  # extra recipients of försörjningsstöd, never registered at Jobbtorg
MALE_SHARE = 0.52
SAMORDNING_SHARE = 0.03
CENTENARIAN_SHARE = 0.0002  # born 1915-1919: 100 or older at the extract, so the `+` form is right
COUPLE_SHARE = 0.16  # persons sharing a household with another adult in the data
FIRST_REFERRAL_SKEW = 1.4
_DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True)
class Persons:
    n_registrants: int
    birth: IntArray  # day number
    male: IntArray  # bool
    samordning: IntArray  # bool
    centenarian: IntArray  # bool
    area: IntArray  # home area at the start (index into Districts areas)
    hushall: IntArray  # household number, 1-based
    malgrupp: IntArray  # målgrupp of the first registration; -1 for payment-only recipients
    first_ins: IntArray  # first inskrivningsdatum; -1 for payment-only recipients
    pnr12: pl.Series  # canonical YYYYMMDDNNNC

    @property
    def n(self) -> int:
        return self.birth.size


def _ages(rng: np.random.Generator, malgrupp: IntArray) -> IntArray:
    """Age in whole years at the first registration: 16-24 for ungdom, mostly 25-64 for the rest."""
    n = malgrupp.size
    young = 16 + weighted_choice(rng, [1, 2, 3, 5, 7, 8, 8, 8, 8], n)
    adult = 25 + np.floor(rng.beta(1.8, 2.6, n) * 40).astype(np.int64)
    young_adult = rng.random(n) < 0.04  # a few 20-24-year-olds in the other målgrupper
    adult = np.where(young_adult, 20 + rng.integers(0, 5, n), adult)
    return np.where(malgrupp == UNGDOM, young, adult)


def _luhn(yy: IntArray, mm: IntArray, dd: IntArray, nnn: IntArray) -> IntArray:
    digits = np.stack(
        [yy // 10, yy % 10, mm // 10, mm % 10, dd // 10, dd % 10, nnn // 100, nnn // 10 % 10, nnn % 10]
    )
    weighted = digits * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])[:, None]
    total = (weighted // 10 + weighted % 10).sum(axis=0)
    return (10 - total % 10) % 10


def _serials(rng: np.random.Generator, male: IntArray) -> IntArray:
    """Three-digit serial numbers whose last digit is odd for men, even for women; never 000."""
    n = male.size
    serial = rng.integers(0, 100, n) * 10 + 2 * rng.integers(0, 5, n) + male.astype(np.int64)
    return np.where(serial == 0, 2, serial)


def make_persons(
    rng: np.random.Generator, people: int, start: date, end: date, districts: Districts
) -> Persons:
    n_extra = max(1, round(people * PAYMENT_ONLY_SHARE))
    n = people + n_extra
    start_day, end_day = day_number(start), day_number(end)

    # First referrals thin out over the years as returning people take a growing part of the inflow.
    first_ins = start_day + np.floor(rng.random(people) ** FIRST_REFERRAL_SKEW * (end_day - start_day + 1))
    first_ins = first_ins.astype(np.int64)
    malgrupp = exact_choice(rng, people, MALGRUPP_SHARE).astype(np.int64)
    centenarian = np.zeros(n, dtype=bool)
    centenarian[pick(rng, np.arange(people), CENTENARIAN_SHARE, minimum=min(2, people))] = True
    malgrupp[centenarian[:people]] = FSST_ANNAT

    age_at = np.concatenate([first_ins, np.full(n_extra, start_day)])
    ages = _ages(rng, np.concatenate([malgrupp, np.full(n_extra, FSST_ARBETSLOSHET)]))
    birth = age_at - np.floor((ages + rng.random(n)) * _DAYS_PER_YEAR).astype(np.int64)
    old_from, old_to = day_number(date(1915, 1, 1)), day_number(date(1919, 12, 31))
    birth = np.where(centenarian, rng.integers(old_from, old_to + 1, n), birth)

    male = exact_choice(rng, n, (1 - MALE_SHARE, MALE_SHARE)).astype(bool)
    samordning = np.zeros(n, dtype=bool)
    samordning[pick(rng, np.flatnonzero(~centenarian), SAMORDNING_SHARE)] = True

    year, month, day = ymd(birth)
    dd = day + 60 * samordning
    serial = _serials(rng, male)
    while True:  # two persons must never share a number: redraw the serial of any repeat
        key = ((year * 100 + month) * 100 + dd) * 1000 + serial
        order = np.argsort(key, kind="stable")
        repeat = order[1:][key[order][1:] == key[order][:-1]]
        if repeat.size == 0:
            break
        serial[repeat] = _serials(rng, male[repeat])
    check = _luhn(year % 100, month, dd, serial)

    area = districts.draw_areas(rng, n)
    hushall = np.arange(n)
    couples = rng.permutation(pick(rng, np.arange(n), COUPLE_SHARE, minimum=2))
    couples = couples[: couples.size // 2 * 2].reshape(-1, 2)
    hushall[couples[:, 1]] = couples[:, 0]
    area[couples[:, 1]] = area[couples[:, 0]]  # a household lives in one district
    hushall = np.unique(hushall, return_inverse=True)[1] + 1

    parts = pl.DataFrame({"y": year, "m": month, "d": dd, "n": serial, "c": check})
    pnr12 = parts.select(
        pl.concat_str(
            pl.col("y").cast(pl.String).str.zfill(4),
            pl.col("m").cast(pl.String).str.zfill(2),
            pl.col("d").cast(pl.String).str.zfill(2),
            pl.col("n").cast(pl.String).str.zfill(3),
            pl.col("c").cast(pl.String),
        ).alias("pnr12")
    ).to_series()

    return Persons(
        n_registrants=people,
        birth=birth,
        male=male,
        samordning=samordning,
        centenarian=centenarian,
        area=area,
        hushall=hushall,
        malgrupp=np.concatenate([malgrupp, np.full(n_extra, -1)]),
        first_ins=np.concatenate([first_ins, np.full(n_extra, -1)]),
        pnr12=pnr12,
    )

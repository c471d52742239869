"""Shared helpers: dates as day numbers, and sampling with exact shares.

Dates are int32 day numbers since 1970-01-01 throughout the generator (numpy's datetime64[D] epoch), so
every table is built with array arithmetic; polars turns them into dates only when a file is written.

Shares are drawn as exact counts (largest remainder, then shuffled) rather than independent coin flips:
a rare defect that the pipeline's tests rely on (an empty kön, a duplicate registration) is then present
even in a 100-person source, and the shares do not wobble between seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

MISSING = np.iinfo(np.int32).min  # a missing date; far outside any real day number
SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)

IntArray = np.ndarray


def day_number(value: date) -> int:
    return (value - _EPOCH).days


def ymd(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Year, month and day of each day number."""
    d = np.asarray(days).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def month_of(days: IntArray) -> IntArray:
    """Month number (months since 1970-01) of each day number."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(months: IntArray) -> IntArray:
    """First day (day number) of each month number."""
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def exact_age(birth: IntArray, at: IntArray) -> IntArray:
    """Completed years at a day, by the calendar (a birthday counts on the day itself)."""
    by, bm, bd = ymd(birth)
    ay, am, ad = ymd(at)
    return ay - by - ((am < bm) | ((am == bm) & (ad < bd)))


def exact_choice(rng: np.random.Generator, n: int, probs: Sequence[float]) -> IntArray:
    """n category codes with counts as close to `probs` as possible, every category present if n allows."""
    p = np.asarray(probs, dtype=np.float64)
    p = p / p.sum()
    raw = p * n
    counts = np.floor(raw).astype(np.int64)
    short = n - counts.sum()
    if short:
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    positive = np.flatnonzero(p > 0)
    if n >= positive.size:
        for k in positive[counts[positive] == 0]:
            counts[k] += 1
            counts[np.argmax(counts)] -= 1
    codes = np.repeat(np.arange(p.size, dtype=np.int8), counts)
    return rng.permutation(codes)


def pick(rng: np.random.Generator, candidates: IntArray, share: float, minimum: int = 1) -> IntArray:
    """A sorted random subset of `candidates`: round(share * n) of them, but at least `minimum`."""
    candidates = np.asarray(candidates)
    k = min(candidates.size, max(minimum, round(share * candidates.size)))
    if k == 0:
        return candidates[:0]
    return np.sort(rng.choice(candidates, size=k, replace=False))


def weighted_choice(rng: np.random.Generator, weights: IntArray, size: int) -> IntArray:
    """Codes drawn independently with the given weights (inverse CDF: one uniform per draw)."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), cdf.size - 1)


def child_rng(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible stream per part, so changing one part leaves the others' draws alone."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream.encode()]))

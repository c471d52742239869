"""The districts (stadsdelar) and their jobbtorg, read from the reference data with validity dates.

The mapping is data (`jobbtorg_pipeline/reference/stadsdelar.csv`), not code: when the city merges or
renames districts only that file changes. A person lives in an *area*: a district valid on the base day (the
first day of the first payment month). A name that stops being valid passes to its successor: the row that
becomes valid the day after and belongs to the same jobbtorg (e.g. Älvsjö -> Hägersten-Älvsjö on
2020-01-01). Splits are not modelled: with several successors the first in the file takes over.

Only the relative sizes (how many people on försörjningsstöd each district has) live here: they are a
simulation parameter, not reference data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np

from .common import IntArray, day_number, weighted_choice

# Relative number of people on försörjningsstöd: Järva and Sydost have the most, the inner city the fewest.
DISTRICT_WEIGHT = {
    "Rinkeby-Kista": 14.0,
    "Spånga-Tensta": 11.0,
    "Enskede-Årsta-Vantör": 12.0,
    "Farsta": 8.0,
    "Skarpnäck": 5.0,
    "Skärholmen": 9.0,
    "Hägersten-Liljeholmen": 6.0,
    "Älvsjö": 2.5,
    "Hägersten-Älvsjö": 8.5,
    "Hässelby-Vällingby": 8.0,
    "Bromma": 3.5,
    "Södermalm": 6.0,
    "Kungsholmen": 2.5,
    "Norrmalm": 2.0,
    "Östermalm": 1.5,
}

_FAR_FUTURE = day_number(date(9999, 12, 31))


@dataclass(frozen=True)
class StadsdelRow:
    stadsdel: str
    jobbtorg: str
    giltig_fran: int  # day number
    giltig_till: int  # day number; far future when still valid


def reference_path() -> Path:
    return Path(str(resources.files("jobbtorg_pipeline.reference").joinpath("stadsdelar.csv")))


def read_stadsdelar(path: Path | None = None) -> list[StadsdelRow]:
    """The reference rows, in file order (a handful of rows: a plain csv read is right here)."""
    with (path or reference_path()).open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            StadsdelRow(
                stadsdel=r["stadsdel"].strip(),
                jobbtorg=r["jobbtorg"].strip(),
                giltig_fran=day_number(date.fromisoformat(r["giltig_fran"].strip())),
                giltig_till=(
                    day_number(date.fromisoformat(r["giltig_till"].strip()))
                    if r["giltig_till"].strip()
                    else _FAR_FUTURE
                ),
            )
            for r in csv.DictReader(handle, delimiter=";")
        ]
    if not rows:
        raise ValueError("the stadsdel reference data is empty")
    return rows


class Districts:
    """Areas (where people live) and the district name and jobbtorg valid for an area on a day."""

    def __init__(self, rows: list[StadsdelRow], base_day: int) -> None:
        self.rows = rows
        self.names = np.array([r.stadsdel for r in rows], dtype=object)
        self.jobbtorg_names: list[str] = list(dict.fromkeys(r.jobbtorg for r in rows))
        self.row_jobbtorg = np.array([self.jobbtorg_names.index(r.jobbtorg) for r in rows])
        valid = [i for i, r in enumerate(rows) if r.giltig_fran <= base_day <= r.giltig_till]
        if not valid:  # a start before the reference data: take the earliest rows
            first = min(r.giltig_fran for r in rows)
            valid = [i for i, r in enumerate(rows) if r.giltig_fran == first]
        self.area_row = np.array(valid)
        self.area_jobbtorg = self.row_jobbtorg[self.area_row]
        mean_weight = float(np.mean(list(DISTRICT_WEIGHT.values())))
        self.area_weight = np.array([DISTRICT_WEIGHT.get(rows[i].stadsdel, mean_weight) for i in valid])
        # Per area: the days from which each successive row holds (a short chain, usually one link).
        self._chains = [self._chain(i) for i in valid]

    def _chain(self, row: int) -> tuple[IntArray, IntArray]:
        starts, chain = [self.rows[row].giltig_fran], [row]
        seen = {row}
        while self.rows[chain[-1]].giltig_till < _FAR_FUTURE:
            current = self.rows[chain[-1]]
            nxt = current.giltig_till + 1
            following = [i for i, r in enumerate(self.rows) if r.giltig_fran == nxt and i not in seen]
            same = [i for i in following if self.rows[i].jobbtorg == current.jobbtorg]
            successors = same or following
            if not successors:
                break  # no successor in the data: the last name stays
            starts.append(nxt)
            chain.append(successors[0])
            seen.add(successors[0])
        return np.array(starts), np.array(chain)

    @property
    def n_areas(self) -> int:
        return self.area_row.size

    def row_at(self, area: IntArray, day: IntArray) -> IntArray:
        """The reference row (district name, jobbtorg) valid for each area on each day."""
        area = np.asarray(area)
        day = np.asarray(day)
        out = self.area_row[area].copy()
        for a, (starts, chain) in enumerate(self._chains):
            if chain.size == 1:
                continue
            mask = area == a
            if mask.any():
                link = np.clip(np.searchsorted(starts, day[mask], side="right") - 1, 0, None)
                out[mask] = chain[link]
        return out

    def draw_areas(self, rng: np.random.Generator, size: int) -> IntArray:
        return weighted_choice(rng, self.area_weight, size)

    def draw_other_jobbtorg(self, rng: np.random.Generator, area: IntArray) -> IntArray:
        """A new area under another jobbtorg than the given one (a move across the city)."""
        area = np.asarray(area)
        out = area.copy()
        u = rng.random(area.size)
        for j in np.unique(self.area_jobbtorg):
            mask = self.area_jobbtorg[area] == j
            others = np.flatnonzero(self.area_jobbtorg != j)
            if not mask.any() or others.size == 0:
                continue
            cdf = np.cumsum(self.area_weight[others])
            cdf /= cdf[-1]
            out[mask] = others[np.minimum(np.searchsorted(cdf, u[mask], side="right"), others.size - 1)]
        return out

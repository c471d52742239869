"""Disclosure control for the whole report at once (`..`, the Swedish official-statistics mark).

Hiding small counts table by table is not enough: the same statistic appears in several tables, and a
reader knows how the tables hang together (a total is the sum of its rows, `arbete_eller_studier` is
`arbete + studier`, the återremitterade are some of the avslutade, ...). So:

- Every count cell names the statistic it shows with a canonical **key** (mart, dimensions, measure). The
  same statistic in two tables has one key, and so one decision: shown in both or hidden in both.
- What a reader knows is declared as linear **relations** over keys (`Relation`): sums, derived sums,
  sums across tables and orderings (a part is at most its whole), and every count is >= 0. A sum that is
  only nearly additive (a person under two jobbtorg is one person in `totalt`) is taken as exact, the
  reading that tells a reader most, unless the published figures contradict it; then as what holds
  (the total is at most the sum of its parts, and at least each part where a person counts in both).
- **Primary** cells: a count from 1 to threshold - 1 (0 is shown: it identifies no one).
- **Withheld** cells: a count a table leaves out but a reader can still work out from the counts it
  shows (Kolada's kommunal anställning per jobbtorg is avslut till arbete minus arbete). It is never
  shown, costs nothing to hide, and is protected like any other: when it is small, enough of the counts
  it follows from are hidden.
- **Criterion.** For each primary cell, linear programming (HiGHS) gives the interval [lo, hi] a reader
  can narrow it to from every published count and every relation at once; integer counts round lo up and
  hi down. The cell is protected when lo <= 0 and hi >= threshold: the published figures can tell
  neither that anyone is there nor that they are few.
- **Secondary** cells, greedily, until every primary is protected: for an unprotected primary, the first
  published cell (in a relation with it, then in one with its hidden neighbours; non-zero before zero,
  detail before total, smallest first) whose hiding widens its interval enough on the side that is too
  narrow, else the first that widens it at all, else (two must go together) the first of those the LP's
  duals show pinning the bound. A zero pinned by a published total of 0 widens nothing and is never
  chosen. Hiding a cell widens intervals, so a primary once protected mostly stays protected (not
  always: a newly hidden cell can make the exact reading of a nearly additive sum possible again), so
  passes repeat until one finds every primary protected. Everything is ordered, so the same tables give
  the same hidden set.
- **Derived values**: a share, mean or median is hidden when a count it rests on is hidden or its
  denominator (the persons it is taken over) is under the threshold; a share of 0 over enough persons is
  shown.
- **Additive measures** (årsplatser: not persons, but adding up along the rows and down the columns as
  the table does): a measure is above 0 exactly when the count of persons it is taken over is, so a
  measure read off its sums would tell whether a hidden count is 0. They are hidden with their counts,
  a row of a group at once, and in at least two detail rows, so that no hidden measure can be worked
  out from the others, nor shown to be 0 or above 0 (`hide_measures`); a measure hidden in one table is
  hidden wherever it is shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import linprog

from jobbtorg_pipeline.report.optimal import NoSolution, cell_cost, hiding_cost, optimal_hidden

HIDDEN = ".."  # the Swedish official statistics mark for a value not shown
NOT_YET = "ej ännu"  # a follow-up whose month has not come, or whose payments are not yet delivered
MARKS = (HIDDEN, NOT_YET)
Key = tuple[str, ...]  # the statistic a count cell shows, e.g. ("unika_individer", "jobbtorg=totalt", ...)
Cell = tuple[str, str]  # (row, column) of one table
TOLERANCE = 1e-6


class DisclosureError(RuntimeError):
    """The declared relations do not hold on the figures, or a small count cannot be protected."""


@dataclass(frozen=True)
class Derived:
    """A share, mean or median: hidden with its counts, or when taken over too few."""

    denominator: str  # the count it is taken over (the persons of a share, of a mean, of a median)
    numerator: str | None = None  # the count it is a share of (None for a mean or a median)


@dataclass
class Grid:
    """One table's cells, with the statistic each count cell shows."""

    rows: list[str]
    columns: list[str]
    values: dict[Cell, Any]
    count_columns: list[str]  # counts of persons (or registrations, rows, ...): subject to suppression
    name: str = "tabell"
    keys: dict[Cell, Key] = field(default_factory=dict)  # canonical key per count cell (default: local)
    total_rows: set[str] = field(default_factory=set)
    total_columns: set[str] = field(default_factory=set)
    derived: dict[str, Derived] = field(default_factory=dict)  # column -> what it rests on
    measures: dict[str, str] = field(default_factory=dict)  # additive measure column -> its count column
    # measure columns adding up along each row (parts, then their total): hidden a group at a time
    measure_groups: list[tuple[str, ...]] = field(default_factory=list)
    hidden: set[Cell] = field(default_factory=set)
    withheld: set[Cell] = field(default_factory=set)  # counts never shown, but derivable: protected

    def key(self, row: str, column: str) -> Key:
        return self.keys.get((row, column), (self.name, row, column))

    def value(self, row: str, column: str) -> Any:
        if (row, column) in self.withheld:
            return None
        return HIDDEN if (row, column) in self.hidden else self.values.get((row, column))

    def count_cells(self) -> list[Cell]:
        return [(r, c) for r in self.rows for c in self.count_columns if self.values.get((r, c)) is not None]

    def is_total(self, cell: Cell) -> bool:
        return cell[0] in self.total_rows or cell[1] in self.total_columns


@dataclass(frozen=True)
class Relation:
    """A linear fact a reader knows about the statistics: sum(coefficient * statistic) = 0 or <= 0.

    `=` and `<=` hold by definition. `~` and `~<=` are sums that are only nearly additive (persons under
    two jobbtorg or regi are one person in the total): the reader is assumed to take them as exact
    wherever the published figures allow; what holds is total - sum(parts) <= 0 for `~<=`, and nothing
    more than the other relations say for `~`.
    """

    terms: tuple[tuple[Key, int], ...]
    sense: Literal["=", "<=", "~", "~<="]
    why: str
    # Known to the reader, so the audit uses it, but left out of the integer program: it ties parts of
    # the report that are otherwise apart (one period to another), and one program over both costs far
    # more than two. What it demands on top is hidden by the audit's completion.
    audit_only: bool = False


def sums_to(
    total: Key, parts: Sequence[Key], why: str, *, exact: bool = True, total_within_sum: bool = True
) -> Relation:
    """total = sum(parts); `exact=False`: nearly so, and then `total_within_sum` says whether
    total <= sum(parts) holds (everyone in the total is in some part)."""
    sense = "=" if exact else ("~<=" if total_within_sum else "~")
    return Relation(_merge([(total, 1), *((p, -1) for p in parts)]), sense, why)


def at_most(parts: Key | Sequence[Key], wholes: Key | Sequence[Key], why: str) -> Relation:
    """sum(parts) <= sum(wholes)."""
    parts = [parts] if _is_key(parts) else parts
    wholes = [wholes] if _is_key(wholes) else wholes
    return Relation(_merge([*((p, 1) for p in parts), *((w, -1) for w in wholes)]), "<=", why)


def linear(terms: Iterable[tuple[Key, int]], sense: str, why: str) -> Relation:
    """sum(coefficient * statistic) = 0 (`=`), <= 0 (`<=`), or nearly so (`~`, `~<=`)."""
    return Relation(_merge(terms), sense, why)  # type: ignore[arg-type]


def _is_key(value: object) -> bool:
    return isinstance(value, tuple) and bool(value) and isinstance(value[0], str)


def _merge(terms: Iterable[tuple[Key, int]]) -> tuple[tuple[Key, int], ...]:
    merged: dict[Key, int] = {}
    for key, coefficient in terms:
        merged[key] = merged.get(key, 0) + coefficient
    return tuple(sorted((k, c) for k, c in merged.items() if c))


class Attacker:
    """A reader with every published count and every declared relation, narrowing hidden counts by LP.

    A nearly additive sum (`~`) is taken as exact, the strongest reading, unless the published figures
    contradict that reading; then as what holds (total <= sum of parts).
    """

    def __init__(self, values: dict[Key, int], relations: Sequence[Relation]):
        self.values = values
        self._solved: dict[tuple, list[tuple[float, dict[Key, float]]]] = {}
        self.relations: list[tuple[dict[Key, int], str]] = []
        self.touching: dict[Key, list[int]] = {}
        for relation in relations:
            missing = [k for k, _ in relation.terms if k not in values]
            if missing:
                raise DisclosureError(
                    f"relation '{relation.why}' names statistics not in the report: {missing}"
                )
            level = sum(c * values[k] for k, c in relation.terms)
            holds = {"=": level == 0, "<=": level <= 0, "~<=": level <= 0, "~": True}[relation.sense]
            if not holds or not relation.terms:
                raise DisclosureError(f"relation '{relation.why}' does not hold: {relation.terms}")
            index = len(self.relations)
            self.relations.append((dict(relation.terms), relation.sense))
            for key, _ in relation.terms:
                self.touching.setdefault(key, []).append(index)

    def component(self, key: Key, hidden: set[Key]) -> tuple[list[Key], list[int]]:
        """The hidden statistics tied to `key` through relations, and those relations."""
        keys, relations, todo = {key}, set(), [key]
        while todo:
            for index in self.touching.get(todo.pop(), ()):
                if index in relations:
                    continue
                relations.add(index)
                for other in self.relations[index][0]:
                    if other in hidden and other not in keys:
                        keys.add(other)
                        todo.append(other)
        return sorted(keys), sorted(relations)

    def interval(self, key: Key, hidden: set[Key], sides: tuple[float, ...] = (1.0, -1.0)) -> list[float]:
        """[lo, hi] a reader can narrow the hidden `key` to (integers; hi may be infinite); with
        `sides` (1.0) or (-1.0), only lo or only hi."""
        return [bound for bound, _ in self._bounds(key, hidden, sides)]

    def pinning(self, key: Key, hidden: set[Key], side: float) -> set[Key]:
        """The published statistics the bound on `side` moves with (non-zero LP sensitivity): those
        worth hiding when no single cell widens the interval alone."""
        [(_, sensitivity)] = self._bounds(key, hidden, (side,))
        return {k for k, v in sensitivity.items() if abs(v) > TOLERANCE}

    def _bounds(
        self, key: Key, hidden: set[Key], sides: tuple[float, ...]
    ) -> list[tuple[float, dict[Key, float]]]:
        variables, relations = self.component(key, hidden)
        # The LPs depend only on the hidden statistics tied to `key`: hiding or showing a cell elsewhere
        # (the greedy passes and the pruning try one at a time) leaves them as they were.
        asked = (key, tuple(variables), sides)
        if asked not in self._solved:
            found = self._solve(key, variables, relations, sides, strict=True)
            if found is None:
                found = self._solve(key, variables, relations, sides, strict=False)
            self._solved[asked] = found
        return self._solved[asked]

    def _solve(
        self, key: Key, variables: list[Key], relations: list[int], sides: tuple[float, ...], *, strict: bool
    ) -> list[tuple[float, dict[Key, float]]] | None:
        """Minimise (side 1.0) or maximise (-1.0) `key`; None when exact additivity is contradicted."""
        column = {k: i for i, k in enumerate(variables)}
        rows: dict[bool, list[tuple[np.ndarray, float, dict[Key, int]]]] = {True: [], False: []}
        for index in relations:
            terms, sense = self.relations[index]
            if sense == "~" and not strict:
                continue
            row = np.zeros(len(variables))
            published = {k: c for k, c in terms.items() if k not in column}
            for k, c in terms.items():
                if k in column:
                    row[column[k]] += c
            constant = sum(c * self.values[k] for k, c in published.items())
            rows[sense == "=" or (sense.startswith("~") and strict)].append((row, -constant, published))
        equal, upper = rows[True], rows[False]
        found = []
        for sign in sides:
            objective = np.zeros(len(variables))
            objective[column[key]] = sign
            result = linprog(
                objective,
                A_ub=np.array([r for r, _, _ in upper]) if upper else None,
                b_ub=np.array([b for _, b, _ in upper]) if upper else None,
                A_eq=np.array([r for r, _, _ in equal]) if equal else None,
                b_eq=np.array([b for _, b, _ in equal]) if equal else None,
                bounds=(0, None),
                method="highs",
            )
            if result.status == 2 and strict:
                return None  # the figures contradict exact additivity: the reader knows it is not
            if result.status == 3:  # unbounded: only the maximum can be
                found.append((math.inf, {}))
                continue
            if result.status != 0:
                raise DisclosureError(f"the disclosure audit of {key} failed: {result.message}")
            value = sign * result.fun  # counts are whole numbers: lo rounds up, hi down
            bound = math.ceil(value - TOLERANCE) if sign > 0 else math.floor(value + TOLERANCE)
            sensitivity: dict[Key, float] = {}
            for marginals, group in ((result.eqlin.marginals, equal), (result.ineqlin.marginals, upper)):
                for dual, (_, _, published) in zip(marginals if group else [], group, strict=True):
                    for k, c in published.items():  # d(bound)/d(value of k) through this relation
                        sensitivity[k] = sensitivity.get(k, 0.0) - dual * c
            found.append((float(bound), sensitivity))
        return found


def protected(interval: Sequence[float], threshold: int) -> bool:
    """The criterion: a reader can tell neither that anyone is there nor that they are few."""
    lo, hi = interval
    return lo <= 0 and hi >= threshold


METHODS = ("optimal", "greedy")


def choose_hidden(
    values: dict[Key, int],
    relations: Sequence[Relation],
    threshold: int,
    totals: set[Key] = frozenset(),
    *,
    method: str = "optimal",
    withheld: set[Key] = frozenset(),
) -> set[Key]:
    """The statistics not shown: the withheld ones, the small counts, and others that protect them: the
    cheaper of the set the integer program finds and the greedy one (`optimal`), or the greedy one alone
    (`greedy`). Either is checked by the LP audit, which hides more, greedily, should a primary still be
    unprotected."""
    attacker = Attacker(values, relations)
    primary = sorted(k for k, v in values.items() if 0 < v < threshold)
    greedy = _complete(attacker, primary, set(primary) | withheld, totals, threshold)
    if method != "optimal" or not primary:
        return greedy
    try:  # the integer program's copies bound how far a hidden cell may move; it stops at a node
        within = [r for r in relations if not r.audit_only]
        chosen = optimal_hidden(values, within, threshold, totals, withheld)  # limit: no worse than greedy
    except NoSolution:
        chosen = greedy
    chosen = _complete(attacker, primary, chosen | set(primary) | withheld, totals, threshold)
    price = {
        name: hiding_cost(found - withheld, values, totals) for name, found in (("g", greedy), ("o", chosen))
    }
    best = chosen if price["o"] <= price["g"] else greedy
    return _prune(attacker, primary, best, withheld, totals, threshold)


def _prune(
    attacker: Attacker,
    primary: list[Key],
    hidden: set[Key],
    withheld: set[Key],
    totals: set[Key],
    threshold: int,
) -> set[Key]:
    """Show again each complementary cell the audit finds every primary protected without, dearest
    first (a total before a cell, a larger count before a smaller). The integer program reads a nearly
    additive sum as exact once one of its cells is hidden, even where the published figures show it is
    not (a person under two regi): a stronger reader than the audit's, so its set can hold cells no
    reader needs."""
    values = attacker.values
    for key in sorted(hidden - set(primary) - withheld, key=lambda k: (-cell_cost(k, values, totals), k)):
        trial = hidden - {key}
        if all(protected(attacker.interval(p, trial), threshold) for p in primary):
            hidden = trial
    return hidden


def _complete(
    attacker: Attacker, primary: list[Key], hidden: set[Key], totals: set[Key], threshold: int
) -> set[Key]:
    """Hide more, greedily, until a whole pass finds every primary protected."""
    todo = primary
    while todo:
        for key in todo:
            interval = attacker.interval(key, hidden)
            while not protected(interval, threshold):
                interval = _hide_one_more(attacker, key, hidden, interval, totals, threshold)
        todo = [k for k in primary if not protected(attacker.interval(k, hidden), threshold)]
    return hidden


def _hide_one_more(
    attacker: Attacker,
    key: Key,
    hidden: set[Key],
    interval: Sequence[float],
    totals: set[Key],
    threshold: int,
) -> list[float]:
    """Hide the first candidate that widens `key`'s interval where it is too narrow; the new interval."""
    direct = {k for i in attacker.touching.get(key, ()) for k in attacker.relations[i][0]}
    _, relations = attacker.component(key, hidden)
    near = {k for i in relations for k in attacker.relations[i][0]}
    candidates = sorted(
        (k for k in near if k not in hidden),
        key=lambda k: (k not in direct, attacker.values[k] == 0, k in totals, attacker.values[k], k),
    )
    if not candidates:
        raise DisclosureError(f"{key} cannot be protected: nothing left to hide around it")
    lo, hi = interval
    side = 1.0 if lo > 0 else -1.0  # the side to widen: lo down to 0 first, then hi up to the threshold
    helping = None
    for candidate in candidates:
        [bound] = attacker.interval(key, hidden | {candidate}, (side,))
        if bound <= 0 if side > 0 else bound >= threshold:  # enough on that side: take it
            helping = candidate
            break
        if helping is None and ((bound < lo) if side > 0 else (bound > hi)):
            helping = candidate  # the best that helps, should none be enough alone
    if helping is None:  # none helps alone (two must go together): the best of those that pin the bound
        pinning = attacker.pinning(key, hidden, side)
        helping = next((c for c in candidates if c in pinning), candidates[0])
    hidden.add(helping)
    return attacker.interval(key, hidden)


def report_values(grids: Sequence[Grid]) -> tuple[dict[Key, int], set[Key]]:
    """Every count statistic of the report with its value, and those shown as totals somewhere."""
    values: dict[Key, int] = {}
    totals: set[Key] = set()
    for grid in grids:
        for cell in grid.count_cells():
            key, value = grid.key(*cell), grid.values[cell]
            if key in values and values[key] != value:
                raise DisclosureError(f"{key} is {values[key]} in one table and {value} in {grid.name}")
            values[key] = value
            if grid.is_total(cell):
                totals.add(key)
    return values, totals


def withheld_statistics(grids: Sequence[Grid]) -> set[Key]:
    """The statistics no table shows (withheld wherever they appear)."""
    keys = {g.key(*c) for g in grids for c in g.count_cells() if c in g.withheld}
    shown = {g.key(*c) for g in grids for c in g.count_cells() if c not in g.withheld}
    return keys - shown


def protect(
    grids: Sequence[Grid], relations: Sequence[Relation], threshold: int, *, method: str = "optimal"
) -> set[Key]:
    """Hide what must be hidden in every table, in place; the statistics not shown (withheld included)."""
    values, totals = report_values(grids)
    withheld = withheld_statistics(grids)
    hidden = choose_hidden(values, relations, threshold, totals, method=method, withheld=withheld)
    for grid in grids:
        grid.hidden = {c for c in grid.count_cells() if grid.key(*c) in hidden and c not in grid.withheld}
        hide_derived(grid, threshold)
    _hide_measures_everywhere([g for g in grids if g.measures])
    return hidden


def _hide_measures_everywhere(grids: Sequence[Grid]) -> None:
    """`hide_measures` in every table, until a measure hidden in one table is hidden wherever it is
    shown: the same measure (column) over the same count statistic, as arbetsträning's årsplatser are
    in the table per insatstyp and in the one per regi."""

    def same(grid: Grid, cell: Cell) -> tuple[Key, str]:
        return grid.key(cell[0], grid.measures[cell[1]]), cell[1]

    while True:
        for grid in grids:
            hide_measures(grid)
        hidden = {same(g, c) for g in grids for c in g.hidden if c[1] in g.measures}
        more = [
            (grid, {(r, c) for r in grid.rows for c in grid.measures if same(grid, (r, c)) in hidden})
            for grid in grids
        ]
        if all(cells <= grid.hidden for grid, cells in more):
            return
        for grid, cells in more:
            grid.hidden |= cells


def hide_derived(grid: Grid, threshold: int) -> None:
    """Shares, means and medians resting on a hidden count or taken over fewer than the threshold."""
    for column, rests_on in grid.derived.items():
        for row in grid.rows:
            if grid.values.get((row, column)) in (None, NOT_YET):
                continue  # nothing to show (a share of nobody, a follow-up not yet possible)
            denominator = grid.values.get((row, rests_on.denominator))
            bases = [rests_on.denominator, *([rests_on.numerator] if rests_on.numerator else [])]
            if any((row, b) in grid.hidden for b in bases) or denominator is None or denominator < threshold:
                grid.hidden.add((row, column))


def hide_measures(grid: Grid) -> None:
    """Hide the additive measures whose counts are hidden, so that none can be read off the sums.

    Per group of measure columns (those adding up along a row): a row whose count under any of them is
    hidden has the whole group hidden (else the row's sum gives it away). Down a column the detail rows
    add up to the total row, so every column with a hidden count among the hidden rows needs, besides
    it, another hidden row that is not a known 0 (a hidden count, or a shown count above 0), and hidden
    measures that do not add up to 0; else one more detail row is hidden, the one with the smallest
    count that is above 0 there. A hidden total row, or no such row left, hides the group in every row.
    """
    details = [r for r in grid.rows if r not in grid.total_rows]

    def hidden(row: str, column: str) -> bool:  # the measure, or the count it is taken over
        return (row, column) in grid.hidden or (row, grid.measures[column]) in grid.hidden

    for group in grid.measure_groups:
        rows = {r for r in grid.rows if any(hidden(r, c) for c in group)}
        while rows and not rows & grid.total_rows:
            short = next((c for c in group if not _column_safe(grid, c, rows & set(details))), None)
            if short is None:
                break
            count = grid.measures[short]
            candidates = [r for r in details if r not in rows and (grid.values.get((r, short)) or 0) > 0]
            if not candidates:
                rows = set(grid.rows)
                break
            rows.add(min(candidates, key=lambda r: (grid.values.get((r, count)) or 0, details.index(r))))
        if rows & grid.total_rows:
            rows = set(grid.rows)
        grid.hidden |= {(r, c) for r in rows for c in group}


def _column_safe(grid: Grid, column: str, hidden_rows: set[str]) -> bool:
    """Whether the hidden detail rows of a measure column keep each hidden measure unknown: with the
    column's total shown, their sum is known, so there must be none or at least two rows of unknown
    measure (a hidden count, or a shown count above 0; a shown 0 is a known 0), and their sum must be
    above 0 (else each of them is known to be 0)."""
    count = grid.measures[column]
    unknown = [r for r in hidden_rows if (r, count) in grid.hidden or (grid.values.get((r, count)) or 0) > 0]
    total = sum(grid.values.get((r, column)) or 0 for r in unknown)
    return not unknown or (len(unknown) >= 2 and total > 0)


def published_small_counts(grid: Grid, threshold: int) -> list[Cell]:
    """Published counts from 1 to threshold - 1 (for tests: must be none)."""
    return [
        (r, c)
        for r, c in grid.count_cells()
        if (r, c) not in grid.hidden | grid.withheld and 0 < grid.values[(r, c)] < threshold
    ]

"""A reader trying to narrow down hidden counts, written apart from the report's own audit.

It starts from what a reader has (the published figures, as `siffror.json` shows them) and what a reader
knows (the declared relations, and that counts are whole numbers >= 0), and asks an integer program
(scipy's `milp`), over every table at once, how far each hidden count can be narrowed. The report's own
audit (`disclosure.py`) works component by component with linear programs and a greedy choice; this one
shares none of that code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from jobbtorg_pipeline.report.disclosure import HIDDEN, Key, Relation

BIG = 10_000_000  # no count in a report comes near: a bound this high means "unbounded"


def published_counts(figures: Mapping[str, Any], tables: Sequence[Any]) -> dict[Key, int | None]:
    """Each count's key and what a reader sees of it (None: hidden), from the figures as published.
    A statistic published with two different values, or hidden in one table and shown in another, fails."""
    seen: dict[Key, int | None] = {}
    by_id = {t.id: t for t in tables}
    for table in figures["tabeller"]:
        report_table = by_id[table["id"]]
        grid = report_table.grid
        assert len(table["rader"]) == len(grid.rows), table["id"]
        for row, published in zip(grid.rows, table["rader"], strict=True):
            for column, unit, value in zip(grid.columns, table["enheter"], published["varden"], strict=True):
                if unit != "antal" or value is None:
                    continue
                key = grid.key(row, column)
                shown = None if value == HIDDEN else int(value)
                assert seen.get(key, shown) == shown, f"{key} is published as {seen[key]} and as {shown}"
                seen[key] = shown
    return seen


def narrowest(
    published: Mapping[Key, int | None],
    relations: Sequence[Relation],
    targets: Sequence[Key],
    *,
    exact_reading: bool = False,
) -> dict[Key, tuple[int, int]] | None:
    """[lo, hi] for each hidden target, over every table at once. With `exact_reading`, a nearly additive
    sum is taken as exact (None when the published figures contradict that reading)."""
    hidden = sorted(k for k, v in published.items() if v is None)
    column = {k: i for i, k in enumerate(hidden)}
    equal, upper = [], []
    for relation in relations:
        if relation.sense == "~" and not exact_reading:
            continue  # nothing holds beyond the other relations
        row = np.zeros(len(hidden))
        constant = 0
        for key, coefficient in relation.terms:
            if key in column:
                row[column[key]] += coefficient
            else:
                constant += coefficient * published[key]
        is_equal = relation.sense == "=" or (exact_reading and relation.sense.startswith("~"))
        if not row.any():
            if (constant != 0) if is_equal else (constant > 0):
                if exact_reading:
                    return None  # the published figures themselves rule the exact reading out
                raise AssertionError(f"a declared relation fails on the published figures: {relation.why}")
            continue
        (equal if is_equal else upper).append((row, -constant))
    constraints = []
    if equal:
        a = np.array([r for r, _ in equal])
        b = np.array([b for _, b in equal])
        constraints.append(LinearConstraint(a, b, b))
    if upper:
        constraints.append(
            LinearConstraint(np.array([r for r, _ in upper]), -np.inf, np.array([b for _, b in upper]))
        )
    found = {}
    for target in targets:
        bounds = []
        for sign in (1, -1):
            objective = np.zeros(len(hidden))
            objective[column[target]] = sign
            result = milp(
                objective,
                integrality=np.ones(len(hidden)),
                bounds=Bounds(0, BIG),
                constraints=constraints,
            )
            if result.status == 2 and exact_reading:
                return None
            assert result.status == 0, (target, result.message)
            bounds.append(round(sign * result.fun))
        found[target] = (bounds[0], bounds[1])
    return found


SLACK = 1e-5  # an årsplats figure is at least 1/366 when above 0, far above the rounding


def measure_reading(table: Mapping[str, Any], grid: Any) -> dict[tuple[str, str], tuple[float, float]]:
    """[lo, hi] of each hidden additive measure (årsplatser) of one published table, as a reader works
    them out: its measure columns add up along each row (`measure_groups`) and down to the total row, a
    measure is >= 0, and it is 0 where its count of persons is published as 0. Only for the measures
    whose count is hidden: lo > 0 would tell that the hidden count is above 0, hi == 0 that it is 0
    (both within SLACK: the published figures are rounded)."""
    from scipy.optimize import linprog

    published = {
        (row, column): value
        for row, shown in zip(grid.rows, table["rader"], strict=True)
        for column, value in zip(grid.columns, shown["varden"], strict=True)
    }
    unknown = sorted((r, c) for r in grid.rows for c in grid.measures if published[(r, c)] == HIDDEN)
    if not unknown:
        return {}
    index = {cell: i for i, cell in enumerate(unknown)}
    equations: list[tuple[np.ndarray, float]] = []

    def add(cells: Sequence[tuple[tuple[str, str], int]]) -> None:
        row, constant = np.zeros(len(unknown)), 0.0
        for cell, sign in cells:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * float(published[cell])
        if row.any():
            equations.append((row, -constant))

    details = [r for r in grid.rows if r not in grid.total_rows]
    for group in grid.measure_groups:
        *parts, total = group
        for r in grid.rows if parts else ():
            add([*(((r, p), 1) for p in parts), ((r, total), -1)])
    for column in grid.measures:
        for total_row in grid.total_rows:
            add([*(((r, column), 1) for r in details), ((total_row, column), -1)])
    bounds = [(0.0, 0.0) if published[(r, grid.measures[c])] == 0 else (0.0, None) for r, c in unknown]
    # the published figures are rounded (to 6 decimals in siffror.json): each sum holds within SLACK
    a_ub = np.array([*(e for e, _ in equations), *(-e for e, _ in equations)]) if equations else None
    b_ub = (
        np.array([*(b + SLACK for _, b in equations), *(-b + SLACK for _, b in equations)])
        if equations
        else None
    )
    found = {}
    for cell in unknown:
        if published[(cell[0], grid.measures[cell[1]])] != HIDDEN:
            continue
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(unknown))
            objective[index[cell]] = sign
            result = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            if result.status == 3:  # unbounded above
                ends.append(np.inf)
                continue
            assert result.status == 0, (cell, result.message)
            ends.append(sign * result.fun)
        found[cell] = (ends[0], ends[1])
    return found

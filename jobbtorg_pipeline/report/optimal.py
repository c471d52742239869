"""Near-minimal secondary suppression: the complementary cells chosen by integer programming.

Hiding the cells one at a time (`disclosure.choose_hidden`'s greedy passes) often hides far more than
needed: one column of tiny counts can take a whole table's columns with it. Here the choice is a mixed
integer program over the whole report, in the manner of τ-ARGUS' optimal method (Fischetti and Salazar),
solved for each part of the report that no relation ties to another (the same choice, found faster):

- a binary `y_k` per statistic: hidden (1) or shown (0); every primary (1 to threshold - 1)
  and every withheld statistic (never shown, costing nothing) is hidden;
- for each primary `p`, four copies of the statistics tied to it through relations, each a table a
  reader could believe: all relations hold, a shown statistic keeps its value, a hidden one may move (down
  to 0, up by a bounded amount), and `p` is 0 (down) or at least the threshold (up). One pair of copies
  reads a nearly additive sum as the reader knows it holds, the other as exact (unless every cell of that
  sum is shown, when the figures themselves say how far from exact it is);
- the objective: the cost of the hidden cells. A cell costs 1 (plus a little with its size, so that of
  two equal choices the smaller count goes), a total or a headline figure (`costly`) costs `TOTAL_COST`.

If a copy exists, the reader cannot narrow `p` past 0 or past the threshold. The LP audit of
`disclosure.py` then checks the solution with integer rounding and both readings (per part of the
report), and hides more greedily if it finds a primary unprotected (rare: the copies bound how far a
hidden cell may move). The solver's limits (per part) are counts of nodes, not seconds, so the same
figures give the same hidden cells on any machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

TOTAL_COST = 20.0  # a total, or a figure a share rests on: hidden only when nothing cheaper protects
NODE_LIMIT = 500  # branch-and-bound nodes: deterministic, unlike a time limit, and a report in seconds
GAP = 1e-4  # stop at a solution within 0.01 % of the best possible


class NoSolution(RuntimeError):
    """The integer program found no way to protect every primary within its limits."""


def optimal_hidden(
    values: dict,
    relations: Sequence,
    threshold: int,
    costly: set = frozenset(),
    withheld: set = frozenset(),
) -> set:
    """The primaries and the cheapest complementary cells that protect them (see the module doc);
    `withheld` statistics are never shown (hidden, at no cost).

    No relation ties one part of the report to another, so the cheapest choice for the whole is the
    cheapest for each part: each part holding a primary is solved on its own (smaller programs, solved
    faster), and a part without one needs nothing hidden."""
    hidden: set = set()
    for part, part_relations in _parts(values, relations):
        if any(0 < values[k] < threshold for k in part):
            hidden |= _solve({k: values[k] for k in part}, part_relations, threshold, costly, withheld & part)
    return hidden


def _parts(values: dict, relations: Sequence) -> list[tuple[set, list]]:
    """The statistics split into parts that no relation crosses, each with its relations."""
    parent = {k: k for k in values}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    relations = [r for r in relations if r.terms]  # an empty sum says nothing
    for relation in relations:
        first = relation.terms[0][0]
        for k, _ in relation.terms[1:]:
            a, b = root(first), root(k)
            parent[b] = a
    parts: dict = {}
    for k in sorted(values):
        parts.setdefault(root(k), (set(), []))[0].add(k)
    for relation in relations:
        parts[root(relation.terms[0][0])][1].append(relation)
    return list(parts.values())


def _solve(values: dict, relations: Sequence, threshold: int, costly: set, withheld: set) -> set:
    """The integer program of one part of the report."""
    keys = sorted(values)
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    primary = [k for k in keys if 0 < values[k] < threshold]
    if not primary:
        return set()
    rels = [({index[k]: c for k, c in r.terms}, r.sense) for r in relations]
    touching: dict[int, list[int]] = {}
    for j, (terms, _) in enumerate(rels):
        for i in terms:
            touching.setdefault(i, []).append(j)
    a = np.array([values[k] for k in keys], dtype=float)
    move_up = 4.0 * threshold  # how far a hidden cell may move up in a copy

    cols: list[int] = []  # the variables: y (n), then h (one per nearly additive sum), then the copies
    lower: list[float] = [0.0] * n
    upper: list[float] = [1.0] * n
    for k in [*primary, *withheld]:
        lower[index[k]] = 1.0
    cost = [0.0 if k in withheld else cell_cost(k, values, costly) for k in keys]
    integral = [1] * n
    approx = [j for j, (_, sense) in enumerate(rels) if sense in ("~", "~<=")]
    h_of = {}
    for j in approx:
        h_of[j] = len(lower)
        lower.append(0.0)
        upper.append(1.0)
        cost.append(0.0)
        integral.append(0)
    rows, cols, data, lo, hi = [], [], [], [], []

    def add_row(entries: dict[int, float], low: float, high: float) -> None:
        r = len(lo)
        for col, v in entries.items():
            rows.append(r)
            cols.append(col)
            data.append(v)
        lo.append(low)
        hi.append(high)

    for j in approx:  # h_j = 1 when any of the sum's cells is hidden
        for i in rels[j][0]:
            add_row({h_of[j]: 1.0, i: -1.0}, 0.0, np.inf)

    for p in primary:
        component = _component(index[p], rels, touching)
        members = sorted({i for j in component for i in rels[j][0]} | {index[p]})
        for exact in (False, True):
            for down in (True, False):
                z = {i: len(lower) + t for t, i in enumerate(members)}
                for i in members:
                    lower.append(0.0)
                    upper.append(np.inf)
                    cost.append(0.0)
                    integral.append(0)
                    if i == index[p]:
                        if down:
                            upper[z[i]] = 0.0
                        else:
                            lower[z[i]] = float(threshold)
                        continue
                    add_row({z[i]: 1.0, i: -move_up}, -np.inf, a[i])  # z <= a + U y
                    add_row({z[i]: 1.0, i: a[i]}, a[i], np.inf)  # z >= a - a y
                for j in component:
                    terms, sense = rels[j]
                    entries = {z[i]: float(c) for i, c in terms.items()}
                    if sense == "=":
                        add_row(entries, 0.0, 0.0)
                    elif sense == "<=" or (sense == "~<=" and not exact):
                        add_row(entries, -np.inf, 0.0)
                    elif exact:  # sum = level * (1 - h): exact once a cell is hidden, else as published
                        level = float(sum(c * a[i] for i, c in terms.items()))
                        if level:
                            entries[h_of[j]] = level
                        add_row(entries, level, level)

    matrix = coo_array((data, (rows, cols)), shape=(len(lo), len(lower))).tocsr()
    result = milp(
        np.array(cost),
        integrality=np.array(integral),
        bounds=Bounds(np.array(lower), np.array(upper)),
        constraints=LinearConstraint(matrix, np.array(lo), np.array(hi)),
        options={"node_limit": NODE_LIMIT, "mip_rel_gap": GAP, "presolve": True},
    )
    if result.x is None:
        raise NoSolution(result.message)
    return {k for k in keys if result.x[index[k]] > 0.5}


def cell_cost(key, values: dict, costly: set) -> float:
    """A hidden cell's cost; the log: of two equal choices, the smaller count goes."""
    return (TOTAL_COST if key in costly else 1.0) + 0.01 * math.log1p(values[key])


def hiding_cost(hidden: set, values: dict, costly: set) -> float:
    """What hiding `hidden` costs, as the integer program counts it."""
    return sum(cell_cost(k, values, costly) for k in sorted(hidden))


def _component(start: int, rels: list, touching: dict[int, list[int]]) -> list[int]:
    """The relations reachable from statistic `start` (through any statistic)."""
    seen_keys, seen_rels, todo = {start}, set(), [start]
    while todo:
        for j in touching.get(todo.pop(), ()):
            if j in seen_rels:
                continue
            seen_rels.add(j)
            for i in rels[j][0]:
                if i not in seen_keys:
                    seen_keys.add(i)
                    todo.append(i)
    return sorted(seen_rels)

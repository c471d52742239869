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

If a copy exists, the reader cannot narrow `p` past 0 or past the threshold. The copies are made only
for the small counts that need them (constraint generation, as in Fischetti and Salazar's method): the
program is solved, each other small count's copies are checked against the choice, and those that fail
are added before it is solved again (`_solve`); the result costs what the whole program's optimum
costs, within the solver's limits.

The LP audit of `disclosure.py` then checks the solution with integer rounding and both readings (per
part of the report), and hides more greedily if it finds a primary unprotected (rare: the copies bound
how far a hidden cell may move). The solver's limits (per part) are counts of nodes, not seconds, so the
same figures give the same hidden cells on any machine.
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
    """The integer program of one part of the report, its copies added only where they are needed.

    The copies are most of the program (four copies of the part per small count), and most small counts
    are protected by what the others need hidden. So the program is first solved with copies for no
    small count; then each other small count's four copies are checked against the choice (an LP with
    the hidden cells fixed), and those whose copies fail get them, and the program is solved again. A
    choice that passes every check is feasible for the whole program and no dearer than its optimum
    (a program with fewer copies asks less), so it is the whole program's optimum: the same cost."""
    model = _Model(values, relations, threshold, costly, withheld)
    if not model.primary:
        return set()
    copied: list = []
    while True:
        hidden = model.solve(copied)
        missing = [p for p in model.primary if p not in copied and not model.protects(hidden, p)]
        if not missing:
            return {k for k in model.keys if hidden[model.index[k]]}
        copied += missing


class _Model:
    """The variables and rows of one part's integer program (see the module doc)."""

    def __init__(self, values: dict, relations: Sequence, threshold: int, costly: set, withheld: set):
        self.keys = sorted(values)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.primary = [k for k in self.keys if 0 < values[k] < threshold]
        self.threshold = threshold
        self.rels = [({self.index[k]: c for k, c in r.terms}, r.sense) for r in relations]
        self.touching: dict[int, list[int]] = {}
        for j, (terms, _) in enumerate(self.rels):
            for i in terms:
                self.touching.setdefault(i, []).append(j)
        self.a = np.array([values[k] for k in self.keys], dtype=float)
        self.forced = {self.index[k] for k in [*self.primary, *withheld]}
        self.cost = [0.0 if k in withheld else cell_cost(k, values, costly) for k in self.keys]

    def solve(self, copied: Sequence) -> np.ndarray:
        """The cheapest choice (hidden: True) protecting the `copied` small counts through their copies."""
        program = self._program(copied)
        result = milp(
            np.array(program.cost),
            integrality=np.array(program.integral),
            bounds=Bounds(np.array(program.lower), np.array(program.upper)),
            constraints=program.constraints(),
            options={"node_limit": NODE_LIMIT, "mip_rel_gap": GAP, "presolve": True},
        )
        if result.x is None:
            raise NoSolution(result.message)
        return result.x[: len(self.keys)] > 0.5

    def protects(self, hidden: np.ndarray, key) -> bool:
        """Whether all four copies of small count `key` exist with the cells of `hidden` hidden."""
        program = self._program([key])
        n = len(self.keys)
        program.lower[:n] = program.upper[:n] = hidden.astype(float).tolist()
        result = milp(
            np.zeros(len(program.lower)),
            bounds=Bounds(np.array(program.lower), np.array(program.upper)),
            constraints=program.constraints(),
        )
        return result.status == 0

    def _program(self, copied: Sequence) -> _Program:
        program = _Program()
        rels, a, threshold = self.rels, self.a, self.threshold
        for i, cost in enumerate(self.cost):  # y: hidden (1) or shown (0)
            program.variable(1.0 if i in self.forced else 0.0, 1.0, cost, integral=True)
        approx = [j for j, (_, sense) in enumerate(rels) if sense in ("~", "~<=")]
        h_of = {j: program.variable(0.0, 1.0) for j in approx}
        for j in approx:  # h_j = 1 when any of the sum's cells is hidden
            for i in rels[j][0]:
                program.row({h_of[j]: 1.0, i: -1.0}, 0.0, np.inf)
        move_up = 4.0 * threshold  # how far a hidden cell may move up in a copy
        for key in copied:
            p = self.index[key]
            component = _component(p, rels, self.touching)
            members = sorted({i for j in component for i in rels[j][0]} | {p})
            for exact in (False, True):
                for down in (True, False):
                    z = {}
                    for i in members:
                        if i == p:
                            z[i] = program.variable(0.0, 0.0) if down else program.variable(threshold, np.inf)
                            continue
                        z[i] = program.variable(0.0, np.inf)
                        program.row({z[i]: 1.0, i: -move_up}, -np.inf, a[i])  # z <= a + U y
                        program.row({z[i]: 1.0, i: a[i]}, a[i], np.inf)  # z >= a - a y
                    for j in component:
                        terms, sense = rels[j]
                        entries = {z[i]: float(c) for i, c in terms.items()}
                        if sense == "=":
                            program.row(entries, 0.0, 0.0)
                        elif sense == "<=" or (sense == "~<=" and not exact):
                            program.row(entries, -np.inf, 0.0)
                        elif exact:  # sum = level * (1 - h): exact once a cell is hidden, else as published
                            level = float(sum(c * a[i] for i, c in terms.items()))
                            if level:
                                entries[h_of[j]] = level
                            program.row(entries, level, level)
        return program


class _Program:
    """A linear program's columns and rows, as they are added."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.integral: list[int] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.data: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def variable(self, lower: float, upper: float, cost: float = 0.0, *, integral: bool = False) -> int:
        self.lower.append(float(lower))
        self.upper.append(float(upper))
        self.cost.append(cost)
        self.integral.append(int(integral))
        return len(self.lower) - 1

    def row(self, entries: dict[int, float], low: float, high: float) -> None:
        r = len(self.lo)
        for col, v in entries.items():
            self.rows.append(r)
            self.cols.append(col)
            self.data.append(v)
        self.lo.append(low)
        self.hi.append(high)

    def constraints(self) -> LinearConstraint:
        matrix = coo_array((self.data, (self.rows, self.cols)), shape=(len(self.lo), len(self.lower)))
        return LinearConstraint(matrix.tocsr(), np.array(self.lo), np.array(self.hi))


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

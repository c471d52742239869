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

import contextlib
import math
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

TOTAL_COST = 20.0  # a total, or a figure a share rests on: hidden only when nothing cheaper protects
NODE_LIMIT = 500  # branch-and-bound nodes: deterministic, unlike a time limit, and a report in seconds
GAP = 1e-4  # stop at a solution within 0.01 % of the best possible


@contextlib.contextmanager
def _solver_quiet() -> Iterator[None]:
    """The process's standard output (file descriptor 1) sent to /dev/null while HiGHS solves: its MIP
    solver writes a debug line there ("HighsMipSolverData::transformNewIntegerFeasibleSolution ...")
    whatever its display options say, which would end up in the output of `jobbtorg run` and `jobbtorg
    report` (tests/test_report.py builds a report that makes it, its output read through a pipe)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with Path(os.devnull).open("wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


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
        others = [p for p in model.primary if p not in copied]
        missing = model.unprotected(hidden, others, likely_protected=bool(copied))
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
        self.h_of: dict[int, int] = {}  # relation -> its h variable, set with the part's own variables
        self._base: _Arrays | None = None
        self._templates: dict = {}  # (relations, statistics) -> their copies' template, and its places

    def solve(self, copied: Sequence) -> np.ndarray:
        """The cheapest choice (hidden: True) protecting the `copied` small counts through their copies."""
        program = self._program(copied)
        with _solver_quiet():
            result = milp(
                program.cost,
                integrality=program.integral,
                bounds=Bounds(program.lower, program.upper),
                constraints=program.constraints(),
                options={"node_limit": NODE_LIMIT, "mip_rel_gap": GAP, "presolve": True},
            )
        if result.x is None:
            raise NoSolution(result.message)
        return result.x[: len(self.keys)] > 0.5

    def unprotected(self, hidden: np.ndarray, keys: list, *, likely_protected: bool) -> list:
        """The small counts of `keys`, in order, whose copies do not all exist with `hidden` hidden.

        With the hidden cells fixed, the copies of different small counts share no free variable (a sum's
        h is then fixed by its cells), so the copies of many exist together exactly when each one's do.
        Once some copies are in the program most small counts are protected: they are first checked
        together, in one program, and one by one only if that fails."""
        if not keys or (likely_protected and self._copies_exist(hidden, keys)):
            return []
        return [k for k in keys if not self._copies_exist(hidden, [k])]

    def _copies_exist(self, hidden: np.ndarray, keys: list) -> bool:
        program = self._program(keys)
        n = len(self.keys)
        program.lower[:n] = program.upper[:n] = hidden.astype(float)
        with _solver_quiet():
            result = milp(
                np.zeros(len(program.lower)),
                bounds=Bounds(program.lower, program.upper),
                constraints=program.constraints(),
            )
        return result.status == 0

    def _program(self, copied: Sequence) -> _Arrays:
        """The program with the copies of the `copied` small counts, in that order. The part's own
        variables and rows are built once, and the copies from one template per group of statistics
        (the same for every small count of the part but for that count's own cell): the loop of
        `_solve` asks for many programs (one per check)."""
        if self._base is None:
            builder = _Program()
            self._add_base(builder)
            self._base = builder.arrays()
        base_columns, base_rows = len(self._base.lower), len(self._base.lo)
        pieces, variables, rows = [self._base], base_columns, base_rows
        for key in copied:
            piece = self._copies(key).moved(base_columns, variables, base_rows, rows)
            pieces.append(piece)
            variables, rows = variables + len(piece.lower), rows + len(piece.lo)
        return _Arrays.joined(pieces)

    def _copies(self, key) -> _Arrays:
        """The four copies of the statistics tied to small count `key` (see the module doc): the
        template of its group, with the count's own cell pinned (0, or at least the threshold) and
        free of the two rows that bound every other hidden cell's move."""
        p = self.index[key]
        component = tuple(_component(p, self.rels, self.touching))
        members = tuple(sorted({i for j in component for i in self.rels[j][0]} | {p}))
        if (component, members) not in self._templates:
            builder = _Program(len(self._base.lower), len(self._base.lo))
            places = self._add_copies(builder, component, members)
            self._templates[component, members] = builder.arrays(), places
        template, places = self._templates[component, members]
        m = members.index(p)
        pinned = [(column[m], first_row[m], down) for column, first_row, down in places]
        return template.pinned(pinned, self.threshold, len(self._base.lower), len(self._base.lo))

    def _add_base(self, program: _Program) -> None:
        """The y of every statistic and the h of every nearly additive sum (hidden cells in it or not)."""
        for i, cost in enumerate(self.cost):  # y: hidden (1) or shown (0)
            program.variable(1.0 if i in self.forced else 0.0, 1.0, cost, integral=True)
        approx = [j for j, (_, sense) in enumerate(self.rels) if sense in ("~", "~<=")]
        self.h_of = {j: program.variable(0.0, 1.0) for j in approx}
        for j in approx:  # h_j = 1 when any of the sum's cells is hidden
            for i in self.rels[j][0]:
                program.row({self.h_of[j]: 1.0, i: -1.0}, 0.0, np.inf)

    def _add_copies(self, program: _Program, component: Sequence[int], members: Sequence[int]) -> list:
        """The four copies of `members`, each hidden one free to move (down to 0, up by a bound) and
        every relation of `component` holding; per copy, each member's column and first bounding row."""
        rels, a, threshold, h_of = self.rels, self.a, self.threshold, self.h_of
        move_up = 4.0 * threshold  # how far a hidden cell may move up in a copy
        places = []
        for exact in (False, True):
            for down in (True, False):
                z, first_rows = {}, []
                for i in members:
                    z[i] = program.variable(0.0, np.inf)
                    first_rows.append(program.first_row + len(program.lo))
                    program.row({z[i]: 1.0, i: -move_up}, -np.inf, a[i])  # z <= a + U y
                    program.row({z[i]: 1.0, i: a[i]}, a[i], np.inf)  # z >= a - a y
                places.append(([z[i] for i in members], first_rows, down))
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
        return places


class _Program:
    """A linear program's columns and rows, as they are added; numbered from `first_variable` and
    `first_row` when it is a piece to go after others."""

    def __init__(self, first_variable: int = 0, first_row: int = 0) -> None:
        self.first_variable, self.first_row = first_variable, first_row
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
        return self.first_variable + len(self.lower) - 1

    def row(self, entries: dict[int, float], low: float, high: float) -> None:
        r = self.first_row + len(self.lo)
        for col, v in entries.items():
            self.rows.append(r)
            self.cols.append(col)
            self.data.append(v)
        self.lo.append(low)
        self.hi.append(high)

    def arrays(self) -> _Arrays:
        return _Arrays(
            *(np.array(x, dtype=float) for x in (self.lower, self.upper, self.cost)),
            np.array(self.integral, dtype=np.int64),
            np.array(self.rows, dtype=np.int64),
            np.array(self.cols, dtype=np.int64),
            *(np.array(x, dtype=float) for x in (self.data, self.lo, self.hi)),
        )


@dataclass
class _Arrays:
    """A program, or a piece of one, as arrays: its columns' bounds, costs and integrality, its
    matrix's entries (row, column, value) and its rows' bounds."""

    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    integral: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    data: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def moved(self, built_at: int, variables: int, built_row: int, rows: int) -> _Arrays:
        """This piece, built to start at column `built_at` and row `built_row`, placed to start at
        `variables` and `rows`; its entries in earlier columns (the part's own variables) stay."""
        cols = np.where(self.cols >= built_at, self.cols - built_at + variables, self.cols)
        return replace(self, rows=self.rows - built_row + rows, cols=cols)

    def pinned(self, cells: Sequence[tuple[int, int, bool]], threshold: int, built_at: int, built_row: int):
        """This template (built to start at column `built_at` and row `built_row`) with, for each
        (column, first of its two rows, down) of `cells`, that column fixed at 0 (down) or at least
        `threshold` (up) and its two rows left out; the rows after them move up."""
        lower, upper = self.lower.copy(), self.upper.copy()
        dropped = []
        for column, first_row, down in cells:
            lower[column - built_at], upper[column - built_at] = (0.0, 0.0) if down else (threshold, np.inf)
            dropped += [first_row - built_row, first_row - built_row + 1]
        dropped = np.array(sorted(dropped))
        local = self.rows - built_row
        keep = ~np.isin(local, dropped)
        rows = local[keep] - np.searchsorted(dropped, local[keep]) + built_row
        return replace(
            self,
            lower=lower,
            upper=upper,
            rows=rows,
            cols=self.cols[keep],
            data=self.data[keep],
            lo=np.delete(self.lo, dropped),
            hi=np.delete(self.hi, dropped),
        )

    @staticmethod
    def joined(pieces: Sequence[_Arrays]) -> _Arrays:
        fields = ("lower", "upper", "cost", "integral", "rows", "cols", "data", "lo", "hi")
        return _Arrays(*(np.concatenate([getattr(p, f) for p in pieces]) for f in fields))

    def constraints(self) -> LinearConstraint:
        matrix = coo_array((self.data, (self.rows, self.cols)), shape=(len(self.lo), len(self.lower)))
        return LinearConstraint(matrix.tocsr(), self.lo, self.hi)


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

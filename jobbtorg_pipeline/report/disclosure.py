"""Disclosure control for published tables (the Swedish official-statistics mark `..` for a hidden value).

- Primary: a count from 1 to threshold - 1 is hidden (0 is shown: it identifies no one).
- Secondary: a table's additive lines (each column's detail rows with its total row; each row's detail
  columns with their total column) are made safe: a line with exactly one hidden cell would give it away
  by subtraction, so another cell of the line is hidden too (the smallest detail, else the total), until
  no line has exactly one. Totals of distinct persons are not strictly additive, but a reader may treat
  them as if they were, so they are protected as if they were.
- Derived values: a share is hidden when its numerator or denominator is hidden or the denominator is
  under the threshold (it would give away the numerator); a mean or median when the count it rests on is
  hidden or under the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

HIDDEN = ".."  # the Swedish official statistics mark for a value not shown


@dataclass
class Grid:
    """One table's cells: rows x columns, with the additive structure the suppression must respect."""

    rows: list[str]
    columns: list[str]
    values: dict[tuple[str, str], float | int | None]
    count_columns: list[str]  # counts of persons (or employments, rows, ...): subject to suppression
    total_row: str | None = None  # the row that is the total of the others
    column_sums: list[tuple[str, list[str]]] = field(default_factory=list)  # (total column, its details)
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> counts it rests on
    hidden: set[tuple[str, str]] = field(default_factory=set)

    def value(self, row: str, column: str) -> float | int | str | None:
        return HIDDEN if (row, column) in self.hidden else self.values.get((row, column))


def _lines(grid: Grid) -> list[tuple[list[tuple[str, str]], tuple[str, str] | None]]:
    """The additive lines: (detail cells, total cell)."""
    lines = []
    if grid.total_row is not None:
        details = [r for r in grid.rows if r != grid.total_row]
        for column in grid.count_columns:
            lines.append(([(r, column) for r in details], (grid.total_row, column)))
    for total, details in grid.column_sums:
        for row in grid.rows:
            lines.append(([(row, c) for c in details], (row, total)))
    return lines


def suppress(grid: Grid, threshold: int) -> Grid:
    """Hide what must be hidden, in place; returns the grid."""
    for row in grid.rows:
        for column in grid.count_columns:
            value = grid.values.get((row, column))
            if value is not None and 0 < value < threshold:
                grid.hidden.add((row, column))
    changed = True
    while changed:
        changed = False
        for details, total in _lines(grid):
            cells = [*details, *([total] if total else [])]
            hidden = [c for c in cells if c in grid.hidden]
            if len(hidden) != 1:
                continue
            open_details = [c for c in details if c not in grid.hidden and grid.values.get(c) is not None]
            if open_details:
                choice = min(
                    open_details, key=lambda c: (grid.values[c] or 0, grid.columns.index(c[1]), c[0])
                )
            elif total is not None and total not in grid.hidden:
                choice = total
            else:
                continue
            grid.hidden.add(choice)
            changed = True
    for column, bases in grid.derived.items():
        for row in grid.rows:
            if grid.values.get((row, column)) is None:
                continue  # nothing to show (a share of nobody): it stays empty
            for base in bases:
                value = grid.values.get((row, base))
                if (row, base) in grid.hidden or (value is not None and value < threshold):
                    grid.hidden.add((row, column))
    return grid


def recoverable(grid: Grid) -> list[tuple[str, str]]:
    """Hidden count cells that one line's published cells would give away by subtraction (for tests)."""
    found = []
    for details, total in _lines(grid):
        cells = [*details, *([total] if total else [])]
        hidden = [c for c in cells if c in grid.hidden]
        if len(hidden) == 1 and total is not None:
            found.append(hidden[0])
    return found


def published_small_counts(grid: Grid, threshold: int) -> list[tuple[str, str]]:
    """Published counts from 1 to threshold - 1 (for tests: must be none)."""
    return [
        (r, c)
        for r in grid.rows
        for c in grid.count_columns
        if (r, c) not in grid.hidden and (v := grid.values.get((r, c))) is not None and 0 < v < threshold
    ]


def all_count_cells(grid: Grid) -> Sequence[tuple[str, str]]:
    return [(r, c) for r in grid.rows for c in grid.count_columns]

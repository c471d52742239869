"""Dependencies read from the SQL models: the model is the one place its inputs are named."""

from __future__ import annotations

import re

from jobbtorg_pipeline.sources.contract import KALLOR

_REFERENCE = re.compile(r"\b(raw|staging|marts)\.([a-z_]+)\b")

# Tables that are written as a part of another asset's work, by the asset(s) that write them.
_OWNERS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("raw", "uttag"): [("raw", "inskrivningar")],
    ("raw", "filer"): [("raw", k) for k in KALLOR],
    ("raw", "avvisade_rader"): [("raw", k) for k in KALLOR],
    ("staging", "karantan"): [("staging", k) for k in KALLOR],
    ("staging", "personnummer"): [("staging", "inskrivningar")],
}


def upstream(sql: str, *, always: tuple[tuple[str, str], ...] = ()) -> list[list[str]]:
    """The asset keys a model reads, from the `schema.table` names in its SQL."""
    keys: set[tuple[str, str]] = set(always)
    for table in _REFERENCE.findall(sql):
        keys.update(_OWNERS.get(table, [table]))
    return [list(key) for key in sorted(keys)]


def description(sql: str) -> str:
    """The model's leading comment, as its description."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)

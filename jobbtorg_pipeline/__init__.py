"""Jobbtorg Stockholm follow-up pipeline: source extracts -> JUST-team rules -> DuckDB marts."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files as installed_folder  # not `resources`: a submodule of ours
from pathlib import Path

__version__ = "0.1.0"

_CODE_SUFFIXES = (".py", ".sql", ".yml", ".yaml", ".csv")


@cache
def code_version() -> str:
    """The version plus a fingerprint of every source, SQL, YAML and reference file of the pipeline.

    A frozen tertial records it: a rebuild can then tell new inputs from new code.
    """
    digest = hashlib.sha256()
    # the installed folders by name, not by import: this package sits below every layer
    roots = [Path(__file__).parent] + [
        Path(str(installed_folder(f"jobbtorg_pipeline.{name}"))) for name in ("assets", "quality", "sensors")
    ]
    for root in roots:
        for path in sorted(
            p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts
        ):
            digest.update(f"{root.name}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"

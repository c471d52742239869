"""Layers import only downward, and every module has one name.

Why: a rule written in two places drifts, and an import cycle makes the order of work depend on which
module is loaded first. The layers, lowest first (docs/architecture.md):

    shared     settings, periods, warehouse access, personnummer and pseudonyms, provenance, the Dagster
               resource and instance, the SQL lineage helper
    sources    reading the extracts (jobbtorg_pipeline/sources/, assets/sources.py)
    rules      the JUST-team rules, the typing they judge and the quarantine that applies them
    staging    assets/staging/
    checks     the asset checks over raw and staged tables (quality/checks.py, quality/gx_duckdb.py)
    marts      assets/marts/
    report     jobbtorg_pipeline/report/, assets/report.py
    publish    assets/publish.py
    shell      the Definitions, the command line, run handling, automation (sensors/), docs, the generator

A module may import its own layer and those below it, never one above. Every import counts, also one
inside a function.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "jobbtorg_pipeline"

LAYERS = ("shared", "sources", "rules", "staging", "checks", "marts", "report", "publish", "shell")

# module (or package: it and everything under it) -> layer; the longest matching name decides
PLACES = {
    PACKAGE: "shared",
    f"{PACKAGE}.settings": "shared",
    f"{PACKAGE}.perioder": "shared",
    f"{PACKAGE}.warehouse": "shared",
    f"{PACKAGE}.oslock": "shared",
    f"{PACKAGE}.personnummer": "shared",
    f"{PACKAGE}.pseudonym": "shared",
    f"{PACKAGE}.provenance": "shared",
    f"{PACKAGE}.resources": "shared",
    f"{PACKAGE}.progress": "shared",
    f"{PACKAGE}.instance": "shared",
    f"{PACKAGE}.reference": "shared",
    f"{PACKAGE}.dagster_home": "shared",
    f"{PACKAGE}.assets": "shared",  # the package itself; its modules are placed below
    f"{PACKAGE}.assets.lineage": "sources",  # reads the list of sources from the contract
    f"{PACKAGE}.quality": "shared",
    f"{PACKAGE}.sensors": "shell",
    f"{PACKAGE}.sources": "sources",
    f"{PACKAGE}.assets.sources": "sources",
    f"{PACKAGE}.quality.rules": "rules",
    f"{PACKAGE}.quality.typing": "rules",
    f"{PACKAGE}.quality.quarantine": "rules",
    f"{PACKAGE}.assets.staging": "staging",
    f"{PACKAGE}.quality.checks": "checks",
    f"{PACKAGE}.quality.gx_duckdb": "checks",
    f"{PACKAGE}.assets.marts": "marts",
    f"{PACKAGE}.report": "report",
    f"{PACKAGE}.assets.report": "report",
    f"{PACKAGE}.assets.publish": "publish",
    f"{PACKAGE}.definitions": "shell",
    f"{PACKAGE}.cli": "shell",
    f"{PACKAGE}.runner": "shell",
    f"{PACKAGE}.runs": "shell",
    f"{PACKAGE}.failures": "shell",
    f"{PACKAGE}.docs": "shell",
    f"{PACKAGE}.generate": "shell",
}

# The customer's top-level folders, importable only as sub-packages of jobbtorg_pipeline.
TOP_LEVEL_FOLDERS = ("assets", "quality", "sensors")


def _folders() -> dict[str, Path]:
    """Package name -> folder, from pyproject's package-dir (as setuptools installs them)."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    return {package: ROOT / folder for package, folder in mapping.items()}


def modules() -> dict[str, Path]:
    """Every module of the package by its one name."""
    found: dict[str, Path] = {}
    folders = _folders()
    for package, folder in folders.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts))
            if name.endswith(".__init__"):
                name = name.removesuffix(".__init__")
            # a sub-folder mapped on its own (jobbtorg_pipeline/assets) is found under its own package
            if not any(
                other != package and other.startswith(package + ".") and name.startswith(other + ".")
                for other in folders
            ):
                found[name] = path
    return found


def layer(module: str) -> str | None:
    matches = [name for name in PLACES if module == name or module.startswith(name + ".")]
    return PLACES[max(matches, key=len)] if matches else None


def _imported(path: Path, module: str, known: set[str]) -> set[str]:
    """The package's modules that `module` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            if name in known:
                found.add(name)
    return found - {module}


def upward_imports() -> set[tuple[str, str]]:
    found = modules()
    known = set(found)
    upward = set()
    for module, path in found.items():
        for target in _imported(path, module, known):
            if LAYERS.index(layer(target)) > LAYERS.index(layer(module)):
                upward.add((module, target))
    return upward


def test_every_module_has_a_layer():
    """A new module must be placed (in PLACES here and in docs/architecture.md)."""
    unplaced = sorted(m for m in modules() if layer(m) is None)
    assert unplaced == []


def test_no_layer_imports_one_above_it():
    shown = [f"{m} ({layer(m)}) imports {t} ({layer(t)})" for m, t in sorted(upward_imports())]
    assert shown == []


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    """The scan itself: a marts module importing the report is found, also inside a function."""
    marts = tmp_path / "marts.py"
    marts.write_text("def f():\n    from jobbtorg_pipeline.report import build\n")
    target = f"{PACKAGE}.report.build"
    assert _imported(marts, f"{PACKAGE}.assets.marts.x", {target}) == {target}
    assert LAYERS.index(layer(target)) > LAYERS.index(layer(f"{PACKAGE}.assets.marts.x"))


def _bare_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.append(node.module)
    return [n for n in names if n.split(".")[0] in TOP_LEVEL_FOLDERS]


def test_no_file_imports_a_top_level_folder_by_its_bare_name():
    files = [p for p in ROOT.rglob("*.py") if not {".venv", "data", ".jobbtorg"} & set(p.parts)]
    bare = {str(p.relative_to(ROOT)): _bare_imports(p) for p in files}
    assert {p: names for p, names in bare.items() if names} == {}


@pytest.mark.parametrize("module", ["quality.rules", "assets.marts.catalog", "sensors.schedule"])
def test_a_top_level_folder_cannot_be_imported_under_a_second_name(module):
    """From the repository root `import quality.rules` would load a second copy of the module (a second
    class RowRule); it fails instead, naming the one name."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert f"import {PACKAGE}.{module.split('.')[0]}" in done.stderr
    same = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}.{module}"], cwd=ROOT, capture_output=True, text=True
    )
    assert same.returncode == 0, same.stderr

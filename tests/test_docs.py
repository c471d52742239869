"""The committed docs say what the code says: regenerate them with `jobbtorg docs` when this fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobbtorg_pipeline.assets.marts.catalog import load_marts
from jobbtorg_pipeline.docs import data_dictionary, rule_catalogue

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(
    ("name", "render"), [("data-dictionary.md", data_dictionary), ("just-rules.md", rule_catalogue)]
)
def test_generated_docs_are_up_to_date(name, render):
    assert (DOCS / name).read_text(encoding="utf-8") == render(), (
        f"run `jobbtorg docs` to refresh docs/{name}"
    )


def test_the_readme_names_every_mart():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    missing = [m.name for m in load_marts() if f"`marts.{m.name}`" not in readme]
    assert missing == [], "add these marts to the README's table"


def test_ci_runs_the_readmes_test_command():
    """CI must call exactly the test command the README gives a new user."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test    #" in readme
    assert [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")][-1] == (
        "make test"
    )

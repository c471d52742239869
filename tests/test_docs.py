"""The committed docs say what the code says: regenerate them with `jobbtorg docs` when this fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobbtorg_pipeline.docs import data_dictionary, rule_catalogue

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(
    ("name", "render"), [("data-dictionary.md", data_dictionary), ("just-rules.md", rule_catalogue)]
)
def test_generated_docs_are_up_to_date(name, render):
    assert (DOCS / name).read_text(encoding="utf-8") == render(), (
        f"run `jobbtorg docs` to refresh docs/{name}"
    )

"""Everything a user reads stands on its own: it cites no document the repository does not hold.

The texts are the README and docs/, every file the package is built from (CLI help, error messages, YAML
descriptions that become COMMENTs, rule texts, Dagster descriptions), and the same texts as the running
code produces them (argparse help, the Definitions' descriptions, the marts' COMMENTs). A document of the
city is cited by its name and date (e.g. arbetsmarknadsnämnden 2016-02-02, ärende 11), never by a
working name of the team that built the pipeline.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import dagster as dg
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Names of documents a user does not have: the team's working papers, its numbered background documents
# and its issue tracker. Upstream bug reports ("GX issues 10738") are public and may be cited.
INTERNAL = re.compile(
    r"(?-i:CONTRACT|\bSTACK\b)|§|\bDESIGN\.md|\bDOMAIN\.md|\bseeds?\s*\d{3}|\bseeds/"
    r"|(?<!GX )\bissues?\s+(#?\d|\")|\bthe issue\b|\bfull\d+\.md",
    re.IGNORECASE,
)
MARKDOWN_NAME = re.compile(r"(?<![\w./-])((?:\.{1,2}/)*[\w/-]+\.md)\b")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _tracked() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


def _user_files() -> list[str]:
    """Every text a user or a maintainer reads; the tests are the only files left out (they quote)."""
    return [
        name
        for name in _tracked()
        if not name.startswith("tests/")
        and (
            name.endswith((".md", ".py", ".sql", ".yml", ".yaml", ".toml")) or name in ("Makefile", ".ci/run")
        )
    ]


def _internal_mentions(text: str) -> list[str]:
    return sorted({match.group(0) for match in INTERNAL.finditer(text)})


def _missing_documents(text: str) -> list[str]:
    """`*.md` names that no file of the repository bears."""
    have = {Path(name).name for name in _tracked()}
    text = re.sub(r"-\n\s*", "-", text)  # a name that help or a docstring wrapped at its hyphen
    return sorted({m.group(1) for m in MARKDOWN_NAME.finditer(text) if Path(m.group(1)).name not in have})


def test_the_scan_finds_what_it_looks_for():
    """The patterns must catch each kind of internal citation, and let a city document or GX bug pass."""
    for bad in (
        "CONTRACT §1",
        "see STACK.md",
        "(seed 003: 11 %)",
        "seeds 001, 002",
        'issue "Production"',
        "issue 12",
        "DESIGN.md",
        "the issue that asked for this",
    ):
        assert _internal_mentions(bad), bad
    assert _missing_documents("see DOMAIN.md and docs/source-files.md") == ["DOMAIN.md"]
    for good in (
        "arbetsmarknadsnämnden 2016-02-02, ärende 11",
        "upstream GX issues 10738 and 11579",
        "jobbtorg generate --seed 7",
        "docs/source-files.md",
    ):
        assert not _internal_mentions(good), good


@pytest.mark.parametrize("name", _user_files())
def test_a_file_cites_no_internal_document(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert _internal_mentions(text) == [], f"{name}: cite the city's documents by name and date"
    assert _missing_documents(text) == [], f"{name} names a document the repository does not hold"


def test_markdown_links_open():
    """Every relative link in the README and docs/ leads to a file of the repository."""
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def _help_texts() -> list[str]:
    from jobbtorg_pipeline.cli import parser

    top = parser()
    texts = [top.format_help()]
    for action in top._subparsers._group_actions:  # the one subparsers action
        texts += [sub.format_help() for sub in action.choices.values()]
    return texts


def _definition_texts() -> list[str]:
    from jobbtorg_pipeline.definitions import defs

    texts = []
    for assets_def in [*defs.assets, *defs.asset_checks]:
        specs = [assets_def] if isinstance(assets_def, dg.AssetSpec) else getattr(assets_def, "specs", [])
        texts += [spec.description or "" for spec in specs]
        texts += [str(value) for spec in specs for value in spec.metadata.values()]
        texts += [spec.description or "" for spec in getattr(assets_def, "check_specs", [])]
    texts += [s.description or "" for s in [*defs.sensors, *defs.schedules, *defs.jobs]]
    return texts


def _comment_texts() -> list[str]:
    from jobbtorg_pipeline.assets.marts.catalog import load_marts

    texts = []
    for mart in load_marts():
        texts += [mart.description, mart.rows_text] + [c.definition for c in mart.columns]
    return texts


@pytest.mark.parametrize(
    "texts",
    [_help_texts, _definition_texts, _comment_texts],
    ids=["cli-help", "dagster-descriptions", "mart-comments"],
)
def test_running_code_cites_no_internal_document(texts):
    found = [(text[:80], _internal_mentions(text) + _missing_documents(text)) for text in texts()]
    assert [item for item in found if item[1]] == []


def test_the_source_file_page_names_every_column_and_code():
    """docs/source-files.md is the delivering system's agreement: it must name what the reader expects."""
    from jobbtorg_pipeline.sources import contract

    page = (ROOT / "docs" / "source-files.md").read_text(encoding="utf-8")
    names = [c for columns in contract.COLUMNS.values() for c in columns]
    names += [*contract.MALGRUPPER, *contract.AVSLUTSORSAKER, *contract.INSATSTYPER, *contract.REGI]
    names += [*contract.KON, *contract.BISTANDSTYPER]
    assert [name for name in names if f"`{name}`" not in page] == []
    for kalla, optional in contract.OPTIONAL.items():
        section = page.split(f"## {kalla}")[1].split("\n## ")[0]
        rows = {
            line.split("|")[1].strip(" `"): line for line in section.splitlines() if line.startswith("| `")
        }
        assert sorted(c for c, line in rows.items() if "or empty" in line) == sorted(optional), kalla

"""The one test that loads all definitions, the way `dagster dev` and the daemon do."""

from __future__ import annotations

import tomllib
from pathlib import Path

import dagster as dg

from jobbtorg_pipeline.definitions import ALL_ASSETS_JOB, defs

ROOT = Path(__file__).resolve().parents[1]


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def(ALL_ASSETS_JOB) is not None


def test_assets_are_grouped_by_layer_and_described():
    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, set()).add(key.path[0])
        assert node.description, f"{key.to_user_string()} has no description"
    assert groups == {
        "sources": {"raw"},
        "staging": {"staging"},
        "marts": {"marts", "ar_hittills"},
        "publish": {"publish"},
        "report": {"rapport"},
    }


def test_the_analysts_file_is_replaced_last_after_every_mart_and_the_report():
    """A run that fails anywhere, the report included, never reaches the analysts' file."""
    graph = defs.resolve_asset_graph()
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] in ("marts", "ar_hittills")}
    assert {k.path[0] for k in marts} == {"marts", "ar_hittills"}
    report = dg.AssetKey(["rapport", "tertialrapport"])
    publish = dg.AssetKey(["publish", "analysfil"])
    assert graph.get(report).parent_keys == marts  # built from the marts, before publishing
    assert graph.get(publish).parent_keys == {*marts, report}
    assert graph.get(publish).child_keys == set()  # nothing runs after it


def test_dagster_dev_finds_the_module_without_flags():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["dagster"]["module_name"] == "jobbtorg_pipeline.definitions"
    assert "jobbtorg_pipeline.definitions" in (ROOT / "workspace.yaml").read_text()


def test_every_package_folder_is_installed():
    """The customer's top-level folders are sub-packages via package-dir: a new sub-folder must be listed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapping = config["package-dir"]
    found = set()
    for package, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    assert found == listed


def test_dg_is_pinned_at_dagsters_version():
    """`dg check defs` in `make test` loads the definitions with dagster-dg-cli: a different version than
    dagster's may judge them by other rules."""
    pins = dict(
        line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line
    )
    assert pins["dagster-dg-cli"] == pins["dagster-dg-core"] == pins["dagster"]
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert f"dagster-dg-cli=={pins['dagster']}" in dev
    dg_config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["dg"]
    assert dg_config["project"]["code_location_target_module"] == "jobbtorg_pipeline.definitions"

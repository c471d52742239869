"""What `jobbtorg ui` starts: a code location named `jobbtorg`, and the Data Docs served beside the UI
(a browser does not open file:// links from a web page)."""

from __future__ import annotations

import socket
import tomllib
import urllib.request
from pathlib import Path

import yaml

from jobbtorg_pipeline.cli import CODE_LOCATION, serve_data_docs, ui_command
from tests.support.pipeline import settings_for

ROOT = Path(__file__).resolve().parents[1]


def _location(workspace: Path) -> tuple[str, str]:
    [entry] = yaml.safe_load(workspace.read_text(encoding="utf-8"))["load_from"]
    return entry["python_module"]["location_name"], entry["python_module"]["module_name"]


def test_the_ui_names_its_code_location_jobbtorg_wherever_it_is_started(tmp_path):
    command = ui_command(tmp_path, "127.0.0.1", 3000)
    workspace = Path(command[command.index("-w") + 1])
    assert workspace.parent == tmp_path  # in the Dagster home: works from any current folder
    assert _location(workspace) == ("jobbtorg", "jobbtorg_pipeline.definitions")
    assert "-m" not in command[3:]  # a module given with -m would be named after the module instead
    # the webserver and daemon of production, and plain `dagster dev`, name it the same
    assert _location(ROOT / "workspace.yaml")[0] == CODE_LOCATION
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["dagster"]["code_location_name"] == CODE_LOCATION


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_data_docs_are_served_over_http(tmp_path):
    settings = settings_for(tmp_path, tmp_path / "source")
    settings.data_docs_dir.mkdir(parents=True)
    (settings.data_docs_dir / "index.html").write_text("<h1>Data Docs</h1>", encoding="utf-8")
    port = _free_port()
    server = serve_data_docs(settings, "127.0.0.1", port)
    assert server is not None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as page:
            assert page.read().decode() == "<h1>Data Docs</h1>"
        assert serve_data_docs(settings, "127.0.0.1", port) is None  # the port is taken: said, not a crash
    finally:
        server.shutdown()
        server.server_close()

"""Every usage error of the command line exits 2 with one clear line, before any work or Dagster run starts.

In-process through `main` (fast), and once as the real command a user types.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobbtorg_pipeline.cli import main
from tests.conftest import cli_env, jobbtorg


def _usage_error(capsys, *argv: str) -> str:
    """Run the CLI; it must exit 2 and say why in exactly one line on stderr, nothing on stdout."""
    try:
        status = main(list(argv))
    except SystemExit as stop:  # argparse's own errors leave through sys.exit
        status = stop.code
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("jobbtorg: ") and "Traceback" not in err and "usage:" not in err
    return lines[0]


@pytest.fixture(autouse=True)
def _own_home(tmp_path, monkeypatch):
    for name, value in cli_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["report", "--period", "2019", "--verify", "0"], "--verify: must be 1 or more, not 0"),
        (["report", "--period", "2019", "--verify", "x"], "--verify: not a whole number"),
        (["report", "--period", "2031-T5"], "'2031-T5' is no period"),
        (["report", "--period", "19-T1"], "'19-T1' is no period"),
        (
            ["report", "--period", "2019-T2", "--verify", "1", "--publish"],
            "without --publish or --correction",
        ),
        (["report", "--period", "2019-T2", "--correction", " "], "--correction needs the reason"),
        (["report"], "the following arguments are required: --period"),
        (["generate", "--out", "x", "--people", "0"], "--people: must be 1 or more"),
        (["generate", "--out", "x", "--start", "2020-02-30"], "not a date YYYY-MM-DD"),
        (["generate", "--out", "x", "--seed", "-1"], "--seed: must be 0 or more"),
        (["ui", "--port", "70000"], "a port is 1 to 65535"),
        (["demo", "--people", "many"], "--people: not a whole number"),
        (["run", "--select", "key:(("], "--select 'key:((' cannot be used: Invalid selection string"),
        (["run", "--select", "marts/finns_inte"], "--select 'marts/finns_inte' cannot be used"),
        (["run", "--select", "tag:finns_inte"], "--select 'tag:finns_inte' matches no asset"),
        (["nosuchcommand"], "invalid choice"),
        ([], "the following arguments are required: command"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(capsys, argv, says):
    assert says in _usage_error(capsys, *argv)


def test_verifying_a_version_never_published_is_a_usage_error(capsys, tmp_path):
    line = _usage_error(
        capsys, "report", "--period", "2019-T2", "--verify", "2", "--warehouse", str(tmp_path)
    )
    assert "2019-T2 has no published version 2 (published versions: none)" in line
    (tmp_path / "rapporter" / "2019-T2" / "v1").mkdir(parents=True)
    line = _usage_error(
        capsys, "report", "--period", "2019-T2", "--verify", "2", "--warehouse", str(tmp_path)
    )
    assert "(published versions: 1)" in line


def test_a_missing_source_is_found_before_a_run_starts(capsys, tmp_path):
    line = _usage_error(capsys, "run", "--source", str(tmp_path / "nowhere"))
    assert f"the source folder {tmp_path / 'nowhere'} does not exist" in line
    (tmp_path / "empty").mkdir()
    line = _usage_error(capsys, "run", "--source", str(tmp_path / "empty"))
    assert "has no arendesystem/ folder" in line
    (tmp_path / "file").write_text("")
    assert "is a file, not a folder" in _usage_error(capsys, "run", "--source", str(tmp_path / "file"))
    assert not (tmp_path / "home" / "dagster").exists()  # no Dagster instance touched, no run in its history


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("JOBBTORG_QUARANTINE_CEILING", "abc", "JOBBTORG_QUARANTINE_CEILING must be a share between 0 and 1"),
        ("JOBBTORG_SETTLE_SECONDS", "soon", "JOBBTORG_SETTLE_SECONDS must be a whole number, not 'soon'"),
        ("JOBBTORG_SOURCE_KIND", "ftp", "JOBBTORG_SOURCE_KIND must be one of"),
    ],
)
def test_a_setting_that_cannot_be_read_is_a_usage_error(capsys, monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    assert says in _usage_error(capsys, "report", "--period", "2019")


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("ui", ["(default 127.0.0.1)", "(default 3000)"]),
        ("demo", ["(default 5000)", "random seed of the demo source (default 1)"]),
        ("generate", ["(default 2017-01-01)", "(default 2020-10-01)", "(default 10000)", "(default 1)"]),
    ],
)
def test_help_shows_what_each_option_does_and_its_default(capsys, command, shown):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert [s for s in shown if s not in text] == []


def test_the_real_command_says_a_bad_period_in_one_line(tmp_path):
    done = jobbtorg("report", "--period", "2031-T5", env=cli_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "jobbtorg: report: argument --period: '2031-T5' is no period: write 2019 for a year, 2019-T2 for a "
        "tertial (see `jobbtorg report --help`)"
    ]


def test_the_demos_closing_lines_name_paths_that_exist_and_commands_that_work(capsys, tmp_path):
    """Every path printed exists and the query command runs as printed, from where the user stands."""
    import argparse
    import shlex
    import subprocess
    import sys

    import duckdb

    from jobbtorg_pipeline.cli import _settings, _where_things_are

    warehouse = tmp_path / "w"
    (warehouse / "rapporter" / "2020-T3" / "preliminar").mkdir(parents=True)
    (warehouse / "rapporter" / "2020-T3" / "preliminar" / "rapport.html").write_text("<html></html>")
    with duckdb.connect(str(warehouse / "jobbtorg.duckdb")) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.unika_individer AS SELECT '2020' AS period")
    args = argparse.Namespace(source=None, warehouse=str(warehouse), home=None, memory_limit=None)
    _where_things_are(args, _settings(args))
    lines = dict(
        line.removeprefix("jobbtorg: ").split(": ", 1) for line in capsys.readouterr().err.splitlines()
    )
    assert (tmp_path / lines["the analysts' file (aggregates only)"]).exists()
    assert lines["the tertial report 2020-T3"].startswith("w/rapporter/2020-T3/preliminar/rapport.html")
    done = subprocess.run(shlex.split(lines["query the marts"]), cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "2020" in done.stdout, done.stderr
    ui = lines["open the Dagster UI"]
    assert "make ui" not in ui  # no Makefile here: the venv's own command, with the warehouse given
    command = ui.split(" ui ")[0]
    assert (tmp_path / command).exists() or command == str(Path(sys.executable).parent / "jobbtorg")
    assert "--warehouse w" in ui


def test_selecting_a_mart_selects_its_breakdown_written_in_the_same_step():
    from jobbtorg_pipeline.definitions import defs
    from jobbtorg_pipeline.runner import selected_keys

    keys = selected_keys(defs, "key:marts/unika_individer")
    assert [k.to_user_string() for k in keys] == ["marts/unika_individer", "marts/unika_individer_grupper"]

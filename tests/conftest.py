"""Shared fixtures: one generated source and one full pipeline run per test session, shared by the
parallel workers (pytest-xdist) too: the first worker to need one builds it, the others wait and reuse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings

from tests.support.pipeline import TEST_KEY_HEX

GENERATED_PEOPLE = 1_500
GENERATED_SEED = 11

# CI runs the property tests on a fixed set of examples; locally they search afresh every time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder built once for the whole test session, across its parallel workers; treat it as read-only.

    Each xdist worker is a session of its own, so a session fixture alone is built once per worker. The
    folder lives in the base temp folder all workers share, built under a file lock by the first worker
    that needs it and marked complete last, so a build that failed half-way is done again, never used.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' base temp folders are siblings under the session's
    folder = root / f"delt-{name}"
    with FileLock(f"{folder}.lock"):
        if not (folder / ".klar").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build(folder)
            (folder / ".klar").touch()
    return folder


def _generate(people: int) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        from jobbtorg_pipeline.generate import generate_source

        generate_source(folder / "source", people=people, seed=GENERATED_SEED)

    return build


@pytest.fixture(scope="session")
def generated_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic source shared by every test that needs realistic data (generated once)."""
    return shared(tmp_path_factory, "generated", _generate(GENERATED_PEOPLE)) / "source"


@pytest.fixture(scope="session")
def small_generated_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic source for tests that run the pipeline many times (property tests)."""
    return shared(tmp_path_factory, "generated-small", _generate(200)) / "source"


PG_ADMIN_DSN = os.environ.get(
    "JOBBTORG_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)


def database_dsn(server_dsn: str, dbname: str) -> str:
    """The DSN of database `dbname` on the server of `server_dsn` (its host, port, user, password)."""
    from psycopg2.extensions import make_dsn, parse_dsn

    return make_dsn(**{**parse_dsn(server_dsn), "dbname": dbname})


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server of this machine (127.0.0.1:5432, user postgres, or JOBBTORG_TEST_PG_DSN). In
    CI (CI=true) a missing server fails the tests that need it; only on a developer's machine are they
    skipped."""
    import psycopg2

    try:
        psycopg2.connect(PG_ADMIN_DSN, connect_timeout=5).close()
    except psycopg2.OperationalError as exc:
        message = f"PostgreSQL is needed at {PG_ADMIN_DSN}: {str(exc).strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return PG_ADMIN_DSN


@pytest.fixture
def pg_database(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test; its DSN. Dropped afterwards."""
    import psycopg2

    name = f"jobbtorg_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(postgres_server)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_dsn(postgres_server, name)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def cli_env(work: Path, **extra: str) -> dict[str, str]:
    """The environment for a `jobbtorg` subprocess: its own Jobbtorg home, Dagster home and key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBBTORG_", "DAGSTER_"))}
    env.update(
        JOBBTORG_HOME=str(work / "home"),
        DAGSTER_HOME=str(work / "home" / "dagster"),
        JOBBTORG_PSEUDONYM_KEY=TEST_KEY_HEX,
        JOBBTORG_DUCKDB_MEMORY_LIMIT="1GB",
        JOBBTORG_SETTLE_SECONDS="0",  # a file a test writes is whole at once; tests of settling set it
    )
    env.update(extra)
    return env


def jobbtorg(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "jobbtorg_pipeline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory: pytest.TempPathFactory, generated_source: Path) -> tuple[Path, Path]:
    """`jobbtorg run` once on the generated source: (work folder, warehouse folder)."""

    def build(work: Path) -> None:
        done = jobbtorg(
            "run",
            "--source",
            str(generated_source),
            "--warehouse",
            str(work / "warehouse"),
            env=cli_env(work),
        )
        assert done.returncode == 0, done.stderr[-5000:]

    work = shared(tmp_path_factory, "cli-run", build)
    return work, work / "warehouse"


# --- progress: the dots of a long file are far apart, so say which file has started ---------------------

_STARTED: set[str] = set()
_CONFIG: list[pytest.Config] = []


RAM_DISK = Path("/dev/shm")
RAM_DISK_NEEDED = 8 * 2**30  # bytes free: a whole session's folders take about 1 GiB


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Unless --basetemp says where, the session's temporary folders go on the machine's RAM disk when it
    has room: every pipeline run writes its DuckDB files, Dagster's SQLite event log (a disk sync per
    event) and copies of warehouses, and a run takes about 13 % less time there than on this machine's
    disk. The folder is removed when the session ends (it holds RAM)."""
    _CONFIG.append(config)
    if config.option.basetemp is not None or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if RAM_DISK.is_dir() and shutil.disk_usage(RAM_DISK).free >= RAM_DISK_NEEDED:
        folder = Path(tempfile.mkdtemp(prefix="jobbtorg-pytest-", dir=RAM_DISK))
        config.option.basetemp = str(folder)
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One worker more than there are cores: the end-to-end tests spend about a third of their time
    waiting (for a subprocess to start, for the disk, for a shared run another worker is building), and a
    third worker fills those gaps."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files with end-to-end runs (marked slow) first, the quick files after them: the workers hand
    out whole files in this order, so the suite does not end with one worker in a long file and the
    others idle."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """One line when a test file starts (in the process that prints: the controller under xdist), so a
    file whose end-to-end runs take minutes shows what the suite is doing."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    path = nodeid.split("::")[0]
    if path in _STARTED:
        return
    _STARTED.add(path)
    reporter = _CONFIG[0].pluginmanager.get_plugin("terminalreporter") if _CONFIG else None
    if reporter is not None and reporter.verbosity >= 0:
        reporter.ensure_newline()
        reporter.write_line(f"  started {path}")


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory, small_generated_source: Path):
    """One pipeline run on the small generated source, shared read-only: the settings that find its
    warehouse (for tests that compare against it or read its analysts' file, never write to it)."""
    from tests.support.pipeline import run_pipeline, settings_for

    def build(work: Path) -> None:
        assert run_pipeline(work, small_generated_source).success

    return settings_for(shared(tmp_path_factory, "small-run", build), small_generated_source)

"""Shared fixtures: one generated source and one full pipeline run per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.pipeline import TEST_KEY_HEX

GENERATED_PEOPLE = 1_500
GENERATED_SEED = 11

# CI runs the property tests on a fixed set of examples; locally they search afresh every time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def generated_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic source shared by every test that needs realistic data (generated once)."""
    from jobbtorg_pipeline.generate import generate_source

    root = tmp_path_factory.mktemp("generated") / "source"
    generate_source(root, people=GENERATED_PEOPLE, seed=GENERATED_SEED)
    return root


@pytest.fixture(scope="session")
def small_generated_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic source for tests that run the pipeline many times (property tests)."""
    from jobbtorg_pipeline.generate import generate_source

    root = tmp_path_factory.mktemp("generated-small") / "source"
    generate_source(root, people=200, seed=GENERATED_SEED)
    return root


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
    work = tmp_path_factory.mktemp("cli-run")
    warehouse = work / "warehouse"
    done = jobbtorg(
        "run", "--source", str(generated_source), "--warehouse", str(warehouse), env=cli_env(work)
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return work, warehouse

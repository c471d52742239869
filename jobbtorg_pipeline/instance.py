"""The Dagster instance the CLI, `dagster dev`, the webserver and the daemon share (DAGSTER_HOME)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import yaml

from jobbtorg_pipeline.settings import Settings

POSTGRES_ENV = (
    "DAGSTER_PG_USERNAME",
    "DAGSTER_PG_PASSWORD",
    "DAGSTER_PG_HOST",
    "DAGSTER_PG_DB",
    "DAGSTER_PG_PORT",
)


def instance_yaml(kind: str) -> str:
    """The packaged dagster.yaml: `sqlite` (the embedded default) or `postgres` (production)."""
    return resources.files("jobbtorg_pipeline.dagster_home").joinpath(f"{kind}.yaml").read_text()


def dagster_home(settings: Settings) -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home).absolute()


def init_home(settings: Settings, kind: str = "sqlite", *, force: bool = False) -> Path:
    """Write dagster.yaml into the Dagster home; an existing one is kept unless `force`."""
    home = dagster_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if force or not config.exists():
        config.write_text(instance_yaml(kind))
    return config


def ensure_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME if set, else `<jobbtorg home>/dagster`, with the embedded dagster.yaml if it has none;
    exported, so that Dagster (and any process started from here) uses it."""
    home = init_home(settings).parent
    os.environ["DAGSTER_HOME"] = str(home)
    return home


class InstanceError(RuntimeError):
    """The Dagster instance cannot be opened (its PostgreSQL does not answer, a setting is missing)."""


def _resolved(value: object, config: Path) -> str | None:
    """A dagster.yaml value: as it stands, or `{env: NAME}` read from the environment."""
    if isinstance(value, dict) and "env" in value:
        name = value["env"]
        if name not in os.environ:
            raise InstanceError(
                f"{name} is not set; {config} reads the Dagster instance's PostgreSQL from it."
            )
        return os.environ[name]
    return None if value is None else str(value)


def postgres_storage(home: Path) -> dict[str, str | None] | None:
    """Where the instance in `home` keeps its runs, when that is PostgreSQL (`storage: postgres:`)."""
    config = home / "dagster.yaml"
    if not config.is_file():
        return None
    parsed = yaml.safe_load(config.read_text()) or {}
    postgres = (parsed.get("storage") or {}).get("postgres") if isinstance(parsed, dict) else None
    if not isinstance(postgres, dict):
        return None
    if postgres.get("postgres_url") is not None:
        return {"dsn": _resolved(postgres["postgres_url"], config)}
    db = postgres.get("postgres_db") or {}
    return {
        key: _resolved(db.get(name), config)
        for key, name in (
            ("host", "hostname"),
            ("port", "port"),
            ("dbname", "db_name"),
            ("user", "username"),
            ("password", "password"),
        )
    }


def check_storage(home: Path, *, timeout: int = 5) -> None:
    """Fail at once with one clear sentence when the instance's PostgreSQL does not answer, instead of
    Dagster's minute of retries and three stack traces."""
    where = postgres_storage(home)
    if where is None:
        return
    import psycopg2

    shown = (
        "the URL in postgres_url"
        if "dsn" in where
        else " ".join(f"{k}={where[k]}" for k in ("host", "port", "dbname", "user") if where[k])
    )
    try:
        if "dsn" in where:
            psycopg2.connect(where["dsn"], connect_timeout=timeout).close()
        else:
            psycopg2.connect(
                **{k: v for k, v in where.items() if v is not None}, connect_timeout=timeout
            ).close()
    except psycopg2.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        dbname = where.get("dbname") or "dagster"
        raise InstanceError(
            f"Cannot reach the Dagster instance's PostgreSQL ({shown}): {first}. Check that the server is "
            f"running and accepts connections there, that the database exists (createdb {dbname}), and the "
            f"variables {', '.join(POSTGRES_ENV)} that {home / 'dagster.yaml'} reads. Nothing was run; the "
            "analysts' file is unchanged."
        ) from exc


def open_instance(home: Path):
    """The Dagster instance in `home` (DAGSTER_HOME), or InstanceError saying plainly why not."""
    import dagster as dg

    check_storage(home)
    try:
        return dg.DagsterInstance.get()
    except Exception as exc:
        raise InstanceError(f"Cannot open the Dagster instance in {home}: {exc}") from exc

"""Settings from environment variables, so that the CLI, `dagster dev` and the daemon see the same ones.

Every setting has a default that works on a fresh clone (relative to the working directory), which is what
`jobbtorg demo` and `dagster dev` started from the repository root use.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, fields, replace
from datetime import date
from pathlib import Path

ENV_SOURCE = "JOBBTORG_SOURCE"
ENV_WAREHOUSE = "JOBBTORG_WAREHOUSE"
ENV_HOME = "JOBBTORG_HOME"
ENV_MEMORY_LIMIT = "JOBBTORG_DUCKDB_MEMORY_LIMIT"
ENV_THREADS = "JOBBTORG_DUCKDB_THREADS"
ENV_PSEUDONYM_KEY = "JOBBTORG_PSEUDONYM_KEY"
ENV_PSEUDONYM_KEY_FILE = "JOBBTORG_PSEUDONYM_KEY_FILE"
ENV_TRUNCATION_TOLERANCE = "JOBBTORG_TRUNCATION_TOLERANCE"
ENV_QUARANTINE_CEILING = "JOBBTORG_QUARANTINE_CEILING"
ENV_SOURCE_KIND = "JOBBTORG_SOURCE_KIND"
ENV_PG_DSN = "JOBBTORG_PG_DSN"
ENV_PG_UTTAGSDATUM = "JOBBTORG_PG_UTTAGSDATUM"
ENV_ALERT_WEBHOOK = "JOBBTORG_ALERT_WEBHOOK"
ENV_SENSOR_INTERVAL = "JOBBTORG_SENSOR_INTERVAL"
ENV_SETTLE_SECONDS = "JOBBTORG_SETTLE_SECONDS"
ENV_DISCLOSURE_THRESHOLD = "JOBBTORG_DISCLOSURE_THRESHOLD"
ENV_ALLOW_OLDER_SNAPSHOT = "JOBBTORG_ALLOW_OLDER_SNAPSHOT"
ENV_TODAY = "JOBBTORG_TODAY"
SOURCE_KINDS = ("files", "postgres")

DEFAULT_SOURCE = Path("data/source")
DEFAULT_WAREHOUSE = Path("data/warehouse")
DEFAULT_HOME = Path(".jobbtorg")

ANALYSTS_FILE = "jobbtorg.duckdb"
INTERNAL_DIR = "intern"
INTERNAL_FILE = "jobbtorg_intern.duckdb"


@dataclass(frozen=True)
class Settings:
    """Every setting with its default: the one place the defaults are written (`from_env`, the Dagster
    resource and the CLI take them from here)."""

    source_dir: Path
    warehouse_dir: Path
    home_dir: Path
    memory_limit: str = "3GB"  # DuckDB's memory_limit per connection
    threads: int = 0  # 0: let DuckDB use every core
    pseudonym_key_file: Path | None = None  # None: <home>/pseudonym.key (the key itself may be in the env)
    truncation_tolerance: float = 0.10  # a source may shrink by at most 10 % against its baseline
    quarantine_ceiling: float = 0.05  # at most 5 % of a source's rows in quarantine
    source_kind: str = "files"  # files (laid out as in docs/source-files.md) or postgres (the case system)
    pg_dsn: str | None = None  # libpq connection string; the password comes from PGPASSWORD, never here
    pg_uttagsdatum: date | None = None  # None: the day of the pull (set only to replay an earlier pull)
    alert_webhook: str | None = None  # failed and blocked runs are also POSTed here when set
    sensor_interval: int = 60  # seconds between looks at the source folder
    disclosure_threshold: int = 5  # published counts under this are hidden
    # a file changed less than this many seconds ago may still be being copied: the sensor waits for it
    # and the loader leaves it out (status 'under leverans') until it has settled
    settle_seconds: int = 30
    # an extract older than the one already published blocks the run unless the operator allows it
    allow_older_snapshot: bool = False
    today_override: date | None = None  # None: the real date (set for tests and replays only)

    def __post_init__(self) -> None:
        if self.source_kind not in SOURCE_KINDS:
            raise ValueError(
                f"{ENV_SOURCE_KIND} must be one of {', '.join(SOURCE_KINDS)}, not {self.source_kind!r}"
            )
        if self.source_kind == "postgres" and not self.pg_dsn:
            raise ValueError(f"{ENV_SOURCE_KIND}=postgres needs {ENV_PG_DSN} (e.g. 'host=... dbname=...')")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        settings = cls(
            source_dir=Path(env.get(ENV_SOURCE) or DEFAULT_SOURCE).absolute(),
            warehouse_dir=Path(env.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE).absolute(),
            home_dir=Path(env.get(ENV_HOME) or DEFAULT_HOME).absolute(),
            memory_limit=env.get(ENV_MEMORY_LIMIT) or DEFAULTS["memory_limit"],
            threads=_whole(env, ENV_THREADS, DEFAULTS["threads"]),
            pseudonym_key_file=Path(env[ENV_PSEUDONYM_KEY_FILE]).absolute()
            if env.get(ENV_PSEUDONYM_KEY_FILE)
            else None,
            truncation_tolerance=_share(env, ENV_TRUNCATION_TOLERANCE, DEFAULTS["truncation_tolerance"]),
            quarantine_ceiling=_share(env, ENV_QUARANTINE_CEILING, DEFAULTS["quarantine_ceiling"]),
            source_kind=env.get(ENV_SOURCE_KIND) or DEFAULTS["source_kind"],
            pg_dsn=env.get(ENV_PG_DSN) or None,
            pg_uttagsdatum=_iso_date(env, ENV_PG_UTTAGSDATUM),
            alert_webhook=env.get(ENV_ALERT_WEBHOOK) or None,
            sensor_interval=_whole(env, ENV_SENSOR_INTERVAL, DEFAULTS["sensor_interval"]),
            disclosure_threshold=_whole(env, ENV_DISCLOSURE_THRESHOLD, DEFAULTS["disclosure_threshold"]),
            settle_seconds=_whole(env, ENV_SETTLE_SECONDS, DEFAULTS["settle_seconds"]),
            allow_older_snapshot=_yes(env, ENV_ALLOW_OLDER_SNAPSHOT),
            today_override=_iso_date(env, ENV_TODAY),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        for name in ("source_dir", "warehouse_dir", "home_dir", "pseudonym_key_file"):
            if name in given:
                given[name] = Path(given[name]).absolute()  # type: ignore[arg-type]
        return replace(settings, **given)  # type: ignore[arg-type]

    @property
    def today(self) -> date:
        """Today's date, against which an extract from the future is judged (JOBBTORG_TODAY overrides)."""
        return self.today_override or date.today()

    @property
    def alerts_file(self) -> Path:
        """Failed and blocked runs, one JSON line each, for the data engineers (and their monitoring)."""
        return self.home_dir / "larm" / "larm.jsonl"

    @property
    def data_docs_dir(self) -> Path:
        """Great Expectations Data Docs: beside the warehouse's files, holding no personal data."""
        return self.warehouse_dir / "kvalitet" / "datadocs"

    @property
    def analysts_file(self) -> Path:
        """The analysts' file: aggregates only, replaced atomically after a successful run."""
        return self.warehouse_dir / ANALYSTS_FILE

    @property
    def internal_dir(self) -> Path:
        """The restricted internal layer: personnummer, quarantine, working tables. Nobody else opens it."""
        return self.warehouse_dir / INTERNAL_DIR

    @property
    def internal_file(self) -> Path:
        return self.internal_dir / INTERNAL_FILE

    @property
    def key_file(self) -> Path:
        return self.pseudonym_key_file or self.home_dir / "pseudonym.key"

    @property
    def dagster_home(self) -> Path:
        return self.home_dir / "dagster"

    def as_env(self) -> dict[str, str]:
        """The environment that makes another process (dagster dev, the daemon) see these settings."""
        env = {
            ENV_SOURCE: str(self.source_dir),
            ENV_WAREHOUSE: str(self.warehouse_dir),
            ENV_HOME: str(self.home_dir),
            ENV_MEMORY_LIMIT: self.memory_limit,
            ENV_THREADS: str(self.threads),
            ENV_TRUNCATION_TOLERANCE: str(self.truncation_tolerance),
            ENV_QUARANTINE_CEILING: str(self.quarantine_ceiling),
            ENV_SOURCE_KIND: self.source_kind,
            ENV_SENSOR_INTERVAL: str(self.sensor_interval),
            ENV_DISCLOSURE_THRESHOLD: str(self.disclosure_threshold),
            ENV_SETTLE_SECONDS: str(self.settle_seconds),
        }
        for name, value in (
            (ENV_PG_DSN, self.pg_dsn),
            (ENV_PG_UTTAGSDATUM, self.pg_uttagsdatum.isoformat() if self.pg_uttagsdatum else None),
            (ENV_ALERT_WEBHOOK, self.alert_webhook),
            (ENV_ALLOW_OLDER_SNAPSHOT, "1" if self.allow_older_snapshot else None),
            (ENV_TODAY, self.today_override.isoformat() if self.today_override else None),
        ):
            if value:
                env[name] = value
        if self.pseudonym_key_file:
            env[ENV_PSEUDONYM_KEY_FILE] = str(self.pseudonym_key_file)
        return env


def _yes(env: os._Environ[str] | dict[str, str], name: str) -> bool:
    text = (env.get(name) or "").strip().lower()
    if text in ("", "0", "no", "false"):
        return False
    if text in ("1", "yes", "true"):
        return True
    raise ValueError(f"{name} must be 1 (yes) or 0 (no), not {env.get(name)!r}")


def _iso_date(env: os._Environ[str] | dict[str, str], name: str) -> date | None:
    text = env.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, not {text!r}") from None


def _whole(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from None


def _share(env: os._Environ[str] | dict[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0  # not a number: said below like any other value out of range
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1, not {text}")
    return value


SETTING_NAMES = tuple(f.name for f in fields(Settings))
DEFAULTS = {f.name: f.default for f in fields(Settings) if f.default is not MISSING}

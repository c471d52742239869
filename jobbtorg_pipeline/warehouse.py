"""The two DuckDB files: the restricted internal database and the analysts' published copy.

The pipeline alone opens the internal file (personnummer, quarantine, working tables, marts). Analysts
open `<warehouse>/jobbtorg.duckdb`, which is only ever replaced whole: the marts are copied into a new
file beside it and `os.replace`d over it (STACK.md). A reader holding the old file keeps reading it; a
new connection sees the new one; a failed or blocked run never reaches the publish step.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb

from jobbtorg_pipeline.settings import Settings


@contextlib.contextmanager
def connect_internal(settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the internal database with the configured memory limit and spill folder."""
    settings.internal_dir.mkdir(parents=True, exist_ok=True)
    settings.internal_dir.chmod(0o700)  # restricted layer: the owner only
    spill = settings.internal_dir / "spill"
    spill.mkdir(exist_ok=True)
    config = {"memory_limit": settings.memory_limit, "temp_directory": str(spill)}
    if settings.threads:
        config["threads"] = str(settings.threads)
    if read_only and not settings.internal_file.exists():
        raise FileNotFoundError(f"No internal database at {settings.internal_file}: run the pipeline first.")
    con = duckdb.connect(str(settings.internal_file), read_only=read_only, config=config)
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchone()
    return bool(row and row[0])


def row_count(con: duckdb.DuckDBPyConnection, qualified: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0])


def publish(
    settings: Settings,
    tables: Sequence[str],
    comments: Sequence[str],
    *,
    run_id: str,
    before_replace: Callable[[Path], None] | None = None,
) -> Path:
    """Copy `marts.<table>` for each table into a new file and atomically replace the analysts' file.

    `comments` are COMMENT statements run in the new file. The new file is fully written, checkpointed
    and fsynced before the rename, so a crash leaves either the old file or the new one, never half.
    `before_replace` is called with the finished new file just before the rename (to record what it is).
    """
    target = settings.analysts_file
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{run_id}.tmp")
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        leftover.unlink()  # from a run killed while publishing; never the live file
    try:
        con = duckdb.connect(str(staging), config={"memory_limit": settings.memory_limit})
        try:
            con.execute(f"ATTACH '{settings.internal_file}' AS intern (READ_ONLY)")
            con.execute("CREATE SCHEMA marts")
            for table in tables:
                con.execute(f"CREATE TABLE marts.{table} AS SELECT * FROM intern.marts.{table}")
            for statement in comments:
                con.execute(statement)
            con.execute("DETACH intern")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _fsync(staging)
        if before_replace is not None:
            before_replace(staging)
        staging.replace(target)  # atomic rename (os.replace)
        _fsync(target.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()
        wal = staging.with_name(staging.name + ".wal")
        with contextlib.suppress(FileNotFoundError):
            wal.unlink()
        if isinstance(exc, (OSError, duckdb.Error)) and _no_space(exc):
            raise PublishError(
                f"No room on the disk for the new analysts' file in {target.parent} ({exc}). The analysts' "
                "file is unchanged; free disk space and run again."
            ) from exc
        raise
    return target


class PublishError(RuntimeError):
    """The analysts' file could not be replaced; the previous one is still in place."""


def _no_space(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or (
        "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc)
    )


LEFTOVER_PATTERNS = ("las-*", "pg-*")


def remove_leftovers(settings: Settings) -> list[Path]:
    """Temporary folders a killed run left behind (never in use: writers run one at a time)."""
    removed = []
    for folder, patterns in (
        (settings.internal_dir, LEFTOVER_PATTERNS),
        (settings.data_docs_dir.parent, (".bygge-*",)),
    ):
        for pattern in patterns:
            for path in folder.glob(pattern) if folder.is_dir() else ():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The two DuckDB files: the restricted internal database and the analysts' published copy.

The pipeline alone opens the internal file (personnummer, quarantine, working tables, marts). Analysts
open `<warehouse>/jobbtorg.duckdb`, which is only ever replaced whole: the marts are copied into a new
file beside it and `os.replace`d over it. A reader holding the old file keeps reading it; a
new connection sees the new one; a failed or blocked run never reaches the publish step.

DuckDB lets one process at a time open a file for writing and fails at once in any other. The run
queue keeps runs apart (one at a time, the DuckDB pool held per run), and `jobbtorg run` waits for the
runs in progress, but a run can still start beside another (a UI run launched in the moment between a
`jobbtorg run`'s look and its start), so every opening of the internal file first takes an OS lock
beside it and waits for it: a second process waits (saying for whom) instead of failing the step.

A run in progress keeps the file open in its process from its first step to its end (`kept_open`):
each step still gets a connection of its own, which joins the open database instead of reading the
file's catalogue and writing the file back, as a connection to a closed file does.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb

from jobbtorg_pipeline import oslock
from jobbtorg_pipeline.settings import Settings

LOCK_FILE = "duckdb.lock"
SAY_EVERY = 30.0  # seconds between "still waiting" messages

_held: dict[Path, tuple[int, bool]] = {}  # lock file -> (holds in this process, shared)
_held_guard = threading.RLock()


# internal file -> the run in progress in this process that keeps it open (see `kept_open`): what closes
# it at the run's end, and the holding connection once the first step has opened it
_kept: dict[Path, tuple[contextlib.ExitStack, list[duckdb.DuckDBPyConnection]]] = {}


@contextlib.contextmanager
def kept_open(settings: Settings) -> Iterator[None]:
    """While a run executes in this process, hold the internal file open from the first step that
    connects to the run's end.

    Opening the file costs a step tens of milliseconds (DuckDB reads its catalogue, and writes the file
    back when the last connection closes), a hundred times in a run. With one connection holding the
    file, each step's `connect_internal` joins the open database in about a millisecond; the step's
    connection is still its own, so its temporary tables and any transaction it leaves open end with it.
    The run holds the file, and its OS lock, to its end: its steps run one after the other here anyway.
    """
    key = settings.internal_file
    if key in _kept:  # a run inside a run (a test's helper): the outer one holds the file
        yield
        return
    with contextlib.ExitStack() as holder:  # at the end: the holding connection closed, the lock let go
        _kept[key] = (holder, [])
        try:
            yield
        finally:
            del _kept[key]


@contextlib.contextmanager
def connect_internal(settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the internal database with the configured memory limit and spill folder, opened
    once no other process has the file (see the module's docstring). In a run that keeps the file open
    (`kept_open`), the first call opens the holding connection; a read-only connection is then one that
    could write (DuckDB opens a file once per process, read-only or not), inside the run's own hold."""
    run = _kept.get(settings.internal_file)
    if run is not None:
        holder, held = run
        if not held:
            held.append(holder.enter_context(_open_internal(settings, read_only=False)))
        read_only = False
    with _open_internal(settings, read_only=read_only) as con:
        yield con


@contextlib.contextmanager
def _open_internal(settings: Settings, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    ensure_folder(settings.internal_dir, "internal folder")
    settings.internal_dir.chmod(0o700)  # restricted layer: the owner only
    spill = settings.internal_dir / "spill"
    spill.mkdir(exist_ok=True)
    config = {"memory_limit": settings.memory_limit, "temp_directory": str(spill)}
    if settings.threads:
        config["threads"] = str(settings.threads)
    if read_only and not settings.internal_file.exists():
        raise FileNotFoundError(f"No internal database at {settings.internal_file}: run the pipeline first.")
    with internal_file_lock(settings, shared=read_only):
        con = duckdb.connect(str(settings.internal_file), read_only=read_only, config=config)
        try:
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def internal_file_lock(
    settings: Settings, *, shared: bool = False, say: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the internal file against other processes: exclusive to write, shared to read. Waits as long
    as another process holds it (the OS lets go when a holder dies, so a killed step never blocks), and
    says every SAY_EVERY seconds whom it waits for. Re-entrant within a process, whose connections share
    one DuckDB instance: the publish step holds it while it copies the marts out and records them."""
    ensure_folder(settings.internal_dir, "internal folder")
    path = settings.internal_dir / LOCK_FILE
    with _held_guard:
        if path in _held:
            count, held_shared = _held[path]
            if held_shared and not shared:
                raise RuntimeError(f"{path}: this process holds it to read and now asks to write")
            _held[path] = (count + 1, held_shared)
            try:
                yield
            finally:
                _held[path] = (_held[path][0] - 1, held_shared)
            return
        say = say or _say
        said = [time.monotonic() - SAY_EVERY]

        def waiting(holder: str) -> None:
            if time.monotonic() - said[0] >= SAY_EVERY:
                said[0] = time.monotonic()
                holder = holder or "a process reading it"
                say(f"waiting for the internal database {settings.internal_file}, held by {holder}")

        me = f"pid {os.getpid()} on {socket.gethostname()} ({' '.join(sys.argv[:3])})"
        with oslock.hold(path, holder=me, waiting=waiting, shared=shared) as waited:
            if waited >= 0.2:
                say(f"waited {waited:.1f} s for the internal database (another process had it open)")
            _held[path] = (1, shared)
            try:
                yield
            finally:
                del _held[path]


def _say(message: str) -> None:
    """Into the run's log inside a step (Dagster's logger), else onto stderr like the CLI's lines."""
    import dagster as dg

    dg.get_dagster_logger("jobbtorg").warning(message)


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
    warn: Callable[[str], None] | None = None,
) -> Path:
    """Copy each table (`schema.name`) into a new file and atomically replace the analysts' file.

    `comments` are COMMENT statements run in the new file. The new file is fully written, checkpointed
    and fsynced before the rename, so a crash leaves either the old file or the new one, never half.
    `before_replace` is called with the finished new file just before the rename (to record what it is).
    `warn` hears about an analyst's session that had the old file open to write (see `_clear_wal`).
    """
    target = settings.analysts_file
    ensure_folder(settings.warehouse_dir, "warehouse folder")
    staging = target.with_name(f".{target.name}.{run_id}.tmp")
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        leftover.unlink()  # from a run killed while publishing; never the live file
    try:
        with connect_internal(settings, read_only=True) as con:
            _write_copy(con, staging, tables, comments)
        _fsync(staging)
        if before_replace is not None:
            before_replace(staging)
        writer = writing_session(target)
        aside = _clear_wal(target, run_id)
        staging.replace(target)  # atomic rename (os.replace)
        again = _clear_wal(target, run_id)  # one the old file's writer made in the meantime
        _fsync(target.parent)
        if (writer or aside or again) and warn is not None:
            warn(_writer_message(target, writer))
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


def _write_copy(
    con: duckdb.DuckDBPyConnection, staging: Path, tables: Sequence[str], comments: Sequence[str]
) -> None:
    """The tables and their comments, from the internal database into the new file `staging`, written
    through a connection to the internal database: a process that holds the internal file open (a run,
    `kept_open`) cannot open it a second time from another database."""
    here = con.execute("SELECT current_database()").fetchone()[0]
    # the path is bound, never pasted into the SQL text (a folder may be named "Anna's")
    con.execute("ATTACH ? AS analysfil (READ_WRITE)", [str(staging)])
    try:
        for table in tables:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS analysfil.{table.split('.')[0]}")
            con.execute(f"CREATE TABLE analysfil.{table} AS SELECT * FROM {table}")
        con.execute("USE analysfil")
        try:
            for statement in comments:
                con.execute(statement)
        finally:
            con.execute(f'USE "{here}"')
        con.execute("CHECKPOINT analysfil")
    finally:
        with contextlib.suppress(duckdb.Error):  # an error that stopped the copy is the one to report
            con.execute("DETACH analysfil")


def wal_of(path: Path) -> Path:
    """DuckDB's write-ahead log of a database file: `<file>.wal` beside it, while a session writes."""
    return path.with_name(path.name + ".wal")


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def writing_session(path: Path) -> str | None:
    """The process that holds a DuckDB file open to write (an analyst who did not open it read-only), as
    DuckDB's lock names it (`pid 4242, /usr/bin/python3`); None when nobody does. Opening it read-only
    fails at once while a writer holds it, and succeeds otherwise (readers share)."""
    if not path.is_file():
        return None
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        found = _LOCK_HOLDER.search(str(exc))
        if found:
            return f"pid {found.group(2)}, {found.group(1)}"
        return None  # another problem (a stale write-ahead log, a damaged file): nobody holds it
    return None


def _clear_wal(target: Path, run_id: str) -> bool:
    """Remove the write-ahead log beside the analysts' file; True when there was one.

    Only the pipeline writes that file, and always whole: a log beside it was left by an analyst's
    session that opened the file read-write and wrote to it. That log belongs to the file it was written
    for; beside a new file, DuckDB refuses every later connection ("WAL does not match database file").
    The session keeps its own open file and log (a removed file stays readable to whoever holds it open),
    so it is moved aside under a name no reader looks for, then removed."""
    wal = wal_of(target)
    aside = wal.with_name(f".{wal.name}.{run_id}.gammal")
    try:
        wal.replace(aside)
    except FileNotFoundError:
        return False
    aside.unlink(missing_ok=True)
    return True


def _writer_message(target: Path, writer: str | None) -> str:
    who = f"a session ({writer}) had it open to write" if writer else "a session had opened it to write"
    return (
        f"the analysts' file {target} was replaced although {who}; its write-ahead log "
        f"{wal_of(target).name} was removed so that the new file opens. That session goes on seeing the old "
        "file and its own changes, which are not kept; analysts should open the file read-only "
        "(duckdb -readonly, or read_only=True)."
    )


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from the next (inode, mtime, size); None when there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def analysts_file_outcome(settings: Settings, before: tuple[int, int, int] | None) -> str:
    """What became of the analysts' file during a run that did not succeed, as it is, not as hoped."""
    if file_identity(settings.analysts_file) == before:
        return "the analysts' file was not changed"
    return f"the analysts' file {settings.analysts_file} HAS been replaced since this run started"


def check_folder(folder: Path, what: str = "warehouse folder") -> None:
    """Say clearly when `folder` cannot be a folder because it, or a folder above it, is a file."""
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise WarehousePathError(
                f"The {what} {folder} cannot be used: {part} is a file, not a folder. Point --warehouse "
                "(or JOBBTORG_WAREHOUSE) at a folder, or move the file away."
            )


def ensure_folder(folder: Path, what: str = "warehouse folder") -> None:
    """Create `folder` (and its parents), or say clearly why it cannot be one."""
    check_folder(folder, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehousePathError(f"The {what} {folder} cannot be created: {exc.strerror}.") from exc


class WarehousePathError(ValueError):
    """The warehouse setting names something that cannot be a folder: a configuration error."""


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

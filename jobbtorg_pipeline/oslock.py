"""An OS lock on a file that a process waits for, naming whom it waits for: the one implementation behind
the warehouse's run lock (runner.py) and the internal file's lock (warehouse.py).

`flock` locks belong to the open file and go with the process, so a holder killed by `kill -9` or the
out-of-memory killer never leaves a lock behind. An exclusive holder writes who it is into the file, and
wipes it on release, so a waiting process can say whom it waits for.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def hold(
    path: Path,
    *,
    holder: str,
    waiting: Callable[[str], None],
    shared: bool = False,
    poll: float = 0.2,
) -> Iterator[float]:
    """Hold `path` locked (shared: with other shared holders only); while another process has it, call
    `waiting(what its holder wrote, or '')` every `poll` seconds. Yields the seconds spent waiting."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                waiting(handle.read().strip())
                time.sleep(poll)
        waited = time.monotonic() - started
        if not shared:
            _write(handle, holder)
        try:
            yield waited
        finally:
            if not shared:
                _write(handle, "")
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(handle, text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()

"""Reading a child process's output as it comes, so a test can wait for a line with a deadline."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable


def lines_of(stream) -> queue.Queue[str | None]:
    """The stream's lines as they come (None at its end), read by a thread so waiting can be bounded."""
    found: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            found.put(line)
        found.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return found


def next_line(
    lines: queue.Queue[str | None], predicate: Callable[[str], object], within: float, seen: list[str]
) -> str | None:
    """The first line for which `predicate` holds, within `within` seconds; None at the stream's end or
    the deadline. Every line read is appended to `seen` (for the failure message)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            return None
        if line is None:
            return None
        seen.append(line)
        if predicate(line):
            return line
    return None

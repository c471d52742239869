"""Reading a child process's output as it comes, so a test can wait for a line with a deadline."""

from __future__ import annotations

import queue
import threading


def lines_of(stream) -> queue.Queue[str | None]:
    """The stream's lines as they come (None at its end), read by a thread so waiting can be bounded."""
    found: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            found.put(line)
        found.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return found

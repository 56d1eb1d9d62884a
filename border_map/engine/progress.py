"""A progress bar for long runs, on stderr (stdout carries data only).

No dependency: on a terminal the bar redraws in place at most a few times a
second; elsewhere (a log file, CI) it prints one line at each tenth of the work.
:meth:`Progress.close` prints the final summary line.
"""

from __future__ import annotations

import sys
import time


class Progress:
    """Chunks (or steps) done out of ``total``, with rows and rows/s."""

    def __init__(self, total: int, *, enabled: bool = True, unit: str = "chunk",
                 stream=None, label: str = "border-map", min_interval_s: float = 0.25):
        self.total = max(int(total), 1)
        self.enabled = enabled
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.done = 0
        self.rows = 0
        self.started = time.perf_counter()
        self._last = 0.0
        self._last_tenth = -1
        self._min_interval = min_interval_s
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def update(self, n: int = 1, *, rows: int = 0) -> None:
        self.done += n
        self.rows += rows
        if not self.enabled:
            return
        now = time.perf_counter()
        if self._tty:
            if now - self._last >= self._min_interval or self.done >= self.total:
                self._last = now
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()
        else:
            tenth = min(10, self.done * 10 // self.total)
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def line(self, width: int = 24) -> str:
        frac = min(1.0, self.done / self.total)
        filled = int(round(frac * width))
        elapsed = time.perf_counter() - self.started
        rate = self.rows / elapsed if elapsed > 0 else 0.0
        return (f"{self.label}: [{'#' * filled}{'.' * (width - filled)}] "
                f"{self.done}/{self.total} {self.unit}s · {self.rows:,} rows · "
                f"{rate:,.0f} rows/s · {elapsed:,.1f} s")

    def close(self, summary: str | None = None) -> None:
        """End the bar; print ``summary`` (one line) if given."""
        if not self.enabled:
            return
        if self._tty:
            self.stream.write("\n")
        if summary:
            self.stream.write(f"{self.label}: {summary}\n")
        self.stream.flush()

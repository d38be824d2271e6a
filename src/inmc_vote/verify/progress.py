"""A progress bar on standard error, shown only on a terminal and for a large bundle."""

from __future__ import annotations

import sys
import time
from typing import TextIO

SHOW_FROM = 20_000  # lines; below this the check is over before a bar is worth it
WIDTH = 30


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, force: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.total = max(total, 1)
        self.done = 0
        self.label = ""
        self.shown = force or (total >= SHOW_FROM and self.stream.isatty())
        self._last = 0.0

    def step(self, label: str, n: int) -> None:
        self.done += n
        self.label = label
        now = time.monotonic()
        if self.shown and (now - self._last > 0.1 or self.done >= self.total):
            self._last = now
            part = min(self.done / self.total, 1.0)
            bar = "#" * int(part * WIDTH)
            self.stream.write(
                f"\r{label:<22} [{bar:<{WIDTH}}] {part:4.0%} {self.done:,}/{self.total:,} lines"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()

"""The progress line of a long build (``--progress``): PDFs done, the latest, an ETA."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Done / total, the latest item and an ETA: a bar on a terminal, lines elsewhere."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, latest: str) -> None:
        elapsed = time.perf_counter() - self.started
        eta = f"ETA {elapsed / done * (total - done):.0f} s" if done else "ETA ?"
        if self.tty:
            bar = "#" * int(24 * done / max(total, 1))
            line = f"\r[{bar:<24}] {done}/{total} PDFs  {eta}  {latest}"
            self.stream.write(line[:110].ljust(110) + ("\n" if done == total else ""))
        else:
            self.stream.write(
                f"{done}/{total} PDFs, {eta}" + (f": {latest}" if latest else "") + "\n"
            )
        self.stream.flush()

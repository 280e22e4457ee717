"""What Ctrl+C says: the output folder unchanged, or (when it came after the build had
committed) holding the new build; never a traceback.

The write stage swaps every file in at once and holds Ctrl+C while it does
(``core/patches.py``: ``interrupts_deferred``), so a build is either wholly in place or not
at all. What the command line must still get right is which of the two it reports.
"""

from __future__ import annotations

import sys
from pathlib import Path


def quiet(unraisable: sys.UnraisableHookArgs) -> None:
    """Ctrl+C that lands in a finaliser (a file lock's ``__del__`` as a build ends) cannot
    stop anything there: Python would print it as "Exception ignored" with a traceback.
    Every other unraisable exception goes to Python's own hook."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def unchanged(argv: list[str] | None) -> str:
    """What Ctrl+C says before anything was swapped in."""
    return f"Error: interrupted; {shown_out(argv)} unchanged"


def written(argv: list[str] | None) -> str:
    """What Ctrl+C says after the build had committed: while locks were released or the
    report printed (the swap itself holds it)."""
    return f"Error: interrupted after the build was written; {shown_out(argv)} holds it"


def manifest_stamp(out: Path) -> tuple[int, int, int] | None:
    """Which build the output folder holds: its manifest's inode, size and time (every
    committed build swaps in a new one with its other files), or None where there is none."""
    from policybrief.build.cache import MANIFEST

    try:
        info = (out / MANIFEST).stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def shown_out(argv: list[str] | None) -> str:
    """The output folder as the user wrote it (``--out``), or ``dist/``."""
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        if arg == "--out" and i + 1 < len(args):
            return args[i + 1].rstrip("/") + "/"
        if arg.startswith("--out="):
            return arg[len("--out=") :].rstrip("/") + "/"
    return "dist/"

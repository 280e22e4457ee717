"""How the engine's worker processes start, on every system: ``fork`` on Linux (a worker
begins with the parent's imports, so starting one is cheap), ``spawn`` elsewhere (fork is
missing on Windows and unsafe on macOS). ``POLICYBRIEF_START_METHOD=spawn`` forces the
other way on Linux too: tests/test_portable.py runs the PDF and font workers so, to show
that everything a worker needs reaches it by pickling."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys

START_METHOD = "POLICYBRIEF_START_METHOD"


def start_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context worker pools use."""
    default = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(os.environ.get(START_METHOD) or default)

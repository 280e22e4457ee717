#!/usr/bin/env python3
"""How long a fresh process takes to import WeasyPrint, plainly and through
``policybrief.core.patches.load_weasyprint`` (library lookup without the C compiler), and how
many times the plain import runs gcc. Prints medians and their ratio; asserts nothing.

    python3 benchmarks/weasyprint_import.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMED = """
import sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
{how}
print(time.perf_counter() - started)
"""
HOW = {
    "import weasyprint": "import weasyprint",
    "patches.load_weasyprint()": (
        "from policybrief.core.patches import load_weasyprint\nload_weasyprint()"
    ),
}


def seconds(how: str, env: dict) -> float:
    code = TIMED.format(root=str(ROOT), how=how)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gcc.log"
        gcc = shutil.which("gcc")
        env = dict(os.environ)
        if gcc:  # count the compiler's runs through a wrapper first on PATH
            wrapper = Path(tmp) / "gcc"
            wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {gcc} "$@"\n')
            wrapper.chmod(0o755)
            env["PATH"] = f"{tmp}{os.pathsep}{env['PATH']}"
        medians = {}
        for name, how in HOW.items():
            log.unlink(missing_ok=True)
            times = [seconds(how, env) for _ in range(args.runs)]
            runs = len(log.read_text().splitlines()) // args.runs if log.exists() else 0
            medians[name] = statistics.median(times)
            print(f"{name:<28} median {medians[name]:.3f} s, gcc runs per import: {runs}")
    plain, loaded = medians.values()
    print(f"{'ratio':<28} {plain / loaded:.2f}x")


if __name__ == "__main__":
    main()

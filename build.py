#!/usr/bin/env python3
"""Build the policy briefs. Run `python build.py --help` for the options."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    from policybrief.cli.main import main
except KeyboardInterrupt:  # Ctrl+C while starting: nothing was written yet
    sys.stderr.write("Error: interrupted\n")
    sys.exit(130)

if __name__ == "__main__":
    sys.exit(main(default_root=Path(__file__).resolve().parent))

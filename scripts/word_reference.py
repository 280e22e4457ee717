"""The Word reference document the engine makes from a project's theme, to edit in Word.

    python3 scripts/word_reference.py [--project DIR] [--templates DIR] [--lang zh] OUT.docx

Writes the styles every Word edition gets from the theme (``theme.yaml``: colours, the
``word_fonts`` faces; a full report's sizes) into an empty A4 document. Change the styles in
Word (Home → Styles → Modify), save it as ``reference.docx`` in your template folder, and
the next build keeps your styles (docs/word.md, "House style: the theme in Word").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policybrief.load.project import load_project  # noqa: E402
from policybrief.output.docx import DocxWriter  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="the .docx to write")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the project folder")
    parser.add_argument("--templates", type=Path, action="append", default=[])
    parser.add_argument("--lang", default="zh", help="the edition's language (zh, en, zh-Hant)")
    args = parser.parse_args()
    project, problems = load_project(args.project.resolve(), tuple(args.templates))
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        sys.stderr.write(f"{problem}\n")
    if errors:
        return 1
    args.out.write_bytes(DocxWriter(project).reference_document(args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How long an edit to a fact takes to show in an open browser page under `build.py serve`
(edit saved -> page reloaded with the new figure). Prints each edit's time, the median and
the slowest; asserts nothing. Needs Debian's Chromium and Playwright (`scripts/setup.sh
--test`).

    python3 benchmarks/preview_reload.py [--edits 5] [--project DIR --fact ID --page PATH]

By default it serves a throwaway copy of the test fixture project (tests/fixture/) and
edits `qiaotou.enterprises.2016`, a key figure of the page `qiaotou/decision-makers.en.html`.
The times also go to tests/.artifacts/preview-reload.json.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, write_artifact  # noqa: E402
from helpers import copy_fixture  # noqa: E402
from test_serve import serving, set_value, wait_until  # noqa: E402


def facts_file(project: Path, fact: str) -> str:
    for path in sorted((project / "facts").glob("*.yaml")):
        if re.search(rf"^\s*- id: {re.escape(fact)}\s*$", path.read_text(encoding="utf-8"), re.M):
            return path.relative_to(project).as_posix()
    sys.exit(f"fact {fact!r} not found in {project / 'facts'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--project", type=Path, help="a project to copy (default: the fixture)")
    parser.add_argument("--fact", default="qiaotou.enterprises.2016")
    parser.add_argument("--page", default="qiaotou/decision-makers.en.html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        if args.project:
            shutil.copytree(
                args.project, project, ignore=shutil.ignore_patterns("dist", ".*", "__pycache__")
            )
        else:
            copy_fixture(project)
        import test_serve

        test_serve.FACTS_FILE = facts_file(project, args.fact)
        brief, name = args.page.split("/")
        audience, lang, _ = name.split(".")
        one = ("--brief", brief, "--audience", audience, "--lang", lang)
        times = []
        with serving(project, *one) as (url, _process, lines), chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + args.page)

            def body_text() -> str:
                try:
                    return page.inner_text("body", timeout=1000)
                except Exception:  # noqa: BLE001 - the page is reloading
                    return ""

            for n in range(args.edits):
                time.sleep(0.5)  # let the previous reload (and PDF start) settle
                value = str(900001 + n)
                origin = page.evaluate("performance.timeOrigin")
                edited = time.perf_counter()
                set_value(project, args.fact, value)
                shown = f"{int(value):,}"
                if not wait_until(lambda s=shown: s in body_text(), 60):
                    sys.exit("the page did not show the edit:\n" + "\n".join(lines))
                times.append(time.perf_counter() - edited)
                if page.evaluate("performance.timeOrigin") == origin:
                    sys.exit("the page changed without reloading")
                print(f"edit {n + 1}: {times[-1]:.2f} s", flush=True)
    median, slowest = statistics.median(times), max(times)
    print(f"edit-to-reload: median {median:.2f} s, slowest {slowest:.2f} s over {len(times)} edits")
    write_artifact(
        "preview-reload.json",
        {
            "edit_to_reload_seconds": [round(t, 3) for t in times],
            "median": round(median, 3),
            "max": round(slowest, 3),
        },
    )


if __name__ == "__main__":
    main()

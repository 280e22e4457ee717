"""Hand-written SVG or matplotlib for the charts? Both draw the same chart, the Yunqi brief's
stacked bar of enterprises (two years, two series, cited totals), with the same Babel-
formatted texts and theme colours; this prints for each:

- import: the cost of what drawing needs, in a fresh interpreter that has already imported
  what the build has anyway (the engine's render stage), median of ``--runs`` processes;
- draw: one chart to SVG text, median of ``--draws`` in a warm process;
- bytes of the SVG, how many ``<text>`` elements it has (text that stays text), whether
  the chart's numbers appear in it as text;
- identical: whether two separate processes give the same bytes.

matplotlib is not a dependency of the project: install it somewhere of its own and point
PYTHONPATH at it, for example

    pip install --target /tmp/mpl "matplotlib==3.10.*"
    PYTHONPATH=/tmp/mpl python3 benchmarks/charts.py

Without it, only the hand-written numbers are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a child process: prints a JSON line {"import": s, "draw": [s...], "svg": text}.
CHILD = r"""
import json, sys, time
sys.path.insert(0, __ROOT__)
from policybrief.render import page  # noqa: F401  (the build has the render stage loaded anyway)
from policybrief.load.project import load_project
from pathlib import Path

project, _ = load_project(Path(__ROOT__))
chart = next(c for c in project.briefs["yunqi"].charts if c.id == "enterprises")
lang = project.language(__LANG__)
started = time.perf_counter()
if __WAY__ == "hand":
    from policybrief.render import chartsvg
else:
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    from policybrief.render import chartsvg  # for the same texts and colours
imported = time.perf_counter() - started


def hand():
    return str(chartsvg.render(chart, project.facts, lang, 1, project.theme)["svg"])


def mpl():
    import io
    p = chartsvg.plot(chart, project.facts, lang, project.theme)
    plt.rcParams["svg.fonttype"] = "none"  # text as <text>, in the page's fonts
    plt.rcParams["svg.hashsalt"] = "policybrief"  # fixed ids: the same bytes every time
    plt.rcParams["font.family"] = ["Noto Sans CJK SC", "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(5.6, 1.6), dpi=100)
    rows = list(range(len(p.categories)))[::-1]
    left = [0.0] * len(rows)
    for index, row in enumerate(p.rows):
        bars = ax.barh(rows, row.values, left=left, color=p.palette.series(index),
                       label=row.label, edgecolor="white")
        ax.bar_label(bars, labels=row.texts, label_type="center", color="white", fontsize=9)
        left = [a + b for a, b in zip(left, row.values)]
    for y, x, text in zip(rows, left, p.totals):
        ax.text(x * 1.02, y, text, va="center", fontweight="bold", fontsize=10)
    ax.set_yticks(rows, p.categories)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.legend(ncols=len(p.rows), loc="lower left", bbox_to_anchor=(0, 1), frameon=False)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


draw = hand if __WAY__ == "hand" else mpl
times, svg = [], ""
for _ in range(__DRAWS__):
    started = time.perf_counter()
    svg = draw()
    times.append(time.perf_counter() - started)
print(json.dumps({"import": imported, "draw": times, "svg": svg}))
"""


def child(way: str, lang: str, draws: int) -> dict:
    code = (
        CHILD.replace("__ROOT__", repr(str(ROOT)))
        .replace("__WAY__", repr(way))
        .replace("__LANG__", repr(lang))
        .replace("__DRAWS__", str(draws))
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=False
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def has_matplotlib() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import matplotlib"], capture_output=True, env=os.environ
    )
    return probe.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per way")
    parser.add_argument("--draws", type=int, default=20, help="draws per process")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    args = parser.parse_args()
    ways = ["hand"] + (["matplotlib"] if has_matplotlib() else [])
    if len(ways) == 1:
        print("matplotlib is not importable: only the hand-written SVG is measured")
    print(
        f"{'way':<11} {'import ms':>9} {'draw ms':>8} {'bytes':>7} {'texts':>5} "
        f"{'numbers as text':>15} {'identical':>9}"
    )
    for way in ways:
        runs = [child(way, args.lang, args.draws) for _ in range(args.runs)]
        imported = statistics.median(r["import"] for r in runs) * 1000
        drawn = statistics.median(statistics.median(r["draw"][1:] or r["draw"]) for r in runs)
        svg = runs[0]["svg"]
        digests = {hashlib.sha256(r["svg"].encode()).hexdigest() for r in runs}
        numbers = all(
            t in svg
            for t in (("255家", "362家", "481家") if args.lang == "zh" else ("255", "362", "481"))
        )
        print(
            f"{way:<11} {imported:>9.1f} {drawn * 1000:>8.2f} {len(svg.encode()):>7} "
            f"{svg.count('<text'):>5} {'yes' if numbers else 'no':>15} "
            f"{'yes' if len(digests) == 1 else 'no':>9}"
        )


if __name__ == "__main__":
    main()

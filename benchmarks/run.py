#!/usr/bin/env python3
"""Benchmarks for the build. Prints medians and ratios measured in the same run; asserts
nothing. Takes a few minutes (add --rows 1000 for the large batch, ~10 minutes more).

    python3 benchmarks/run.py [--runs 3] [--rows 200]
    python3 benchmarks/run.py --only targets [--root OTHER_CHECKOUT]   # issue #14's table

``--root`` measures another checkout of the project (say, the commit before a change) with
this script, so that a before/after table comes from one session on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if "--root" in sys.argv[:-1]:
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_batch import make  # noqa: E402

PY = sys.executable


def run(*args: str, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(
        [PY, str(ROOT / "build.py"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    if result.returncode:
        sys.exit(f"build failed: {' '.join(args)}\n{result.stderr}")
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def line(name: str, value: str) -> None:
    print(f"{name:<58} {value}")


def cold_and_noop(tmp: Path, runs: int) -> None:
    cold, noop = [], []
    for index in range(runs):
        out = tmp / f"cold{index}"
        cold.append(run("--out", str(out), "-q")[0])
        noop.append(run("--out", str(out), "-q")[0])
    line(
        "1. cold full build of the project (22 PDFs, 22 HTML), wall",
        f"median {median(cold):.2f} s ({', '.join(f'{c:.2f}' for c in cold)})",
    )
    line("2. no-op rebuild, wall", f"median {median(noop):.3f} s")


def one_fact(tmp: Path) -> None:
    project = make(3, tmp / "fact-project")
    out = tmp / "fact-out"
    run("--project", str(project), "--out", str(out), "-q")
    facts = project / "facts/bri.yaml"
    text = facts.read_text(encoding="utf-8")
    start = text.index("  - id: forest.area\n")
    value_at = text.index("    value: ", start)
    end = text.index("\n", value_at)
    facts.write_text(text[:value_at] + "    value: 21" + text[end:], encoding="utf-8")
    seconds, result = run("--project", str(project), "--out", str(out), "--json")
    report = json.loads(result.stdout)
    built = [w["path"] for w in report["written"] if w["status"] == "built"]
    line(
        "3. one fact changed (forest.area): outputs rebuilt",
        f"{len(built)} of {len(report['written'])} ({', '.join(sorted(built))}) in {seconds:.2f} s",
    )


PLAIN = """
import sys, time, weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
started = time.perf_counter()
weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3])
print(time.perf_counter() - started)
"""

NAIVE_LOOP = """
import sys, time, weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf()
    times.append(time.perf_counter() - started)
print(" ".join(map(str, times)))
"""

ENGINE_LOOP = """
import sys, time
sys.path.insert(0, sys.argv[4])
from pathlib import Path
from policybrief.output.pdf import PdfWriter
html = open(sys.argv[1], encoding="utf-8").read()
try:  # the subset faces, as the build's workers use them
    from policybrief.output import fonts
    faces = fonts.prepare(Path(sys.argv[1]).parent / "out",
                          fonts.characters(Path(sys.argv[4]), [Path(sys.argv[2])]))
    writer = PdfWriter((Path(sys.argv[2]),), faces)
except ImportError:
    writer = PdfWriter((Path(sys.argv[2]),))
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    writer.render(html, Path(sys.argv[2]))
    times.append(time.perf_counter() - started)
print(" ".join(map(str, times)))
"""


def print_html(tmp: Path) -> Path:
    """The exact HTML the engine hands WeasyPrint for the yunqi zh full report."""
    from policybrief.build.pipeline import (
        BuildReport,
        Options,
        load_and_check,
        plan,
        render_pages,
        render_prose,
    )

    options = Options(
        root=ROOT, briefs=("yunqi",), audiences=("full-report",), langs=("zh",), formats=("pdf",)
    )
    project, _ = load_and_check(options)
    outputs = plan(project, options)
    prose = render_prose(project, {("yunqi", "zh")})
    pages = render_pages(project, [(outputs[0], "pdf")], prose, BuildReport())
    path = tmp / "yunqi-full-report.zh.print.html"
    path.write_text(next(iter(pages.values())).html, encoding="utf-8")
    return path


def per_pdf(tmp: Path, runs: int) -> None:
    html = print_html(tmp)
    base = (ROOT / "templates").as_uri() + "/"
    fresh = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [PY, "-c", PLAIN, str(html), base, str(tmp / "plain.pdf")],
            check=True,
            capture_output=True,
        )
        fresh.append(time.perf_counter() - started)
    loops = max(runs, 5)
    naive = [
        float(x)
        for x in subprocess.run(
            [PY, "-c", NAIVE_LOOP, str(html), base, str(loops)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    ][1:]
    engine = [
        float(x)
        for x in subprocess.run(
            [PY, "-c", ENGINE_LOOP, str(html), str(ROOT / "templates"), str(loops), str(ROOT)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    ][1:]
    # engine's own overhead over WeasyPrint for one output: load+check+render HTML
    overhead = []
    for _ in range(runs):
        started = time.perf_counter()
        print_html(tmp)
        overhead.append(time.perf_counter() - started)
    line("4a. plain weasyprint, fresh process (yunqi zh report)", f"median {median(fresh):.2f} s")
    line("4b. naive warm loop: new HTML().write_pdf() each", f"median {median(naive):.3f} s/PDF")
    line("4c. engine warm worker (PdfWriter.render)", f"median {median(engine):.3f} s/PDF")
    line("    ratio warm worker / naive warm loop", f"{median(engine) / median(naive):.2f}")
    line(
        "    engine work before WeasyPrint (load, check, HTML)",
        f"median {median(overhead):.3f} s = {100 * median(overhead) / median(naive):.1f} % "
        "of one PDF",
    )


def workers(tmp: Path, runs: int) -> None:
    times = {}
    for jobs in (1, 2):
        times[jobs] = [
            run("--out", str(tmp / f"jobs{jobs}"), "--force", "--jobs", str(jobs), "-q")[0]
            for _ in range(runs)
        ]
    line(
        "5. cold full build with --jobs 1 / --jobs 2",
        f"{median(times[1]):.2f} s / "
        f"{median(times[2]):.2f} s = {median(times[1]) / median(times[2]):.2f}x",
    )


def batch(tmp: Path, sizes: list[int]) -> None:
    for rows in sizes:
        project = make(rows, tmp / f"batch{rows}")
        # the whole batch, English PDFs only
        command = [
            "--project",
            str(project),
            "--out",
            str(tmp / f"batch{rows}-all"),
            "--lang",
            "en",
            "--format",
            "pdf",
            "--json",
        ]
        seconds, result = run(*command)
        report = json.loads(result.stdout)
        pdfs = [
            w
            for w in report["written"]
            if w["format"] == "pdf" and w["path"].startswith("members-synthetic")
        ]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        line(
            f"6. batch of {rows} rows (en PDFs), wall",
            f"{seconds:.1f} s, "
            f"{seconds / len(pdfs):.3f} s per brief, peak RSS of any process so far "
            f"{peak:.0f} MB",
        )


# Issue #14's targets. The print HTML of every output, as the engine hands it to WeasyPrint,
# is dumped once; then one process per measurement, so that each starts cold.
DUMP = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from policybrief.build.pipeline import (BuildReport, Options, load_and_check, plan, render_pages,
                               render_prose)
root, out = Path(sys.argv[1]), Path(sys.argv[2])
options = Options(root=root, formats=("pdf",))
project, _ = load_and_check(options)
outputs = plan(project, options)
prose = render_prose(project, {(o.brief, o.lang) for o in outputs})
pages = render_pages(project, [(o, "pdf") for o in outputs], prose, BuildReport())
names = []
for (output, _fmt), page in pages.items():
    name = output.name("pdf").replace("/", "--")[:-4] + ".html"
    (out / name).write_text(page.html, encoding="utf-8")
    names.append(name)
print(json.dumps(sorted(names)))
"""

WORKER = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from policybrief.output.pdf import PdfWriter
root, folder, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
timed, every = json.loads(sys.argv[4]), json.loads(sys.argv[5])
templates = root / "templates"
try:  # after issue #14: the subset faces, made (or found) in the output's cache area
    from policybrief.output import fonts
    faces = fonts.prepare(folder / "out", fonts.characters(root, [templates]))
    writer = PdfWriter((templates,), faces)
except ImportError:
    writer = PdfWriter((templates,))
result = {}
for name in timed:
    html = (folder / name).read_text(encoding="utf-8")
    times = []
    for _ in range(runs + 1):  # the first render warms this worker up
        started = time.perf_counter()
        writer.render(html, templates)
        times.append(time.perf_counter() - started)
    result[name] = times[1:]
for name in every:  # a worker that renders every PDF of the project
    writer.render((folder / name).read_text(encoding="utf-8"), templates)
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""

PLAIN_LOOP = """
import json, sys, time, weasyprint
folder, runs, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
result = {}
for name in json.loads(sys.argv[4]):
    html = open(f"{folder}/{name}", encoding="utf-8").read()
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        weasyprint.HTML(string=html, base_url=base).write_pdf()
        times.append(time.perf_counter() - started)
    result[name] = times[1:]
print(json.dumps(result))
"""

TARGETS = (
    ("English one-page note", "yunqi/decision-makers.en.pdf", "<= 75 KB, <= 0.5 s"),
    ("Chinese one-page note", "yunqi/decision-makers.zh.pdf", "<= 125 KB, <= 0.65 s"),
    ("12-page Chinese full report", "yunqi/full-report.zh.pdf", "<= 280 KB, <= 2.7 s"),
    ("Chinese print edition (footnote repair)", "yunqi/print-edition.zh.pdf", ""),
)


def targets(tmp: Path, runs: int) -> None:
    """Each row of issue #14's table: sizes, warm-worker time per PDF with its ratio to plain
    WeasyPrint on the same HTML, worker peak memory, cold build with 2 workers."""
    cold, sizes = [], {}
    for index in range(runs):
        out = tmp / f"targets-cold{index}"
        cold.append(run("--out", str(out), "-q", "--jobs", "2")[0])
        sizes = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*.pdf")}
    folder = tmp / "targets-html"
    folder.mkdir()
    names = json.loads(
        subprocess.run(
            [PY, "-c", DUMP, str(ROOT), str(folder)], check=True, capture_output=True, text=True
        ).stdout
    )
    timed = [path.replace("/", "--")[:-4] + ".html" for _label, path, _goal in TARGETS]
    loops = max(runs, 3)
    worker = json.loads(
        subprocess.run(
            [
                PY,
                "-c",
                WORKER,
                str(ROOT),
                str(folder),
                str(loops),
                json.dumps(timed),
                json.dumps(names),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    plain = json.loads(
        subprocess.run(
            [
                PY,
                "-c",
                PLAIN_LOOP,
                str(folder),
                str(loops),
                (ROOT / "templates").as_uri() + "/",
                json.dumps(timed),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    print(f"root: {ROOT}")
    for (label, path, goal), name in zip(TARGETS, timed, strict=True):
        mine, theirs = median(worker[name]), median(plain[name])
        line(
            f"T. {label} ({path})",
            f"{sizes[path] / 1000:.0f} KB, warm worker median {mine:.2f} s, plain WeasyPrint "
            f"{theirs:.2f} s (ratio {mine / theirs:.2f})" + (f"  [target {goal}]" if goal else ""),
        )
    line(
        f"T. all shipped PDFs together ({len(sizes)})",
        f"{sum(sizes.values()) / 1e6:.2f} MB  [target <= 2.8 MB]",
    )
    line(
        f"T. worker peak memory (one worker renders all {len(names)} PDFs)",
        f"{worker['peak_mb']:.0f} MB  [target <= 120 MB]",
    )
    line(
        "T. cold full build, 2 workers, wall",
        f"median {median(cold):.1f} s ({', '.join(f'{c:.1f}' for c in cold)})  [target <= 18 s]",
    )
    typst_peer(folder, sizes, worker, timed, loops)


TYPST_LOOP = """
import json, sys, time, typst
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    data = typst.Compiler(sys.argv[1]).compile()  # a new compiler: nothing memoized
    times.append(time.perf_counter() - started)
print(json.dumps({"size": len(data), "times": times}))
"""


def typst_peer(folder: Path, sizes: dict, worker: dict, timed: list[str], loops: int) -> None:
    """The same text typeset by Typst (benchmarks/typst_peer.py), if `typst` is installed
    (pip install ".[bench]")."""
    try:
        import typst  # noqa: F401
    except ImportError:
        print('T. typst: not installed (pip install ".[bench]"), not compared')
        return
    from typst_peer import typst_source

    for (label, path, _goal), name in zip(TARGETS, timed, strict=True):
        if "print-edition" in path:
            continue
        source = folder / (name[:-5] + ".typ")
        source.write_text(
            typst_source((folder / name).read_text(encoding="utf-8"), path.split(".")[-2]),
            encoding="utf-8",
        )
        peer = json.loads(
            subprocess.run(
                [PY, "-c", TYPST_LOOP, str(source), str(loops + 1)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        mine, theirs = median(worker[name]), median(peer["times"][1:])
        line(
            f"T. {label}: Typst on the same text",
            f"{peer['size'] / 1000:.0f} KB (ours {sizes[path] / peer['size']:.2f}x its size), "
            f"{theirs:.2f} s (ours {mine / theirs:.1f}x its time)",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, nargs="*", default=[50, 200])
    parser.add_argument(
        "--only",
        choices=("targets", "build", "batch"),
        help="one part: issue #14's targets, the build measurements, the batch",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the project checkout to measure (default: this one)",
    )
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"python {sys.version.split()[0]}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="policybrief-bench-"))
    try:
        if args.only in (None, "targets"):
            targets(tmp, args.runs)
        if args.only in (None, "build"):
            cold_and_noop(tmp, args.runs)
            one_fact(tmp)
            per_pdf(tmp, args.runs)
            workers(tmp, args.runs)
        if args.only in (None, "batch"):
            batch(tmp, args.rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

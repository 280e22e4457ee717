#!/usr/bin/env python3
"""Benchmarks for the build. Prints medians and ratios measured in the same run; asserts
nothing. Takes a few minutes (add --rows 1000 for the large batch, ~10 minutes more).

    python3 benchmarks/run.py [--runs 3] [--rows 200]
    python3 benchmarks/run.py --only targets [--root OTHER_CHECKOUT]   # issue #14's table
    python3 benchmarks/run.py --only check --update-docs              # measure, write the docs

Parts (``--only``, repeatable): targets, build, batch, check, word, charts, parse, import
(all of these by default), and preview and suite (only when named: the preview needs
Chromium, the suite takes minutes a run).

``--update-docs`` writes what each part measured into README.md and docs/*.md, between the
markers ``scripts/docs_numbers.py`` lists for that part (``<!-- n:NAME -->…<!-- /n -->``),
with where and when it was measured. The docs' numbers are written this way, never by hand.

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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if "--root" in sys.argv[:-1]:
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_batch import make  # noqa: E402

PY = sys.executable
HERE = Path(__file__).resolve().parent.parent  # the checkout whose docs --update-docs writes
Values = dict[str, str]  # marker name -> text, for --update-docs


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


def cold_and_noop(tmp: Path, runs: int) -> Values:
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
    return {"build-cold": f"{median(cold):.1f} s", "build-noop": f"{median(noop):.2f} s"}


def one_fact(tmp: Path) -> Values:
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
    return {"build-one-fact": f"{len(built)} of {len(report['written'])}"}


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


def workers(tmp: Path, runs: int) -> Values:
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
    return {"build-jobs-speedup": f"{median(times[1]) / median(times[2]):.2f}×"}


def batch(tmp: Path, sizes: list[int]) -> Values:
    values: Values = {}
    for rows in sorted(sizes):
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
        values = {  # the largest batch is the one the docs quote
            "batch-rows": f"{rows:,}",
            "batch-seconds": f"{seconds:.0f} s",
            "batch-per-brief": f"{seconds / len(pdfs):.2f} s",
            "batch-peak": f"{peak:.0f} MB",
        }
    return values


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
names, one_page = [], []
for (output, _fmt), page in pages.items():
    name = output.name("pdf").replace("/", "--")[:-4] + ".html"
    (out / name).write_text(page.html, encoding="utf-8")
    names.append(name)
    if project.audience(output.brief, output.audience).max_pages == 1:
        one_page.append(name)  # laid out as one page, as the build lays it out
print(json.dumps({"names": sorted(names), "one_page": one_page}))
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
import inspect
one_page = set(json.loads(sys.argv[6]))  # the outputs the build lays out as one page
if "one_page" not in inspect.signature(writer.render).parameters:
    one_page = None  # a checkout from before the one-page layout came first
def render(name):
    html = (folder / name).read_text(encoding="utf-8")
    if one_page is None:
        return writer.render(html, templates)
    return writer.render(html, templates, one_page=name in one_page)
result = {}
for name in timed:
    times = []
    for _ in range(runs + 1):  # the first render warms this worker up
        started = time.perf_counter()
        render(name)
        times.append(time.perf_counter() - started)
    result[name] = times[1:]
for name in every:  # a worker that renders every PDF of the project
    render(name)
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

TARGET_MARKERS = {  # the docs' marker for each row of TARGETS, and of its Typst peer
    "yunqi/decision-makers.en.pdf": "note-en",
    "yunqi/decision-makers.zh.pdf": "note-zh",
    "yunqi/full-report.zh.pdf": "report-zh",
    "yunqi/print-edition.zh.pdf": "print-zh",
}

TARGETS = (
    ("English one-page note", "yunqi/decision-makers.en.pdf", "<= 75 KB, <= 0.5 s"),
    ("Chinese one-page note", "yunqi/decision-makers.zh.pdf", "<= 125 KB, <= 0.65 s"),
    ("12-page Chinese full report", "yunqi/full-report.zh.pdf", "<= 280 KB, <= 2.7 s"),
    ("Chinese print edition (footnote repair)", "yunqi/print-edition.zh.pdf", ""),
)


def targets(tmp: Path, runs: int) -> Values:
    """Each row of issue #14's table: sizes, warm-worker time per PDF with its ratio to plain
    WeasyPrint on the same HTML, worker peak memory, cold build with 2 workers."""
    cold, sizes = [], {}
    for index in range(runs):
        out = tmp / f"targets-cold{index}"
        cold.append(run("--out", str(out), "-q", "--jobs", "2")[0])
        sizes = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*.pdf")}
    folder = tmp / "targets-html"
    folder.mkdir()
    dumped = json.loads(
        subprocess.run(
            [PY, "-c", DUMP, str(ROOT), str(folder)], check=True, capture_output=True, text=True
        ).stdout
    )
    names = dumped["names"]
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
                json.dumps(dumped["one_page"]),
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
    values: Values = {}
    for (label, path, goal), name in zip(TARGETS, timed, strict=True):
        mine, theirs = median(worker[name]), median(plain[name])
        values[f"pdf-{TARGET_MARKERS[path]}"] = (
            f"{sizes[path] / 1000:.0f} KB, {mine:.2f} s ({mine / theirs:.2f}× plain)"
        )
        line(
            f"T. {label} ({path})",
            f"{sizes[path] / 1000:.0f} KB, warm worker median {mine:.2f} s, plain WeasyPrint "
            f"{theirs:.2f} s (ratio {mine / theirs:.2f})" + (f"  [target {goal}]" if goal else ""),
        )
    line(
        f"T. all shipped PDFs together ({len(sizes)})",
        f"{sum(sizes.values()) / 1e6:.2f} MB  [target <= 2.85 MB]",
    )
    line(
        f"T. worker peak memory (one worker renders all {len(names)} PDFs)",
        f"{worker['peak_mb']:.0f} MB  [target <= 120 MB]",
    )
    line(
        "T. cold full build, 2 workers, wall",
        f"median {median(cold):.1f} s ({', '.join(f'{c:.1f}' for c in cold)})  [target <= 18 s]",
    )
    values["pdf-total"] = f"{sum(sizes.values()) / 1e6:.2f} MB"
    values["pdf-worker-peak"] = f"{worker['peak_mb']:.0f} MB"
    values["pdf-cold-build"] = f"{median(cold):.1f} s"
    return values | typst_peer(folder, sizes, worker, timed, loops)


TYPST_LOOP = """
import json, sys, time, typst
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    data = typst.Compiler(sys.argv[1]).compile()  # a new compiler: nothing memoized
    times.append(time.perf_counter() - started)
print(json.dumps({"size": len(data), "times": times}))
"""


def typst_peer(folder: Path, sizes: dict, worker: dict, timed: list[str], loops: int) -> Values:
    """The same text typeset by Typst (benchmarks/typst_peer.py), if `typst` is installed
    (pip install ".[bench]")."""
    try:
        import typst  # noqa: F401
    except ImportError:
        print('T. typst: not installed (pip install ".[bench]"), not compared')
        return {}
    from typst_peer import typst_source

    values: Values = {}
    peer_times: list[float] = []

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
        peer_times.append(theirs)
        marker = f"typst-{TARGET_MARKERS[path]}"
        values[marker] = f"{peer['size'] / 1000:.0f} KB"
        values[f"{marker}-ratio"] = (
            f"{sizes[path] / peer['size']:.2f}× the size, {mine / theirs:.1f}× the time"
        )
        line(
            f"T. {label}: Typst on the same text",
            f"{peer['size'] / 1000:.0f} KB (ours {sizes[path] / peer['size']:.2f}x its size), "
            f"{theirs:.2f} s (ours {mine / theirs:.1f}x its time)",
        )
    values["typst-times"] = span(peer_times, "{:.2f}", " s")
    return values


# -- the parts that measure what the guides quote ----------------------------------------------


def span(values: list[float], form: str, unit: str = "") -> str:
    """``0.17–0.22 ms``: the range of ``values`` (one value when they agree)."""
    low, high = form.format(min(values)), form.format(max(values))
    return (low if low == high else f"{low}–{high}") + unit


def check_times(tmp: Path, runs: int) -> Values:
    """``check``, ``check --fast`` and an HTML-only build of every edition, interleaved so
    that a change in the machine's load falls on all three alike."""
    full, fast, html = [], [], []
    for _ in range(max(runs, 5)):
        full.append(run("check", "-q")[0])
        fast.append(run("check", "-q", "--fast")[0])
        html.append(run("--force", "--format", "html", "-q", "--out", str(tmp / "html"))[0])
    line("C1. check, wall", f"median {median(full):.2f} s")
    line("C2. check --fast, wall", f"median {median(fast):.2f} s")
    line("C3. --force --format html (every edition), wall", f"median {median(html):.2f} s")
    return {
        "check-seconds": f"{median(full):.2f} s",
        "check-fast-seconds": f"{median(fast):.2f} s",
        "html-build-seconds": f"{median(html):.2f} s",
    }


def word(tmp: Path, runs: int) -> Values:
    """The Word edition: each file's time as the build reports it (median over ``runs``
    forced builds), and its size; the one-page notes and the full reports apart."""
    seconds: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        _, result = run("--format", "docx", "--force", "--json", "--out", str(tmp / "word"))
        for written in json.loads(result.stdout)["written"]:
            seconds.setdefault(written["path"], []).append(written["seconds"])
            sizes[written["path"]] = written["size"]
    each = {path: median(times) for path, times in seconds.items()}

    def kind(audience: str) -> str:
        paths = [p for p in each if f"/{audience}." in p]
        return (
            f"{span([each[p] for p in paths], '{:.1f}', ' s')} and "
            f"{span([sizes[p] / 1024 for p in paths], '{:.0f}', ' KiB')}"
        )

    total = sum(each.values())
    line(f"W1. {len(each)} Word files, sum of per-file medians", f"{total:.1f} s")
    line("W2. one-page note (decision-makers)", kind("decision-makers"))
    line("W3. full report", kind("full-report"))
    return {
        "word-total": f"{total:.1f} s",
        "word-note": kind("decision-makers"),
        "word-report": kind("full-report"),
    }


def charts_cost(runs: int) -> Values:
    """benchmarks/charts.py's measurement, zh and en: the hand-written SVG, and matplotlib
    when it is importable (PYTHONPATH=/tmp/mpl, say)."""
    import charts

    ways = ["hand"] + (["matplotlib"] if charts.has_matplotlib() else [])
    found: dict[str, dict[str, list[float]]] = {}
    for way in ways:
        for lang in ("zh", "en"):
            measured = [charts.child(way, lang, 20) for _ in range(max(runs, 5))]
            numbers = found.setdefault(way, {"import": [], "draw": [], "bytes": []})
            numbers["import"].append(median(r["import"] for r in measured))
            numbers["draw"].append(median(median(r["draw"][1:] or r["draw"]) for r in measured))
            numbers["bytes"].append(len(measured[0]["svg"].encode()))
    hand = found["hand"]
    values = {
        "chart-svg-draw": span([t * 1000 for t in hand["draw"]], "{:.2f}", " ms"),
        "chart-svg-bytes": span(hand["bytes"], "{:,.0f}"),
    }
    if "matplotlib" in found:
        mpl = found["matplotlib"]
        version = subprocess.run(
            [PY, "-c", "import matplotlib; print(matplotlib.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        ratio = statistics.mean(m / h for m, h in zip(mpl["bytes"], hand["bytes"], strict=True))
        values |= {
            "chart-mpl-version": version,
            "chart-mpl-import": span(mpl["import"], "{:.2f}", " s"),
            "chart-mpl-draw": span([t * 1000 for t in mpl["draw"]], "{:.0f}", " ms"),
            "chart-mpl-bytes": span(mpl["bytes"], "{:,.0f}"),
            "chart-size-ratio": f"{ratio:.1f}",
        }
    for name, value in values.items():
        line(f"K. {name}", value)
    return values


def parse_cost(tmp: Path, runs: int) -> Values:
    """benchmarks/parse.py's measurement: the fixture project's pages parsed by tinyhtml5 as
    shipped and with its repair (policybrief/core/patches.py)."""
    import parse
    import tinyhtml5.inputstream

    from policybrief.core import patches

    texts = parse.pages_of(None, tmp / "parse")
    tinyhtml5.inputstream.characters_until_regex = {}  # as tinyhtml5 ships it
    stock = parse.timed(texts, max(runs, 9))
    patches.repair_tinyhtml5()
    repaired = parse.timed(texts, max(runs, 9))
    line("P. pages parsed", f"{len(texts)}, {repaired / len(texts) * 1000:.1f} ms a page")
    line("P. as shipped / repaired", f"{stock / repaired:.2f}x")
    return {
        "parse-page-ms": f"{repaired / len(texts) * 1000:.1f} ms",
        "parse-ratio": f"{stock / repaired:.1f}×",
    }


def import_cost(runs: int) -> Values:
    """benchmarks/weasyprint_import.py's measurement: a fresh process importing WeasyPrint
    plainly, and through patches.load_weasyprint."""
    import weasyprint_import

    medians = [
        median([weasyprint_import.seconds(how, dict(os.environ)) for _ in range(max(runs, 9))])
        for how in weasyprint_import.HOW.values()
    ]
    plain, loaded = medians
    line("I. import weasyprint / load_weasyprint()", f"{plain:.3f} s / {loaded:.3f} s")
    return {
        "weasyprint-import-plain": f"{plain:.2f} s",
        "weasyprint-import-ours": f"{loaded:.2f} s",
    }


def preview(runs: int) -> Values:
    """benchmarks/preview_reload.py (Chromium and Playwright): edit-to-reload times."""
    subprocess.run(
        [PY, str(ROOT / "benchmarks" / "preview_reload.py"), "--edits", str(max(runs, 5))],
        check=True,
    )
    found = json.loads(
        (ROOT / "tests" / ".artifacts" / "preview-reload.json").read_text(encoding="utf-8")
    )
    return {
        "preview-reload": f"{found['median']:.1f} s",
        "preview-slowest": f"{found['max']:.1f} s",
    }


def machine_busy() -> float:
    """CPU-seconds the whole machine has spent busy since it started (Linux's /proc/stat:
    user, nice, system, irq and softirq time of every core); 0 where there is no such file."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:8]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def suite(runs: int) -> Values:
    """The whole test suite, ``runs`` times: wall time and CPU time, two ways. The suite's
    processes and their children (getrusage) leave out Chromium's renderers, which leave the
    suite's process tree (they are reparented, so nobody in it waits for them); the machine's
    busy time over the run (/proc/stat) counts them, and anything else that ran."""
    walls, cpus, machine = [], [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy = machine_busy()
        started = time.perf_counter()
        subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, check=True)
        walls.append(time.perf_counter() - started)
        machine.append(machine_busy() - busy)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)

    def clock(seconds: float) -> str:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"

    wall = f"{clock(min(walls))}–{clock(max(walls))} (median {clock(median(walls))}) in {runs} runs"
    line("S. suite, wall", wall)
    line("S. suite, CPU-seconds of its process tree", span(cpus, "{:.0f}"))
    line("S. suite, CPU-seconds of the machine", span(machine, "{:.0f}"))
    return {
        "suite-wall": wall,
        "suite-cpu": span(cpus, "{:.0f}"),
        "suite-machine-cpu": span(machine, "{:.0f}"),
    }


def where_measured() -> str:
    """The stamp written beside a part's numbers: the commit, the machine and its load."""

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)

    commit = git("rev-parse", "--short", "HEAD").stdout.strip() or "an unknown commit"
    changed = git("status", "--porcelain", "--", "policybrief", "templates", "briefs", "facts")
    edits = " with uncommitted changes" if changed.stdout.strip() else ""
    return f"at {commit}{edits}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"


GROUPS = {"charts": ("charts", "matplotlib")}  # parts that write more than their own markers


def write_docs(part: str, values: Values, stamp: str) -> None:
    """Write ``values`` into the docs' markers of ``part`` (scripts/docs_numbers.py), and
    the stamp of each group of markers it measured."""
    sys.path.insert(0, str(HERE / "scripts"))
    import docs_numbers

    groups = GROUPS.get(part, (part,))
    stray = sorted(set(values) - {n for g in groups for n in docs_numbers.measured(g)})
    if stray:
        raise SystemExit(f"{part}: {stray} are not this part's markers in docs_numbers.py")
    written = {docs_numbers.MARKERS[name].part for name in values}
    stamps = {
        n: stamp for g in written for n in docs_numbers.measured(g) if n.endswith("-measured")
    }
    changed = docs_numbers.update(values | stamps, HERE)
    print(f"{part}: wrote {len(values)} numbers into {', '.join(p.name for p in changed) or '-'}")


PARTS = ("targets", "build", "batch", "check", "word", "charts", "parse", "import")
ON_REQUEST = ("preview", "suite")


def measure(part: str, tmp: Path, args: argparse.Namespace) -> Values:
    if part == "targets":
        return targets(tmp, args.runs)
    if part == "build":
        values = cold_and_noop(tmp, args.runs) | one_fact(tmp)
        per_pdf(tmp, args.runs)
        return values | workers(tmp, args.runs)
    if part == "batch":
        return batch(tmp, args.rows)
    simple: dict[str, Callable[[], Values]] = {
        "check": lambda: check_times(tmp, args.runs),
        "word": lambda: word(tmp, args.runs),
        "charts": lambda: charts_cost(args.runs),
        "parse": lambda: parse_cost(tmp, args.runs),
        "import": lambda: import_cost(args.runs),
        "preview": lambda: preview(args.runs),
        "suite": lambda: suite(args.runs),
    }
    return simple[part]()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, nargs="*", default=[50, 200])
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS + ON_REQUEST,
        help="a part to run (repeatable; default: all but preview and suite)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the project checkout to measure (default: this one)",
    )
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="write the numbers into the docs' markers (scripts/docs_numbers.py)",
    )
    args = parser.parse_args()
    if args.update_docs and ROOT != HERE:
        parser.error("--update-docs writes this checkout's docs: measure this checkout")
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"python {sys.version.split()[0]}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="policybrief-bench-"))
    try:
        for part in args.only or PARTS:
            stamp = where_measured()  # the load as the part starts
            values = measure(part, tmp, args)
            if args.update_docs:
                write_docs(part, values, stamp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

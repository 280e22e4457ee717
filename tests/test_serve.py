"""The live preview: `build.py serve` on a free port, against a throwaway copy of the fixture
project.

Edits are made to the copy's files while the server runs; the served pages must follow,
broken input must show in the page with file and line while the server keeps running, and
PDFs must come after the HTML, with the command line's page size and PDF variant. How fast
an edit reaches the browser is measured by benchmarks/preview_reload.py, not asserted here.
"""

from __future__ import annotations

import html
import io
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import SCREENS, chromium, require_browser
from helpers import ROOT, pdf_reader

FACT = "qiaotou.enterprises.2016"
FACTS_FILE = "facts/qiaotou.yaml"
PAGE = "qiaotou/decision-makers.en.html"
ONE_OUTPUT = ("--brief", "qiaotou", "--audience", "decision-makers", "--lang", "en")
# How long to wait for something that must happen (a rebuild, a reload): generous, because
# the machine may be busy; a timeout here means it did not happen, not that it was slow.
SOON = 30


@contextmanager
def serving(project: Path, *args: str):
    """Start `build.py serve --port 0` and yield (base URL, process, output lines)."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--project",
            str(project),
            "--port",
            "0",
            *args,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    found: queue.Queue[str] = queue.Queue()

    def read():
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                found.put(match.group(1))

    threading.Thread(target=read, daemon=True).start()
    try:
        try:
            url = found.get(timeout=60)
        except queue.Empty:
            pytest.fail("serve did not start:\n" + "\n".join(lines))
        yield url, process, lines
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(url: str, timeout: float = 10) -> tuple[int, str]:
    """Status and body, with character references decoded (messages are HTML-escaped)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, html.unescape(response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return exc.code, html.unescape(exc.read().decode("utf-8", "replace"))


def set_value(project: Path, fact: str, value: str) -> int:
    """Rewrite a fact's `value:` line in the facts file; returns its line number. A number
    is a correction: its quote and the source text change with it, since check proves every
    value by its quote (a non-number is left for the build to refuse)."""
    path = project / FACTS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {fact}")
    at = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("value:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}value: {value}\n"
    if value.isdigit():
        quote = next(
            i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("quote:")
        )
        said = lines[quote].split(":", 1)[1].strip().strip('"')
        corrected = re.sub(r"\d+家", f"{value}家", said)
        lines[quote] = lines[quote].replace(said, corrected)
        for source in (project / "sources").glob("*.txt"):
            text = source.read_text(encoding="utf-8")
            if said in text:
                source.write_text(text.replace(said, corrected), encoding="utf-8")
    path.write_text("".join(lines), encoding="utf-8")
    return at + 1


def wait_until(check, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def test_errors_show_in_the_page_and_the_server_keeps_running(fixture_project):
    project = fixture_project
    with serving(project, "--format", "html") as (url, process, lines):
        status, page = get(url + PAGE)
        assert status == 200 and "215 enterprises" in page
        assert 'id="policybrief-livereload"' in page
        # the script is added to the response only, never to the files
        assert "policybrief-livereload" not in (project / "dist" / PAGE).read_text("utf-8")
        assert get(url + ".policybrief-cache.json")[0] == 404

        line = set_value(project, FACT, "many")
        message = f"{FACTS_FILE}:{line}: fact '{FACT}': value 'many' is not a finite number"
        shown = wait_until(lambda: message in get(url + PAGE)[1], SOON)
        assert shown, "\n".join(lines)
        assert process.poll() is None
        status, page = get(url + PAGE)
        assert status == 200 and 'id="policybrief-preview"' in page  # over the last good page
        assert "215 enterprises" in page
        assert any(message in line for line in lines)  # and in the terminal
        assert message in get(url)[1]  # on every page, the index too

        set_value(project, FACT, "482")
        assert wait_until(lambda: "482 enterprises" in get(url + PAGE)[1], SOON), "\n".join(lines)
        assert wait_until(lambda: 'id="policybrief-preview"' not in get(url + PAGE)[1], SOON)
        assert process.poll() is None


def test_pdfs_come_after_the_html_and_on_demand_with_the_pdf_options(fixture_project):
    """The background PDF build keeps --page-size and --pdf-variant (it once dropped them)."""
    project = fixture_project
    with serving(project, *ONE_OUTPUT, "--page-size", "letter", "--pdf-variant", "pdf/ua-1") as (
        url,
        process,
        lines,
    ):
        status, page = get(url + PAGE)
        assert status == 200 and "215 enterprises" in page
        # the HTML was built and served first; the PDF process started after it
        html_done = next(i for i, line in enumerate(lines) if "start: rebuilt" in line)
        # asking for the PDF waits for the background build, then serves it
        with urllib.request.urlopen(url + PAGE.replace(".html", ".pdf"), timeout=180) as pdf:
            assert pdf.status == 200
            assert pdf.read(5) == b"%PDF-"
        # the edition bar's Word link works too (it once answered 404)
        with urllib.request.urlopen(url + PAGE.replace(".html", ".docx"), timeout=180) as word:
            assert word.status == 200
            assert zipfile.ZipFile(io.BytesIO(word.read())).read("word/document.xml")
        assert wait_until(lambda: any("pdf: done" in line for line in lines), SOON), lines
        pdf_started = next(i for i, line in enumerate(lines) if "pdf: building" in line)
        assert html_done < pdf_started, lines
        reader = pdf_reader(project / "dist" / PAGE.replace(".html", ".pdf"))
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert 'pdfuaid:part="1"' in xmp
        # an edit restarts the HTML at once; the PDF follows
        set_value(project, FACT, "483")
        assert wait_until(lambda: "483 enterprises" in get(url + PAGE)[1], SOON), "\n".join(lines)
        assert process.poll() is None


def test_an_edit_to_a_fact_reloads_the_open_page(fixture_project):
    require_browser()
    project = fixture_project
    with (
        serving(project, *ONE_OUTPUT, "--format", "html") as (url, process, lines),
        chromium() as browser,
    ):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + PAGE)
        assert "215 enterprises" in page.inner_text("body")

        def body_text() -> str:
            try:
                return page.inner_text("body", timeout=1000)
            except Exception:  # noqa: BLE001 - the page is reloading
                return ""

        for value in ("216", "217"):
            time.sleep(0.3)  # let the previous reload settle
            origin = page.evaluate("performance.timeOrigin")
            set_value(project, FACT, value)
            expected = f"{value} enterprises"
            assert wait_until(lambda e=expected: e in body_text(), SOON), "\n".join(lines)
            assert page.evaluate("performance.timeOrigin") != origin  # the page reloaded

        line = set_value(project, FACT, "many")
        overlay = page.locator("#policybrief-preview")
        assert wait_until(lambda: overlay.count() and overlay.is_visible(), SOON), "\n".join(lines)
        assert f"{FACTS_FILE}:{line}:" in overlay.inner_text()
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "preview-error.png"))
        assert process.poll() is None
        set_value(project, FACT, "215")
        assert wait_until(lambda: overlay.count() == 0 and "215 enterprises" in body_text(), SOON)
        assert not errors


def test_the_preview_watches_every_file_the_build_reads(fixture_project):
    """The template and source folders the settings name (the fixture's house/ and
    sources/) and the theme file they name are watched, as the build reads them."""
    from policybrief.build.plan import Options
    from policybrief.cli.serve import snapshot

    root = fixture_project.resolve()
    (root / "style").mkdir()
    (root / "style/house.yaml").write_text('colors: {accent: "#1d4e89"}\n', encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write('theme = "style/house.yaml"\n')
    seen = snapshot(Options(root=root))
    for name in (
        "house/field-card.html",
        "sources/qiaotou.txt",
        "style/house.yaml",
        "templates/base.html",
        "facts/units.yaml",
        "briefs/hexi/riverside-plan.png",
        "pyproject.toml",
    ):
        assert str(root / name) in seen, name

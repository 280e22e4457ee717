"""The live preview: `build.py serve` on a free port, against a throwaway copy of the project.

Edits are made to the copy's files while the server runs; the served pages must follow
within seconds, broken input must show in the page with file and line while the server
keeps running, and PDFs must come after the HTML without holding it up. The measured
edit-to-reload times land in tests/.artifacts/preview-reload.json.
"""

from __future__ import annotations

import html
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import SCREENS, chromium, require_browser, write_artifact
from helpers import ROOT

FACT = "yunqi.enterprises.2016"
PAGE = "yunqi/decision-makers.en.html"
ONE_OUTPUT = ("--brief", "yunqi", "--audience", "decision-makers", "--lang", "en")


@contextmanager
def serving(project: Path, *args: str):
    """Start `build.py serve --port 0` and yield (base URL, process, output lines)."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--project", str(project),
         "--port", "0", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
    """Rewrite a fact's `value:` line in facts/yunqi.yaml; returns its line number."""
    path = project / "facts" / "yunqi.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {fact}")
    at = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("value:"))
    indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}value: {value}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return at + 1


def wait_until(check, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def test_errors_show_in_the_page_and_the_server_keeps_running(project):
    with serving(project, "--format", "html") as (url, process, lines):
        status, page = get(url + PAGE)
        assert status == 200 and "481 enterprises" in page
        assert 'id="policybrief-livereload"' in page
        # the script is added to the response only, never to the files
        assert "policybrief-livereload" not in (project / "dist" / PAGE).read_text("utf-8")
        assert get(url + ".policybrief-cache.json")[0] == 404

        line = set_value(project, FACT, "many")
        message = (f"facts/yunqi.yaml:{line}: fact '{FACT}': value 'many' is not a finite "
                   "number")
        shown = wait_until(lambda: message in get(url + PAGE)[1], 5)
        assert shown, "\n".join(lines)
        assert process.poll() is None
        status, page = get(url + PAGE)
        assert status == 200 and 'id="policybrief-preview"' in page  # over the last good page
        assert "481 enterprises" in page
        assert any(message in line for line in lines)  # and in the terminal
        assert message in get(url)[1]  # on every page, the index too

        set_value(project, FACT, "482")
        assert wait_until(lambda: "482 enterprises" in get(url + PAGE)[1], 5), "\n".join(lines)
        assert wait_until(lambda: 'id="policybrief-preview"' not in get(url + PAGE)[1], 5)
        assert process.poll() is None


def test_pdfs_come_after_the_html_and_on_demand(project):
    with serving(project, *ONE_OUTPUT) as (url, process, lines):
        started = time.perf_counter()
        status, page = get(url + PAGE)
        html_seconds = time.perf_counter() - started
        assert status == 200 and html_seconds < 1.0  # the HTML does not wait for the PDF
        # asking for the PDF waits for the background build, then serves it
        with urllib.request.urlopen(url + PAGE.replace(".html", ".pdf"), timeout=120) as pdf:
            assert pdf.status == 200
            assert pdf.read(5) == b"%PDF-"
        assert wait_until(lambda: any("pdf: done" in line for line in lines), 10), lines
        # an edit restarts the HTML at once; the PDF follows
        set_value(project, FACT, "483")
        assert wait_until(lambda: "483 enterprises" in get(url + PAGE)[1], 5), "\n".join(lines)
        assert process.poll() is None


def test_an_edit_to_a_fact_reloads_the_open_page(project):
    require_browser()
    times = []
    with serving(project, *ONE_OUTPUT) as (url, process, lines), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + PAGE)
        assert "481 enterprises" in page.inner_text("body")

        def body_text() -> str:
            try:
                return page.inner_text("body", timeout=1000)
            except Exception:  # noqa: BLE001 - the page is reloading
                return ""

        for value in ("482", "483", "484", "485", "481"):
            time.sleep(0.3)  # let the previous reload settle
            origin = page.evaluate("performance.timeOrigin")
            edited = time.perf_counter()
            set_value(project, FACT, value)
            expected = f"{value} enterprises"
            assert wait_until(lambda e=expected: e in body_text(), 5), "\n".join(lines)
            times.append(time.perf_counter() - edited)
            assert page.evaluate("performance.timeOrigin") != origin  # the page reloaded

        line = set_value(project, FACT, "many")
        overlay = page.locator("#policybrief-preview")
        assert wait_until(lambda: overlay.count() and overlay.is_visible(), 5), "\n".join(lines)
        assert f"facts/yunqi.yaml:{line}:" in overlay.inner_text()
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "preview-error.png"))
        assert process.poll() is None
        set_value(project, FACT, "481")
        assert wait_until(lambda: overlay.count() == 0 and "481 enterprises" in body_text(), 5)
        assert not errors
    write_artifact("preview-reload.json", {
        "edit_to_reload_seconds": [round(t, 3) for t in times],
        "median": round(statistics.median(times), 3), "max": round(max(times), 3)})
    print(f"\npreview: edit-to-reload median {statistics.median(times):.2f} s, "  # noqa: T201
          f"max {max(times):.2f} s over {len(times)} edits")
    assert statistics.median(times) < 2.0

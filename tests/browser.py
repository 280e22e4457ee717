"""Helpers for the browser tests: Debian's Chromium driven by Playwright, axe-core in the page.

The browser is the system one (/usr/bin/chromium, from the `chromium` Debian package);
Playwright's own browser download is never used. axe-core comes from the npm registry,
installed by ``scripts/setup.sh --test`` into tests/.cache/ (git-ignored).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import ROOT

CHROMIUM = Path(os.environ.get("POLICYBRIEF_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tests" / ".cache" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / ".artifacts"
SCREENS = ARTIFACTS / "screens"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SETUP = "run `scripts/setup.sh --test` (it installs chromium, Playwright and axe-core)"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip when there is no browser on a developer's machine; fail in CI or when only part
    of the browser tooling is there."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; {SETUP}"
        if in_ci():
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail(f"the Python package playwright is missing; {SETUP}", pytrace=False)
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing; {SETUP}", pytrace=False)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """Headless system Chromium; yields a Playwright Browser. Playwright starts it with a
    fresh temporary profile (its own --user-data-dir) and removes it afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def write_artifact(name: str, data: object) -> Path:
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


# -- JavaScript run in the page -------------------------------------------------------------

OVERLAPS_JS = """() => {
  const selector = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,th,td,blockquote,figcaption,caption,summary";
  const boxes = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest("[hidden]") || getComputedStyle(el).visibility === "hidden") continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;
    boxes.push({el, r});
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
    " '" + el.textContent.trim().slice(0, 30) + "'";
  boxes.sort((a, b) => a.r.top - b.r.top);
  const found = [];
  // sweep from the top: only boxes that start above the current one's bottom can overlap it
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].r.top < a.r.bottom - 2; j++) {
      const b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) found.push(name(a.el) + " overlaps " + name(b.el));
      if (found.length >= 10) return found;
    }
  }
  return found;
}"""

LINKS_JS = """() => Array.from(document.querySelectorAll("a[href], link[rel=alternate][href]"),
  (el) => ({href: el.href, raw: el.getAttribute("href")}))"""

TEXT_ALTERNATIVES_JS = """() => {
  const missing = [];
  for (const img of document.querySelectorAll("img, input[type=image]")) {
    if (img.getAttribute("aria-hidden") === "true" || img.getAttribute("role") === "presentation") continue;
    if (!(img.getAttribute("alt") || "").trim() && !img.getAttribute("aria-label")) missing.push(img.outerHTML.slice(0, 80));
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.closest("[aria-hidden=true]")) continue;
    const named = svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby") ||
      (svg.querySelector(":scope > title") || {}).textContent;
    if (svg.getAttribute("role") !== "img" || !(named || "").trim()) missing.push(svg.outerHTML.slice(0, 80));
  }
  return missing;
}"""

# axe's rules whose outcome can change with the viewport's width (colours and sizes under
# media queries, scrolling regions); the others read the DOM, the same at every width.
# target-size (WCAG 2.2 AA) is off in axe's defaults; these tests turn it on.
AXE_LAYOUT_RULES = [
    "color-contrast",
    "link-in-text-block",
    "target-size",
    "scrollable-region-focusable",
    "meta-viewport",
    "meta-viewport-large",
    "region",
]

AXE_JS = """async (rules) => {
  const options = {resultTypes: ["violations"], rules: {"target-size": {enabled: true}}};
  if (rules) options.runOnly = {type: "rule", values: rules};
  const result = await axe.run(document, options);
  return {version: axe.version, violations: result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240)),
  }))};
}"""

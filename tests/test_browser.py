"""The web edition in a real browser: every built page at a phone and a desktop width.

The fixture project is built once (the session `fixture_dist` fixture), served from
127.0.0.1, and each
HTML page is opened in Debian's headless Chromium at 360x740 and 1280x900. One pass per
width records what the checks below need; axe-core runs in each page. Screenshots land in
tests/.artifacts/screens/ and axe's findings in tests/.artifacts/axe.json (both
git-ignored) so a person can look.

Without /usr/bin/chromium the module is skipped on a developer's machine; with CI set it
fails instead (`scripts/setup.sh --test` installs the browser, Playwright and axe-core).
"""

from __future__ import annotations

import posixpath
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import (
    AXE,
    AXE_JS,
    AXE_LAYOUT_RULES,
    LINKS_JS,
    OVERLAPS_JS,
    SCREENS,
    TEXT_ALTERNATIVES_JS,
    chromium,
    require_browser,
    static_server,
    write_artifact,
)

WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
SCREENSHOT_MAX_HEIGHT = 2400  # px: the first screens of a page (the fact base runs to ~90,000 px)
# JPEG: on the fixture's 16 pages at 1280 px, 3.0 s against 5.4 s for PNG, for pictures a
# person looks at (nothing compares their pixels)
SCREENSHOT_QUALITY = 85
TAGS = {"zh": "zh-Hans", "en": "en", "zh-Hant": "zh-Hant"}
BRIEF_PAGE = re.compile(
    r"^(?P<brief>[a-z0-9-]+)/(?P<audience>[a-z0-9-]+)\.(?P<lang>[A-Za-z-]+)\.html$"
)


def html_pages(dist: Path) -> list[str]:
    return sorted(
        p.relative_to(dist).as_posix()
        for p in dist.rglob("*.html")
        if not any(part.startswith(".") for part in p.relative_to(dist).parts)
    )


@pytest.fixture(scope="module", autouse=True)
def _browser_available():
    """Before anything is built: skip (or, under CI, fail) when there is no browser."""
    require_browser()


@pytest.fixture(scope="module")
def site(fixture_dist):
    with static_server(fixture_dist) as url:
        yield url


@pytest.fixture(scope="module")
def browser(site):
    with chromium() as browser:
        yield browser


def switch_language(page, site: str, rel: str, follow: bool) -> list[dict]:
    """Follow each link of the language switch (a real click); where did it land?
    ``follow=False`` (the phone width): a trial click, Playwright's checks that the link
    is visible, steady and the element a tap would reach, without loading the page it
    names; the click itself, on the same links in the same DOM, is made at the desktop
    width (a load and a step back for each link cost 6 s of the suite)."""
    landed = []
    count = page.locator("nav.edition .languages a[hreflang]").count()
    for index in range(count):
        if index and follow:  # back to the page (from the back-forward cache: no new load)
            page.go_back(wait_until="load")
            assert page.url == site + rel, page.url
        link = page.locator("nav.edition .languages a[hreflang]").nth(index)
        hreflang = link.get_attribute("hreflang")
        if not follow:
            link.click(trial=True)
            landed.append({"hreflang": hreflang, "href": link.get_attribute("href")})
            continue
        with page.expect_navigation():
            link.click()
        landed.append(
            {
                "hreflang": hreflang,
                "url": page.url[len(site) :],
                "lang": page.evaluate("document.documentElement.lang"),
                "current": page.locator("nav.edition [aria-current=page]").inner_text(),
            }
        )
    return landed


def visit_all(
    site: str, axe: str, pages: list[str], width_name: str
) -> dict[tuple[str, str], dict]:
    """Open each page at one width, one after the other in one tab of its own browser (a
    thread per width: the two run in parallel), and record what the checks need."""
    width, height = WIDTHS[width_name]
    results = {}
    with chromium() as browser:
        # bypass_csp: axe-core is added as a script from another origin, which the pages'
        # own policy refuses (test_hostile.py proves that policy in the browser)
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        # One tab for every page, as a reader follows links: a new tab for each page made
        # each visit cost about twice the CPU (10 visits: 21 against 12 CPU-seconds).
        page = context.new_page()
        errors: list[str] = []  # this visit's; emptied before the next
        page.on(
            "console",
            lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.on(
            "response",
            lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        for rel in pages:
            errors.clear()
            clock = time.perf_counter()
            page.goto(site + rel, wait_until="load")
            steps = {"open": time.perf_counter() - clock}
            clock = time.perf_counter()
            scroll = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth, "
                "document.scrollingElement.scrollHeight]"
            )
            result = {
                "scroll_width": scroll[0],
                "inner_width": scroll[1],
                "overlaps": page.evaluate(OVERLAPS_JS),
                "links": page.evaluate(LINKS_JS),
                "missing_alternatives": page.evaluate(TEXT_ALTERNATIVES_JS),
            }
            steps["checks"] = time.perf_counter() - clock
            clock = time.perf_counter()
            shot = SCREENS / f"{rel.replace('/', '__').removesuffix('.html')}.{width_name}.jpg"
            page.screenshot(
                path=str(shot),
                type="jpeg",
                quality=SCREENSHOT_QUALITY,
                full_page=True,
                clip={
                    "x": 0,
                    "y": 0,
                    "width": width,
                    "height": min(scroll[2], SCREENSHOT_MAX_HEIGHT),
                },
            )
            result["screenshot"] = str(shot)
            steps["screenshot"] = time.perf_counter() - clock
            clock = time.perf_counter()
            page.add_script_tag(url=axe)  # by URL: the browser keeps it compiled
            # every rule at the desktop width; at the phone width the rules that depend on
            # layout (the others would find the same on the same DOM), to save time
            result["axe"] = page.evaluate(
                AXE_JS, None if width_name == "desktop" else AXE_LAYOUT_RULES
            )
            steps["axe"] = time.perf_counter() - clock
            if BRIEF_PAGE.match(rel):
                clock = time.perf_counter()
                result["switches"] = switch_language(page, site, rel, width_name == "desktop")
                steps["switch"] = time.perf_counter() - clock
            result["errors"] = list(errors)
            result["seconds"] = steps
            results[(rel, width_name)] = result
        context.close()
    return results


@pytest.fixture(scope="module")
def visits(fixture_dist, site):
    """Every page at both widths, once; axe's findings saved to tests/.artifacts/axe.json."""
    started = time.perf_counter()
    pages = html_pages(fixture_dist)
    assert "index.html" in pages and "facts.html" in pages
    assert (
        sum(bool(BRIEF_PAGE.match(p)) for p in pages) == 16
    )  # the fixture's HTML editions, hexi's two in zh-Hant included
    shutil.rmtree(SCREENS, ignore_errors=True)  # only this run's pictures
    SCREENS.mkdir(parents=True)
    results = {}
    # axe-core from a server of its own (added to each page by URL, not as 650 KB of inline
    # source: half the CPU of adding it)
    with static_server(AXE.parent) as scripts, ThreadPoolExecutor(max_workers=len(WIDTHS)) as pool:
        axe = scripts + AXE.name
        for done in [pool.submit(visit_all, site, axe, pages, name) for name in WIDTHS]:
            results.update(done.result())
    results = dict(sorted(results.items()))
    seconds = time.perf_counter() - started
    write_artifact(
        "axe.json",
        {
            "axe": next(iter(results.values()))["axe"]["version"],
            "pages": {
                f"{rel} @ {width}": r["axe"]["violations"] for (rel, width), r in results.items()
            },
        },
    )
    steps = {
        step: round(sum(r["seconds"].get(step, 0) for r in results.values()), 1)
        for step in ("open", "checks", "screenshot", "axe", "switch")
    }
    write_artifact(
        "browser-visits.json",
        {
            "visits": len(results),
            "seconds": round(seconds, 1),
            "seconds_per_step": steps,
            "pages": {
                f"{rel} @ {width}": {k: round(v, 2) for k, v in r["seconds"].items()}
                for (rel, width), r in results.items()
            },
        },
    )
    print(  # noqa: T201 - shown with -s
        f"\nbrowser: {len(results)} page visits in {seconds:.1f} s; screenshots in {SCREENS}"
    )
    return results


def test_no_horizontal_scrolling(visits):
    wide = {
        f"{rel} @ {w}": f"{r['scroll_width']} px > {r['inner_width']} px"
        for (rel, w), r in visits.items()
        if r["scroll_width"] > r["inner_width"]
    }
    assert not wide


def test_no_overlapping_text(visits):
    overlaps = {f"{rel} @ {w}": r["overlaps"] for (rel, w), r in visits.items() if r["overlaps"]}
    assert not overlaps


def test_no_console_errors(visits):
    errors = {f"{rel} @ {w}": r["errors"] for (rel, w), r in visits.items() if r["errors"]}
    assert not errors


def test_every_internal_link_resolves(visits, fixture_dist, site):
    ids: dict[str, set[str]] = {}

    def ids_of(rel: str) -> set[str]:
        if rel not in ids:
            text = (fixture_dist / rel).read_text(encoding="utf-8")
            ids[rel] = {m.group(1) for m in re.finditer(r'\sid="([^"]+)"', text)}
        return ids[rel]

    # The one kind of link that leaves the site: a source's own address (its url, its DOI),
    # printed in its reference for the reader to follow; never loaded by the page.
    from policybrief.load.project import load_project

    project = load_project(fixture_dist.parent)[0]
    sources = project.facts.sources.values()
    outside = {s.url for s in sources if s.url} | {
        f"https://doi.org/{s.doi}" for s in sources if s.doi
    }
    # and the press office's address, which a release prints for journalists to write to
    if project.office.email:
        outside.add(f"mailto:{project.office.email}")
    assert outside, "the fixture's sources have addresses to link"
    broken = set()
    checked = 0
    for (rel, _width), result in visits.items():
        for link in result["links"]:
            href = link["href"]
            if not href.startswith(site):
                if link["raw"] not in outside:
                    broken.add(f"{rel}: {link['raw']!r} leaves the site")
                continue
            url = urlsplit(href)
            target = unquote(url.path[len(urlsplit(site).path) :]) or "index.html"
            if target.endswith("/"):
                target += "index.html"
            checked += 1
            if not (fixture_dist / target).is_file():
                broken.add(f"{rel}: {link['raw']!r}: no file {target}")
            elif (
                url.fragment
                and target.endswith(".html")
                and unquote(url.fragment) not in ids_of(target)
            ):
                broken.add(f"{rel}: {link['raw']!r}: no id {unquote(url.fragment)!r} in {target}")
    assert checked > 100
    assert not sorted(broken)


def test_axe_finds_no_serious_or_critical_violations(visits):
    bad = {
        f"{rel} @ {w}": [
            f"{v['id']} ({v['impact']}, {v['count']}): {v['help']}; {v['nodes']}"
            for v in r["axe"]["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        for (rel, w), r in visits.items()
    }
    assert not {page: found for page, found in bad.items() if found}


def test_every_image_and_chart_has_a_text_alternative(visits):
    missing = {
        f"{rel} @ {w}": r["missing_alternatives"]
        for (rel, w), r in visits.items()
        if r["missing_alternatives"]
    }
    assert not missing


def test_screenshots_are_saved(visits):
    for result in visits.values():
        shot = Path(result["screenshot"])
        assert shot.is_file() and shot.stat().st_size > 5000, shot


def test_language_switch_lands_on_the_same_brief(visits):
    checked = 0
    for (rel, width), result in visits.items():
        here = BRIEF_PAGE.match(rel)
        if not here:
            continue
        assert result["switches"], f"{rel} @ {width}: no language switch"
        for switch in result["switches"]:
            if "href" in switch:  # a trial click (the phone width): where the link points
                there = BRIEF_PAGE.match(
                    posixpath.normpath(posixpath.join(posixpath.dirname(rel), switch["href"]))
                )
                assert there, switch
                assert (there["brief"], there["audience"]) == (here["brief"], here["audience"]), rel
                assert TAGS[there["lang"]] == switch["hreflang"] and there["lang"] != here["lang"]
                checked += 1
                continue
            there = BRIEF_PAGE.match(switch["url"])
            assert there, switch
            assert (there["brief"], there["audience"]) == (here["brief"], here["audience"]), rel
            assert there["lang"] != here["lang"], rel
            assert TAGS[there["lang"]] == switch["hreflang"] == switch["lang"], (rel, width)
            assert switch["current"].strip(), switch
            checked += 1
    # qiaotou: ten pages in zh and en, one switch each; hexi: six pages in three languages, two
    # switches each; at both widths
    assert checked == 2 * (10 * 1 + 6 * 2)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_citation_mark_opens_its_source_quote_in_place(site, browser, width_name):
    width, height = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(site + "qiaotou/full-report.en.html")
    popover = page.locator("#cite-pop")
    assert popover.is_hidden()
    mark = page.locator("main sup.cite a").nth(2)
    mark.scroll_into_view_if_needed()
    target = mark.get_attribute("href")
    scrolled = page.evaluate("window.scrollY")
    mark.click()
    assert popover.is_visible()
    quote = page.locator(f"{target} .note-quote:not(.inline)").inner_text()
    assert quote and quote in popover.inner_text()
    assert page.evaluate("location.hash") == ""  # the reader stays where they were
    assert page.evaluate("window.scrollY") == scrolled
    box = popover.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    page.keyboard.press("Escape")
    assert popover.is_hidden()
    assert page.evaluate("document.activeElement.getAttribute('href')") == target
    # keyboard alone: Enter on a focused mark opens it, and focus moves into the popover
    page.keyboard.press("Enter")
    assert popover.is_visible()
    assert page.evaluate("document.activeElement.id") == "cite-pop"
    page.locator("#cite-pop .cite-pop-close").click()
    assert popover.is_hidden()
    context.close()


def test_contents_stay_in_view_on_wide_screens(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for rel in ("qiaotou/full-report.en.html", "qiaotou/decision-makers.zh.html"):
        page.goto(site + rel)
        toc = page.locator("nav.toc")
        assert toc.count() == 1, rel
        page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight / 2)")
        box = toc.bounding_box()
        assert box and 0 <= box["y"] < 900 and box["x"] + box["width"] <= 260, (rel, box)
        toc.locator("a[href='#sec-outcomes']").click()
        assert page.evaluate("location.hash") == "#sec-outcomes"
    context.close()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + "qiaotou/decision-makers.en.html")
    assert page.locator("nav.toc").is_hidden()  # a one-page note needs no contents on a phone
    page.goto(site + "qiaotou/full-report.en.html")
    assert page.locator("nav.toc").is_visible()  # in the flow, after the cover
    context.close()


def test_printing_from_the_browser_drops_the_navigation(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for rel in ("qiaotou/decision-makers.en.html", "hexi/full-report.zh.html", "index.html"):
        page.goto(site + rel)
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => Array.from(document.querySelectorAll(
            "nav.edition, .skip-link, .page-toc, .cite-pop, .fact-link, .backref"),
            (el) => getComputedStyle(el).display)""")
        assert set(hidden) <= {"none"}, rel
        assert page.locator("h1").is_visible()
        page.emulate_media(media="screen")
    page.goto(site + "qiaotou/full-report.en.html")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (SCREENS.parent / "print-preview.qiaotou.full-report.en.pdf").write_bytes(pdf)
    context.close()


def test_index_is_usable_with_the_keyboard_alone(fixture_dist, site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + "index.html")
    links = page.evaluate("Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    reached = []
    for _ in range(len(links) + 2):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const el = document.activeElement;
            const style = getComputedStyle(el);
            return {href: el.href || null, outline: style.outlineStyle, top: el.getBoundingClientRect().top}; }""")
        if focused["href"] is None:
            break
        assert focused["outline"] != "none", focused  # a visible focus ring
        assert -1 < focused["top"] < 740, focused  # scrolled into view
        reached.append(focused["href"])
    assert reached == links  # every link, in reading order
    # Enter follows a link: the first HTML edition
    page.goto(site + "index.html")
    first_html = next(h for h in links if h.endswith(".html") and "/" in h[len(site) :])
    for _ in range(links.index(first_html) + 1):
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == first_html
    # the landing page lists every brief with summary, audiences, languages, date and links
    page.goto(site + "index.html")
    for brief in sorted(
        p.name for p in fixture_dist.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        article = page.locator(f"article#{brief}")
        assert article.count() == 1, brief
        assert article.locator("h2").count() >= 1 and article.locator("time").count() == 1
        assert len(article.locator("div[lang] p").first.inner_text()) > 40  # the summary
        assert article.locator("a[href$='.html']").count() >= 2
        assert article.locator("a[href$='.pdf']").count() >= 2
    context.close()


def test_the_metadata_reads_in_the_browser_under_the_pages_own_policy(site, browser):
    """The JSON-LD, the Open Graph card and "cite this brief" (test_archive.py) as Chromium
    sees them, with the page's own Content-Security-Policy (no bypass): the JSON-LD
    parses, and nothing is refused (a refused inline script would fire a violation)."""
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('violation ' + e.violatedDirective));"
    )
    page.goto(site + "hexi/full-report.en.html")
    seen = page.evaluate(
        """() => ({
          ld: JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent),
          og: Object.fromEntries([...document.querySelectorAll('meta[property^="og:"]')]
                .map(m => [m.getAttribute('property'), m.content])),
          cite: document.querySelector('#cite-this .cite-this-entry').innerText,
          shown: document.querySelector('#cite-this').getBoundingClientRect().height > 0,
        })"""
    )
    context.close()
    assert not [m for m in messages if "violation" in m or "Content Security Policy" in m]
    assert seen["ld"]["@type"] == "Report" and seen["ld"]["citation"]
    assert seen["og"]["og:title"] == "Hexi New Town: green space first"
    assert seen["og"]["og:image"] == "social.en.png"
    assert seen["cite"].startswith("Test Research Group. 2026.") and seen["shown"]

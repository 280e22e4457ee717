"""The shipped briefs themselves (briefs/, facts/ of the project): the strict check passes
and every output builds. The engine's own tests run on tests/fixture/ and do not depend on
what the shipped briefs say; these are the tests an analyst's edit may rightly fail."""

from __future__ import annotations

import re
import subprocess

import pytest
from helpers import NS, ROOT, find_all, parse_html, pdf_pages, pdf_reader, text_of

from policybrief.build.pipeline import Options, load_and_check
from policybrief.load.project import load_project

SECTIONS = ["sec-background", "sec-measures", "sec-outcomes", "sec-lessons"]


def expected_outputs() -> set[str]:
    project, _ = load_project(ROOT)
    return {
        f"{brief.slug}/{audience}.{lang}.{fmt}"
        for brief in project.briefs.values()
        for audience in brief.audiences
        for lang in brief.languages
        for fmt in ("html", "pdf")
    }


def test_the_strict_check_passes():
    _project, problems = load_and_check(Options(root=ROOT, strict=True))
    assert [str(p) for p in problems] == []


def test_every_output_builds_and_is_listed(dist):
    """`dist` is the shipped project built strictly (no warning), HTML and PDF: a page
    limit overrun, an untranslated string or a WeasyPrint warning would have failed it."""
    expected = expected_outputs()
    built = {p.relative_to(dist).as_posix() for p in dist.glob("*/*.*")}
    exports = {  # each brief's sources for reference managers, beside its pages
        f"{name.split('/')[0]}/references.{ext}"
        for name in expected
        for ext in ("json", "bib", "ris")
    }
    archive = {  # each brief's own citation and social card, per language (test_archive.py)
        f"{name.split('/')[0]}/{kind}.{name.split('.')[-2]}.{ext}"
        for name in expected
        for kind, ext in (("cite", "json"), ("cite", "bib"), ("cite", "ris"), ("social", "png"))
    }
    assert {name for name in built if not name.endswith(".csv")} == expected | exports | archive
    project, _problems = load_and_check(Options(root=ROOT))
    charts = {
        f"{brief.slug}/{chart.id}.{lang}.csv"  # each chart's data beside the web pages
        for brief in project.briefs.values()
        for chart in brief.charts
        for lang in brief.languages
    }
    assert {name for name in built if name.endswith(".csv")} == charts
    assert {"yunqi/enterprises.zh.csv", "bri/culture-centres.en.csv"} <= charts
    index = parse_html(dist / "index.html")
    assert expected <= {a.get("href") for a in find_all(index, "a")}


def test_every_page_has_its_four_sections_and_every_pdf_its_pages(dist):
    for name in sorted(expected_outputs()):
        if name.endswith(".html") and "/press." in name:
            # a press release prints no sections (issue 28): its date line, headline, end
            # mark and notes to editors instead
            text = text_of(parse_html(dist / name))
            assert "ENDS" in text or "（完）" in text, name
        elif name.endswith(".html"):
            root = parse_html(dist / name)
            sections = list(find_all(root, "section", class_="brief-section"))
            assert [s.get("id") for s in sections] == SECTIONS, name
            assert all(text_of(s.find(NS + "h2")).strip() for s in sections), name
        else:
            assert len(pdf_reader(dist / name).pages) >= 1, name


def test_every_character_has_a_glyph_in_the_fonts_used(dist):
    """No tofu: every character of the shipped pages is in the Noto faces the PDFs embed,
    CJK and Latin (the PDFs print the same text; the fixture's PDFs are read back in
    test_pdf). The word joiner needs no glyph: it is invisible and zero-width."""
    from fontTools.ttLib import TTFont

    covered = {0x2060}
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif", "Noto Sans"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", family],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        font = TTFont(found[0], fontNumber=int(found[1]), lazy=True)
        covered |= set(font.getBestCmap())
    for name in sorted(n for n in expected_outputs() if n.endswith(".html")):
        body = next(find_all(parse_html(dist / name), "body"))
        text = "".join(
            t
            for e in body.iter()
            if not str(e.tag).endswith(("style", "script"))
            for t in (e.text, e.tail)
            if t
        )
        missing = {c for c in text if ord(c) not in covered and not c.isspace()}
        assert not missing, (name, sorted(missing))


@pytest.mark.parametrize(
    ("lang", "caption", "first_row"),
    [
        ("en", "Table 1 The town’s main indicators", "Enterprises attracted"),
        ("zh", "表1 小镇主要指标", "累计引进企业"),
    ],
)
def test_a_tables_caption_stays_on_the_page_of_its_first_row(dist, lang, caption, first_row):
    """The Yunqi table's caption once ended page 4 while its rows began page 5."""
    pages = pdf_pages(dist / "yunqi" / f"full-report.{lang}.pdf")
    page = next(p for p in pages if caption in p)
    assert first_row in page.split(caption, 1)[1]


# -- what the notes say to a reader (issue 24) ------------------------------------------------
# Words of the fact base's working remarks, which a printed note must never carry: how a
# figure was recorded, the curator's rules, the files behind the build.
CURATOR_WORDS = (
    "qualifier",
    "recorded as exact",
    "under the rules",
    "units.yaml",
    "count is used",
    "see the conflict",
    "conflict list",
    "conflict entry",
    "记为exact",
    "见冲突记录",
    "单位表",
    "按规则",
)
DOTTED_ID_RE = re.compile(r"\b[a-z][a-z0-9_-]+(?:\.[a-z0-9][a-z0-9_-]+)+\b")
STUTTER_RE = re.compile(r"\b(\w+)\s+\1\b", re.I)


def printed_notes(dist, fmt_glob="*/*.html"):
    """(page, text) of every endnote and footnote the HTML editions print."""
    for path in sorted(dist.glob(fmt_glob)):
        root = parse_html(path)
        for item in [*find_all(root, "li"), *find_all(root, "span", class_="footnote")]:
            if item.get("id", "").startswith("note-"):
                yield path.relative_to(dist).as_posix(), " ".join(text_of(item).split())


def test_no_printed_note_carries_the_curators_working_words(dist):
    project, _ = load_project(ROOT)
    ids = {*project.facts.facts, *project.facts.claims, *project.facts.conflicts}
    found = []
    for page, text in printed_notes(dist):
        lowered = text.lower()
        found += [(page, w, text[:80]) for w in CURATOR_WORDS if w in lowered]
        found += [(page, m, text[:80]) for m in DOTTED_ID_RE.findall(text) if m in ids]
    assert found == []
    for name in ("bri/full-report.en.pdf", "yunqi/full-report.zh.pdf"):
        text = "\n".join(pdf_pages(dist / name)).lower()
        assert [w for w in CURATOR_WORDS if w in text] == [], name


def test_a_figure_and_its_label_never_repeat_a_word(dist):
    """ "180,000 jobs jobs the zones created", "41 carriages carriages": the unit word is
    printed once, and the label's aside and the date share one pair of brackets."""
    stutters = []
    for page, text in printed_notes(dist):
        headline = text.split(". ")[0]
        stutters += [(page, headline) for _m in STUTTER_RE.finditer(headline)]
        if ") (" in headline or "）（" in headline or "） (" in headline:
            stutters.append((page, headline))
    for path in sorted(dist.glob("*/*.html")):
        for box in find_all(parse_html(path), "div", class_="figure"):
            words = " ".join(text_of(box).split())
            if STUTTER_RE.search(words) or ") (" in words:
                stutters.append((path.name, words))
    assert stutters == []
    page = "\n".join(pdf_pages(dist / "bri/full-report.en.pdf"))
    assert "41 carriages on a China–Europe freight train" in " ".join(page.split())
    assert "(long-term target, 2035)" in page


def test_a_source_is_cited_in_full_once_then_in_short_form(dist):
    root = parse_html(dist / "bri/full-report.en.html")
    notes = [li for li in find_all(root, "li") if li.get("id", "").startswith("note-")]
    full = [li for li in notes if list(find_all(li, "span", class_="csl-entry"))]
    short = [" ".join(text_of(li).split()) for li in notes if li not in full]
    assert len(full) == 1 and notes[0] in full  # one source: its first note only
    assert short and all("Jia (2017)" in text for text in short if "Calculated" not in text)
    assert all("中企发力" not in text for text in short)
    references = [text_of(li) for li in find_all(root, "li", role="doc-biblioentry")]
    assert len(references) == 1 and references[0].startswith("Jia Zhencheng 贾振成")
    zh = parse_html(dist / "bri/full-report.zh.html")
    assert any("贾振成（2017）" in text_of(li) for li in find_all(zh, "li"))


def test_english_editions_quote_chinese_sources_in_translation_over_the_original(dist):
    for name in ("bri/full-report.en.html", "yunqi/full-report.en.html"):
        root = parse_html(dist / name)
        for li in find_all(root, "li"):
            quotes = list(find_all(li, "q", class_="note-quote"))
            if not li.get("id", "").startswith("note-") or not quotes:
                continue
            translations = list(find_all(li, "span", class_="note-translation"))
            assert translations, text_of(li)
            english = text_of(translations[0])
            assert english and not re.search(r"[\u4e00-\u9fff]{4}", english), english
            order = [e for e in li.iter() if e in (translations[0], quotes[0])]
            assert order == [translations[0], quotes[0]]  # the original beneath
    page = " ".join("\n".join(pdf_pages(dist / "bri/full-report.en.pdf")).split())
    assert "“In Nuremberg, Germany, a China–Europe freight train of 41 carriages" in page
    assert "““" not in page and "””" not in page  # nested quotes have inner marks


def test_the_fact_check_names_figures_by_label_section_page_and_status(dist):
    root = parse_html(dist / "bri/full-report.en.html")
    rows = [[text_of(td) for td in find_all(tr, "td")] for tr in find_all(root, "tr")]
    rows = [r for r in rows if r and r[0].strip().isdigit()]
    first = rows[0]
    assert first[1] == "China’s total trade with Belt and Road countries"  # a curly apostrophe
    assert first[-1] == "Official statistic" and first[-2].startswith("Background")
    assert all(not DOTTED_ID_RE.search(r[1]) for r in rows)
    statuses = {r[-1] for r in rows}
    assert {"Official statistic", "Company claim", "Projection", "Calculated"} <= statuses
    page = "\n".join(pdf_pages(dist / "bri/full-report.en.pdf"))
    assert re.search(r"Background, p\. \d+", page)


def test_no_page_names_a_source_by_a_file_hash_or_as_unattributed(dist):
    facts_page = (dist / "facts.html").read_text(encoding="utf-8")
    assert not re.search(r"[0-9a-f]{16}", facts_page)
    assert "A model characteristic town: Yunqi Town, Hangzhou" in facts_page
    for path in sorted(dist.glob("*/*.html")):
        assert "Unattributed" not in path.read_text(encoding="utf-8"), path.name
        assert "未署名" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize(
    ("lang", "table", "figures"),
    [
        ("zh", "表1", ["图1", "图2", "图3"]),
        ("en", "Table 1", ["Figure 1", "Figure 2", "Figure 3"]),
    ],
)
def test_exhibits_are_numbered_and_refs_point_at_them(dist, lang, table, figures):
    # (moved from test_tables.py: it is about the shipped brief's own exhibits)
    page = parse_html(dist / "yunqi" / f"full-report.{lang}.html")
    captions = [text_of(c) for c in find_all(page, "caption")]
    assert captions and captions[0].startswith(table)
    labels = [text_of(s) for s in find_all(page, "span", class_="exhibit-label")]
    assert labels == [table, *figures]
    ids = {e.get("id") for e in page.iter() if e.get("id")}
    refs = {text_of(a): a.get("href") for a in find_all(page, "a", class_="xref")}
    assert refs == {table: "#tbl-indicators", figures[2]: "#fig-fiscal-revenue"}
    assert {"tbl-indicators", "fig-fiscal-revenue"} <= ids
    # The table's figures are cited facts, like the prose's.
    cells = [td for td in find_all(page, "td")]
    assert sum(1 for td in cells for _ in find_all(td, "span", class_="fact")) == 8
    # Every table has a source line under it, in the charts' form (issue 24)
    wraps = list(find_all(page, "div", class_="table-wrap"))
    sources = [text_of(p) for w in wraps for p in find_all(w, "p", class_="table-source")]
    expected = {
        "zh": "资料来源：《管理创新案例汇编》2016；京钟雁2017",  # Han and figure spaced by CSS
        "en": "Source: Management Innovation Case Collection 2016; Jing Zhongyan 2017",
    }
    assert sources == [expected[lang]] * len(wraps)


def test_a_derived_figure_is_computed_and_shown_with_its_inputs(dist):
    # (moved from test_figures.py: it reads the shipped brief's derived figure)
    facts_page = (dist / "facts.html").read_text(encoding="utf-8")
    card = facts_page[facts_page.index('id="yunqi.fiscal-revenue.growth.2016-calc"') :]
    card = card[: card.index("</article>")]
    assert "60%" in card and "Calculated from" in card
    assert "{{" not in facts_page  # notes print figures through fact() and when()
    assert (
        'href="#yunqi.fiscal-revenue.2015"' in card and 'href="#yunqi.fiscal-revenue.2016"' in card
    )


# -- the shipped PDFs' size targets (issue 14, stated again in issue 24) ----------------------
# The engine's own size guards are on the fixture (tests/test_fonts.py); these are the
# targets the shipped briefs were given, which adding characters to them can move.
KB = 1000
# Issue 14's targets (issue 24 met the full report's: 295 KB before its faces were embedded
# as bare CFF holding only the glyphs used, output/embedded.py).
SHIPPED_LIMITS = {
    "yunqi/decision-makers.en.pdf": 75 * KB,
    "yunqi/decision-makers.zh.pdf": 125 * KB,
    "yunqi/full-report.zh.pdf": 280 * KB,
}


def test_the_shipped_pdfs_stay_within_their_targets(dist):
    sizes = {name: (dist / name).stat().st_size for name in SHIPPED_LIMITS}
    assert all(sizes[name] <= limit for name, limit in SHIPPED_LIMITS.items()), sizes

"""The Word edition: open each .docx as an editor's tool would (python-docx and the raw
package), check its structure, notes, language and fonts, then let LibreOffice render it.

On the fixture project (tests/fixture/): the session's ``fixture_dist`` for what a test only
reads; a throwaway copy (``fixture_project``), built as little as shows the point, for what a
test must build itself."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from helpers import ROOT, find_all, parse_html, squash, text_of
from lxml import etree

from policybrief.build.pipeline import Options, build
from policybrief.core.errors import RenderError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
# The fixture's brief in every audience: the built-in four and the fixture's own field card.


def plain(text: str) -> str:
    """A page's text as Word has it: without the line breaker's joins, which the PDF and
    HTML pages get and Word's does not (render/typography.py)."""
    return text.replace("\u2060", "").replace("\u202f", "").replace("\u00a0", " ")


BRIEF = "qiaotou"
AUDIENCES = ("full-report", "decision-makers", "press", "print-edition", "field-card")
SECTIONS = {
    "zh": ["背景", "举措", "成效", "启示"],
    "en": ["Background", "Measures", "Outcomes", "Lessons"],
}
FULL_HEADINGS = {
    "zh": ["要点数据", *SECTIONS["zh"], "建议", "参考文献", "事实核查"],
    "en": ["At a glance", *SECTIONS["en"], "Recommendations", "References", "Fact check"],
}
STYLES = (
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Body Text",
    "Quote",
    "Caption",
    "Key Figure",
    "Key Figure Value",
    "Cited Figure",
)
LANGS = {"zh": "zh-CN", "en": "en-US"}
# Audiences with a page limit (max_pages) cite in footnotes in Word, as the print edition does
FOOTNOTES = ("print-edition", "decision-makers", "field-card")
PAGE_OF = {"zh": "第 {page} 页，共 {pages} 页", "en": "Page {page} of {pages}"}


def editions(reports_only: bool = False):
    """Each (audience, language); ``reports_only``: not the press release, which prints no
    sections and no notes (issue 28: tests/test_press.py)."""
    return [
        (a, lang) for a in AUDIENCES for lang in ("zh", "en") if not (reports_only and a == "press")
    ]


def xml(path: Path, member: str):
    with zipfile.ZipFile(path) as archive:
        if member not in archive.namelist():
            return None
        return etree.fromstring(archive.read(member))


def body_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def notes_of(path: Path) -> tuple[str, dict[int, str]]:
    """("footnote" | "endnote", {id: text}) without the separators."""
    for kind in ("footnote", "endnote"):
        root = xml(path, f"word/{kind}s.xml")
        if root is not None:
            return kind, {
                int(n.get(W + "id")): "".join(n.itertext())
                for n in root.iter(W + kind)
                if int(n.get(W + "id")) > 0
            }
    return "", {}


@pytest.mark.parametrize("audience,lang", editions(reports_only=True))
def test_named_styles_headings_and_sections(fixture_dist, audience, lang):
    path = fixture_dist / BRIEF / f"{audience}.{lang}.docx"
    document = docx.Document(str(path))
    names = {s.name for s in document.styles}
    assert set(STYLES) <= names
    used = [p.style.name for p in document.paragraphs]
    assert used[used.index("Title")] == "Title"
    title = document.paragraphs[used.index("Title")].text
    html = parse_html(fixture_dist / BRIEF / f"{audience}.{lang}.html")
    assert title == plain(text_of(next(find_all(html, "h1"))))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h for h in headings if h in SECTIONS[lang]] == SECTIONS[lang]
    if audience == "full-report":
        assert headings == FULL_HEADINGS[lang]
    # Every paragraph of the body is in a named style of the edition's set, none ad hoc.
    assert set(used) <= {
        *STYLES,
        "Normal",
        "Summary",
        "Kicker",
        "Byline",
        "List Bullet",
        "List Bullet 2",
        "List Number",
        "List Continue",
        "TOC Heading",
        "TOC 1",
        "TOC 2",
        "Table of Figures",
    }, set(used)
    cells = [
        p.style.name
        for t in document.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
    ]
    assert "Key Figure" in used + cells  # side by side in a row, as in the PDF


@pytest.mark.parametrize("audience,lang", editions(reports_only=True))
def test_every_cited_figure_is_in_the_text_with_its_note(fixture_dist, audience, lang):
    path = fixture_dist / BRIEF / f"{audience}.{lang}.docx"
    document = docx.Document(str(path))
    text = body_text(document)
    html = parse_html(fixture_dist / BRIEF / f"{audience}.{lang}.html")
    figures = [plain(text_of(s)) for s in find_all(html, "span", class_="fact")]
    assert figures
    for figure in figures:
        assert figure in text, figure
    kind, notes = notes_of(path)
    assert kind == ("footnote" if audience in FOOTNOTES else "endnote")
    marks = list(find_all(html, "li")) if audience != "print-edition" else []
    endnotes = [li for li in marks if (li.get("id") or "").startswith("note-")]
    if endnotes:  # one Word note per note of the web page, in the same order
        assert len(notes) == len(endnotes)
    # Each note is called from the text exactly once; later citations refer to it.
    root = xml(path, "word/document.xml")
    calls = [int(r.get(W + "id")) for r in root.iter(W + f"{kind}Reference")]
    assert sorted(calls) == sorted(notes) == list(range(1, len(notes) + 1))
    bookmarks = {b.get(W + "name") for b in root.iter(W + "bookmarkStart")}
    for field in root.iter(W + "fldSimple"):
        if "NOTEREF" in field.get(W + "instr"):
            assert field.get(W + "instr").split()[1] in bookmarks


@pytest.mark.parametrize(
    "audience,lang",
    # (the press release's notes to editors name sources without quotes: issue 28)
    [
        ("full-report", "zh"),
        ("full-report", "en"),
        ("print-edition", "en"),
        ("decision-makers", "zh"),
    ],
)
def test_each_note_carries_source_quote_and_conflict(fixture_dist, audience, lang):
    from policybrief.build.pipeline import load_and_check
    from policybrief.load import refstyles
    from policybrief.render import references
    from policybrief.render.notes import note

    project, _ = load_and_check(Options(root=fixture_dist.parent))
    path = fixture_dist / BRIEF / f"{audience}.{lang}.docx"
    _kind, notes = notes_of(path)
    html = parse_html(fixture_dist / BRIEF / f"{audience}.{lang}.html")
    cited = list(dict.fromkeys(s.get("data-fact") for s in find_all(html, "span", class_="fact")))
    texts = list(notes.values())
    compact = project.audiences[audience].endnotes == "compact"  # as the PDF's notes
    conflicts = 0
    seen: set[str] = set()
    for item in cited:
        expected = note(project.facts, item, 0, project.language(lang))
        # The note opens with the value it documents (another note may quote this fact's
        # source too, as the other side of a conflict).
        # a compact note in another language than its source's quotes nothing (issue 24)
        quote = "" if compact and expected["translation"] else expected["quote"]
        matching = [
            t
            for t in texts
            if quote in t and t.strip().startswith(expected["value"] or expected["label"])
        ]
        assert matching, f"no note quotes {item}"
        found = matching[0]
        assert expected["value"] in found
        if compact:
            assert expected["source"]["author"] in found
        elif expected["source"]["id"] and expected["source"]["id"] not in seen:
            # the source as the page's reference style has it, at its first note; after
            # that in short form (issue 24)
            seen.add(expected["source"]["id"])
            style = refstyles.style_for(lang, project.audiences[audience].reference_style, None)
            made = references.format_references(
                project.facts, [expected["source"]["id"]], lang, style
            )[expected["source"]["id"]]
            assert squash(made.text) in squash(found)
        for conflict in expected["conflicts"]:
            conflicts += 1
            assert ("来源说法不一" if lang == "zh" else "Sources differ") in found
            if not compact:
                assert squash(conflict["note"]) in squash(found)
    assert conflicts, "the brief cites facts with conflicts; their notes must say so"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_language_and_east_asian_font_declared(fixture_dist, lang):
    path = fixture_dist / BRIEF / f"full-report.{lang}.docx"
    styles = xml(path, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(W + "lang").get(W + "val") == LANGS[lang]
    assert defaults.find(W + "lang").get(W + "eastAsia") == "zh-CN"
    # A face per script, each one Word has: the theme's word_fonts (templates/theme.yaml)
    fonts = defaults.find(W + "rFonts")
    assert (fonts.get(W + "ascii"), fonts.get(W + "hAnsi")) == ("Times New Roman",) * 2
    assert fonts.get(W + "eastAsia") == "SimSun"
    heading = next(s for s in styles.iter(W + "style") if s.get(W + "styleId") == "Heading1")
    fonts = heading.find(f"{W}rPr/{W}rFonts")
    assert (fonts.get(W + "ascii"), fonts.get(W + "eastAsia")) == ("Arial", "SimHei")
    # Word's font table describes the Chinese faces (their Chinese names, GB2312), so Word
    # stands a Chinese face in for a missing one
    table = {f.get(W + "name"): f for f in xml(path, "word/fontTable.xml").iter(W + "font")}
    for name, alt in (("SimSun", "宋体"), ("SimHei", "黑体")):
        assert table[name].find(W + "altName").get(W + "val") == alt
        assert table[name].find(W + "charset").get(W + "val") == "86"
    with zipfile.ZipFile(path) as archive:  # no part names the PDF's Noto faces
        for name in archive.namelist():
            if name.endswith(".xml"):
                assert b"Noto" not in archive.read(name), name
    document = xml(path, "word/document.xml")
    runs = [r for r in document.iter(W + "r") if r.find(W + "t") is not None]
    assert runs
    for run in runs:  # every run names its East Asian face, not only its Latin one
        fonts = run.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and fonts.get(W + "eastAsia"), etree.tostring(run)[:300]
    quotes = [r for r in runs if r.find(f"{W}rPr/{W}lang") is not None]
    if lang == "en":  # the Chinese quotes in the English notes are marked as Chinese
        notes = xml(path, "word/endnotes.xml")
        tagged = [lang_el.get(W + "val") for lang_el in notes.iter(W + "lang")]
        assert "zh-CN" in tagged
    else:
        assert not [r for r in quotes if r.find(f"{W}rPr/{W}lang").get(W + "val") == "en-US"]
    core = xml(path, "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/elements/1.1/}language") == LANGS[lang]
    settings = xml(path, "word/settings.xml")
    assert settings.find(W + "themeFontLang").get(W + "eastAsia") == "zh-CN"


def test_word_structure_of_the_full_report(fixture_dist):
    path = fixture_dist / BRIEF / "full-report.en.docx"
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert (section.top_margin.mm, section.left_margin.mm) == pytest.approx((22, 20), abs=0.1)
    assert section.different_first_page_header_footer  # the cover has no running head
    assert section.header.paragraphs[-1].text == document.paragraphs[
        1
    ].text or section.header.paragraphs[-1].text in body_text(document)
    root = xml(path, "word/document.xml")
    instructions = [i.text for i in root.iter(W + "instrText")]
    assert any(i.strip().startswith("TOC") for i in instructions)
    with zipfile.ZipFile(path) as archive:
        footers = [
            etree.fromstring(archive.read(n))
            for n in archive.namelist()
            if n.startswith("word/footer")
        ]
        members = archive.namelist()
    fields = {
        f.get(W + "instr").strip() for footer in footers for f in footer.iter(W + "fldSimple")
    }
    assert {"PAGE", "NUMPAGES"} <= fields
    footer_text = "".join("".join(f.itertext()) for f in footers)
    assert "Page" in footer_text and "of" in footer_text
    # The fact-check table repeats its header row on every page.
    headers = header_rows(root)
    assert any("English" in h for h in headers), headers  # the fact-check table
    # Charts: a PNG picture with the SVG beside it and the chart's description as alt text
    # (the brief's two column charts; the other kinds: the last test, on hexi).
    pictures = list(root.iter(WP + "docPr"))
    assert len(pictures) == 2
    assert all(p.get("descr") and p.get("descr") != p.get("name") for p in pictures)
    assert "Enterprises attracted" in pictures[0].get("descr")
    assert "December 2016: 215 enterprises" in pictures[0].get("descr")
    assert "2016: over CNY 2 billion" in pictures[1].get("descr")
    assert len([m for m in members if m.endswith(".svg")]) == 2
    with zipfile.ZipFile(path) as archive:  # the SVG as drawn (an SVG reader needs viewBox)
        svgs = [archive.read(f"word/media/chart{n}.svg").decode() for n in (1, 2)]
    boxes = [re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups() for svg in svgs]
    # the two column charts; the second draws an approximate value, with its note under it
    assert boxes == [("300", "230"), ("300", "256")]
    assert_sized_as_drawn(list(root.iter(WP + "extent")), boxes)
    assert len([m for m in members if m.endswith(".png")]) == 2
    assert b"svgBlip" in etree.tostring(root)
    # Recommendations: a numbered list, one paragraph per recommendation, starting at 1.
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == 3


def header_rows(root) -> list[str]:
    """The text of each table row marked to repeat on every page."""
    rows = root.iter(W + "tr")
    return ["".join(tr.itertext()) for tr in rows if tr.find(f"{W}trPr/{W}tblHeader") is not None]


TABLE = """
Table[firms-output]: Firms and output, as the case study gives them

| Indicator | {{ when("qiaotou.output.2015") }} | {{ when("qiaotou.output.2016") }} |
| --- | ---: | ---: |
| Enterprises | {{ fact("qiaotou.enterprises.2015") }} | {{ fact("qiaotou.enterprises.2016") }} |
| Output | {{ fact("qiaotou.output.2015") }} | {{ fact("qiaotou.output.2016") }} |

{{ ref("firms-output") }} sets the years side by side.
"""


def test_a_brief_s_table_is_numbered_above_and_repeats_its_header(fixture_project, tmp_path):
    """The fixture's briefs have no table of their own (one in qiaotou would renumber the
    exhibits that test_images.py counts), so this test adds one to its copy."""
    path = fixture_project / "briefs" / BRIEF / "en.md"
    text = path.read_text(encoding="utf-8")
    anchor = "the case study does not say which.\n"
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + TABLE, 1), encoding="utf-8")
    options = Options(
        root=fixture_project,
        out=tmp_path,
        briefs=(BRIEF,),
        audiences=("full-report",),
        langs=("en",),
        formats=("docx",),
        strict=True,
    )
    assert build(options).warnings == []
    root = xml(tmp_path / BRIEF / "full-report.en.docx", "word/document.xml")
    headers = header_rows(root)
    assert any(h.startswith("Indicator2015") for h in headers), headers  # the brief's
    assert any("English" in h for h in headers), headers  # and the fact-check table
    body = root.find(W + "body")
    blocks = list(body)
    table = next(i for i, b in enumerate(blocks) if "Indicator" in "".join(b.itertext()))
    caption = blocks[table - 1]  # numbered, above it
    assert caption.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Caption"
    assert shown(caption).startswith("Table 1")  # its number a SEQ field (test below)
    cells = "".join(blocks[table].itertext())
    assert "120" in cells and "215" in cells and "CNY 1.2 billion" in cells


def assert_sized_as_drawn(extents, boxes) -> None:
    """Each picture has its SVG's proportions and at least a chart's width in the PDF's row."""
    for extent, (width, height) in zip(extents, boxes, strict=True):
        ratio = int(width) / int(height)
        assert int(extent.get("cx")) / int(extent.get("cy")) == pytest.approx(ratio, 0.01)
        assert int(extent.get("cx")) > 45 * 36000


def test_page_size_and_margins_follow_the_audience(fixture_dist, fixture_project, tmp_path):
    note = docx.Document(str(fixture_dist / BRIEF / "decision-makers.zh.docx")).sections[0]
    assert (note.top_margin.mm, note.left_margin.mm) == pytest.approx((16, 15), abs=0.1)
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=(BRIEF,),
            audiences=("decision-makers",),
            langs=("en",),
            formats=("docx",),
            page_size="letter",
        )
    )
    letter = docx.Document(str(tmp_path / BRIEF / "decision-makers.en.docx")).sections[0]
    assert (letter.page_width.inches, letter.page_height.inches) == pytest.approx((8.5, 11))


def test_rebuilds_are_byte_identical(fixture_dist, fixture_project, tmp_path):
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=(BRIEF,),
            formats=("docx",),
            audiences=("full-report", "press"),
        )
    )
    # With the PDF the build reuses the PDF's page for Word: the same bytes again.
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=(BRIEF,),
            formats=("pdf", "docx"),
            audiences=("decision-makers",),
        )
    )
    for audience in ("full-report", "press", "decision-makers"):
        for lang in ("zh", "en"):
            name = f"{audience}.{lang}.docx"
            shared = fixture_dist / BRIEF / name  # built with HTML and PDF, in another folder
            assert (tmp_path / BRIEF / name).read_bytes() == shared.read_bytes(), name
    with zipfile.ZipFile(tmp_path / BRIEF / "press.en.docx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 10, 15, 0, 0, 0)}
    core = xml(tmp_path / BRIEF / "press.en.docx", "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/terms/}created").startswith("2026-10-15")


def test_pages_and_index_link_the_word_edition(fixture_dist):
    page = parse_html(fixture_dist / BRIEF / "press.zh.html")
    links = {a.get("href"): text_of(a) for a in find_all(page, "a")}
    # the catalog's typed space between Latin and Han is the typesetter's margin now
    assert links.get("press.zh.docx") == "Word版"
    index = parse_html(fixture_dist / "index.html")
    hrefs = {a.get("href") for a in find_all(index, "a")}
    assert {f"{BRIEF}/{a}.{lang}.docx" for a, lang in editions()} <= hrefs


def test_a_house_reference_document_supplies_the_styles(fixture_project, tmp_path):
    house = tmp_path / "house"
    house.mkdir()
    reference = docx.Document()
    reference.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0xAA, 0x11, 0x22)
    reference.styles["Heading 1"].font.name = "Noto Sans CJK SC"
    reference.sections[0].header.paragraphs[0].text = "HOUSE LETTERHEAD"
    reference.add_paragraph("placeholder text that must not survive")
    reference.save(str(house / "reference.docx"))
    build(
        Options(
            root=fixture_project,
            out=tmp_path / "out",
            briefs=(BRIEF,),
            audiences=("press",),
            langs=("en",),
            formats=("docx",),
            templates=(house,),
        )
    )
    document = docx.Document(str(tmp_path / "out" / BRIEF / "press.en.docx"))
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0xAA, 0x11, 0x22)
    assert "Key Figure" in {s.name for s in document.styles}  # added: the house lacks it
    text = body_text(document)
    assert "placeholder text" not in text and "ENDS" in text
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "HOUSE LETTERHEAD" in header and "Qiaotou" in header


def test_a_reference_document_may_not_reach_outside(fixture_project, tmp_path):
    """Its outside relationship is not refused but never copied: the Word edition is made
    from python-docx's own package and the reference's styles (tests/test_hostile.py tries
    the other ways a reference could reach out)."""
    house = tmp_path / "house"
    house.mkdir()
    reference = docx.Document()
    reference.part.relate_to(
        "https://example.invalid/x.png",
        docx.opc.constants.RELATIONSHIP_TYPE.IMAGE,
        is_external=True,
    )
    reference.save(str(house / "reference.docx"))
    options = Options(
        root=fixture_project,
        out=tmp_path / "out",
        briefs=(BRIEF,),
        audiences=("press",),
        langs=("en",),
        formats=("docx",),
        templates=(house,),
    )
    build(options)
    with zipfile.ZipFile(tmp_path / "out" / BRIEF / "press.en.docx") as made:
        for name in made.namelist():
            assert b"example.invalid" not in made.read(name), name
    (house / "reference.docx").write_bytes(b"not a zip")
    with pytest.raises(RenderError, match="not a Word document"):
        build(dataclasses.replace(options, out=tmp_path / "out2"))
    assert not (tmp_path / "out2" / BRIEF / "press.en.docx").exists()


def libreoffice() -> str | None:
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found is None and os.environ.get("CI"):
        pytest.fail("LibreOffice is missing (scripts/setup.sh --test installs it)")
    return found


def test_libreoffice_renders_each_edition(fixture_dist, tmp_path):
    """LibreOffice (a second, independent reader of .docx) renders the text, notes and
    pages. The PDFs and their page images go to tests/.artifacts/docx/ for people to see."""
    exe = libreoffice()
    if exe is None:
        pytest.skip("LibreOffice is not installed (scripts/setup.sh --test)")
    artifacts = ROOT / "tests" / ".artifacts" / "docx"
    artifacts.mkdir(parents=True, exist_ok=True)
    names = [f"{a}.{lang}.docx" for a, lang in editions(reports_only=True)]
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(artifacts),
            *[str(fixture_dist / BRIEF / n) for n in names],
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    pages = {}
    for name in names:
        pdf = artifacts / name.replace(".docx", ".pdf")
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        pages[name] = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        text = squash(
            subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
        )
        lang = name.split(".")[1]
        document = docx.Document(str(fixture_dist / BRIEF / name))
        for heading in SECTIONS[lang]:
            assert squash(heading) in text, (name, heading)
        title = next(p.text for p in document.paragraphs if p.style.name == "Title")
        assert squash(title) in text
        html = parse_html(fixture_dist / BRIEF / name.replace(".docx", ".html"))
        for figure in {plain(text_of(s)) for s in find_all(html, "span", class_="fact")}:
            assert squash(figure) in text, (name, figure)
        _kind, notes = notes_of(fixture_dist / BRIEF / name)
        last = squash(notes[max(notes)])[:40]
        assert last in text, (name, "the last note is printed")
        # The footer's PAGE and NUMPAGES fields (LibreOffice sets its endnotes on pages of
        # their own, without the footer; Word keeps the footer there).
        footer = PAGE_OF[lang].format(page=min(2, pages[name]), pages=pages[name])
        assert squash(footer) in text, (name, footer)
    for lang in ("zh", "en"):  # the fixture's full report has 7 pages as a PDF, so has this
        assert 6 <= pages[f"full-report.{lang}.docx"] <= 12
        # The page limits hold in Word too (max_pages: the note 1, the field card 2)
        assert pages[f"decision-makers.{lang}.docx"] == 1
        assert pages[f"field-card.{lang}.docx"] <= 2
        assert pages[f"decision-makers.{lang}.docx"] < pages[f"full-report.{lang}.docx"]
    # LibreOffice draws the mapped faces: here fontconfig's stand-ins, Liberation Serif and
    # Sans for Times New Roman and Arial (same widths), Noto Serif and Sans CJK for 宋体
    # SimSun and 黑体 SimHei (fontconfig's 40-nonlatin.conf); nothing falls back blindly
    for lang in ("zh", "en"):
        fonts = subprocess.run(
            ["pdffonts", str(artifacts / f"decision-makers.{lang}.pdf")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        faces = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
        assert {"LiberationSerif", "LiberationSans-Bold"} <= faces, faces
        cjk = {f for f in faces if "CJK" in f}
        if lang == "zh":
            assert any(f.startswith("NotoSerifCJK") for f in cjk), faces
            assert any(f.startswith("NotoSansCJK") for f in cjk), faces
        else:  # English text in Latin faces only: its notes quote no Chinese (compact)
            assert not cjk, faces
    if shutil.which("pdftoppm"):
        for name in ("full-report.zh", "full-report.en", "decision-makers.zh"):
            for old in artifacts.glob(f"{name}-*.png"):  # an earlier run's, maybe more pages
                old.unlink()
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "60",
                    "-png",
                    str(artifacts / f"{name}.pdf"),
                    str(artifacts / name),
                ],
                check=True,
                timeout=120,
            )


def _png() -> bytes:
    """A 4x2 red PNG, made by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_template_logo_becomes_a_picture_and_a_broken_one_an_error(fixture_project, tmp_path):
    import base64

    house = tmp_path / "house"
    house.mkdir()
    logo = base64.b64encode(_png()).decode()
    partial = house / "_partials" / "key-figures.html"  # a house partial in its place
    partial.parent.mkdir()
    page = '<p><img src="data:image/png;base64,LOGO" alt="House logo"></p>'
    partial.write_text(page.replace("LOGO", logo), encoding="utf-8")
    options = dict(
        root=fixture_project,
        out=tmp_path / "out",
        briefs=(BRIEF,),
        audiences=("decision-makers",),
        langs=("en",),
        formats=("docx",),
        templates=(house,),
    )
    build(Options(**options))
    root = xml(tmp_path / "out" / BRIEF / "decision-makers.en.docx", "word/document.xml")
    pictures = list(root.iter(WP + "docPr"))
    assert [p.get("descr") for p in pictures] == ["House logo"]
    partial.write_text(page.replace("LOGO", "AAAA"), encoding="utf-8")
    with pytest.raises(
        RenderError,
        match="decision-makers.en.docx: an <img> in the page is not a readable png image",
    ):
        build(Options(**options, force=True))


def test_line_stacked_and_multiple_charts_become_pictures(fixture_dist):
    """The fixture's hexi brief has one chart of each new kind: each is a picture in Word,
    the SVG with a PNG drawn from it, its alternative text listing the values."""
    path = fixture_dist / "hexi" / "full-report.en.docx"
    root = xml(path, "word/document.xml")
    pictures = list(root.iter(WP + "docPr"))
    # the brief's image in prose comes first (test_images.py); then the three charts
    descriptions = [p.get("descr") for p in pictures][1:]
    assert len(descriptions) == 3
    assert descriptions[0].startswith("Residents: 2015: 32,000 people")
    assert "Services: 2016 80 enterprises, 2017 160 enterprises" in descriptions[1]
    assert "Total: 2016 200 enterprises" in descriptions[1]
    assert descriptions[2].startswith("Enterprises by kind: Manufacturing: 2016 120 enterprises")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        svgs = [archive.read(f"word/media/chart{n}.svg").decode() for n in (1, 2, 3)]
        # image1.png is the picture in prose; the charts' PNGs follow
        pngs = [archive.read(f"word/media/image{n}.png") for n in (2, 3, 4)]
        assert "word/media/image5.png" not in names
    assert "<polyline" in svgs[0] and 'class="legend"' in svgs[1] and 'class="panel"' in svgs[2]
    assert "<polyline" not in svgs[1] and svgs[1].count('fill="#9a3b1f"') >= 2  # stacked
    assert len(pngs) == 3 and all(p.startswith(b"\x89PNG") and len(p) > 5000 for p in pngs)
    boxes = [re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups() for svg in svgs]
    extents = list(root.iter(WP + "extent"))[1:]  # after the picture in prose
    assert_sized_as_drawn(extents, boxes)
    assert all(int(e.get("cx")) > 120 * 36000 for e in extents)  # each has a row of its own


def shown(paragraph) -> str:
    """A paragraph's text as Word shows it: its w:t, not its fields' instructions."""
    return "".join(t.text or "" for t in paragraph.iter(W + "t"))


@pytest.mark.parametrize("lang,word", [("en", "Figure"), ("zh", "图")])
def test_captions_are_seq_fields_listed_and_updated_on_open(fixture_dist, lang, word):
    """Each numbered caption's number is a SEQ field of its label (the label Word's own
    Insert Caption uses), the contents list them in a TOC \\c field, and Word updates
    every field (contents' page numbers included) when the file is opened."""
    path = fixture_dist / BRIEF / f"full-report.{lang}.docx"
    root = xml(path, "word/document.xml")
    html = parse_html(fixture_dist / BRIEF / f"full-report.{lang}.html")
    labels = [plain(text_of(s)) for s in find_all(html, "span", class_="exhibit-label")]
    assert labels == [f"{word}{' ' if lang == 'en' else ''}{n}" for n in (1, 2)]
    captions = []
    for p in root.iter(W + "p"):
        instructions = [i.text.strip() for i in p.iter(W + "instrText")]
        if any(i.startswith("SEQ") for i in instructions):
            assert instructions == [f"SEQ {word} \\* ARABIC"]
            runs = list(p.iter(W + "r"))
            kinds = [
                (c.get(W + "fldCharType") if c is not None else None)
                for c in (r.find(W + "fldChar") for r in runs)
            ]
            result = runs[kinds.index("separate") + 1]  # the number Word shows
            assert shown(result) == str(len(captions) + 1)
            assert p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "Caption"
            captions.append(shown(p))
    assert [c[: len(label)] for c, label in zip(captions, labels, strict=True)] == labels
    # the list of figures: a TOC field of that label, its cached entries the captions
    tocs = [i.text.strip() for i in root.iter(W + "instrText") if "TOC" in i.text]
    assert tocs == ['TOC \\o "1-2" \\h \\z \\u', f'TOC \\h \\z \\c "{word}"']
    listed = [
        shown(p)
        for p in root.iter(W + "p")
        if p.find(f"{W}pPr/{W}pStyle") is not None
        and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "TableofFigures"
    ]
    assert listed == captions
    for instr in root.iter(W + "instrText"):  # each TOC field marked for updating
        if "TOC" in instr.text:
            begin = instr.getparent().getprevious().find(W + "fldChar")
            assert begin.get(W + "dirty") == "true"
    settings = xml(path, "word/settings.xml")
    update = settings.find(W + "updateFields")
    assert update is not None and update.get(W + "val") == "true"
    # in schema order: before the notes' properties and w:compat, or Word refuses the file
    names = [etree.QName(c).localname for c in settings]
    assert names.index("updateFields") < names.index("endnotePr") < names.index("compat")


def test_each_note_s_citation_quote_and_remark_are_paragraphs(fixture_dist):
    path = fixture_dist / BRIEF / "full-report.en.docx"
    root = xml(path, "word/endnotes.xml")
    notes = [
        [shown(p) for p in n.iter(W + "p")]
        for n in root.iter(W + "endnote")
        if int(n.get(W + "id")) > 0
    ]
    html = parse_html(fixture_dist / BRIEF / "full-report.en.html")
    items = [li for li in find_all(html, "li") if (li.get("id") or "").startswith("note-")]
    assert len(items) == len(notes)
    seen = {"quote": 0, "remark": 0, "conflict": 0}

    def same(text: str) -> str:  # (the page's curly apostrophes, Word's straight ones)
        return squash(plain(text)).replace("\u2019", "'")

    for li, note in zip(items, notes, strict=True):
        value = same(text_of(next(find_all(li, "span", class_="note-value"))))
        assert value in same(note[0]), (value, note)
        for quote in find_all(li, "q"):  # the original, with its translation: a paragraph
            where = [i for i, p in enumerate(note) if same(text_of(quote)) in same(p)]
            assert where and where[0] > 0, note
            seen["quote"] += 1
        for remark in find_all(li, "span", class_="note-remark"):
            assert same(text_of(remark)) in [same(p) for p in note[1:]], note
            seen["remark"] += 1
        for _conflict in find_all(li, "span", class_="note-conflict"):
            seen["conflict"] += 1
        differ = [p for p in note if "Sources differ" in p]
        assert all(p.startswith("Sources differ") for p in differ), note
    assert seen["quote"] and seen["conflict"], seen  # (the fixture's notes have no remark)


def test_a_note_s_parts_in_order():
    """The parts of a note item as the notes partial writes it: the citation; the
    translation with its original beneath (one part, its line break kept); the remark;
    each disagreement; the line breaks at the parts' edges dropped."""
    import lxml.html

    from policybrief.output.docx.notes import note_parts

    item = lxml.html.fragment_fromstring(
        '<li><span class="note-value">215</span> firms. <span class="note-source">A 2017.'
        '</span><br><span class="note-translation">"By 2016, 215"</span><br>'
        '<q class="note-quote">到2016年，215家</q> <span class="note-remark">Counted '
        'once.</span> <span class="note-conflict">Sources differ: one</span> '
        '<span class="note-conflict">Sources differ: two</span> <a class="backref">↑</a></li>'
    )
    parts = [
        " ".join("".join(x if isinstance(x, str) else x.text_content() for x in p).split())
        for p in note_parts(item)
    ]
    assert parts == [
        "215 firms. A 2017.",
        '"By 2016, 215"到2016年，215家',  # (the br between them: no text)
        "Counted once.",
        "Sources differ: one",
        "Sources differ: two ↑",
    ]
    quote = note_parts(item)[1]
    assert [getattr(x, "tag", "") for x in quote if not isinstance(x, str)] == ["span", "br", "q"]


def test_han_is_never_slanted(fixture_dist):
    """An italic title in an English reference list (hexi cites a Chinese report) keeps
    its Latin italic and sets its Han upright, a run of its own."""
    path = fixture_dist / "hexi" / "full-report.en.docx"
    checked = 0
    for part in ("word/document.xml", "word/endnotes.xml"):
        for run in xml(path, part).iter(W + "r"):
            rpr = run.find(W + "rPr")
            if rpr is None:
                continue
            style = rpr.find(W + "rStyle")
            italic = rpr.find(W + "i")
            slanted = (style is not None and style.get(W + "val") == "Emphasis") or (
                italic is not None
            )
            if italic is not None and italic.get(W + "val") in ("0", "false"):
                slanted = False
            text = shown(run)
            if re.search("[\u4e00-\u9fff]", text):
                assert not slanted, text
                if style is not None and style.get(W + "val") == "Emphasis":
                    checked += 1
            elif slanted and text.strip():
                checked += 1
    assert checked >= 2  # the title's Han run upright, its English gloss italic


def test_the_theme_reaches_word(fixture_project, tmp_path):
    """The theme's colours, logo, organisation, running header and Word faces, and the
    house English variant, in the Word edition the engine makes (no reference.docx)."""
    house = fixture_project / "house"
    (house / "logo.png").write_bytes(_png())
    (house / "theme.yaml").write_text(
        "colors: {accent: '#aa3300', accent_soft: '#fff0e0'}\n"
        "logo: logo.png\n"
        "organisation: {zh: 政策研究室, en: Policy Research Office, zh-Hant: 政策研究室}\n"
        "running_header: {zh: 桥头镇简报, en: Qiaotou brief, zh-Hant: 橋頭鎮簡報}\n"
        "word_fonts: {serif: Cambria, sans: Calibri, serif_hans: FangSong}\n",
        encoding="utf-8",
    )
    config = fixture_project / "pyproject.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[tool.policybrief]\n", '[tool.policybrief]\nenglish = "en-GB"\n'
        ),
        encoding="utf-8",
    )
    build(
        Options(
            root=fixture_project,
            out=tmp_path / "out",
            briefs=(BRIEF,),
            audiences=("decision-makers",),
            formats=("docx",),
        )
    )
    for lang in ("en", "zh"):
        path = tmp_path / "out" / BRIEF / f"decision-makers.{lang}.docx"
        styles = xml(path, "word/styles.xml")
        by_id = {s.get(W + "styleId"): s for s in styles.iter(W + "style")}
        assert by_id["Heading1"].find(f"{W}rPr/{W}color").get(W + "val") == "AA3300"
        shade = by_id["KeyFigure"].find(f"{W}pPr/{W}shd").get(W + "fill")
        assert shade == "FFF0E0"
        fonts = by_id["Normal"].find(f"{W}rPr/{W}rFonts")
        assert (fonts.get(W + "ascii"), fonts.get(W + "eastAsia")) == ("Cambria", "FangSong")
        fonts = by_id["Heading1"].find(f"{W}rPr/{W}rFonts")
        assert (fonts.get(W + "ascii"), fonts.get(W + "eastAsia")) == ("Calibri", "SimHei")
        defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert defaults.get(W + "val") == ("en-GB" if lang == "en" else "zh-CN")
        core = xml(path, "docProps/core.xml")
        language = core.findtext("{http://purl.org/dc/elements/1.1/}language")
        assert language == ("en-GB" if lang == "en" else "zh-CN")
        document = docx.Document(str(path))
        header = document.sections[0].header
        organisation, running = {
            "en": ("Policy Research Office", "Qiaotou brief"),
            "zh": ("政策研究室", "桥头镇简报"),
        }[lang]
        assert header.paragraphs[-1].text.split("\t") == [f"\u2002{organisation}", running]
        pictures = list(header.part.element.iter(WP + "docPr"))
        assert [p.get("descr") for p in pictures] == [organisation]
        logos = [p.blob for p in header.part.related_parts.values()]  # the header's picture
        assert len(logos) == 1 and logos[0].startswith(b"\x89PNG")


def test_the_one_page_note_sets_its_sections_in_two_columns(fixture_dist):
    """As its PDF does (decision-makers.css: .sections { columns: 2 }): a continuous
    section of two columns holds the section leads, between the key figures and the
    recommendations, each section with the page's header and footer."""
    root = xml(fixture_dist / BRIEF / "decision-makers.en.docx", "word/document.xml")
    body = root.find(W + "body")
    breaks = [i for i, b in enumerate(body) if b.find(f"{W}pPr/{W}sectPr") is not None]
    assert len(breaks) == 2
    sections = [body[i].find(f"{W}pPr/{W}sectPr") for i in breaks] + [body[-1]]
    cols = [s.find(W + "cols") for s in sections]
    assert [(c.get(W + "num") if c is not None else None) or "1" for c in cols] == ["1", "2", "1"]
    assert [s.find(W + "type").get(W + "val") for s in sections] == ["continuous"] * 3
    for section in sections:
        assert section.find(W + "headerReference") is not None
        assert section.find(W + "pgMar") is not None
    inside = " ".join(shown(p) for p in body[breaks[0] + 1 : breaks[1]])
    assert all(h in inside for h in SECTIONS["en"]) and "Recommendations" not in inside


def test_a_reference_document_made_from_the_theme_serves_as_the_house_one(
    fixture_project, tmp_path
):
    """scripts/word_reference.py writes the theme's styles into an empty document; saved
    as reference.docx in a template folder (here unedited), it styles the next build."""
    import sys

    (fixture_project / "house" / "theme.yaml").write_text(
        "colors: {accent: '#225533'}\nword_fonts: {sans: Calibri}\n", encoding="utf-8"
    )
    out = tmp_path / "made.docx"
    script = ROOT / "scripts" / "word_reference.py"
    command = [sys.executable, str(script), "--project", str(fixture_project), "--lang", "en"]
    subprocess.run([*command, str(out)], check=True, capture_output=True, timeout=120)
    made = out.read_bytes()
    reference = docx.Document(io.BytesIO(made))
    assert reference.paragraphs == [] and reference.core_properties.language == "en-US"
    heading = reference.styles["Heading 1"]
    assert heading.font.color.rgb == docx.shared.RGBColor(0x22, 0x55, 0x33)
    assert heading.element.rPr.find(W + "rFonts").get(W + "ascii") == "Calibri"
    style = tmp_path / "style"
    style.mkdir()
    (style / "reference.docx").write_bytes(made)
    (fixture_project / "house" / "theme.yaml").unlink()  # the theme gone: the file styles
    build(
        Options(
            root=fixture_project,
            out=tmp_path / "out",
            briefs=(BRIEF,),
            audiences=("press",),
            langs=("en",),
            formats=("docx",),
            templates=(style,),
        )
    )
    built = docx.Document(str(tmp_path / "out" / BRIEF / "press.en.docx"))
    assert built.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0x22, 0x55, 0x33)

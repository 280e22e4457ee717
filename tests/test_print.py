"""Audiences swapped by template, print-shop PDFs, page sizes and PDF variants (on the
fixture project)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from helpers import ROOT, find_all, parse_html, pdf_pages, pdf_reader, squash, text_of, write_files

from policybrief.build.pipeline import (
    BuildReport,
    Options,
    build,
    load_and_check,
    plan,
    render_pages,
    render_prose,
)

MM = 72 / 25.4
AUDIENCES = ("full-report", "decision-makers", "press", "print-edition")


def test_every_audience_of_each_brief_in_each_of_its_languages(fixture_dist):
    expected = {
        f"{brief}/{audience}.{lang}.{fmt}"
        for brief, audiences, langs in (
            ("qiaotou", (*AUDIENCES, "field-card"), ("zh", "en")),
            ("hexi", ("full-report", "decision-makers"), ("zh", "en", "zh-Hant")),
        )
        for audience in audiences
        for lang in langs
        for fmt in ("html", "pdf", "docx")
    } | {
        f"{brief}/references.{ext}"
        for brief in ("qiaotou", "hexi")
        for ext in ("json", "bib", "ris")
    }
    expected |= {  # the brief's own citation and its social card, per language (test_archive)
        f"{brief}/{name}.{lang}.{ext}"
        for brief, langs in (("qiaotou", ("zh", "en")), ("hexi", ("zh", "en", "zh-Hant")))
        for lang in langs
        for name, ext in (("cite", "json"), ("cite", "bib"), ("cite", "ris"), ("social", "png"))
    }
    built = {p.relative_to(fixture_dist).as_posix() for p in fixture_dist.glob("*/*.*")}
    charts = {  # each chart's data beside the web pages (test_charts.py reads them)
        "qiaotou/enterprises": ("zh", "en"),
        "qiaotou/output": ("zh", "en"),
        "hexi/residents": ("zh", "en", "zh-Hant"),
        "hexi/firms": ("zh", "en", "zh-Hant"),
        "hexi/firms-by-kind": ("zh", "en", "zh-Hant"),
    }
    assert built == expected | {f"{c}.{lang}.csv" for c, langs in charts.items() for lang in langs}


def print_html(root: Path, brief: str, lang: str, audience: str = "print-edition") -> str:
    options = Options(
        root=root, briefs=(brief,), audiences=(audience,), langs=(lang,), formats=("pdf",)
    )
    project, _ = load_and_check(options)
    output = plan(project, options)[0]
    prose = render_prose(project, {(brief, lang)})
    return render_pages(project, [(output, "pdf")], prose, BuildReport())[(output, "pdf")].html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_footnotes_are_on_the_page_of_their_call_or_in_the_late_notes(fixture_dist, lang):
    from policybrief.output.pdf import PdfWriter, misplaced_footnotes

    root, brief = fixture_dist.parent, "qiaotou"
    html = print_html(root, brief, lang)
    notes = set(re.findall(r'<span class="footnote" id="(note-\d+)"', html))
    assert len(notes) == 11  # one per fact or claim the brief cites: all of qiaotou's
    templates = root / "templates"
    document, final, demoted = PdfWriter((templates,)).layout(html, templates)
    assert misplaced_footnotes(document) == set()
    placed, calls = set(), set()
    for page in document.pages:
        body, *others = page._page_box.children  # a bare cover has the body alone
        calls |= {
            b.footnote.element.get("id")
            for b in body.descendants()
            if getattr(b, "footnote", None) is not None
        }
        placed |= {
            b.element.get("id")
            for b in (b for other in others for b in other.descendants())
            if getattr(b, "element", None) is not None
            and (b.element.get("id") or "").startswith("note-")
        }
    assert calls == placed
    late = set(re.findall(r'<li id="(note-\d+)" value="\d+">', final))
    assert late == set(demoted)
    assert placed | late == notes and not placed & late
    # the written PDF carries every note's quote
    flat = squash("".join(pdf_pages(fixture_dist / brief / f"print-edition.{lang}.pdf")))
    for quote in re.findall(r'<q class="note-quote" lang="zh-Hans">(.*?)</q>', html):
        assert squash(quote.replace("&#34;", '"')) in flat


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_print_edition_has_bleed_room_for_marks_and_a_back_cover(fixture_dist, lang):
    path = fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf"
    reader = pdf_reader(path)
    for page in reader.pages:
        media, trim, bleed = page.mediabox, page.trimbox, page.bleedbox
        assert float(trim.width) == pytest.approx(210 * MM, abs=1)
        assert float(bleed.width) == pytest.approx(216 * MM, abs=1)
        assert float(trim.left) - float(bleed.left) == pytest.approx(3 * MM, abs=0.1)
        # the marks and the slug lie beyond the bleed: the sheet is 12 mm larger each side
        assert float(bleed.left) - float(media.left) == pytest.approx(12 * MM, abs=0.1)
        assert float(media.top) - float(bleed.top) == pytest.approx(12 * MM, abs=0.1)
    pages = [squash(p) for p in pdf_pages(path)]
    # the sources close the text; the back cover is the last page, with no software named
    assert any({"zh": "资料来源", "en": "Sources"}[lang] in page for page in pages[-3:-1])
    back = squash(pdftotext(path, len(pages), trim_only=True))
    title = {"zh": "桥头镇：数字产业园的起步与扩张", "en": "Qiaotou:howadigital"}[lang]
    assert title in back
    assert {"zh": "测试研究组·2026年10月15日", "en": "TestResearchGroup·October15,2026"}[
        lang
    ] in back
    assert {"zh": "测试研究组为本项目的测试撰写简报", "en": "TheTestResearchGroupwrites"}[
        lang
    ] in back  # "About the office" from [tool.policybrief.office]
    assert "press@example.org" in back
    assert "policybrief" not in "".join(pages) and "0.1.0" not in "".join(pages)


def test_source_date_epoch_changes_nothing_in_the_print_edition(
    fixture_project, tmp_path, monkeypatch
):
    """The print edition is the output that prints a date (its back cover): built with and
    without SOURCE_DATE_EPOCH (2001-09-09), every file is the same and the date printed is
    the brief's own."""
    picks = dict(briefs=("qiaotou",), audiences=("print-edition",), langs=("zh",))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(Options(root=fixture_project, out=tmp_path / "plain", **picks))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    build(Options(root=fixture_project, out=tmp_path / "epoch", **picks))
    files = {}
    for run in ("plain", "epoch"):
        folder = tmp_path / run / "qiaotou"
        files[run] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert sorted(files["plain"]) == [
        "cite.zh.bib",  # the brief's own citation (test_archive.py)
        "cite.zh.json",
        "cite.zh.ris",
        "enterprises.zh.csv",  # the charts' data
        "output.zh.csv",
        "print-edition.zh.docx",
        "print-edition.zh.html",
        "print-edition.zh.pdf",
        "references.bib",
        "references.json",
        "references.ris",
        "social.zh.png",  # the web pages' Open Graph picture
    ]
    assert files["plain"] == files["epoch"]
    back = squash(pdf_pages(tmp_path / "epoch/qiaotou/print-edition.zh.pdf")[-1])
    assert "2026年10月15日" in back and "2001" not in back


def test_late_notes_are_reported_in_the_build_summary(fixture_project, fixture_dist, tmp_path):
    """A house style that leaves footnotes little room moves some to the "Further notes"
    list at the end; the build summary says which (it once did so silently)."""
    from helpers import run_cli

    css = (ROOT / "templates/_partials/print-edition.css").read_text(encoding="utf-8")
    house = write_files(
        tmp_path / "house",
        {"_partials/print-edition.css": css + "\n@page { @footnote { max-height: 15mm; } }\n"},
    )
    out = tmp_path / "out"
    result = run_cli(
        "--project",
        str(fixture_project),
        "--templates",
        str(house),
        "--brief",
        "qiaotou",
        "--audience",
        "print-edition",
        "--lang",
        "en",
        "--format",
        "pdf",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    summary = [line for line in result.stdout.splitlines() if "Further notes" in line]
    assert len(summary) == 1, result.stdout
    match = re.fullmatch(
        r"qiaotou/print-edition\.en\.pdf: (\d+) footnotes? did not fit on "
        r"the page of (?:its|their) call and moved to the Further notes list "
        r"at the end \((note-\d+(?:, note-\d+)*)\)",
        summary[0],
    )
    assert match, summary[0]
    moved = match.group(2).split(", ")
    assert int(match.group(1)) == len(moved) >= 1
    pages = [squash(p) for p in pdf_pages(out / "qiaotou/print-edition.en.pdf")]
    assert any("Furthernotes" in page for page in pages)
    # each moved note keeps its own number (it was renumbered 1, 2, 3 by the list), and
    # the contents lists the Further notes (issue 24)
    numbers = sorted(int(note.split("-")[1]) for note in moved)
    joined = "".join(pages)
    listed = re.search(rf"Furthernotes{numbers[0]}\.", joined)
    assert listed, joined[-600:]
    assert numbers[0] != 1 and not re.search(r"Furthernotes1\.", joined)  # not renumbered
    contents = next(page for page in pages if "Contents" in page)
    assert re.search(r"Furthernotes\.*\d+", contents), contents
    # the fixture's own print edition needs no late notes, and its PDF has no such list
    assert not any(
        "Furthernotes" in squash(page)
        for page in pdf_pages(fixture_dist / "qiaotou/print-edition.en.pdf")
    )


@pytest.mark.parametrize(("size", "width", "height"), [("letter", 215.9, 279.4), ("A5", 148, 210)])
def test_page_size_from_the_command_line(fixture_project, tmp_path, size, width, height):
    audience = "decision-makers" if size == "letter" else "full-report"
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("hexi",),
            audiences=(audience,),
            langs=("zh",),
            formats=("pdf",),
            page_size=size,
        )
    )
    reader = pdf_reader(tmp_path / "hexi" / f"{audience}.zh.pdf")
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((width * MM, height * MM), abs=1)
    if size == "letter":
        assert len(reader.pages) == 1


def _xmp(reader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def test_pdf_a_3b_declares_itself_and_carries_the_facts(fixture_project, tmp_path):
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("qiaotou",),
            audiences=("decision-makers",),
            langs=("en",),
            formats=("pdf",),
            pdf_variant="pdf/a-3b",
        )
    )
    reader = pdf_reader(tmp_path / "qiaotou" / "decision-makers.en.pdf")
    xmp = _xmp(reader)
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "facts.json"
    data = names[1].get_object()["/EF"]["/F"].get_object().get_data()
    rows = json.loads(data)
    ids = {row["id"] for row in rows}
    assert "qiaotou.enterprises.2016" in ids and "qiaotou.fund.cap" in ids
    assert all(row["quote"] for row in rows)


def test_pdf_ua_1_is_tagged_with_language_title_and_chart_alternatives(fixture_project, tmp_path):
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("qiaotou",),
            audiences=("full-report",),
            langs=("zh",),
            formats=("pdf",),
            pdf_variant="pdf/ua-1",
        )
    )
    reader = pdf_reader(tmp_path / "qiaotou" / "full-report.zh.pdf")
    root = reader.trailer["/Root"]
    assert 'pdfuaid:part="1"' in _xmp(reader)
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert str(root["/Lang"]) == "zh-Hans"
    assert "桥头镇" in reader.metadata.title
    kinds, figures = {}, []

    def walk(node):
        node = node.get_object()
        if hasattr(node, "get"):
            kind = node.get("/S")
            if kind:
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind == "/Figure":
                    figures.append(str(node.get("/Alt", "")))
            children = node.get("/K")
            if children is not None:
                for child in children if isinstance(children, list) else [children]:
                    walk(child)

    walk(root["/StructTreeRoot"])
    assert kinds.get("/H2", 0) >= 4 and kinds.get("/P", 0) > 5
    # each chart's alternative text is its title and every value it shows
    assert figures == [
        "累计引进企业数：2015年：120家；2016年12月：215家",
        "园区产值：2015年：12亿元；2016年：超过20亿元",
    ]


def test_the_fixture_audience_comes_from_its_own_template_folder(fixture_dist):
    root = parse_html(fixture_dist / "qiaotou" / "field-card.en.html")
    banner = text_of(next(find_all(root, "p", class_="house-banner")))
    assert banner.startswith("The Qiaotou digital industry park grew")
    assert [s.get("id") for s in find_all(root, "section", class_="brief-section")] == [
        "sec-background",
        "sec-measures",
        "sec-outcomes",
        "sec-lessons",
    ]
    assert len(pdf_reader(fixture_dist / "qiaotou" / "field-card.en.pdf").pages) <= 2


def test_a_new_audience_is_a_template_and_a_line_of_settings(fixture_project, tmp_path):
    """The README's recipe: a template that overrides one block, declared in audiences.yaml
    of the user's own folder, listed in a brief; no engine change."""
    house = write_files(
        tmp_path / "house",
        {
            "audiences.yaml": "audiences:\n  briefing-card:\n    template: briefing-card.html\n"
            "    label: {zh: 简报卡, en: Briefing card, zh-Hant: 簡報卡}\n    section_text: lead\n"
            "    endnotes: compact\n",
            "briefing-card.html": '{% extends "base.html" %}\n{% block front %}'
            '<p class="house-banner">Prepared for the board</p>'
            "{% endblock %}\n",
        },
    )
    brief = fixture_project / "briefs/hexi/brief.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "audiences: [full-report,", "audiences: [briefing-card, full-report,"
        ),
        encoding="utf-8",
    )
    build(
        Options(
            root=fixture_project,
            out=tmp_path / "out",
            briefs=("hexi",),
            audiences=("briefing-card",),
            langs=("en",),
            templates=(house,),
        )
    )
    root = parse_html(tmp_path / "out/hexi/briefing-card.en.html")
    assert text_of(next(find_all(root, "p", class_="house-banner"))) == "Prepared for the board"
    assert len(list(find_all(root, "section", class_="brief-section"))) == 4
    assert (tmp_path / "out/hexi/briefing-card.en.pdf").stat().st_size > 10_000


def test_an_overriding_template_folder_replaces_one_block_and_inherits_the_rest(
    fixture_project, tmp_path
):
    house = write_files(
        tmp_path / "house",
        {
            "decision-makers.html": '{% extends "base.html" %}\n{% block masthead %}'
            '<header class="masthead"><h1>{{ brief.title }}</h1>'
            '<p class="house">House style</p></header>{% endblock %}\n'
        },
    )
    build(
        Options(
            root=fixture_project,
            out=tmp_path / "out",
            briefs=("hexi",),
            audiences=("decision-makers",),
            langs=("zh",),
            formats=("html",),
            templates=(house,),
        )
    )
    root = parse_html(tmp_path / "out/hexi/decision-makers.zh.html")
    assert text_of(next(find_all(root, "p", class_="house"))) == "House style"
    sections = list(find_all(root, "section", class_="brief-section"))
    assert [text_of(s.find("{http://www.w3.org/1999/xhtml}h2")) for s in sections] == [
        "背景",
        "举措",
        "成效",
        "启示",
    ]


def test_chinese_paragraphs_are_justified_and_the_text_stays_intact(fixture_dist):
    from policybrief.output.pdf import PdfWriter
    from policybrief.output.typeset import ragged_lines

    root = fixture_dist.parent
    html = print_html(root, "qiaotou", "zh", "full-report")
    writer = PdfWriter((root / "templates",))
    document, _final, _moved = writer.layout(html, root / "templates")
    lines, short = ragged_lines(document)
    assert lines > 10  # full lines of the fixture's Chinese paragraphs, last lines excluded
    # unjustified, nearly every full line would end short; one may (a line broken before a
    # citation mark that cannot start a line)
    assert short <= max(1, lines * 0.03), (short, lines)
    # the text is unchanged: spacing moves glyphs, it adds or removes no character
    flat = squash("".join(pdf_pages(fixture_dist / "qiaotou/full-report.zh.pdf")))
    assert "桥头镇原本以传统制造业为主" in flat


# -- the print shop's file (issue 28) -------------------------------------------------------


def pdftotext(
    path: Path, page: int, trim_only: bool = False, region: tuple[float, ...] | None = None
) -> str:
    """poppler's text of one page (1-based): all of it, the part inside the TrimBox, or a
    region (x, y, width, height in points from the sheet's top left corner)."""
    import subprocess

    if trim_only:
        box = pdf_reader(path).pages[page - 1]
        media, trim = box.mediabox, box.trimbox
        region = (
            float(trim.left) - float(media.left),
            float(media.top) - float(trim.top),
            float(trim.width),
            float(trim.height),
        )
    crop = []
    if region:
        x, y, w, h = (str(int(v)) for v in region)
        crop = ["-x", x, "-y", y, "-W", w, "-H", h]
    command = ["pdftotext", "-f", str(page), "-l", str(page), *crop, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _xmp_of(path: Path) -> str:
    return _xmp(pdf_reader(path))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_print_editions_are_pdf_x4_with_a_cmyk_output_intent_and_an_even_page_count(
    fixture_dist, lang
):
    import subprocess

    path = fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert fields["PDF version"].strip() == "1.6"  # PDF/X-4 is PDF 1.6
    pages = int(fields["Pages"])
    assert pages % 2 == 0 and pages >= 8, pages
    assert "Qiaotou" in fields["Title"] or "桥头镇" in fields["Title"]  # the info survives
    reader = pdf_reader(path)
    (intent,) = [i.get_object() for i in reader.trailer["/Root"]["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFX"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4 and profile.get_data()[16:20] == b"CMYK"
    assert str(intent["/OutputConditionIdentifier"]) == "Artifex CMYK SWOP Profile"
    xmp = _xmp_of(path)
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_print_editions_pass_the_preflight(fixture_dist, lang):
    """No RGB colour, every font embedded (pypdf's walk, and poppler's pdffonts), boxes
    nested with a 3 mm bleed on every page, the CMYK output intent."""
    import subprocess

    from policybrief.output.preflight import preflight

    path = fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf"
    result = preflight(path.read_bytes())
    assert result.problems == []
    assert result.pages == len(pdf_reader(path).pages)
    assert "/DeviceCMYK" in result.spaces and not {"/DeviceRGB", "/ICCBased:3"} & result.spaces
    assert len(result.fonts) >= 4
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert len(rows) >= 4 and all(row.split()[-5] == "yes" for row in rows), fonts.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_print_editions_have_a_sound_cross_reference_table(fixture_dist, lang, tmp_path):
    """A strict reader finds every object where the file says it is: poppler splits a page
    out without a syntax error or warning (an incremental update once left its own
    cross-reference stream out of its index: "Invalid XRef entry"), qpdf's check (through
    pikepdf) finds nothing, the output intent's profile is stored once, not once per
    transparency group that names it, and the small objects are packed in object streams
    under a cross-reference stream (pypdf alone writes each bare, about 30 KB more)."""
    import subprocess

    import pikepdf

    path = fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.6\n")
    assert b"/Type /ObjStm" in data and b"/Type /XRef" in data and b"\ntrailer" not in data
    split = subprocess.run(
        ["pdfseparate", "-f", "1", "-l", "1", str(path), str(tmp_path / "page-%d.pdf")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert split.stderr == "", split.stderr
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []
        profiles = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/N") == 4]
        assert len(profiles) == 1
    with pikepdf.open(tmp_path / "page-1.pdf") as page:
        assert page.check_pdf_syntax() == [] and len(page.pages) == 1


def test_the_preflight_reports_what_a_print_shop_would_refuse(fixture_dist):
    """The full report (screen colours, no output intent, no bleed) fails it, each
    problem said once per page."""
    from policybrief.output.preflight import preflight

    result = preflight((fixture_dist / "qiaotou/full-report.en.pdf").read_bytes())
    assert "no PDF/X output intent (/OutputIntents with /GTS_PDFX)" in result.problems
    assert "the XMP metadata does not declare PDF/X-4" in result.problems
    assert any(re.fullmatch(r"page 1: an RGB colour \(rg [\d. ]+\)", p) for p in result.problems)
    assert (
        "page 1: the bleed is 0.0, 0.0, 0.0, 0.0 mm (left, bottom, right, top), not 3 mm "
        "on every side" in result.problems
    )


def test_theme_colours_print_in_the_themes_cmyk(fixture_dist):
    """The accent (headings, key figures) is written as the theme's print colour, 100 80 20 5,
    in DeviceCMYK; body text in black ink alone."""
    reader = pdf_reader(fixture_dist / "qiaotou/print-edition.en.pdf")
    content = b"".join(page.get_contents().get_data() for page in reader.pages[2:4])
    assert b"1 0.8 0.2 0.05 scn" in content
    assert b"0 0 0 1 scn" in content
    assert b" rg\n" not in content and b" RG\n" not in content


def _gray(path: Path, page: int) -> tuple[list[list[int]], float]:
    """Page ``page`` drawn in grey at 72 dpi: rows of 0-255, and points per pixel."""
    import subprocess

    from PIL import Image

    out = subprocess.run(
        [
            "pdftoppm",
            "-f",
            str(page),
            "-l",
            str(page),
            "-r",
            "72",
            "-gray",
            "-aaVector",
            "no",
            str(path),
        ],
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(out))
    width, height = image.size
    data = list(image.get_flattened_data())
    return [data[y * width : (y + 1) * width] for y in range(height)], 1.0


def test_crop_marks_lie_outside_the_bleed_and_the_slug_names_title_date_and_page(fixture_dist):
    path = fixture_dist / "qiaotou" / "print-edition.en.pdf"
    reader = pdf_reader(path)
    page = reader.pages[1]  # the cover's blank verso: nothing but marks and slug
    media, trim, bleed = page.mediabox, page.trimbox, page.bleedbox
    rows, _ = _gray(path, 2)
    top_of = lambda y: int(round(float(media.top) - y))  # noqa: E731 - PDF y to pixel row
    left_of = lambda x: int(round(x - float(media.left)))  # noqa: E731
    trim_row, bleed_col = top_of(float(trim.top)), left_of(float(bleed.left))
    # the horizontal mark on the top trim line, left of the sheet: dark beyond the bleed...
    mark = [min(rows[y][x] for y in range(trim_row - 1, trim_row + 2)) for x in range(bleed_col)]
    assert min(mark) < 128
    # ...and nothing in the bleed itself (WeasyPrint's own marks were drawn there)
    inside = [
        rows[y][x]
        for y in range(trim_row - 1, trim_row + 2)
        for x in range(bleed_col, left_of(float(trim.left)))
    ]
    assert min(inside) > 230
    # the slug, below the bleed: title, date, and the page with the count
    slug = pdftotext(
        path,
        2,
        region=(
            float(trim.left) - float(media.left),
            float(media.top) - float(bleed.bottom),
            float(trim.width),
            float(bleed.bottom) - float(media.bottom),
        ),
    )
    pages = len(reader.pages)
    assert squash(slug) == squash(
        "Qiaotou: how a digital industry park started and grew · October 15, 2026 · "
        f"Page 2 of {pages}"
    )
    # and nothing of the slug inside the trim
    assert "Page 2 of" not in pdftotext(path, 2, trim_only=True)


def test_margins_are_mirrored_with_the_folio_on_the_outer_edge(fixture_dist):
    """Rectos (odd pages) have the gutter on the left and the folio at the right; versos
    the reverse. The cover's verso is blank; the contents open on a recto."""
    import subprocess

    path = fixture_dist / "qiaotou" / "print-edition.en.pdf"
    reader = pdf_reader(path)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    media, trim = reader.pages[0].mediabox, reader.pages[0].trimbox
    left = float(trim.left) - float(media.left)
    right = left + float(trim.width)
    top = float(media.top) - float(trim.top)
    bottom = top + float(trim.height)
    words: dict[int, list[tuple[float, str]]] = {}
    for number, page in enumerate(out.split("<page ")[1:], 1):
        words[number] = [
            (float(x), word)
            for x, y, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page
            )
            if top <= float(y) < bottom  # the page, not the slug beyond it
        ]
    assert squash(pdftotext(path, 2, trim_only=True)) == ""  # the cover's verso
    assert "Contents" in pdftotext(path, 3)
    for number in (3, 4, 5):
        inside = [(x, w) for x, w in words[number] if left <= x < right]
        folio = [x for x, w in inside if w == str(number)]
        body = min(x for x, _w in inside) - left
        if number % 2:  # recto
            assert folio and folio[-1] > left + float(trim.width) / 2
            assert body == pytest.approx(25 * MM, abs=2)
        else:
            assert folio and folio[-1] < left + float(trim.width) / 2
            assert body == pytest.approx(17 * MM, abs=2)


def test_footnotes_are_set_at_a_reading_size(fixture_dist):
    """8.5 pt: the footnotes' text, as the PDF sets it."""
    reader = pdf_reader(fixture_dist / "qiaotou" / "print-edition.en.pdf")
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        scale = (tm[0] * cm[0]) if tm and cm else 1
        if text.strip():
            sizes.setdefault(text.strip(), round(size * scale, 2))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    notes = [size for text, size in sizes.items() if text.startswith(": Park Management")]
    assert notes and set(notes) == {8.5}, sizes


def test_a_project_asks_for_a_multiple_of_four_and_a_colophon(fixture_project, tmp_path):
    settings = fixture_project / "pyproject.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + "\n[tool.policybrief.print]\npages = 4\ncolophon = true\n",
        encoding="utf-8",
    )
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("qiaotou",),
            audiences=("print-edition",),
            langs=("en",),
            formats=("pdf",),
        )
    )
    path = tmp_path / "qiaotou/print-edition.en.pdf"
    pages = len(pdf_reader(path).pages)
    assert pages % 4 == 0
    # the back cover stays last, the colophon on it; the pages padded in before it are blank
    back = squash(pdftotext(path, pages, trim_only=True))
    assert "PrintedOctober15,2026·policybrief0.1.0" in back or "Printed15October2026" in back
    from policybrief.output.preflight import preflight

    assert preflight(path.read_bytes()).problems == []


def test_the_print_settings_are_checked_at_their_line(fixture_project):
    from policybrief.core.errors import InputError

    settings = fixture_project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text + '\n[tool.policybrief.print]\npages = 3\nprofile = "nowhere.icc"\n',
        encoding="utf-8",
    )
    line = len(text.splitlines()) + 2
    with pytest.raises(InputError) as error:
        load_and_check(Options(root=fixture_project))
    messages = [str(p) for p in error.value.problems]
    assert (
        f"pyproject.toml:{line}: [tool.policybrief.print]: pages must be 2 or 4, not 3 "
        "(pages = 4 pads the print edition to a multiple of four (a booklet))"
    ) in messages
    assert any("profile 'nowhere.icc' is not a file in the project" in m for m in messages)


def test_a_missing_cmyk_profile_is_a_clear_error(tmp_path, monkeypatch):
    from policybrief.core.errors import OutputError
    from policybrief.output import cmyk

    monkeypatch.setattr(cmyk, "DEFAULT_PROFILE", tmp_path / "default_cmyk.icc")
    with pytest.raises(OutputError) as error:
        cmyk.profile_bytes(None)
    assert str(error.value) == (
        f"the CMYK profile for the print edition's output intent is missing: "
        f"{tmp_path / 'default_cmyk.icc'} (install Debian's libgs-common (scripts/setup.sh does))"
    )
    rgb = tmp_path / "srgb.icc"
    rgb.write_bytes(b"\0" * 16 + b"RGB " + b"\0" * 100)
    with pytest.raises(OutputError, match="is not a CMYK ICC profile"):
        cmyk.profile_bytes(rgb)


@pytest.mark.parametrize(("multiple", "expected"), [(2, 6), (4, 8)])
def test_blank_pages_pad_the_count_before_the_back_cover(tmp_path, multiple, expected):
    """Five pages become six (or eight): blank pages, with the boxes of the others, go in
    before the last page, which stays the back cover; the slug counts them all."""
    from policybrief.output.pdf import PdfWriter
    from policybrief.output.preflight import preflight
    from policybrief.output.printshop import PrintSpec

    pages = "".join(f'<p style="break-before: page">Page text {n}</p>' for n in range(1, 5))
    html = (
        "<html><head><style>@page { size: A5; bleed: 3mm; }</style></head><body>"
        f'<p>Page text 0</p>{pages}<p style="break-before: page">Back cover</p></body></html>'
    ).replace("<p>Page text 0</p>", "", 1)
    spec = PrintSpec(
        slug="A title · 2026", page_label="Page %(page)s of %(pages)s", multiple=multiple
    )
    result = PdfWriter((tmp_path,)).render(html, tmp_path, "pdf/x-4", (), spec)
    assert result.pages == expected
    path = tmp_path / "padded.pdf"
    path.write_bytes(result.data)
    texts = [squash(pdftotext(path, n, trim_only=True)) for n in range(1, expected + 1)]
    assert texts[-1] == "Backcover"
    assert texts[4:-1] == [""] * (expected - 5)
    assert texts[:4] == [f"Pagetext{n}" for n in range(1, 5)]
    assert f"Page{expected}of{expected}" in squash(pdftotext(path, expected))
    assert preflight(result.data).problems == []


def test_images_are_printed_in_cmyk(tmp_path):
    """A PNG becomes a CMYK JPEG through the profile (red stays red), an SVG's colours
    become DeviceCMYK: the preflight finds nothing in RGB."""
    import base64
    import subprocess

    from PIL import Image

    from policybrief.output.pdf import PdfWriter
    from policybrief.output.preflight import preflight
    from policybrief.output.printshop import PrintSpec

    png = io.BytesIO()
    Image.new("RGBA", (60, 40), (200, 30, 30, 255)).save(png, "PNG")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="#1d4e89"/></svg>'
    uris = [
        "data:image/png;base64," + base64.b64encode(png.getvalue()).decode(),
        "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
    ]
    images = "".join(f'<img src="{uri}" style="width: 60mm">' for uri in uris)
    html = (
        "<html><head><style>@page { size: A5; bleed: 3mm; }</style></head><body>"
        f'{images}<p style="break-before: page">Back cover</p></body></html>'
    )
    spec = PrintSpec(slug="A title", page_label="Page %(page)s of %(pages)s")
    result = PdfWriter((tmp_path,)).render(html, tmp_path, "pdf/x-4", (), spec)
    assert preflight(result.data).problems == []
    path = tmp_path / "images.pdf"
    path.write_bytes(result.data)
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert [row.split()[5] for row in listed] == ["cmyk"]  # the PNG; the SVG is vector
    drawn = subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "20", str(path)], capture_output=True, check=True
    ).stdout
    pixels = Image.open(io.BytesIO(drawn)).convert("RGB").get_flattened_data()
    assert any(r > 150 and g < 90 and b < 90 for r, g, b in pixels)  # still red

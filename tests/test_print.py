"""Audiences swapped by template, print-shop PDFs, page sizes and PDF variants (on the
fixture project)."""

from __future__ import annotations

import hashlib
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
def test_print_edition_has_bleed_crop_marks_and_a_back_cover(fixture_dist, lang):
    reader = pdf_reader(fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf")
    page = reader.pages[0]
    media, trim, bleed = page.mediabox, page.trimbox, page.bleedbox
    assert float(trim.width) == pytest.approx(210 * MM, abs=1)
    assert float(bleed.width) == pytest.approx(216 * MM, abs=1)
    assert (float(media.left), float(media.width)) == (float(bleed.left), float(bleed.width))
    assert float(trim.left) - float(bleed.left) == pytest.approx(3 * MM, abs=0.1)
    last = squash(pdf_pages(fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf")[-1])
    assert {"zh": "资料来源", "en": "Sources"}[lang] in last
    assert {"zh": "印制于2026年10月15日", "en": "PrintedOctober15,2026"}[lang] in last


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
    assert "印制于2026年10月15日" in back and "2001" not in back


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


def test_press_release_has_a_quotable_figures_box(fixture_dist):
    root = parse_html(fixture_dist / "qiaotou" / "press.en.html")
    box = next(find_all(root, "section", class_="quotable"))
    quotes = list(find_all(box, "blockquote"))
    assert len(quotes) == 4
    assert all(text_of(q).strip() for q in quotes)
    assert "Source: Park Management Committee, 2017" in text_of(box)


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

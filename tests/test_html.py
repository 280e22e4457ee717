"""The web edition as a reader's browser parses it (the fixture project, built once)."""

from __future__ import annotations

import pytest
from helpers import NS, find_all, parse_html, text_of

from policybrief.core.i18n import format_fact
from policybrief.load.project import load_project

BRIEFS = ("qiaotou", "hexi")
AUDIENCES = ("full-report", "decision-makers", "press")
BRIEF_AUDIENCES = {"qiaotou": AUDIENCES, "hexi": AUDIENCES[:2]}
TITLES = {
    "zh": ["背景", "举措", "成效", "启示"],
    "en": ["Background", "Measures", "Outcomes", "Lessons"],
}
TAGS = {"zh": "zh-Hans", "en": "en"}
KEY_FIGURES = {
    ("qiaotou", "zh"): ["215家", "超过20亿元", "近8000人", "5000万元"],
    ("qiaotou", "en"): [
        "215",  # "enterprises attracted since the park opened": the unit word once
        "over CNY\u00a02\u00a0billion",  # held together: render/typography.py
        "nearly 8,000",  # "people working in the park"
        "CNY\u00a050\u00a0million",
    ],
}


def outputs(reports_only: bool = False):
    """Each (brief, audience, language); ``reports_only``: not the press release, which
    prints no sections and no note numbers (issue 28: tests/test_press.py)."""
    for brief in BRIEFS:
        for audience in BRIEF_AUDIENCES[brief]:
            for lang in ("zh", "en"):
                if not (reports_only and audience == "press"):
                    yield brief, audience, lang


@pytest.mark.parametrize(("brief", "audience", "lang"), list(outputs(reports_only=True)))
def test_page_structure(fixture_dist, brief, audience, lang):
    root = parse_html(fixture_dist / brief / f"{audience}.{lang}.html")
    assert root.get("lang") == TAGS[lang]
    assert len(list(find_all(root, "h1"))) == 1
    sections = list(find_all(root, "section", class_="brief-section"))
    assert [s.get("id") for s in sections] == [
        "sec-background",
        "sec-measures",
        "sec-outcomes",
        "sec-lessons",
    ]
    assert [text_of(s.find(NS + "h2")) for s in sections] == TITLES[lang]
    for section in sections:
        assert text_of(section).strip()


@pytest.mark.parametrize(("brief", "audience", "lang"), list(outputs(reports_only=True)))
def test_every_citation_links_to_a_note_with_source_and_quote(fixture_dist, brief, audience, lang):
    root = parse_html(fixture_dist / brief / f"{audience}.{lang}.html")
    notes = {
        li.get("id"): li for li in find_all(root, "li") if li.get("id", "").startswith("note-")
    }
    marks = list(find_all(root, "sup", class_="cite"))
    assert marks, "no citation marks"
    for sup in marks:
        href = sup.find(NS + "a").get("href")
        note = notes[href[1:]]
        # a compact note in another language than its source's quotes nothing: the
        # translation and the original are the full report's (issue 24)
        compact = any(find_all(root, "section", class_="compact"))
        quoted = list(find_all(note, "q", class_="note-quote"))
        assert quoted or (compact and lang != "zh" and lang != "zh-Hant")
        assert text_of(note).strip()
    # numbered in reading order, starting at 1
    numbers = list(dict.fromkeys(int(text_of(s)) for s in marks))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_key_figures_are_localized(fixture_dist, lang):
    root = parse_html(fixture_dist / "qiaotou" / f"full-report.{lang}.html")
    box = next(find_all(root, "section", class_="key-figures"))
    # the typesetter's word joiner holds a digit to its unit (render/typography.py)
    values = [text_of(span).replace("\u2060", "") for span in find_all(box, "span", class_="fact")]
    assert values == KEY_FIGURES[("qiaotou", lang)]


def test_every_cited_fact_renders_as_its_localized_value(fixture_dist):
    project, _ = load_project(fixture_dist.parent)
    for brief in BRIEFS:
        for lang in ("zh", "en"):
            language = project.language(lang)
            root = parse_html(fixture_dist / brief / f"full-report.{lang}.html")
            spans = list(find_all(root, "span", class_="fact"))
            assert len(spans) > 8
            for span in spans:
                fact = project.facts.facts[span.get("data-fact")]
                unit = project.facts.units[fact.unit]
                expected = {
                    format_fact(fact, unit, language),
                    format_fact(fact, unit, language, with_unit=False),
                }
                if fact.date:
                    expected.add(language.date(fact.date))
                # the typesetter's no-break spaces aside (render/typography.py)
                shown = text_of(span).replace("\u00a0", " ").replace("\u2060", "")
                assert shown in expected, (fact.id, text_of(span))


def test_inline_css_is_not_escaped(fixture_dist):
    html = (fixture_dist / "qiaotou" / "full-report.zh.html").read_text(encoding="utf-8")
    style = html[html.index("<style>") : html.index("</style>")]
    assert "&#34;" not in style and "&gt;" not in style and "&quot;" not in style
    assert '"Noto Serif CJK SC"' in style


def test_language_switch_and_pdf_link(fixture_dist):
    root = parse_html(fixture_dist / "hexi" / "decision-makers.zh.html")
    nav = next(find_all(root, "nav", class_="edition"))
    hrefs = [a.get("href") for a in find_all(nav, "a")]
    assert "decision-makers.en.html" in hrefs and "decision-makers.zh.pdf" in hrefs
    assert (fixture_dist / "hexi" / "decision-makers.en.html").is_file()


def test_index_lists_every_output_with_working_links(fixture_dist):
    root = parse_html(fixture_dist / "index.html")
    hrefs = [a.get("href") for a in find_all(root, "a")]
    expected = {f"{b}/{a}.{lang}.{fmt}" for b, a, lang in outputs() for fmt in ("html", "pdf")}
    assert expected <= set(hrefs)
    for href in hrefs:
        assert (fixture_dist / href).is_file(), href
    titles = [text_of(h) for h in find_all(root, "h2")]
    assert any("桥头镇" in t for t in titles) and any("Qiaotou" in t for t in titles)


def test_raw_html_in_prose_is_shown_as_text(fixture_project, tmp_path):
    from policybrief.build.pipeline import Options, build

    project = fixture_project
    text = project / "briefs" / "qiaotou" / "en.md"
    body = text.read_text(encoding="utf-8")
    text.write_text(
        body.replace("# lessons\n", "# lessons\n\n<script>alert('x')</script>\n", 1),
        encoding="utf-8",
    )
    build(
        Options(
            root=project,
            out=tmp_path / "out",
            briefs=("qiaotou",),
            langs=("en",),
            audiences=("full-report",),
            formats=("html",),
        )
    )
    html = (tmp_path / "out" / "qiaotou" / "full-report.en.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert" in html


def test_conflicted_fact_shows_the_conflict_in_its_note(fixture_dist):
    project, _ = load_project(fixture_dist.parent)
    root = parse_html(fixture_dist / "qiaotou" / "full-report.en.html")
    notes = [li for li in find_all(root, "li") if li.get("id", "").startswith("note-")]
    conflicted = {fid for c in project.facts.conflicts.values() for fid in c.facts}
    shown = 0
    for note in notes:
        fact_link = next(find_all(note, "a", class_="fact-link"))
        fact_id = fact_link.get("href").split("#")[1]
        has_conflict = bool(list(find_all(note, "span", class_="note-conflict")))
        assert has_conflict == (fact_id in conflicted), fact_id
        shown += has_conflict
    assert shown == 2  # qiaotou.staff.2016 and its other side, each cited once


QIAOTOU_URL = "https://qiaotou.example.org/case?from=test&lang=zh"


def test_fact_check_page_lists_every_fact_and_claim(fixture_dist):
    project, _ = load_project(fixture_dist.parent)
    root = parse_html(fixture_dist / "facts.html")
    cards = {a.get("id"): a for a in find_all(root, "article", class_="fact-card")}
    assert set(cards) == set(project.facts.facts) | set(project.facts.claims)
    card = cards["qiaotou.output.2016"]
    values = next(find_all(card, "dd", class_="values"))
    assert {s.get("lang"): text_of(s) for s in find_all(values, "span")} == {
        "zh-Hans": "超过20亿元",
        "en": "over CNY 2 billion",
        "zh-Hant": "超過20億元",  # each of the project's languages
    }
    assert "全年产值超过20亿元" in text_of(card)
    for card in cards.values():
        for link in find_all(card, "a"):
            href = link.get("href")
            if href.startswith("#"):
                assert href[1:] in cards
            elif href.startswith("https://"):  # a source's URL or DOI, in its reference
                assert href in ("https://doi.org/10.5555/hexi.2018", QIAOTOU_URL), href
            else:
                path, _, fragment = href.partition("#")
                page = parse_html(fixture_dist / path)
                assert not fragment or any(e.get("id") == fragment for e in page.iter()), href
    conflicts = list(find_all(root, "li", class_="conflict-item"))
    assert len(conflicts) == len(project.facts.conflicts)


def test_a_fact_shown_only_in_a_chart_is_cited_there(fixture_dist):
    """hexi.residents.2015 appears in no prose, only in the residents chart of the outcomes:
    the fact base says so, and links to the chart's section (it once said "not cited")."""
    root = parse_html(fixture_dist / "facts.html")
    card = next(
        a
        for a in find_all(root, "article", class_="fact-card")
        if a.get("id") == "hexi.residents.2015"
    )
    links = [
        (text_of(a), a.get("href")) for a in find_all(card, "a") if "hexi" in a.get("href", "")
    ]
    assert ("hexi · zh · outcomes", "hexi/full-report.zh.html#sec-outcomes") in links
    assert ("hexi · en · outcomes", "hexi/full-report.en.html#sec-outcomes") in links


def test_full_report_has_a_fact_check_appendix(fixture_dist):
    root = parse_html(fixture_dist / "hexi" / "full-report.zh.html")
    appendix = next(find_all(root, "section", class_="fact-check"))
    rows = list(find_all(appendix, "tr"))[1:]
    notes = [li for li in find_all(root, "li") if li.get("id", "").startswith("note-")]
    assert len(rows) == len(notes)


@pytest.mark.parametrize(("brief", "audience", "lang"), list(outputs()))
def test_citations_never_land_inside_attributes(fixture_dist, brief, audience, lang):
    root = parse_html(fixture_dist / brief / f"{audience}.{lang}.html")
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "<" not in value and "\ue000" not in value, (element.tag, name, value)
    body = next(find_all(root, "body"))
    assert not (body.text or "").strip(), body.text


def test_fact_check_links_go_to_the_full_text_edition_whatever_its_name(fixture_project, tmp_path):
    """The engine picks the edition that "cited in" links point to by the audiences'
    settings (full text, full endnotes), not by the name "full-report"."""
    from helpers import write_files

    from policybrief.build.pipeline import Options, build

    audiences = fixture_project / "house/audiences.yaml"
    write_files(
        fixture_project,
        {
            "house/audiences.yaml": audiences.read_text(encoding="utf-8")
            + "  dossier:\n    template: full-report.html\n"
            "    label: {zh: 档案, en: Dossier, zh-Hant: 檔案}\n    section_text: full\n"
            "    endnotes: full\n"
        },
    )
    brief = fixture_project / "briefs/hexi/brief.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "audiences: [full-report, decision-makers]", "audiences: [decision-makers, dossier]"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, briefs=("hexi",), formats=("html",)))
    root = parse_html(out / "facts.html")
    card = next(
        a for a in find_all(root, "article", class_="fact-card") if a.get("id") == "hexi.investment"
    )
    links = {a.get("href") for a in find_all(card, "a") if a.get("href", "").startswith("hexi/")}
    assert links == {
        "hexi/dossier.zh.html#sec-measures",
        "hexi/dossier.en.html#sec-measures",
        "hexi/dossier.zh-Hant.html#sec-measures",
    }


def _check_with_field_card(project, old: str, new: str):
    """`check` after one edit to the fixture's custom audience template: it must fail with
    messages, never a traceback."""
    from helpers import run_cli

    card = project / "house" / "field-card.html"
    card.write_text(card.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run_cli("check", "--project", str(project), "--brief", "qiaotou")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


def test_a_template_without_the_notes_partial_is_stopped_at_its_file(fixture_project):
    """Its citation marks would link to notes that are not there: the reader could not see
    the quote that proves a figure. `check` names the template and says what to include."""
    notes = '{% with compact = true %}{% include "_partials/notes.html" %}{% endwith %}'
    stderr = _check_with_field_card(fixture_project, notes, "")
    lines = [line for line in stderr.splitlines() if "which is not on the page" in line]
    assert lines, stderr
    assert all(line.startswith("house/field-card.html") for line in lines), lines
    assert (
        "links to #note-1, which is not on the page (citation marks link to their notes: "
        'include the notes partial ({% include "_partials/notes.html" %})' in stderr
    )


def test_an_in_page_link_to_nothing_is_stopped_at_its_template(fixture_project):
    front = "{% block front %}"
    stderr = _check_with_field_card(fixture_project, front, front + '<a href="#map">Map</a>')
    assert (
        "house/field-card.html:4: links to #map, which is not on the page "
        '(give the target an id="map", or remove the link)'
    ) in stderr


def test_a_template_error_names_the_copy_it_is_in(tmp_path, capsys):
    """Compiled templates are shared by name and source (render/environment.py), so the
    second of two projects holding the same broken template reuses the first one's code:
    its error must still name its own file and line, not the first project's."""
    import shutil

    from helpers import copy_fixture

    from policybrief.cli.main import main

    shown = []
    for name in ("first", "second"):
        project = copy_fixture(tmp_path / name)
        page = project / "templates" / "full-report.html"
        text = page.read_text(encoding="utf-8")
        assert "brief.subtitle }}" in text
        page.write_text(text.replace("brief.subtitle }}", "brief.subtitel }}", 1), "utf-8")
        line = next(n for n, row in enumerate(text.splitlines(), 1) if "brief.subtitle }}" in row)
        argv = ["--project", str(project), "--out", str(tmp_path / f"{name}-out"), "-q"]
        assert main([*argv, "--format", "html", "--brief", "qiaotou"]) == 1
        shown.append(capsys.readouterr().err.strip())
        shutil.rmtree(project)  # the first project's files are gone when the second builds
    expected = (
        f"Error: templates/full-report.html:{line}: template error: "
        "'dict object' has no attribute 'subtitel'"
    )
    assert shown == [expected, expected]

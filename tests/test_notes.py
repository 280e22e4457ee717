"""What the notes say to a reader (issue 24), on the fixture project: the curator's note
never printed, quotes from another language in the office's translation over the
original, a source in full at its first note and in short form after, a figure and its
label without a repeated word, and check's message for a missing translation."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from helpers import find_all, parse_html, pdf_pages, text_of

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.core.errors import InputError
from policybrief.core.languages import language
from policybrief.core.model import Fact, FactBase, Loc, Source, Text, Unit
from policybrief.render.notes import figure_and_label
from policybrief.render.wording import inner_quotes, short_citation

STUTTER_RE = re.compile(r"\b(\w+)\s+\1\b", re.I)


def _notes(page: Path) -> list:
    return [li for li in find_all(parse_html(page), "li") if li.get("id", "").startswith("note-")]


def test_the_curators_note_is_kept_but_never_printed(fixture_project):
    facts = fixture_project / "facts" / "qiaotou.yaml"
    text = facts.read_text(encoding="utf-8")
    text = text.replace(
        '    quote: "2016年，园区从业人员近8000人"\n',
        '    quote: "2016年，园区从业人员近8000人"\n'
        "    curator_note: Recorded as nearly under the house rules; see qiaotou.staff.2016-alt.\n",
    )
    facts.write_text(text, encoding="utf-8")
    out = fixture_project / "dist"
    build(Options(root=fixture_project, out=out, strict=True, formats=("html",)))
    for page in out.glob("*/*.html"):
        assert "house rules" not in page.read_text(encoding="utf-8"), page.name
    facts_page = parse_html(out / "facts.html")
    office = [text_of(dd) for dd in find_all(facts_page, "dd") if "house rules" in text_of(dd)]
    assert office == ["Recorded as nearly under the house rules; see qiaotou.staff.2016-alt."]


def test_check_names_a_quote_without_the_translation_an_edition_needs(fixture_project):
    facts = fixture_project / "facts" / "qiaotou.yaml"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    where = next(n for n, line in enumerate(lines, 1) if "id: qiaotou.fund.cap" in line)
    kept = [
        line
        for n, line in enumerate(lines, 1)
        if not (n > where and n < where + 12 and "translation:" in line)
    ]
    facts.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_and_check(Options(root=fixture_project))
    assert [str(p) for p in raised.value.problems] == [
        f"facts/qiaotou.yaml:{where}: 'qiaotou.fund.cap': its quote has no en translation, "
        "which the en editions print (add translation: {en: ...}, the office's translation, "
        "printed with the original beneath)"
    ]


def test_english_notes_give_the_translation_over_the_original(fixture_dist):
    notes = _notes(fixture_dist / "qiaotou" / "full-report.en.html")
    quoted = [li for li in notes if list(find_all(li, "q", class_="note-quote"))]
    assert quoted
    for li in quoted:
        translation = next(find_all(li, "span", class_="note-translation"))
        original = next(find_all(li, "q", class_="note-quote"))
        assert not re.search(r"[\u4e00-\u9fff]", text_of(translation)), text_of(li)
        assert [e for e in li.iter() if e in (translation, original)] == [translation, original]
    zh = _notes(fixture_dist / "qiaotou" / "full-report.zh.html")
    assert zh and not any(list(find_all(li, "span", class_="note-translation")) for li in zh)


def test_a_source_is_cited_in_full_once_then_in_short(fixture_dist):
    for lang, short in (("en", "Park Management Committee (2017)"), ("zh", "园区管委会（2017）")):
        notes = _notes(fixture_dist / "qiaotou" / f"full-report.{lang}.html")
        full = [li for li in notes if list(find_all(li, "span", class_="csl-entry"))]
        assert len(full) == 1, lang  # the case study, the brief's one source
        later = [" ".join(text_of(li).split()) for li in notes if li not in full]
        assert later and all(short in text for text in later if "Calculated" not in text)
    page = " ".join("\n".join(pdf_pages(fixture_dist / "qiaotou/full-report.en.pdf")).split())
    assert "Park Management Committee (2017)" in page
    # the Word edition's notes are Word endnotes (word/endnotes.xml)
    word = docx.Document(str(fixture_dist / "qiaotou" / "full-report.en.docx"))
    endnotes = next(p for p in word.part.package.parts if p.partname.endswith("endnotes.xml"))
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", endnotes.blob.decode("utf-8")))
    assert text.count("Park Management Committee 园区管委会. 2017.") == 1
    assert "Park Management Committee (2017)" in text
    assert "“In 2016 the park employed nearly 8,000 people”“2016年，园区从业人员近8000人”" in text


def test_no_printed_label_repeats_a_word(fixture_dist):
    for page in sorted(fixture_dist.glob("*/*.html")):
        for li in _notes(page):
            headline = " ".join(text_of(li).split()).split(". ")[0]
            assert not STUTTER_RE.search(headline), headline
            assert ") (" not in headline and "）（" not in headline, headline


def _facts(label: str, unit: Unit, date: str | None = "2017") -> tuple[FactBase, Fact]:
    from policybrief.core.model import PartialDate

    fact = Fact(
        "x",
        Decimal(41),
        unit.id,
        "exact",
        PartialDate(int(date)) if date else None,
        Text((("en", label), ("zh", "车厢（远期目标）"))),
        "",
        "",
        None,
        Loc("facts/x.yaml", 1),
    )
    return FactBase({}, {unit.id: unit}, {"x": fact}, {}, {}), fact


def test_a_figure_and_its_label_say_the_unit_once_in_one_pair_of_brackets():
    carriage = Unit("carriage", "count", (("en", ("carriage", "carriages")), ("zh", ("节", "节"))))
    facts, fact = _facts("carriages on a freight train (long-term target)", carriage)
    assert figure_and_label(facts, fact, language("en")) == (
        "41",
        "carriages on a freight train (long-term target, 2017)",
    )
    assert figure_and_label(facts, fact, language("zh")) == ("41节", "车厢（远期目标，2017年）")
    # "towns" after "for" is not what is counted: the unit word stays with the figure
    town = Unit("town", "count", (("en", ("town", "towns")), ("zh", ("个", "个"))))
    facts, fact = _facts("national target for characteristic towns", town, None)
    assert figure_and_label(facts, fact, language("en"))[0] == "41 towns"


def test_short_citations_and_inner_quotes():
    from policybrief.core.model import Person

    jia = Source(
        "jia",
        "jia.txt",
        Text((("en", "A title"), ("zh", "标题"))),
        Text((("en", "Jia Zhencheng"), ("zh", "贾振成"))),
        Text(()),
        2017,
        None,
        Loc("facts/sources.yaml", 1),
        language="zh",
        authors=(Person(family="贾", given="振成"),),
    )
    assert short_citation(jia, "en") == "Jia (2017)"
    assert short_citation(jia, "zh") == "贾振成（2017）"
    assert inner_quotes("“出海”到墨西哥", "en") == "‘出海’到墨西哥"
    assert inner_quotes("“出海”到墨西哥", "zh") == "“出海”到墨西哥"

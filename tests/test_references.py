"""References through CSL (citeproc-py with the styles in policybrief/csl/): the formatted
strings pinned for four kinds of source in both default styles, each entry's name list in
its own language, the entries where a reader sees them (HTML, PDF), the style chosen per
audience and per project, and the exports for reference managers."""

from __future__ import annotations

import json
import re

import pytest
from helpers import find_all, parse_html, pdf_pages, run_cli, squash, text_of

from policybrief.build.pipeline import Options, build
from policybrief.core.model import FactBase, Loc, PartialDate, Person, Source, Text
from policybrief.load import refstyles
from policybrief.render import references

GBT = "gb-t-7714-2025-numeric"
CHICAGO = "chicago-author-date"


def _source(sid: str, **fields) -> Source:
    base = {
        "id": sid,
        "file": "",
        "title": Text(()),
        "author": Text(()),
        "publication": Text(()),
        "year": None,
        "note": None,
        "loc": Loc("facts/sources.yaml", 1),
    }
    return Source(**{**base, **fields})


# Four kinds of source. The notice is the one the Yunqi case study names (建村[2016]147号,
# issued by the three ministries in July 2016); the others are made up for the test, with
# Crossref's test DOI prefix.
SOURCES = {
    "journal": _source(
        "journal",
        title=Text((("en", "Cloud towns and innovation in Zhejiang"),)),
        authors=(Person("Smith", "John Alan"), Person("Doe", "Jane")),
        kind="journal article",
        container="Journal of Urban Studies",
        issued=PartialDate(2017, 3),
        volume="12",
        issue="3",
        pages="45-48",
        doi="10.5555/jus.2017.3",
        language="en",
    ),
    "news": _source(
        "news",
        title=Text((("en", "Yunqi hosts cloud summit"),)),
        authors=(Person("Lee", "Mary"),),
        kind="web page",
        container="Example News",
        issued=PartialDate(2016, 10, 14),
        url="https://news.example.com/yunqi",
        accessed=PartialDate(2026, 11, 20),
        language="en",
    ),
    "notice": _source(
        "notice",
        title=Text(
            (
                ("zh", "关于开展特色小镇培育工作的通知"),
                ("en", "Notice on cultivating characteristic towns"),
            )
        ),
        authors=(
            Person(literal="国家发展改革委"),
            Person(literal="财政部"),
            Person(literal="住房城乡建设部"),
        ),
        kind="government document",
        number="建村〔2016〕147号",
        issued=PartialDate(2016, 7),
        language="zh",
    ),
    "report": _source(
        "report",
        title=Text((("zh", "河西新城绿色发展报告"), ("en", "Green development in Hexi New Town"))),
        authors=(Person(literal="河西新城研究组"),),
        kind="report",
        publisher=Text((("zh", "河西新城研究院"), ("en", "Hexi New Town Institute"))),
        number="HX-2018-07",
        issued=PartialDate(2018),
        language="zh",
    ),
    "four-zh": _source(
        "four-zh",
        title=Text(
            (("zh", "云栖小镇的产业生态"), ("en", "The industrial ecosystem of Yunqi Town"))
        ),
        authors=(Person("张", "三"), Person("李", "四"), Person("王", "五"), Person("赵", "六")),
        kind="journal article",
        container="城市研究",
        issued=PartialDate(2017),
        volume="8",
        issue="2",
        pages="10-19",
        language="zh",
    ),
    "eight-en": _source(
        "eight-en",
        title=Text((("en", "Eight authors"),)),
        authors=tuple(Person(f"Name{c}", "Ann") for c in "ABCDEFGH"),
        kind="journal article",
        container="Journal",
        issued=PartialDate(2019),
        language="en",
    ),
    "eight-zh": _source(
        "eight-zh",
        title=Text((("zh", "八位作者"), ("en", "Eight authors in Chinese"))),
        authors=tuple(Person(c, "明") for c in "赵钱孙李周吴郑王"),
        kind="journal article",
        container="学报",
        issued=PartialDate(2019),
        language="zh",
    ),
}
FACTS = FactBase(SOURCES, {}, {}, {}, {}, True)

GOLDEN = {
    (
        "zh",
        GBT,
        "journal",
    ): "Smith J A，Doe J. Cloud towns and innovation in Zhejiang[J/OL]. Journal of Urban Studies，2017，12（3）：45-48. DOI:10.5555/jus.2017.3.",
    (
        "zh",
        GBT,
        "news",
    ): "Lee M. Yunqi hosts cloud summit[EB/OL]. （2016-10-14）[2026-11-20]. https://news.example.com/yunqi.",
    (
        "zh",
        GBT,
        "notice",
    ): "国家发展改革委，财政部，住房城乡建设部. 关于开展特色小镇培育工作的通知：建村〔2016〕147号[R]. 2016-07.",
    (
        "zh",
        GBT,
        "report",
    ): "河西新城研究组. 河西新城绿色发展报告：HX-2018-07[R]. 河西新城研究院，2018.",
    (
        "en",
        CHICAGO,
        "journal",
    ): "Smith, John Alan, and Jane Doe. 2017. “Cloud Towns and Innovation in Zhejiang.” Journal of Urban Studies 12 (3): 45–48. https://doi.org/10.5555/jus.2017.3.",
    (
        "en",
        CHICAGO,
        "news",
    ): "Lee, Mary. 2016. “Yunqi Hosts Cloud Summit.” Example News, October 14. https://news.example.com/yunqi.",
    (
        "en",
        CHICAGO,
        "notice",
    ): "国家发展改革委, 财政部, and 住房城乡建设部. 2016. 关于开展特色小镇培育工作的通知 [Notice on cultivating characteristic towns]. 建村〔2016〕147号.",
    (
        "en",
        CHICAGO,
        "report",
    ): "河西新城研究组. 2018. 河西新城绿色发展报告 [Green development in Hexi New Town]. HX-2018-07. 河西新城研究院.",
}


@pytest.mark.parametrize("lang, style, sid", sorted(GOLDEN))
def test_each_kind_of_source_is_formatted_as_pinned(lang, style, sid):
    made = references.format_references(FACTS, [sid], lang, style)[sid]
    assert made.text == GOLDEN[(lang, style, sid)]


def test_the_html_entry_has_the_styles_markup_and_live_links():
    journal = references.format_references(FACTS, ["journal"], "en", CHICAGO)["journal"]
    assert str(journal.html) == (
        "Smith, John Alan, and Jane Doe. 2017. “Cloud Towns and Innovation in Zhejiang.” "
        "<i>Journal of Urban Studies</i> 12 (3): 45–48. "
        '<a href="https://doi.org/10.5555/jus.2017.3">https://doi.org/10.5555/jus.2017.3</a>.'
    )
    news = references.format_references(FACTS, ["news"], "zh", GBT)["news"]
    assert '<a href="https://news.example.com/yunqi">' in news.html


def test_each_entry_ends_its_author_list_in_its_own_language():
    ids = ["four-zh", "eight-en", "eight-zh"]
    zh = references.format_references(FACTS, ids, "zh", GBT)
    assert zh["four-zh"].text.startswith("张三，李四，王五，等. 云栖小镇的产业生态[J].")
    assert zh["eight-en"].text.startswith("NameA A，NameB A，NameC A，et al. Eight authors[J].")
    en = references.format_references(FACTS, ids, "en", CHICAGO)
    assert en["eight-zh"].text.startswith("赵明, 钱明, 孙明, 等. 2019.")
    assert en["eight-en"].text.startswith("NameA, Ann, Ann NameB, Ann NameC, et al. 2019.")
    # A Chinese name: family then given, no space, never initialized.
    assert "张三, 李四, 王五, and 赵六. 2017." in en["four-zh"].text


def test_numeric_labels_follow_citation_order_and_author_date_lists_sort_by_author():
    ids = ["report", "journal", "news"]
    zh = references.format_references(FACTS, ids, "zh", GBT)
    assert [(r.source, r.label) for r in zh.values()] == [
        ("report", "[1]"),
        ("journal", "[2]"),
        ("news", "[3]"),
    ]
    en = references.format_references(FACTS, ids, "en", CHICAGO)
    assert [(r.source, r.label) for r in en.values()] == [
        ("news", ""),
        ("journal", ""),
        ("report", ""),
    ]


def test_a_sources_text_cannot_inject_markup():
    hostile = _source(
        "x",
        title=Text((("en", '<script>alert(1)</script> & "q"'),)),
        authors=(Person(literal="A<b>"),),
        kind="web page",
        url="https://e.example/?a=1&b=<x>",
        issued=PartialDate(2016),
        language="en",
    )
    facts = FactBase({"x": hostile}, {}, {}, {}, {}, True)
    for style in refstyles.STYLES:
        made = references.format_references(facts, ["x"], "en", style)["x"]
        assert "<script>" not in made.html and "<b>" not in made.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in made.html
        assert '<a href="https://e.example/?a=1&amp;b=&lt;x&gt;">' in made.html
        assert "<script>alert(1)</script>" in made.text


# -- on the pages ----------------------------------------------------------------------------
QIAOTOU = {
    "zh": "园区管委会. 桥头镇数字产业园案例[EB/OL]. （2017-06-12）[2018-03-01]. "
    "https://qiaotou.example.org/case?from=test&lang=zh.",
    "en": "Park Management Committee 园区管委会. 2017. “桥头镇数字产业园案例 [The Qiaotou digital "
    "industry park: a case "
    "study].” 桥头镇数字产业园, June 12. https://qiaotou.example.org/case?from=test&lang=zh.",
}
HEXI = {
    "zh": "河西新城研究组，林小河. 河西新城绿色发展报告：HX-2018-07[R/OL]. 河西新城研究院，2018. "
    "DOI:10.5555/hexi.2018.",
    "en": "河西新城研究组, and 林小河. 2018. 河西新城绿色发展报告 [Green development in Hexi New "
    "Town]. HX-2018-07. 河西新城研究院. https://doi.org/10.5555/hexi.2018.",
}
# after a source's first note, the notes cite it in short form (issue 24)
SHORT = {
    # a Chinese note's sentence ends in 。 (render/typography.py); the GB/T entry keeps its "."
    "zh": ("园区管委会（2017）。", "河西新城研究组、林小河（2018）。"),
    "en": ("Park Management Committee (2017).", "Hexi New Town Study Group (2018)."),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_endnotes_and_reference_list_carry_the_formatted_reference_then_the_quote(
    fixture_dist, lang
):
    page = parse_html(fixture_dist / "qiaotou" / f"full-report.{lang}.html")
    notes = [li for li in find_all(page, "li") if li.get("id", "").startswith("note-")]
    cited = [li for li in notes if find_all(li, "q", class_="note-quote")]
    assert cited
    for li in cited:
        source = next(find_all(li, "span", class_="note-source"))
        quote = next(find_all(li, "q", class_="note-quote"))
        assert text_of(source) in (QIAOTOU[lang], HEXI[lang], *SHORT[lang])
        assert list(li.iter()).index(source) < list(li.iter()).index(quote)
    first = [text_of(next(find_all(li, "span", class_="note-source"))) for li in cited]
    assert first[0] == QIAOTOU[lang] and first.count(QIAOTOU[lang]) == 1
    listed = [text_of(li) for li in find_all(page, "li", role="doc-biblioentry")]
    label = {"zh": "[1] ", "en": ""}[lang]
    assert listed[0] == label + QIAOTOU[lang]
    links = [a.get("href") for a in find_all(page, "a")]
    assert "https://qiaotou.example.org/case?from=test&lang=zh" in links
    exports = next(find_all(page, "p", class_="reference-exports"))
    hrefs = [a.get("href") for a in find_all(exports, "a")]
    assert hrefs == ["references.json", "references.bib", "references.ris"]
    assert all((fixture_dist / "qiaotou" / href).is_file() for href in hrefs)


def test_print_footnotes_and_back_cover_use_the_formatted_reference(fixture_dist):
    page = parse_html(fixture_dist / "qiaotou" / "print-edition.zh.html")
    footnotes = [text_of(s) for s in find_all(page, "span", class_="footnote")]
    assert footnotes and any(QIAOTOU["zh"] in f for f in footnotes)
    back = [text_of(li) for li in find_all(page, "li", role="doc-biblioentry")]
    assert back[0] == "[1] " + QIAOTOU["zh"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pdf_prints_the_formatted_references(fixture_dist, lang):
    text = squash("".join(pdf_pages(fixture_dist / "hexi" / f"full-report.{lang}.pdf")))
    assert squash(HEXI[lang]) in text
    pages = squash("".join(pdf_pages(fixture_dist / "qiaotou" / f"print-edition.{lang}.pdf")))
    assert squash(QIAOTOU[lang]) in pages


def test_the_fact_base_shows_each_source_formatted(fixture_dist):
    page = parse_html(fixture_dist / "facts.html")
    shown = {text_of(s) for s in find_all(page, "span", class_="csl-entry")}
    assert QIAOTOU["en"] in shown and HEXI["en"] in shown


# -- the exports -----------------------------------------------------------------------------
def test_csl_json_reads_back_and_formats_again(fixture_dist):
    items = json.loads((fixture_dist / "hexi" / "references.json").read_text(encoding="utf-8"))
    assert items == [
        {
            "DOI": "10.5555/hexi.2018",
            "author": [{"literal": "河西新城研究组"}, {"family": "林", "given": "小河"}],
            "id": "hexi-report",
            "issued": {"date-parts": [[2018]]},
            "language": "zh",
            "number": "HX-2018-07",
            "publisher": "河西新城研究院",
            "title": "河西新城绿色发展报告",
            "type": "report",
        }
    ]
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style, _label = references.load_style(GBT, "zh-CN")
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem("hexi-report")]))
    # citeproc-py on its own spaces a Chinese name (林 小河); the engine hands it over whole
    assert [str(e) for e in bibliography.bibliography()] == [
        "河西新城研究组，林 小河. 河西新城绿色发展报告：HX-2018-07[R/OL]. 河西新城研究院，2018. "
        "DOI:10.5555/hexi.2018."
    ]


def _bibtex_entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    entries = []
    for kind, key, body in re.findall(r"@(\w+)\{([^,\s]+),\n(.*?)\n\}\n", text, re.S):
        fields = {}
        for line in body.split(",\n"):
            name, _, value = line.strip().partition(" = ")
            assert value.startswith("{") and value.endswith("}"), line
            depth = 0
            for char, previous in zip(value, " " + value, strict=False):
                if previous != "\\":
                    depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, line
            assert depth == 0, line
            fields[name] = value[1:-1]
        entries.append((kind, key, fields))
    return entries


def test_bibtex_entries_are_well_formed_with_their_fields(fixture_dist):
    text = (fixture_dist / "qiaotou" / "references.bib").read_text(encoding="utf-8")
    entries = _bibtex_entries(text)
    assert [(kind, key) for kind, key, _ in entries] == [("online", "qiaotou-case")]
    fields = entries[0][2]
    assert fields == {
        "author": "{园区管委会}",
        "title": "桥头镇数字产业园案例",
        "howpublished": "桥头镇数字产业园",
        "url": r"https://qiaotou.example.org/case?from=test\&lang=zh",
        "langid": "zh",
        "year": "2017",
        "date": "2017-06-12",
        "urldate": "2018-03-01",
    }
    hexi = _bibtex_entries((fixture_dist / "hexi" / "references.bib").read_text(encoding="utf-8"))
    assert hexi[0][0] == "techreport" and hexi[0][2]["author"] == "{河西新城研究组} and 林, 小河"
    assert (
        hexi[0][2]["institution"] == "河西新城研究院" and hexi[0][2]["doi"] == "10.5555/hexi.2018"
    )


def test_ris_records_are_well_formed_with_their_fields(fixture_dist):
    raw = (fixture_dist / "qiaotou" / "references.ris").read_bytes()
    lines = raw.decode("utf-8").split("\r\n")
    records = "\r\n".join(lines).strip().split("ER  - ")
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines if line)
    assert lines[0] == "TY  - ELEC" and [line for line in lines if line][-1] == "ER  - "
    assert len([r for r in records if r.strip()]) == 1
    assert {
        "ID  - qiaotou-case",
        "AU  - 园区管委会",
        "TI  - 桥头镇数字产业园案例",
        "T2  - 桥头镇数字产业园",
        "UR  - https://qiaotou.example.org/case?from=test&lang=zh",
        "PY  - 2017",
        "DA  - 2017/06/12/",
        "Y2  - 2018/03/01",
        "LA  - zh",
    } <= set(lines)
    hexi = (fixture_dist / "hexi" / "references.ris").read_bytes().decode().split("\r\n")
    assert {
        "TY  - RPRT",
        "AU  - 河西新城研究组",
        "AU  - 林, 小河",
        "DO  - 10.5555/hexi.2018",
    } <= set(hexi)


def test_exports_follow_format_selection_and_the_cache(fixture_project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, briefs=("hexi",), formats=("docx",)))
    assert not (out / "hexi" / "references.json").exists()  # no page links them
    build(Options(root=fixture_project, out=out, briefs=("hexi",), formats=("html",)))
    exports = [out / "hexi" / f"references.{ext}" for ext in ("json", "bib", "ris")]
    stamps = [p.stat().st_mtime_ns for p in exports]
    build(Options(root=fixture_project, out=out, briefs=("hexi",), formats=("html",), force=False))
    assert [p.stat().st_mtime_ns for p in exports] == stamps  # nothing changed: not rewritten
    path = fixture_project / "facts" / "sources.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("number: HX-2018-07", "number: HX-2018-08"),
        encoding="utf-8",
    )
    build(Options(root=fixture_project, out=out, briefs=("hexi",), formats=("html",)))
    assert all("HX-2018-08" in p.read_text(encoding="utf-8") for p in exports)


# -- choosing a style ------------------------------------------------------------------------
def test_a_style_is_chosen_per_audience_and_per_project(fixture_project, tmp_path):
    audiences = fixture_project / "templates" / "audiences.yaml"
    text = audiences.read_text(encoding="utf-8")
    anchor = "    template: full-report.html\n"
    audiences.write_text(text.replace(anchor, anchor + f"    reference_style: {CHICAGO}\n"))
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, briefs=("qiaotou",), formats=("html",)))
    full = text_of(parse_html(out / "qiaotou" / "full-report.zh.html"))
    assert QIAOTOU_CHICAGO_ZH in full and QIAOTOU["zh"] not in full
    printed = text_of(parse_html(out / "qiaotou" / "print-edition.zh.html"))
    assert QIAOTOU["zh"] in printed  # other audiences keep the default
    pyproject = fixture_project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + f'reference_style = {{en = "{GBT}"}}\n',
        encoding="utf-8",
    )
    build(Options(root=fixture_project, out=out, briefs=("qiaotou",), formats=("html",)))
    printed = text_of(parse_html(out / "qiaotou" / "print-edition.en.html"))
    assert QIAOTOU_GBT_EN in printed and QIAOTOU["en"] not in printed
    full = text_of(parse_html(out / "qiaotou" / "full-report.en.html"))
    assert QIAOTOU["en"] in full  # the audience's setting wins over the project's


# Chicago in a Chinese page takes zh-CN's terms and month names in Chicago's order (a limit
# of the style, written for English; see README).
QIAOTOU_CHICAGO_ZH = "园区管委会. 2017. 《桥头镇数字产业园案例》. 桥头镇数字产业园, 六月 12."
QIAOTOU_GBT_EN = (
    "园区管委会. 桥头镇数字产业园案例 [The Qiaotou digital industry park: a case study][EB/OL]. "
    "（2017-06-12）[2018-03-01]. https://qiaotou.example.org/case?from=test&lang=zh."
)


def test_an_unknown_style_is_an_error_at_its_line(fixture_project):
    audiences = fixture_project / "house" / "audiences.yaml"
    audiences.write_text(
        audiences.read_text(encoding="utf-8") + "    reference_style: chicago-autor-date\n",
        encoding="utf-8",
    )
    pyproject = fixture_project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + 'reference_style = {fr = "chicago-author-date"}\n',
        encoding="utf-8",
    )
    result = run_cli("check", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    # pyproject.toml is read first; its errors stop the run before anything else is read
    line = (
        pyproject.read_text(encoding="utf-8")
        .splitlines()
        .index('reference_style = {fr = "chicago-author-date"}')
    )
    assert result.stderr.splitlines() == [
        f"pyproject.toml:{line + 1}: reference_style: unknown language 'fr' "
        "(use zh, en or zh-Hant)"  # the fixture's languages
    ]
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("fr =", "zh ="), encoding="utf-8"
    )
    result = run_cli("check", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    last = len(audiences.read_text(encoding="utf-8").splitlines())  # the line added above
    assert (
        f"house/audiences.yaml:{last}: unknown reference style 'chicago-autor-date' "
        "(did you mean chicago-author-date?)"
    ) in result.stderr.splitlines()


def test_bad_bibliographic_fields_are_errors_at_their_line(fixture_project):
    path = fixture_project / "facts" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    doi: 10.5555/hexi.2018\n", "    doi: hexi.2018\n")
    text = text.replace("      - {family: 林, given: 小河}\n", "      - {given: 小河, famly: 林}\n")
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("facts/")]
    written = text.splitlines()
    person = 1 + next(n for n, line in enumerate(written) if "famly: 林" in line)
    doi = 1 + next(n for n, line in enumerate(written) if "doi: hexi.2018" in line)
    assert lines == [
        f"facts/sources.yaml:{person}: source 'hexi-report': authors[2] has a given name but "
        "no family",
        f"facts/sources.yaml:{person}: source 'hexi-report': authors[2]: unknown field 'famly' "
        "(did you mean family? allowed: family, given, literal)",
        f"facts/sources.yaml:{doi}: source 'hexi-report': doi 'hexi.2018' is not a DOI "
        "(write it as 10.1234/abc)",
    ]

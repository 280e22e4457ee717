"""What a brief's web page tells machines and citing readers about the brief itself: the
schema.org JSON-LD and Open Graph card in its head, the social picture those name, and the
"cite this brief" block with the brief's own CSL-JSON, BibTeX and RIS (render/archive.py,
output/social.py). Read from the session build (`fixture_dist`), a one-page build with a
hostile title; tests/test_browser.py reads the same in Chromium.
"""

from __future__ import annotations

import io
import json

import pytest
from helpers import find_all, parse_html, text_of
from PIL import Image

from policybrief.build.pipeline import Options, build
from policybrief.core.htmlparse import parse
from policybrief.output.social import social_card
from policybrief.render.archive import script_json

pybtex_database = pytest.importorskip("pybtex.database")
rispy = pytest.importorskip("rispy")

PAGES = [
    ("hexi", "full-report", "zh"),
    ("hexi", "full-report", "en"),
    ("hexi", "decision-makers", "zh-Hant"),
    ("qiaotou", "full-report", "en"),
    ("qiaotou", "press", "zh"),
]
TAGS = {"zh": "zh-Hans", "en": "en", "zh-Hant": "zh-Hant"}
LOCALES = {"zh": "zh_CN", "en": "en_US", "zh-Hant": "zh_TW"}
DATES = {"hexi": "2026-09-01", "qiaotou": "2026-10-15"}
TITLES = {
    ("hexi", "zh"): "河西新城：以绿地率为先的新城建设",
    ("hexi", "en"): "Hexi New Town: green space first",
}


def _json_ld(root) -> dict:
    scripts = [s for s in find_all(root, "script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    return json.loads(text_of(scripts[0]))


def _og(root) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in find_all(root, "meta"):
        if meta.get("property"):
            found.setdefault(meta.get("property"), []).append(meta.get("content"))
    return found


@pytest.mark.parametrize(("brief", "audience", "lang"), PAGES)
def test_json_ld_is_a_report_that_cites_the_sources_the_page_lists(
    fixture_dist, brief, audience, lang
):
    root = parse_html(fixture_dist / brief / f"{audience}.{lang}.html")
    data = _json_ld(root)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Report"
    title = text_of(next(find_all(root, "h1", class_="doc-title")))
    assert data["name"] == data["headline"] == " ".join(title.split())
    assert data["inLanguage"] == TAGS[lang]
    assert data["datePublished"] == DATES[brief]
    assert data["author"] and all(a["@type"] and a["name"] for a in data["author"])
    assert data["publisher"]["name"]
    # the sources the page shows, by their titles in their own languages, as exported
    exported = json.loads((fixture_dist / brief / "references.json").read_text(encoding="utf-8"))
    titles = {item["title"] for item in exported}
    cited = {c["name"] for c in data["citation"]}
    assert cited and cited <= titles
    assert {e["contentUrl"] for e in data["encoding"]} == {
        f"{audience}.{lang}.{kind}" for kind in ("html", "pdf", "docx")
    }
    assert (fixture_dist / brief / data["image"]).is_file()


@pytest.mark.parametrize("brief", ["hexi", "qiaotou"])
def test_a_full_report_cites_every_source_of_its_brief(fixture_dist, brief):
    data = _json_ld(parse_html(fixture_dist / brief / "full-report.zh.html"))
    exported = json.loads((fixture_dist / brief / "references.json").read_text("utf-8"))
    assert sorted(c["name"] for c in data["citation"]) == sorted(i["title"] for i in exported)
    by_title = {c["name"]: c for c in data["citation"]}
    for item in exported:  # each citation says who wrote it and when, as the export does
        cited = by_title[item["title"]]
        assert len(cited["author"]) == len(item.get("author", []))
        assert cited["datePublished"].startswith(str(item["issued"]["date-parts"][0][0]))


@pytest.mark.parametrize(("brief", "audience", "lang"), PAGES)
def test_the_open_graph_card_names_a_generated_1200_by_630_picture(
    fixture_dist, brief, audience, lang
):
    root = parse_html(fixture_dist / brief / f"{audience}.{lang}.html")
    og = _og(root)
    title = root.find(".//{http://www.w3.org/1999/xhtml}title").text
    assert og["og:title"] == [title] and og["og:type"] == ["article"]
    assert og["og:description"][0] and og["og:locale"] == [LOCALES[lang]]
    assert LOCALES[lang] not in og["og:locale:alternate"]
    picture = fixture_dist / brief / og["og:image"][0]
    assert og["og:image"] == [f"social.{lang}.png"]
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.size == (1200, 630)
        assert [og["og:image:width"], og["og:image:height"]] == [["1200"], ["630"]]
        # the theme's accent colour fills the card (built-in theme: #1d4e89)
        assert image.convert("RGB").getpixel((600, 600)) == (0x1D, 0x4E, 0x89)


def test_the_card_draws_the_title_the_same_way_every_time(fixture_dist):
    """Same inputs, same bytes: the file of the session build is the card drawn again."""
    built = (fixture_dist / "hexi" / "social.zh.png").read_bytes()
    again = social_card(TITLES["hexi", "zh"], "测试研究组 · 2026年9月1日", True, {})
    assert built == again
    other = social_card(TITLES["hexi", "en"], "Test Research Group · 1 September 2026", False, {})
    assert other != again
    # the title is drawn: white pixels in the title's band, none below the rule
    with Image.open(io.BytesIO(again)) as image:
        rgb = image.convert("RGB")
        band = [rgb.getpixel((x, y)) for x in range(80, 1100, 4) for y in range(90, 170, 4)]
        assert (255, 255, 255) in band


@pytest.mark.parametrize(
    ("lang", "entry"),
    [
        ("zh", "测试研究组. 河西新城：以绿地率为先的新城建设[R]. 测试研究组，2026."),
        ("en", "Test Research Group. 2026. Hexi New Town: Green Space First. Test Research Group."),
    ],
)
def test_cite_this_brief_in_the_pages_reference_style_with_its_files(fixture_dist, lang, entry):
    root = parse_html(fixture_dist / "hexi" / f"full-report.{lang}.html")
    block = next(find_all(root, "section", id="cite-this"))
    shown = text_of(next(find_all(block, "p", class_="cite-this-entry")))
    assert " ".join(shown.split()) == entry
    links = {a.text: a.get("href") for a in find_all(block, "a")}
    assert links == {
        k: f"cite.{lang}.{x}" for k, x in [("CSL-JSON", "json"), ("BibTeX", "bib"), ("RIS", "ris")]
    }
    folder = fixture_dist / "hexi"
    [item] = json.loads((folder / links["CSL-JSON"]).read_text(encoding="utf-8"))
    assert item["title"] == TITLES["hexi", lang] and item["type"] == "report"
    assert item["language"] == TAGS[lang] and item["issued"] == {"date-parts": [[2026, 9, 1]]}
    bib = pybtex_database.parse_string((folder / links["BibTeX"]).read_text("utf-8"), "bibtex")
    [(key, record)] = bib.entries.items()
    assert key == "hexi" and record.type == "techreport"
    assert record.fields["title"] == TITLES["hexi", lang]
    [ris] = rispy.loads((folder / links["RIS"]).read_text(encoding="utf-8"))
    assert ris["type_of_reference"] == "RPRT" and ris["title"] == TITLES["hexi", lang]


HOSTILE = '</script><script>alert(1)</script><!-- & \u2028 "x" <b>'


def test_script_json_cannot_end_its_script_element():
    text = str(script_json({"name": HOSTILE}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": HOSTILE}


def test_a_hostile_title_stays_data_and_reaches_the_cite_files(fixture_project, tmp_path):
    """A title holding ``</script>`` stays a string in the JSON-LD and an attribute in the
    Open Graph tags; and a changed title reaches the brief's own citation and card on the
    next build (their cache key holds the brief's text)."""
    options = Options(
        root=fixture_project,
        out=tmp_path,
        briefs=("hexi",),
        audiences=("decision-makers",),
        langs=("en",),
        formats=("html",),
    )
    build(options)
    card = (tmp_path / "hexi" / "social.en.png").read_bytes()
    en = fixture_project / "briefs" / "hexi" / "en.md"
    text = en.read_text(encoding="utf-8")
    en.write_text(
        text.replace('title: "Hexi New Town: green space first"', f"title: {json.dumps(HOSTILE)}"),
        encoding="utf-8",
    )
    build(options)
    html = (tmp_path / "hexi" / "decision-makers.en.html").read_text(encoding="utf-8")
    root = parse(html)
    scripts = list(find_all(root, "script"))
    assert not any(
        "alert" in text_of(s) and s.get("type") != "application/ld+json" for s in scripts
    )
    assert html.count("<script") == len(scripts)
    assert _json_ld(root)["name"] == HOSTILE
    assert _og(root)["og:title"] == [HOSTILE]
    [item] = json.loads((tmp_path / "hexi" / "cite.en.json").read_text(encoding="utf-8"))
    assert item["title"] == HOSTILE
    redrawn = (tmp_path / "hexi" / "social.en.png").read_bytes()
    assert redrawn != card
    with Image.open(io.BytesIO(redrawn)) as image:
        assert image.size == (1200, 630)

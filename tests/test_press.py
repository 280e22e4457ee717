"""The press release (issue 28): one page a newsroom can use as it stands, then the notes
to editors, in each language (on the fixture project's qiaotou brief, whose brief.yaml sets
an embargo and a spokesperson, and whose settings name the office)."""

from __future__ import annotations

import re
import subprocess

import pytest
from helpers import find_all, parse_html, pdf_reader, squash, text_of

from policybrief.build.pipeline import Options, build

RELEASE = {
    "en": {
        "embargo": "Embargoed until 10:00 (UTC+08:00), October 16, 2026",
        "headline": "Qiaotou: how a digital industry park started and grew",
        "end": "ENDS",
        "notes": "Notes to editors",
        "findings": [
            "215 enterprises attracted since the park opened (December 2016)",
            "over CNY 2 billion the park’s output (2016)",
            "nearly 8,000 people working in the park (2016)",
        ],
        "quote": "The park’s progress is real",
        "about": "About Test Research Group",
    },
    "zh": {
        "embargo": "禁发时间：2026年10月16日 10:00（UTC+08:00）",
        "headline": "桥头镇：数字产业园的起步与扩张",
        "end": "（完）",
        "notes": "编者注",
        "findings": ["215家 累计引进企业（2016年12月）", "超过20亿元 园区产值（2016年）"],
        "quote": "园区的成绩是真实的",
        "about": "关于测试研究组",
    },
}


def pages_text(path) -> list[str]:
    """poppler's text of each page, as a newsroom would copy it."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_release_is_one_page_plus_the_notes_to_editors(fixture_dist, lang):
    expected = RELEASE[lang]
    path = fixture_dist / "qiaotou" / f"press.{lang}.pdf"
    assert len(pdf_reader(path).pages) == 2
    first, notes = pages_text(path)
    flat = squash(first)
    for key in ("embargo", "headline", "quote", "end"):
        assert squash(expected[key]) in flat, (key, first)
    # the date line, then the headline (the running head above both repeats the title)
    assert squash(expected["headline"]) in flat[flat.index(squash(expected["embargo"])) :]
    # the end mark closes the release: nothing but the running foot after it
    assert flat.rindex(squash(expected["end"])) > flat.index(squash(expected["quote"]))
    assert squash(expected["notes"]) not in flat
    notes_flat = squash(notes)
    assert squash(expected["notes"]) in notes_flat
    assert squash(expected["about"]) in notes_flat
    assert "press@example.org" in notes_flat and "+861055550100" in notes_flat
    assert "ParkManagementCommittee" in notes_flat or "园区管委会" in notes_flat


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_findings_copy_without_note_digits(fixture_dist, lang):
    """Each finding copies out of the PDF and the web page as a sentence a story can use:
    no citation number after it, no note link in it (the sources are in the notes)."""
    first = pages_text(fixture_dist / "qiaotou" / f"press.{lang}.pdf")[0]
    lines = [" ".join(line.split()) for line in first.splitlines()]
    for finding in RELEASE[lang]["findings"]:
        assert finding in lines, (finding, lines)
    root = parse_html(fixture_dist / "qiaotou" / f"press.{lang}.html")
    box = next(find_all(root, "section", class_="quotable"))
    # (the typesetter's word joiners, U+2060, hold a figure to its unit and copy as nothing)
    items = [" ".join(text_of(li).replace("\u2060", "").split()) for li in find_all(box, "li")]
    assert items[: len(RELEASE[lang]["findings"])] == RELEASE[lang]["findings"]
    assert len(items) == 3
    assert not list(find_all(box, "sup")) and not list(find_all(box, "a"))
    # no note numbers anywhere on the release's page of the web edition either
    assert not list(find_all(root, "sup", class_="cite"))


def test_the_english_release_quotes_no_chinese_source_text(fixture_dist):
    """The notes to editors name the sources; the quotations stay in the full report."""
    text = "".join(pages_text(fixture_dist / "qiaotou" / "press.en.pdf"))
    assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_a_release_without_embargo_or_office_prints_the_date_and_no_empty_slots(
    fixture_project, tmp_path
):
    brief = fixture_project / "briefs/qiaotou/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    text = re.sub(r"^release: .*\n", "", text, flags=re.M)
    text = re.sub(r"spokesperson:\n(  .*\n)+", "", text)
    brief.write_text(text, encoding="utf-8")
    settings = fixture_project / "pyproject.toml"
    kept = [
        row
        for row in settings.read_text(encoding="utf-8").splitlines(keepends=True)
        if not row.startswith("office =")
    ]
    settings.write_text("".join(kept), encoding="utf-8")
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("qiaotou",),
            audiences=("press",),
            langs=("en",),
            formats=("html",),
        )
    )
    root = parse_html(tmp_path / "qiaotou/press.en.html")
    line = next(find_all(root, "p", class_="release-line"))
    assert " ".join(text_of(line).split()) == "For immediate release · October 15, 2026"
    page = text_of(root)
    assert "Media contact" not in page and "About " not in page and "Embargoed" not in page
    assert not list(find_all(root, "figure", class_="spokesperson"))
    assert "ENDS" in page


def test_a_bad_embargo_is_an_error_at_its_line(fixture_project):
    from policybrief.build.pipeline import load_and_check
    from policybrief.core.errors import InputError

    brief = fixture_project / "briefs/qiaotou/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    line = (
        text.splitlines().index(next(t for t in text.splitlines() if t.startswith("release:"))) + 1
    )
    brief.write_text(text.replace('"2026-10-16T10:00+08:00"', '"16 Oct, 10am"'), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_and_check(Options(root=fixture_project))
    assert (
        f"briefs/qiaotou/brief.yaml:{line}: release: embargo '16 Oct, 10am' is not a date and "
        'time with its UTC offset (write embargo: "2026-10-16T10:00+08:00" (10:00 Beijing time))'
    ) in [str(p) for p in error.value.problems]


def test_a_new_press_contact_rebuilds_the_releases(fixture_project, tmp_path):
    """The office is a project setting: changing it rebuilds what prints it."""
    options = Options(
        root=fixture_project,
        out=tmp_path,
        briefs=("qiaotou",),
        audiences=("press",),
        langs=("en",),
        formats=("html",),
    )
    build(options)
    settings = fixture_project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("press@example.org", "media@example.org"), encoding="utf-8")
    build(options)
    page = text_of(parse_html(tmp_path / "qiaotou/press.en.html"))
    assert "media@example.org" in page and "press@example.org" not in page


def test_the_office_settings_are_checked_at_their_line(fixture_project):
    from policybrief.build.pipeline import load_and_check
    from policybrief.core.errors import InputError

    settings = fixture_project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("office ="))
    text = text.replace('email = "press@example.org"', 'email = "press office"')
    settings.write_text(text.replace("phone = ", "fax = "), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_and_check(Options(root=fixture_project))
    messages = [str(p) for p in error.value.problems]
    assert (
        f"pyproject.toml:{line}: [tool.policybrief.office]: email is not an e-mail address: "
        "'press office' (write email = \"press@example.org\")"
    ) in messages
    assert any(
        m.startswith(f"pyproject.toml:{line}: [tool.policybrief.office]: unknown key 'fax'")
        for m in messages
    )

"""Sources: the fields a reader and a reference need, printed where a reader looks, and
source texts read only from inside the source folder."""

from __future__ import annotations

import os

from helpers import find_all, parse_html, run_cli, text_of

from policybrief.build.pipeline import Options, build

EXTRA = """\
    url: https://example.org/yunqi-case
    accessed: "2026-11-20"
    publisher: {zh: 示例出版社, en: Example Press}
    kind: report
"""


def _add_fields(project, fields: str = EXTRA) -> None:
    path = project / "facts" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "    file: 000_758d17616101fe3f.txt\n"
    path.write_text(text.replace(anchor, anchor + fields, 1), encoding="utf-8")


def test_source_fields_and_note_are_printed_in_endnotes_and_fact_base(project, tmp_path):
    _add_fields(project)
    out = tmp_path / "out"
    build(
        Options(
            root=project, out=out, briefs=("yunqi",), audiences=("full-report",), formats=("html",)
        )
    )
    page = parse_html(out / "yunqi" / "full-report.en.html")
    items = [li for li in find_all(page, "li") if li.get("id", "").startswith("note-")]
    notes = [text_of(li) for li in items]
    # Each endnote's source line is the source as its reference style formats it (Chicago
    # author-date in English; the Chinese source keeps its title, the translation follows).
    case = [
        li
        for li in items
        if any(
            "特色小镇的典范" in text_of(span) for span in find_all(li, "span", class_="note-source")
        )
    ]
    entry = (
        "特色小镇的典范——杭州云栖小镇 [A model characteristic town: Yunqi Town, Hangzhou]. "
        "2016. 示例出版社. https://example.org/yunqi-case."
    )
    assert case and all(entry in text_of(li) for li in case)
    links = [a.get("href") for li in case for a in find_all(li, "a")]
    assert "https://example.org/yunqi-case" in links
    # The source's own note, once: at the first endnote that cites the source.
    said = "which dates it to 2016"
    assert said in text_of(case[0]) and sum(said in n for n in notes) == 1
    zh = parse_html(out / "yunqi" / "full-report.zh.html")
    assert any(
        "特色小镇的典范——杭州云栖小镇[R/OL]. 示例出版社，2016. https://example.org/yunqi-case."
        in text_of(li)
        for li in find_all(zh, "li")
    )
    facts = (out / "facts.html").read_text(encoding="utf-8")
    assert "https://example.org/yunqi-case" in facts and said in facts


def test_bad_source_fields_are_errors_at_their_line(project):
    _add_fields(project, "    url: ftp://x\n    kind: reprot\n    file2: x\n")
    result = run_cli("check", "-q", "--project", str(project))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("facts/sources.yaml")]
    assert lines == [
        "facts/sources.yaml:10: source 'yunqi-case': url 'ftp://x' is not an http(s) address",
        "facts/sources.yaml:11: source 'yunqi-case': unknown kind 'reprot' (did you mean report?)",
        "facts/sources.yaml:12: source 'yunqi-case': unknown field 'file2' (did you mean file? "
        "allowed: file, title, author, publication, year, note, url, accessed, publisher, kind, "
        "language, authors, container, issued, volume, issue, pages, number, doi, sha256, size)",
    ]


def test_a_source_file_outside_the_source_folder_is_never_read(project, tmp_path):
    path = project / "facts" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("file: 000_758d17616101fe3f.txt", "file: ../../etc/passwd"), encoding="utf-8"
    )
    result = run_cli("check", "-q", "--project", str(project))
    assert result.returncode == 1
    assert (
        "facts/sources.yaml:9: source 'yunqi-case': file '../../etc/passwd' must name a "
        "file inside the source folders (write the path relative to the source folder, "
        "without '..')"
    ) in result.stderr.splitlines()
    # A link inside the source folder that points out of it is refused too.
    sources = tmp_path / "sources"
    sources.mkdir()
    os.symlink("/etc/passwd", sources / "outside.txt")
    path.write_text(
        text.replace("file: 000_758d17616101fe3f.txt", "file: outside.txt"), encoding="utf-8"
    )
    result = run_cli("check", "-q", "--project", str(project), "--sources", str(sources))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(
        f"{sources / 'outside.txt'}: symlink leads outside"
    ), result.stderr

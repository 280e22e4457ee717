"""Sources: the fields a reader and a reference need, printed where a reader looks, and
source texts read only from inside the source folder."""

from __future__ import annotations

import os

from helpers import find_all, parse_html, run_cli, text_of

from policybrief.build.pipeline import Options, build

EXTRA = """\
    url: https://example.org/hexi-report
    accessed: "2026-11-20"
    note: {zh: 报告未注明页码。, en: The report gives no page numbers., zh-Hant: 報告未註明頁碼。}
"""


def _add_fields(project, fields: str = EXTRA) -> None:
    path = project / "facts" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "    file: hexi.txt\n"
    path.write_text(text.replace(anchor, anchor + fields, 1), encoding="utf-8")


def test_source_fields_and_note_are_printed_in_endnotes_and_fact_base(fixture_project, tmp_path):
    project = fixture_project
    _add_fields(project)
    out = tmp_path / "out"
    build(
        Options(
            root=project, out=out, briefs=("hexi",), audiences=("full-report",), formats=("html",)
        )
    )
    page = parse_html(out / "hexi" / "full-report.en.html")
    items = [li for li in find_all(page, "li") if li.get("id", "").startswith("note-")]
    notes = [text_of(li) for li in items]
    # Each endnote's source line is the source as its reference style formats it (Chicago
    # author-date in English, which prefers the DOI to the url; the Chinese source keeps
    # its title, the translation follows; GB/T 7714 in Chinese prints both).
    case = [
        li
        for li in items
        if any(
            "河西新城绿色发展报告" in text_of(span)
            for span in find_all(li, "span", class_="note-source")
        )
    ]
    entry = (
        "河西新城绿色发展报告 [Green development in Hexi New Town]. HX-2018-07. 河西新城研究院. "
        "https://doi.org/10.5555/hexi.2018."
    )
    assert case and all(entry in text_of(li) for li in case)
    links = [a.get("href") for li in case for a in find_all(li, "a")]
    assert "https://doi.org/10.5555/hexi.2018" in links
    # The source's own note, once: at the first endnote that cites the source.
    said = "The report gives no page numbers."
    assert said in text_of(case[0]) and sum(said in n for n in notes) == 1
    zh = parse_html(out / "hexi" / "full-report.zh.html")
    assert any(
        "河西新城绿色发展报告：HX-2018-07[R/OL]. 河西新城研究院，2018. https://example.org/hexi-report."
        in text_of(li)
        for li in find_all(zh, "li")
    )
    facts = (out / "facts.html").read_text(encoding="utf-8")
    assert "https://doi.org/10.5555/hexi.2018" in facts and said in facts


def test_bad_source_fields_are_errors_at_their_line(fixture_project):
    project = fixture_project
    _add_fields(project, "    url: ftp://x\n    file2: x\n")
    path = project / "facts" / "sources.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    kind: report\n", "    kind: reprot\n"),
        encoding="utf-8",
    )
    result = run_cli("check", "-q", "--project", str(project))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("facts/sources.yaml")]
    assert lines == [
        "facts/sources.yaml:27: source 'hexi-report': url 'ftp://x' is not an http(s) address",
        "facts/sources.yaml:28: source 'hexi-report': unknown field 'file2' (did you mean file? "
        "allowed: file, title, author, publication, year, note, url, accessed, publisher, kind, "
        "language, authors, container, issued, volume, issue, pages, number, doi, sha256, size)",
        "facts/sources.yaml:40: source 'hexi-report': unknown kind 'reprot' (did you mean report?)",
    ]


def test_a_source_file_outside_the_source_folder_is_never_read(fixture_project, tmp_path):
    project = fixture_project
    path = project / "facts" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("file: qiaotou.txt", "file: ../../etc/passwd"), encoding="utf-8")
    result = run_cli("check", "-q", "--project", str(project))
    assert result.returncode == 1
    assert (
        "facts/sources.yaml:3: source 'qiaotou-case': file '../../etc/passwd' must name a "
        "file inside the source folders (write the path relative to the source folder, "
        "without '..')"
    ) in result.stderr.splitlines()
    # A link inside the source folder that points out of it is refused too.
    sources = tmp_path / "sources"
    sources.mkdir()
    os.symlink("/etc/passwd", sources / "outside.txt")
    path.write_text(text.replace("file: qiaotou.txt", "file: outside.txt"), encoding="utf-8")
    result = run_cli("check", "-q", "--project", str(project), "--sources", str(sources))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(
        f"{sources / 'outside.txt'}: symlink leads outside"
    ), result.stderr

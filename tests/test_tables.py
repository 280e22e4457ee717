"""Tables in prose and numbered exhibits: captions numbered in reading order, ref() resolved
to the right number in each language, header rows repeated on every printed page."""

from __future__ import annotations

import pytest
from helpers import NS, find_all, parse_html, pdf_pages, run_cli, squash, text_of

from policybrief.build.pipeline import Options, build

LONG = (
    """
## A long table

Table[long]: Every alliance figure, many times over

| Item | Value |
| --- | ---: |
"""
    + "".join(
        f'| Row {chr(65 + i % 26)}{chr(65 + i // 26)} | {{{{ fact("hexi.area") }}}} |\n'
        for i in range(70)
    )
    + """
{{ ref("long") }} is long.
"""
)


def test_a_long_table_repeats_its_header_on_every_page(fixture_project, tmp_path):
    project = fixture_project
    path = project / "briefs" / "hexi" / "en.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n# lessons", LONG + "\n# lessons", 1), encoding="utf-8")
    out = tmp_path / "out"
    build(
        Options(
            root=project,
            out=out,
            briefs=("hexi",),
            audiences=("full-report",),
            langs=("en",),
            formats=("pdf",),
        )
    )
    pages = [squash(p) for p in pdf_pages(out / "hexi" / "full-report.en.pdf")]
    with_rows = [p for p in pages if "RowA" in p or "RowZC" in p or "RowMB" in p]
    spanned = [
        p for p in pages if any(f"Row{chr(65 + i % 26)}{chr(65 + i // 26)}" in p for i in range(70))
    ]
    assert len(spanned) >= 2, "the table should run over a page break"
    assert with_rows and all("ItemValue" in p for p in spanned)


def test_an_unknown_ref_is_an_error_at_its_line(fixture_project):
    project = fixture_project
    path = project / "briefs" / "hexi" / "zh.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("# lessons") + 2
    lines.insert(at - 1, '见{{ ref("riverside-plans") }}。\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("check", "-q", "--fast", "--project", str(project))
    assert result.returncode == 1
    assert (
        f"briefs/hexi/zh.md:{at}: ref('riverside-plans'): no numbered table, figure or chart "
        "has that id (did you mean riverside-plan?)"
    ) in result.stderr.splitlines()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_full_report_lists_its_figures_and_tables_in_reading_order(fixture_dist, lang):
    root = parse_html(fixture_dist / "hexi" / f"full-report.{lang}.html")
    listed = list(find_all(root, "ol", class_="exhibit-list"))
    assert len(listed) == 1
    entries = [(a.get("href"), text_of(a)) for a in listed[0].iter(f"{NS}a")]
    # each entry links to an exhibit of the page, and its label is the one printed there
    assert [href for href, _ in entries] == [
        "#" + e.get("id")
        for e in root.iter()
        if isinstance(e.tag, str) and (e.get("id") or "").startswith(("fig-", "tbl-"))
    ]
    for href, text in entries:
        target = next(e for e in root.iter() if e.get("id") == href[1:])
        label = text.split(" ")[0] if lang == "en" else text.split(" ")[0]
        assert label.rstrip(".") in text_of(target), (href, text)
    labels = [text.split(" ", 1)[0] for _, text in entries]
    expected = ["Figure", "Figure", "Figure", "Figure"] if lang == "en" else None
    if expected:
        assert labels == expected and [t.split(" ")[1] for _, t in entries] == ["1", "2", "3", "4"]
    else:
        assert labels == ["图1", "图2", "图3", "图4"]
    pdf = squash("".join(pdf_pages(fixture_dist / "hexi" / f"full-report.{lang}.pdf")[:3]))
    assert ("图表目录" if lang == "zh" else "Figuresandtables") in pdf


def test_a_one_page_note_lists_no_exhibits(fixture_dist):
    root = parse_html(fixture_dist / "hexi" / "decision-makers.en.html")
    assert not list(find_all(root, "ol", class_="exhibit-list"))

"""Batch briefs: one brief per row of a table, each row's figures validated like facts (a
batch written into the fixture project)."""

from __future__ import annotations

import pytest
from helpers import find_all, parse_html, text_of, write_files

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.core.errors import InputError

BATCH = {
    "briefs/members/brief.yaml": """\
date: 2026-10-15
topic: digital-parks
authors:
  - {zh: 测试研究组, en: Test Research Group}
audiences: [decision-makers]
languages: [zh, en]
key_figures: [row.team, qiaotou.enterprises.2016]
allow_digits: []
batch:
  rows: rows.yaml
  text: [name, kind]
  figures:
    team:
      unit: person
      label: {zh: 人员规模, en: people}
""",
    "briefs/members/rows.yaml": """\
rows:
  - slug: park
    name: {zh: 桥头镇数字产业园, en: The Qiaotou park}
    kind: {zh: 一个数字产业园, en: a digital industry park}
    team: qiaotou.staff.2016
  - slug: town
    name: {zh: 河西新城, en: Hexi New Town}
    kind: {zh: 一座生态新城, en: a green new town}
    team: hexi.residents.2017
""",
    "briefs/members/en.md": """\
---
title: "{{ row('name') }}: one place in the test region"
summary: "{{ row('name') }} is {{ row('kind') }} with {{ fact('row.team') }}."
recommendations:
  - Publish the figures regularly.
  - Have them checked independently.
  - Compare places of the same kind only.
---
# background

{{ row('name') }} is {{ row('kind') }}, with {{ fact('row.team') }}.

# measures

It follows the region's plan.

# outcomes

The region's park has attracted {{ fact('qiaotou.enterprises.2016') }}.

# lessons

Figures from one source need checking.
""",
    "briefs/members/zh.md": """\
---
title: "{{ row('name') }}：测试地区中的一处"
summary: "{{ row('name') }}是{{ row('kind') }}，有{{ fact('row.team') }}。"
recommendations:
  - 定期公布数据。
  - 请第三方核验。
  - 只与同类地方比较。
---
# background

{{ row('name') }}是{{ row('kind') }}，有{{ fact('row.team') }}。

# measures

它按照地区规划建设。

# outcomes

地区的产业园累计引进企业{{ fact('qiaotou.enterprises.2016') }}。

# lessons

单一来源的数据需要核验。
""",
}


@pytest.fixture
def batch_project(fixture_project):
    return write_files(fixture_project, BATCH)


def test_a_batch_makes_one_brief_per_row(batch_project, tmp_path):
    out = tmp_path / "out"
    report = build(
        Options(
            root=batch_project,
            out=out,
            briefs=("members-park", "members-town"),
            formats=("html",),
            strict=True,
        )
    )
    assert sorted(w.path for w in report.written) == [
        f"members-{row}/decision-makers.{lang}.html"
        for row in ("park", "town")
        for lang in ("en", "zh")
    ]
    for slug, team, title in (
        ("park", "近8000人", "桥头镇数字产业园：测试地区中的一处"),
        ("town", "6万多人", "河西新城：测试地区中的一处"),
    ):
        root = parse_html(out / f"members-{slug}" / "decision-makers.zh.html")
        assert text_of(next(find_all(root, "h1"))) == title
        # the word joiner that holds a digit to its unit is invisible (render/typography.py)
        figures = [text_of(s).replace("\u2060", "") for s in find_all(root, "span", class_="fact")]
        assert team in figures
    root = parse_html(out / "members-town" / "decision-makers.en.html")
    # a title's last two words are held together by a no-break space (render/typography.py)
    assert text_of(next(find_all(root, "h1"))) == "Hexi New Town: one place in the test\u00a0region"
    assert not (out / "members").exists()


def _rows(project, rows: str):
    write_files(project, {"briefs/members/rows.yaml": rows})
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project))
    return [str(p) for p in caught.value.problems]


ROW = "rows:\n  - slug: x\n    name: {zh: 甲, en: A}\n    kind: {zh: 乙, en: B}\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ROW + "    team: qiaotou.nothing\n",
            "briefs/members/rows.yaml:5: row 'x': unknown fact 'qiaotou.nothing' (check the id in facts/*.yaml)",
        ),
        (
            ROW + "    team: qiaotou.enterprises.2016\n",
            "briefs/members/rows.yaml:5: row 'x': fact 'qiaotou.enterprises.2016' is in 'enterprise', the column 'team' in 'person'",
        ),
        (ROW, "briefs/members/rows.yaml:2: row 'x': missing figure 'team'"),
        (
            ROW.replace("slug: x", "slug: X Y") + "    team: qiaotou.staff.2016\n",
            "briefs/members/rows.yaml:2: row slug 'X Y' is not valid (use lowercase letters, digits and hyphens)",
        ),
        (
            ROW + "    team: {value: lots, quote: 园区从业人员近8000人, source: qiaotou-case}\n",
            "briefs/members/rows.yaml:5: row 'x', team: value 'lots' is not a finite number",
        ),
        (
            ROW + "    team: {value: 4, quote: 不在原文里的话, source: qiaotou-case}\n",
            "briefs/members/rows.yaml:5: fact 'members.x.team': quote not found in qiaotou.txt (copy the quote from the source character for character)",
        ),
        (
            ROW
            + "    team: qiaotou.staff.2016\n"
            + ROW.replace("rows:\n", "")
            + "    team: qiaotou.staff.2016\n",
            "briefs/members/rows.yaml:6: duplicate row slug 'x'",
        ),
    ],
)
def test_bad_rows_are_reported_with_file_and_line(batch_project, rows, expected):
    problems = _rows(batch_project, rows)
    assert expected in problems, "\n".join(problems)


def test_inline_row_figures_become_checked_facts(batch_project, tmp_path):
    write_files(
        batch_project,
        {
            "briefs/members/rows.yaml": ROW
            + (
                "    team: {value: 8000, qualifier: nearly, quote: 园区从业人员近8000人, "
                "source: qiaotou-case, translation: {en: 'nearly 8,000 people work in the park'}}\n"
            )
        },
    )
    build(
        Options(root=batch_project, out=tmp_path / "out", briefs=("members-x",), formats=("html",))
    )
    root = parse_html(tmp_path / "out/members-x/decision-makers.en.html")
    assert "nearly 8,000 people" in [text_of(s) for s in find_all(root, "span", class_="fact")]
    # a compact English note quotes no Chinese source (the full report gives the translation
    # over the original); the Chinese page quotes it
    build(
        Options(root=batch_project, out=tmp_path / "zh", briefs=("members-x",), formats=("html",))
    )
    root = parse_html(tmp_path / "zh/members-x/decision-makers.zh.html")
    notes = [text_of(li) for li in find_all(root, "li") if li.get("id", "").startswith("note-")]
    assert any("园区从业人员近8000人" in n for n in notes)


def test_expanding_leaves_the_loaded_fact_base_as_it_was(batch_project):
    """The rows' inline facts go into a new fact base; the one loaded from facts/ (frozen,
    and shared by everything that loaded it) keeps only its own facts."""
    from policybrief.load import batch
    from policybrief.load.briefs import load_briefs
    from policybrief.load.facts import load_factbase

    write_files(
        batch_project,
        {
            "briefs/members/rows.yaml": ROW
            + "    team: {value: 8000, quote: 园区从业人员8000人, source: qiaotou-case,"
            " translation: {en: '8,000 people work in the park'}}\n"
        },
    )
    problems: list = []
    loaded = load_factbase(batch_project, problems)
    before = dict(loaded.facts)
    briefs = load_briefs(batch_project, problems)
    expanded, facts = batch.expand(briefs, loaded, batch_project, problems)
    assert "members-x" in expanded
    assert loaded.facts == before and "members.x.team" not in loaded.facts
    assert facts.facts["members.x.team"].value == 8000
    assert {k: v for k, v in facts.facts.items() if k != "members.x.team"} == before

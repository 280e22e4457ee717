"""Batch briefs: one brief per row of a table, each row's figures validated like facts."""

from __future__ import annotations

import pytest
from helpers import find_all, parse_html, text_of, write_files

from policybrief.build import Options, build, load_and_check
from policybrief.errors import InputError


def test_the_example_batch_makes_one_brief_per_row(dist):
    for slug, team in (("chinasoft", "2万多人"), ("cnblogs", "3人"), ("meiruo", "10人")):
        root = parse_html(dist / f"members-{slug}" / "decision-makers.zh.html")
        title = text_of(next(find_all(root, "h1")))
        assert title.endswith("：云栖小镇生态中的一员") and len(title) > 11
        figures = [text_of(s) for s in find_all(root, "span", class_="fact")]
        assert team in figures
    root = parse_html(dist / "members-cnblogs" / "decision-makers.en.html")
    assert text_of(next(find_all(root, "h1"))) == "Cnblogs: one member of the Yunqi Town ecosystem"
    assert not (dist / "members").exists()


def _rows(project, rows: str):
    write_files(project, {"briefs/members/rows.yaml": rows})
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project))
    return [str(p) for p in caught.value.problems]


ROW = "rows:\n  - slug: x\n    name: {zh: 甲, en: A}\n    kind: {zh: 乙, en: B}\n"


@pytest.mark.parametrize(("rows", "expected"), [
    (ROW + "    team: yunqi.nothing\n",
     "briefs/members/rows.yaml:5: row 'x': unknown fact 'yunqi.nothing' (check the id in facts/*.yaml)"),
    (ROW + "    team: yunqi.enterprises.2016\n",
     "briefs/members/rows.yaml:5: row 'x': fact 'yunqi.enterprises.2016' is in 'enterprise', the column 'team' in 'person'"),
    (ROW, "briefs/members/rows.yaml:2: row 'x': missing figure 'team'"),
    (ROW.replace("slug: x", "slug: X Y") + "    team: yunqi.alliance.cnblogs-staff\n",
     "briefs/members/rows.yaml:2: row slug 'X Y' is not valid (use lowercase letters, digits and hyphens)"),
    (ROW + "    team: {value: lots, quote: 仅3个人, source: yunqi-case}\n",
     "briefs/members/rows.yaml:5: row 'x', team: value 'lots' is not a finite number"),
    (ROW + "    team: {value: 4, quote: 不在原文里的话, source: yunqi-case}\n",
     "briefs/members/rows.yaml:5: fact 'members.x.team': quote not found in 000_758d17616101fe3f.txt (copy the quote from the source character for character)"),
    (ROW + "    team: yunqi.alliance.cnblogs-staff\n" + ROW.replace("rows:\n", "") + "    team: yunqi.alliance.cnblogs-staff\n",
     "briefs/members/rows.yaml:6: duplicate row slug 'x'"),
])
def test_bad_rows_are_reported_with_file_and_line(project, rows, expected):
    problems = _rows(project, rows)
    assert expected in problems, "\n".join(problems)


def test_inline_row_figures_become_checked_facts(project, tmp_path):
    write_files(project, {"briefs/members/rows.yaml": ROW + (
        "    team: {value: 3, quote: 也有仅3个人的博客园, source: yunqi-case}\n")})
    build(Options(root=project, out=tmp_path / "out", briefs=("members-x",),
                  formats=("html",)))
    root = parse_html(tmp_path / "out/members-x/decision-makers.en.html")
    assert "3 people" in [text_of(s) for s in find_all(root, "span", class_="fact")]
    notes = [text_of(li) for li in find_all(root, "li") if li.get("id", "").startswith("note-")]
    assert any("也有仅3个人的博客园" in n for n in notes)

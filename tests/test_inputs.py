"""Broken inputs: each gives an exact ``path:line: message (hint)`` and stops the build."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import write_files

from policybrief.build import Options, load_and_check
from policybrief.errors import InputError

GOOD_FACTS = """\
facts:
  - id: t.enterprises
    value: 481
    unit: enterprise
    qualifier: exact
    date: "2016-12"
    label: {zh: 累计引进企业, en: enterprises attracted}
    source: jing-yunqi
    quote: "各类企业481家"
"""

GOOD_BRIEF = """\
date: 2026-11-20
topic: test
authors:
  - {zh: 研究室, en: Research office}
audiences: [full-report]
languages: [en]
key_figures: [t.enterprises]
"""

GOOD_TEXT = """\
---
title: A test brief
summary: It has {{ fact("t.enterprises") }}.
recommendations:
  - One.
  - Two.
  - Three.
---
# background

The town had {{ fact("t.enterprises") }}.

# measures

Measures.

# outcomes

Outcomes.

# lessons

Lessons.
"""


def problems_for(project: Path, files: dict[str, str]) -> list[str]:
    base = {"facts/test.yaml": GOOD_FACTS, "briefs/zz-test/brief.yaml": GOOD_BRIEF,
            "briefs/zz-test/en.md": GOOD_TEXT}
    base.update(files)
    write_files(project, base)
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project, strict=True))
    return [str(p) for p in caught.value.problems]


def test_the_fixture_itself_is_clean(project):
    write_files(project, {"facts/test.yaml": GOOD_FACTS, "briefs/zz-test/brief.yaml": GOOD_BRIEF,
                          "briefs/zz-test/en.md": GOOD_TEXT})
    _, problems = load_and_check(Options(root=project, strict=True))
    assert problems == []


CASES = {
    "malformed yaml": (
        {"facts/test.yaml": "facts:\n  - id: t.x\n    value: [1, 2\n    unit: person\n"},
        "facts/test.yaml:4: invalid YAML: did not find expected ',' or ']' "
        "(check indentation, colons and quotes)"),
    "value of the wrong type": (
        {"facts/test.yaml": GOOD_FACTS.replace("value: 481", "value: many")},
        "facts/test.yaml:3: fact 't.enterprises': value 'many' is not a finite number "
        "(write the figure in full, e.g. 8000000000 for 80亿)"),
    "not a number (nan)": (
        {"facts/test.yaml": GOOD_FACTS.replace("value: 481", "value: .nan")},
        "facts/test.yaml:3: fact 't.enterprises': value nan is not a finite number "
        "(write the figure in full, e.g. 8000000000 for 80亿)"),
    "unknown unit": (
        {"facts/test.yaml": GOOD_FACTS.replace("unit: enterprise", "unit: firms")},
        "facts/test.yaml:2: fact 't.enterprises': unknown unit 'firms' "
        "(use a unit from facts/units.yaml or add one there)"),
    "unknown qualifier": (
        {"facts/test.yaml": GOOD_FACTS.replace("qualifier: exact", "qualifier: roughly")},
        "facts/test.yaml:5: fact 't.enterprises': unknown qualifier 'roughly' "
        "(allowed: exact, over, nearly, about, more_than, up_to)"),
    "bad date": (
        {"facts/test.yaml": GOOD_FACTS.replace('date: "2016-12"', 'date: "2016-13"')},
        "facts/test.yaml:6: fact 't.enterprises': 'date' is not a valid date: '2016-13' "
        '(write "YYYY", "YYYY-MM" or "YYYY-MM-DD")'),
    "duplicate id": (
        {"facts/test.yaml": GOOD_FACTS + GOOD_FACTS.replace("facts:\n", "")},
        "facts/test.yaml:10: duplicate id 't.enterprises' (first defined at facts/test.yaml:2)"),
    "missing source": (
        {"facts/test.yaml": GOOD_FACTS.replace("    source: jing-yunqi\n", "")},
        "facts/test.yaml:2: fact 't.enterprises': missing field 'source'"),
    "unknown source": (
        {"facts/test.yaml": GOOD_FACTS.replace("source: jing-yunqi", "source: nowhere")},
        "facts/test.yaml:2: fact 't.enterprises': unknown source 'nowhere' "
        "(add it to facts/sources.yaml)"),
    "quote not in source": (
        {"facts/test.yaml": GOOD_FACTS.replace("各类企业481家", "各类企业482家")},
        "facts/test.yaml:2: fact 't.enterprises': quote not found in 002_31bf957f0f90e08c.txt "
        "(copy the quote from the source character for character)"),
    "unknown field": (
        {"facts/test.yaml": GOOD_FACTS.replace("    unit:", "    units: x\n    unit:")},
        "facts/test.yaml:4: fact 't.enterprises': unknown field 'units' (allowed: id, value, "
        "unit, qualifier, date, label, source, quote, note)"),
    "label missing a language": (
        {"facts/test.yaml": GOOD_FACTS.replace("label: {zh: 累计引进企业, en: enterprises attracted}",
                                               "label: {en: enterprises attracted}")},
        "facts/test.yaml:2: warning: fact 't.enterprises': no label in zh (add label.zh)"),
    "non-UTF-8 file": (
        {"facts/test.yaml": None},
        "facts/test.yaml:3: not valid UTF-8 (byte 0xc0) (save the file as UTF-8)"),
    "unknown fact id in prose": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace('The town had {{ fact("t.enterprises") }}',
                                                   'The town had {{ fact("t.enterprise") }}')},
        "briefs/zz-test/en.md:11: unknown fact 't.enterprise' (check the id in facts/*.yaml)"),
    "figure typed into prose": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("Outcomes.", "Output rose 58% in a year.")},
        "briefs/zz-test/en.md:19: figure '58' typed into prose (cite it from the fact base with "
        '{{ fact("id") }}, or list a name that contains digits under allow_digits in brief.yaml)'),
    "empty section": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("Measures.", "")},
        "briefs/zz-test/en.md:13: section 'measures' is empty (write at least one paragraph)"),
    "missing section": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("# lessons\n\nLessons.\n", "")},
        "briefs/zz-test/en.md:21: missing section 'lessons' (add '# lessons' with its text)"),
    "unknown section": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("# outcomes", "# results")},
        "briefs/zz-test/en.md:17: unknown section 'results' (sections are background, measures, "
        "outcomes, lessons)"),
    "too few recommendations": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("  - Three.\n", "")},
        "briefs/zz-test/en.md:4: front matter: 2 recommendations, expected 3 to 5"),
    "missing front matter": (
        {"briefs/zz-test/en.md": GOOD_TEXT.split("---\n", 2)[2]},
        "briefs/zz-test/en.md:1: missing front matter (start the file with a line '---', the "
        "title and other fields, then '---')"),
    "unknown audience": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF.replace("[full-report]", "[investors]")},
        "briefs/zz-test/brief.yaml:1: unknown audience 'investors' (known: decision-makers, "
        "full-report)"),
    "unknown key figure": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF.replace("[t.enterprises]", "[t.nothing]")},
        "briefs/zz-test/brief.yaml:1: key figure 't.nothing' is not a known fact "
        "(check the id in facts/*.yaml)"),
    "language without its text": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF.replace("[en]", "[en, zh]")},
        "briefs/zz-test/brief.yaml:6: language 'zh' is listed but briefs/zz-test/zh.md is "
        "missing (write it, or remove the language)"),
    "conflict naming an unknown fact": (
        {"facts/test.yaml": GOOD_FACTS + textwrap.dedent("""\
            conflicts:
              - id: t.conflict
                facts: [t.enterprises, t.other]
                note: {zh: 不一致, en: disagree}
            """)},
        "facts/test.yaml:11: conflict 't.conflict': unknown fact 't.other'"),
    "duplicate key": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF + "topic: again\n"},
        "briefs/zz-test/brief.yaml:8: duplicate key 'topic' (each key may appear once)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_input_is_reported_with_file_and_line(project, case):
    files, expected = CASES[case]
    if files.get("facts/test.yaml", "") is None:  # non-UTF-8: write bytes
        files = dict(files)
        del files["facts/test.yaml"]
        write_files(project, {"facts/test.yaml": ""})
        (project / "facts/test.yaml").write_bytes(
            GOOD_FACTS.encode().replace(b"value: 481", b"value: \xc0481"))
        problems = problems_for_bytes(project, files)
    else:
        problems = problems_for(project, files)
    assert expected in problems, "\n".join(problems)


def problems_for_bytes(project: Path, files: dict[str, str]) -> list[str]:
    write_files(project, {"briefs/zz-test/brief.yaml": GOOD_BRIEF,
                          "briefs/zz-test/en.md": GOOD_TEXT, **files})
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project, strict=True))
    return [str(p) for p in caught.value.problems]


def test_every_problem_is_reported_in_one_run(project):
    broken = (GOOD_FACTS.replace("unit: enterprise", "unit: firms")
              .replace("qualifier: exact", "qualifier: roughly"))
    problems = problems_for(project, {
        "facts/test.yaml": broken,
        "briefs/zz-test/en.md": GOOD_TEXT.replace("Outcomes.", "Up 58%."),
    })
    assert len([p for p in problems if "warning" not in p]) >= 3

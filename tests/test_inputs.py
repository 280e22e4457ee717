"""Broken inputs: each gives an exact ``path:line: message (hint)`` and stops the build (in a
copy of the fixture project)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import write_files

from policybrief.build.pipeline import Options, load_and_check
from policybrief.cli.main import main
from policybrief.core.errors import InputError

GOOD_FACTS = """\
facts:
  - id: t.enterprises
    value: 215
    unit: enterprise
    qualifier: exact
    date: "2016-12"
    label: {zh: 累计引进企业, en: enterprises attracted, zh-Hant: 累計引進企業}
    source: qiaotou-case
    quote: "到2016年12月，园区累计引进各类企业215家"
    translation: {en: "By December 2016 the park had attracted 215 enterprises of all kinds"}
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
  - Second.
  - Third.
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
    base = {
        "facts/test.yaml": GOOD_FACTS,
        "briefs/zz-test/brief.yaml": GOOD_BRIEF,
        "briefs/zz-test/en.md": GOOD_TEXT,
    }
    base.update(files)
    write_files(project, base)
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project, strict=True))
    return [str(p) for p in caught.value.problems]


def test_the_fixture_itself_is_clean(fixture_project):
    project = fixture_project
    write_files(
        project,
        {
            "facts/test.yaml": GOOD_FACTS,
            "briefs/zz-test/brief.yaml": GOOD_BRIEF,
            "briefs/zz-test/en.md": GOOD_TEXT,
        },
    )
    _, problems = load_and_check(Options(root=project, strict=True))
    assert problems == []


CASES = {
    "malformed yaml": (
        {"facts/test.yaml": "facts:\n  - id: t.x\n    value: [1, 2\n    unit: person\n"},
        "facts/test.yaml:4: invalid YAML: did not find expected ',' or ']' "
        "(check indentation, colons and quotes)",
    ),
    "value of the wrong type": (
        {"facts/test.yaml": GOOD_FACTS.replace("value: 215", "value: many")},
        "facts/test.yaml:3: fact 't.enterprises': value 'many' is not a finite number "
        "(write the figure in full, e.g. 8000000000 for 80亿)",
    ),
    "not a number (nan)": (
        {"facts/test.yaml": GOOD_FACTS.replace("value: 215", "value: .nan")},
        "facts/test.yaml:3: '.nan' would be read as nan, not as written "
        '(quote it (".nan") if it is text, or write the number plainly (e.g. 2.5))',
    ),
    "octal-looking value": (
        {"facts/test.yaml": GOOD_FACTS.replace("value: 215", "value: 0100")},
        "facts/test.yaml:3: '0100' would be read as 64, not as written "
        '(quote it ("0100") if it is text, or write the integer plainly (e.g. 100))',
    ),
    "value that does not match its quote": (
        {"facts/test.yaml": GOOD_FACTS.replace("value: 215", "value: 2150")},
        "facts/test.yaml:2: fact 't.enterprises': value 2150 does not match its quote, which "
        "says 215 (the value is in whole units; if the quote states the figure another way, "
        "write it as the quote does or give figure: the words that state it)",
    ),
    "qualifier the quote does not use": (
        {"facts/test.yaml": GOOD_FACTS.replace("qualifier: exact", "qualifier: more_than")},
        "facts/test.yaml:2: fact 't.enterprises': qualifier more_than, but its quote states "
        "215 with no hedge (use qualifier: exact, or quote the words that hedge the figure)",
    ),
    "unknown unit": (
        {"facts/test.yaml": GOOD_FACTS.replace("unit: enterprise", "unit: firms")},
        "facts/test.yaml:2: fact 't.enterprises': unknown unit 'firms' "
        "(use a unit from facts/units.yaml or add one there)",
    ),
    "unknown qualifier": (
        {"facts/test.yaml": GOOD_FACTS.replace("qualifier: exact", "qualifier: roughly")},
        "facts/test.yaml:5: fact 't.enterprises': unknown qualifier 'roughly' "
        "(allowed: exact, over, nearly, about, more_than, up_to)",
    ),
    "bad date": (
        {"facts/test.yaml": GOOD_FACTS.replace('date: "2016-12"', 'date: "2016-13"')},
        "facts/test.yaml:6: fact 't.enterprises': 'date' is not a valid date: '2016-13' "
        '(write "YYYY", "YYYY-MM" or "YYYY-MM-DD")',
    ),
    "duplicate id": (
        {"facts/test.yaml": GOOD_FACTS + GOOD_FACTS.replace("facts:\n", "")},
        "facts/test.yaml:11: duplicate id 't.enterprises' (first defined at facts/test.yaml:2)",
    ),
    "missing source": (
        {"facts/test.yaml": GOOD_FACTS.replace("    source: qiaotou-case\n", "")},
        "facts/test.yaml:2: fact 't.enterprises': missing field 'source'",
    ),
    "unknown source": (
        {"facts/test.yaml": GOOD_FACTS.replace("source: qiaotou-case", "source: nowhere")},
        "facts/test.yaml:2: fact 't.enterprises': unknown source 'nowhere' "
        "(add it to facts/sources.yaml)",
    ),
    "quote not in source": (
        {"facts/test.yaml": GOOD_FACTS.replace("各类企业215家", "各类企业216家")},
        "facts/test.yaml:2: fact 't.enterprises': quote not found in qiaotou.txt "
        "(copy the quote from the source character for character)",
    ),
    "unknown field": (
        {"facts/test.yaml": GOOD_FACTS.replace("    unit:", "    units: x\n    unit:")},
        "facts/test.yaml:4: fact 't.enterprises': unknown field 'units' (did you mean unit? allowed: id, value, "
        "unit, qualifier, date, label, source, quote, note, reference, figure, derived, "
        "since, date_source, date_quote, curator_note, translation, status, cell)",
    ),
    "label missing a language": (
        {
            "facts/test.yaml": GOOD_FACTS.replace(
                "label: {zh: 累计引进企业, en: enterprises attracted, zh-Hant: 累計引進企業}",
                "label: {en: enterprises attracted, zh-Hant: 累計引進企業}",
            )
        },
        # an error, at the label: every page in zh would print the fact without one
        "facts/test.yaml:7: fact 't.enterprises': no label in zh (add label.zh)",
    ),
    "non-UTF-8 file": (
        {"facts/test.yaml": None},
        "facts/test.yaml:3: not valid UTF-8 (byte 0xc0) (save the file as UTF-8)",
    ),
    "unknown fact id in prose": (
        {
            "briefs/zz-test/en.md": GOOD_TEXT.replace(
                'The town had {{ fact("t.enterprises") }}',
                'The town had {{ fact("t.enterprise") }}',
            )
        },
        "briefs/zz-test/en.md:11: unknown fact 't.enterprise' (did you mean t.enterprises?)",
    ),
    "figure typed into prose": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("Outcomes.", "Output rose 58% in a year.")},
        "briefs/zz-test/en.md:19: figure '58' typed into prose (cite it from the fact base with "
        '{{ fact("id") }}, or list a name that contains digits under allow_digits in brief.yaml)',
    ),
    "empty section": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("Measures.", "")},
        "briefs/zz-test/en.md:13: section 'measures' is empty (write at least one paragraph)",
    ),
    "missing section": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("# lessons\n\nLessons.\n", "")},
        "briefs/zz-test/en.md:21: missing section 'lessons' (add '# lessons' with its text)",
    ),
    "unknown section": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("# outcomes", "# results")},
        "briefs/zz-test/en.md:17: unknown section 'results' (sections are background, measures, "
        "outcomes, lessons)",
    ),
    "too few recommendations": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("  - Third.\n", "")},
        "briefs/zz-test/en.md:4: front matter: 2 recommendations, expected 3 to 5",
    ),
    "missing front matter": (
        {"briefs/zz-test/en.md": GOOD_TEXT.split("---\n", 2)[2]},
        "briefs/zz-test/en.md:1: missing front matter (start the file with a line '---', the "
        "title and other fields, then '---')",
    ),
    "unknown audience": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF.replace("[full-report]", "[investors]")},
        "briefs/zz-test/brief.yaml:5: unknown audience 'investors' (known: decision-makers, "
        "field-card, full-report, press, print-edition)",
    ),
    "unknown key figure": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF.replace("[t.enterprises]", "[t.nothing]")},
        "briefs/zz-test/brief.yaml:7: key figure 't.nothing' is not a known fact "
        "(check the id in facts/*.yaml)",
    ),
    "language without its text": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF.replace("[en]", "[en, zh]")},
        "briefs/zz-test/brief.yaml:6: language 'zh' is listed but briefs/zz-test/zh.md is "
        "missing (write it, or remove the language)",
    ),
    "conflict naming an unknown fact": (
        {
            "facts/test.yaml": GOOD_FACTS
            + textwrap.dedent("""\
            conflicts:
              - id: t.conflict
                facts: [t.enterprises, t.other]
                note: {zh: 不一致, en: disagree}
            """)
        },
        "facts/test.yaml:12: conflict 't.conflict': unknown fact 't.other'",
    ),
    "duplicate key": (
        {"briefs/zz-test/brief.yaml": GOOD_BRIEF + "topic: again\n"},
        "briefs/zz-test/brief.yaml:8: duplicate key 'topic' (each key may appear once)",
    ),
    "invalid fact id": (
        {"facts/test.yaml": GOOD_FACTS.replace("id: t.enterprises", "id: T.Enterprises")},
        "facts/test.yaml:2: fact id 'T.Enterprises' is not valid (use lowercase words joined by dots)",
    ),
    "date fact with a number": (
        {
            "facts/test.yaml": GOOD_FACTS.replace(
                "value: 215\n    unit: enterprise", "value: 215\n    unit: date"
            )
        },
        'facts/test.yaml:3: fact \'t.enterprises\': value 215 is not a date (a date fact\'s value is "YYYY", "YYYY-MM" or "YYYY-MM-DD")',
    ),
    "conflict with one fact": (
        {
            "facts/test.yaml": GOOD_FACTS
            + "conflicts:\n  - id: t.c\n    facts: [t.enterprises]\n    note: {zh: 甲, en: a}\n"
        },
        "facts/test.yaml:13: conflict 't.c': 'facts' must list at least two fact ids",
    ),
    "sections out of order": (
        {
            "briefs/zz-test/en.md": GOOD_TEXT.replace(
                "# measures\n\nMeasures.\n\n# outcomes\n\nOutcomes.",
                "# outcomes\n\nOutcomes.\n\n# measures\n\nMeasures.",
            )
        },
        "briefs/zz-test/en.md:9: sections are out of order (the order is background, measures, outcomes, lessons)",
    ),
    "front matter not closed": (
        {"briefs/zz-test/en.md": GOOD_TEXT.replace("---\n# background", "# background")},
        "briefs/zz-test/en.md:1: front matter is not closed (add a line '---' after it)",
    ),
    "label in an unknown language": (
        {
            "facts/test.yaml": GOOD_FACTS.replace(
                "en: enterprises attracted,", "en: enterprises attracted, fr: entreprises,"
            )
        },
        "facts/test.yaml:7: fact 't.enterprises': 'label' has unknown language 'fr' "
        "(use zh, en or zh-Hant, or declare it in [tool.policybrief] languages)",
    ),
    "claim with an unknown source": (
        {
            "facts/test.yaml": GOOD_FACTS
            + "claims:\n  - id: t.claim\n    label: {zh: 最大, en: largest}\n    source: nowhere\n    quote: 最大\n    reference: true\n"
        },
        "facts/test.yaml:12: claim 't.claim': unknown source 'nowhere' (add it to facts/sources.yaml)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_input_is_reported_with_file_and_line(fixture_project, tmp_path, capsys, case):
    """Build a good output, break one input, build again: the exact message, exit code 1,
    and the last good output untouched."""
    project = fixture_project
    out = tmp_path / "out"
    write_files(
        project,
        {
            "facts/test.yaml": GOOD_FACTS,
            "briefs/zz-test/brief.yaml": GOOD_BRIEF,
            "briefs/zz-test/en.md": GOOD_TEXT,
        },
    )
    args = [
        "--project",
        str(project),
        "--out",
        str(out),
        "--brief",
        "zz-test",
        "--format",
        "html",
        "--strict",
        "--quiet",
    ]
    assert main(args) == 0, capsys.readouterr().err
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before

    files, expected = CASES[case]
    if files.get("facts/test.yaml", "") is None:  # a non-UTF-8 byte
        files = {k: v for k, v in files.items() if v is not None}
        (project / "facts/test.yaml").write_bytes(
            GOOD_FACTS.encode().replace(b"value: 215", b"value: \xc0215")
        )
    write_files(project, files)
    capsys.readouterr()
    assert main(args) == 1
    lines = capsys.readouterr().err.splitlines()
    assert expected in lines, "\n".join(lines)
    assert lines[-1].startswith("Error: stopped with ")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_every_problem_is_reported_in_one_run(fixture_project):
    broken = GOOD_FACTS.replace("unit: enterprise", "unit: firms").replace(
        "qualifier: exact", "qualifier: roughly"
    )
    problems = problems_for(
        fixture_project,
        {
            "facts/test.yaml": broken,
            "briefs/zz-test/en.md": GOOD_TEXT.replace("Outcomes.", "Up 58%."),
        },
    )
    assert problems == [
        "briefs/zz-test/en.md:19: figure '58' typed into prose (cite it from the fact base with "
        '{{ fact("id") }}, or list a name that contains digits under allow_digits in brief.yaml)',
        "facts/test.yaml:2: fact 't.enterprises': unknown unit 'firms' "
        "(use a unit from facts/units.yaml or add one there)",
        "facts/test.yaml:5: fact 't.enterprises': unknown qualifier 'roughly' "
        "(allowed: exact, over, nearly, about, more_than, up_to)",
    ]

"""The files readers download, read back by the programs that open them: BibTeX by pybtex,
RIS by rispy, chart CSVs by the rule spreadsheets apply (a cell starting with = + - @ is
a formula). Hostile text in a source's fields or a fact's quote must come back as the text
it was, in the field it was in, and forge nothing."""

from __future__ import annotations

import csv
import io

import pytest

from policybrief.output import exports
from policybrief.render.chartdata import spreadsheet_safe

pybtex_database = pytest.importorskip("pybtex.database")
rispy = pytest.importorskip("rispy")

HOSTILE = [
    "A } , title = {forged",
    "{",
    "}}}",
    "Back\\slash \\} and \\{",
    "Line\nER  - \nTY  - JOUR\nTI  - forged",
    "Smith and Jones, Ltd.",
    "100% of $5 & #1_a~b^c",
    "@misc{forged, title={x}}",
    "tab\tand\rreturn\u2028separator",
]


def _item(title: str, family: str = "Wang") -> exports.CslItem:  # type: ignore[name-defined]
    return {
        "id": "src-1",
        "type": "report",
        "title": title,
        "publisher": title,
        "author": [{"family": family, "given": "Li"}, {"literal": title}],
        "issued": {"date-parts": [[2024, 5]]},
    }


def _squash(text: str) -> str:
    return " ".join(text.split())


def _untex(value: str) -> str:
    """pybtex keeps LaTeX as written; undo the commands the writer uses for specials."""
    for char, command in exports.BIBTEX_ESCAPES.items():
        value = value.replace(command, char)
    return value


def bibtex_depths_balance(data: str) -> None:
    """Braces counted as BibTeX counts them (a backslash escapes nothing): each field's
    value, one a line, closes at the end of its line and not before, so no text inside it
    can end it and start a field of its own; each entry closes at its last line."""
    for record in data.strip().split("\n\n"):
        lines = record.split("\n")
        assert lines[0].startswith("@") and lines[0].endswith(",") and lines[-1] == "}", record
        for line in lines[1:-1]:
            name, _, value = line.partition(" = ")
            value = value.removesuffix(",")
            assert name.strip().isidentifier() and value.startswith("{"), line
            depth = 0
            for at, char in enumerate(value):
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth > 0 or at == len(value) - 1, f"the value ends early: {line!r}"
            assert depth == 0, line


@pytest.mark.parametrize("text", HOSTILE)
def test_bibtex_reads_back_one_entry_with_its_own_fields(text):
    data = exports.export_bibtex([_item(text)]).decode()
    bibtex_depths_balance(data)
    parsed = pybtex_database.parse_string(data, "bibtex")
    assert list(parsed.entries) == ["src-1"]
    entry = parsed.entries["src-1"]
    assert sorted(entry.fields) == ["date", "institution", "title", "year"]
    assert _untex(entry.fields["title"]) == _squash(text)
    assert _untex(entry.fields["institution"]) == _squash(text)
    people = entry.persons["author"]
    assert len(people) == 2, people
    assert people[0].last_names == ["Wang"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_family_name_stays_one_author(text):
    data = exports.export_bibtex([_item("T", family=text)]).decode()
    entry = pybtex_database.parse_string(data, "bibtex").entries["src-1"]
    assert len(entry.persons["author"]) == 2
    assert sorted(entry.fields) == ["date", "institution", "title", "year"]


@pytest.mark.parametrize("text", HOSTILE)
def test_ris_reads_back_one_record_with_its_own_fields(text):
    data = exports.export_ris([_item(text, family=text)]).decode()
    records = rispy.loads(data)
    assert len(records) == 1
    record = records[0]
    assert record["title"] == _squash(text)
    assert record["publisher"] == _squash(text)
    assert record["authors"] == [f"{_squash(text)}, Li", _squash(text)]
    assert record["type_of_reference"] == "RPRT"
    assert record["id"] == "src-1"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("-2*A1", "'-2*A1"),
        ("-1e5", "'-1e5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("-3", "-3"),
        ("12.5", "12.5"),
        ("Total", "Total"),
        ("", ""),
    ],
)
def test_a_csv_cell_is_never_a_formula(cell, shown):
    assert spreadsheet_safe(cell) == shown
    written = io.StringIO()
    csv.writer(written).writerow([spreadsheet_safe(cell)])
    back = next(csv.reader(io.StringIO(written.getvalue())))[0]
    assert back == shown
    assert not back.startswith(("=", "+", "@", "\t", "\r")) or back == ""
    if back.startswith("-"):
        float(back)  # only a plain number keeps its sign first

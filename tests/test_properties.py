# Property-based tests (Hypothesis) for the loaders: whatever a facts file, a brief.yaml or a
# language file holds, loading and checking end in success or in problems (a path, and a line
# within that file), never in an exception. A default run is 1,250 generated examples in total
# (7 property tests, plus their 21 explicit @example cases) and 7 plain tests of the limits
# (how long the refusals take is measured by benchmarks/limits.py, not asserted here).
# HYPOTHESIS_EXAMPLES=10 multiplies every count (0.5 halves them).
# The runs are derandomized (the same examples every time) and keep no example database.
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policybrief.check.rules import check
from policybrief.core import xmlsafe
from policybrief.core.errors import Problem
from policybrief.core.model import QUALIFIERS
from policybrief.load import yamlio
from policybrief.load.briefs import split_front_matter
from policybrief.load.project import load_project
from policybrief.load.yamlio import YList, YMap

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixture"
SCALE = float(os.environ.get("HYPOTHESIS_EXAMPLES", "1"))

# Files every generated project starts from: the fixture project's units and sources, the
# built-in audiences, and the fixture's source texts (quotes are verified, as `check` does).
BASE = {name: (FIXTURE / name).read_bytes() for name in ("facts/units.yaml", "facts/sources.yaml")}
BASE["templates/audiences.yaml"] = (ROOT / "templates/audiences.yaml").read_bytes()
BASE["pyproject.toml"] = (
    f'[tool.policybrief]\nsource_texts = "{(FIXTURE / "sources").as_posix()}"\n'
).encode()
# Real files to mutate: the fixture's (the shipped briefs may change at any time).
REAL = {
    name: (FIXTURE / name).read_bytes()
    for name in (
        "facts/qiaotou.yaml",
        "facts/hexi.yaml",
        "briefs/qiaotou/en.md",
        "briefs/hexi/zh.md",
        "briefs/qiaotou/brief.yaml",
    )
}


def budget(examples: int):
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# ----------------------------------------------------------------------------- checking


def line_count(raw: bytes) -> int:
    """Lines as an editor shows them: CRLF, CR and LF each end one."""
    data = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def assert_problems(
    problems: list, root: Path | None = None, files: dict[str, bytes] | None = None
) -> None:
    """Each is a Problem with a path and a line in 0..lines+1 of that file, on one line."""
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert isinstance(problem.path, str) and problem.path
        assert type(problem.line) is int and problem.line >= 0, problem
        assert problem.severity in ("error", "warning"), problem
        assert problem.message and "\n" not in str(problem), problem
        raw = (files or {}).get(problem.path)
        if raw is None and root is not None and (root / problem.path).is_file():
            raw = (root / problem.path).read_bytes()
        limit = line_count(raw) + 1 if raw is not None else 1
        assert problem.line <= limit, (problem, limit)


def recorded_lines(data):
    """Every line number the YAML loader recorded in a parsed document."""
    if isinstance(data, YMap):
        yield data.line
        yield from data.key_lines.values()
        for value in data.values():
            yield from recorded_lines(value)
    elif isinstance(data, YList):
        yield data.line
        yield from data.item_lines
        for value in data:
            yield from recorded_lines(value)


def run_project(files: dict[str, bytes]) -> list[Problem]:
    """Write a project (the base files plus ``files``), load and check it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in {**BASE, **files}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        (root / "briefs").mkdir(exist_ok=True)
        project, problems = load_project(root)
        problems = problems + check(project)
        assert_problems(problems, root)
        return problems


# ----------------------------------------------------------------------------- strategies

# Odd characters: C0/C1 controls, NEL and the Unicode line separators, bidi marks and
# overrides, zero-width characters and BOMs, noncharacters, private use, combining marks,
# emoji (with joiners, modifiers and flags), CJK, and what YAML and Jinja treat as syntax.
ODD = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\xa0",
    "\u00ad",
    "\u034f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\u2060",
    "\ufeff",
    "\ufffd",
    "\ufffe",
    "\uffff",
    "\ue000",
    "\U0010fffd",
    "e\u0301",
    "😀",
    "👨‍👩‍👧",
    "👍🏽",
    "🇨🇳",
    "中",
    "云栖",
    "\u0645\u0631\u062d\u0628\u0627",
    "\t",
    "\r",
    "\n",
    "\r\n",
    " ",
    "  ",
    "#",
    ":",
    ": ",
    "- ",
    "---",
    "...",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a",
    "*a",
    "!",
    "!!",
    "|",
    ">",
    "'",
    '"',
    "%",
    "@",
    "`",
    "?",
    "\\",
    "{{",
    "}}",
    "{%",
    '{{ fact("',
    '") }}',
    "0",
    "9",
    "٣",
    "５",
]
odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=4)), max_size=12).map("".join)
plain_text = st.one_of(st.text(max_size=20), odd_text)

TRICKY_SCALARS = [
    "2016",
    "2016-12",
    "2016-12-01",
    "2016-13",
    "2016-02-30",
    "0000-01-01",
    "0b_",
    "0x_",
    "._",
    "0x",
    "1:2:3",
    "190:20:30",
    "yes",
    "no",
    "on",
    "off",
    "~",
    "null",
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "1e999",
    "1.0e999",
    "-0",
    "0o17",
    "017",
    "8000000000",
    "1000000000000000000",
    "9" * 99,
    "9" * 150,
    "=",
    "<<",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    plain_text,
    st.sampled_from(TRICKY_SCALARS),
)
keys = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    plain_text,
    st.sampled_from(["id", "value", "unit", "facts", "zh", "en", "title"]),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)
# A field's value when it is not a plausible one: anything, but small (generating is slow).
wild = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3)
    ),
    max_leaves=4,
)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


@st.composite
def yaml_text(draw, data) -> str:
    """``data`` written as YAML in one of several styles."""
    return yaml.dump(
        data,
        Dumper=_NoAliases,
        sort_keys=False,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, True, None])),
        width=draw(st.sampled_from([20, 80, 10**6])),
        indent=draw(st.sampled_from([2, 4])),
    )


# Whole lines a mutation may insert: every YAML feature a project file should not need, the
# edge cases of the loaders, and the "billion laughs".
LINE_SNIPPETS = [
    b"x: &a [1, 2]",
    b"y: *a",
    b"- *a",
    b"<<: *a",
    b"<<: {a: 1}",
    b"<<: [1]",
    b"? [a]",
    b"? {a: 1}",
    b'lol1: &l1 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    b"lol2: &l2 [*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1]",
    b"lol3: &l3 [*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2]",
    b"value: .nan",
    b"value: .inf",
    b"value: -.inf",
    b"value: 1" + b"0" * 200,
    b"value: 0b_",
    b"value: 1" + b":1" * 300,
    b"value: !!binary aGVsbG8=",
    b"value: !!set {a, b}",
    b"value: !!omap [a: 1]",
    b"value: !!float x",
    b"value: !!bool maybe",
    b"value: !!int [1]",
    b"date: !!timestamp 2016-13-01",
    b"date: !!timestamp 2016-12-01",
    b"label: !!map text",
    b"facts: !!seq text",
    b"value: !!python/object:os.system ls",
    b"value: !local x",
    b"key: " + b"x" * 100_000,
    b"[" * 300 + b"]" * 300,
    b"- " * 150 + b"x",
    b"{a: " * 150,
    b"\t- tab",
    b"\tid: x",
    b"---",
    b"...",
    b"%YAML 1.1",
    b"%TAG ! tag:x,2000:",
    b"--- !!map",
    b"# background",
    b"# measures",
    b"# outcomes",
    b"# lessons",
    b"# results",
    b"#",
    b"```",
    b"~~~",
    b"  - id: t.dup",
    b"id: t.dup",
    b"facts: []",
    b"facts:",
    b"claims: {}",
    b"conflicts: x",
    b"languages: [/etc/passwd, ../../facts/units, en]",
    b"unit: date",
    b"reference: yes",
    b"title: " + "\u202e\u200b😀".encode() * 10,
    "\u2028\x85".encode(),
    b"\xef\xbb\xbf---",
    b"\x00",
    b"\x80",
    b"\xff\xfe",
    b"\xe4\xb8",
    b"\xed\xa0\x80",
]
BYTE_SNIPPETS = [
    b"\x80",
    b"\xff",
    b"\xc0\xaf",
    b"\xe4\xb8",
    b"\xed\xa0\x80",
    b"\xef\xbb\xbf",
    b"\r",
    b"\r\n",
    b"\n",
    b"\t",
    b"\x00",
    b"\x1b",
    "\u2028".encode(),
    "\x85".encode(),
    "\u202e".encode(),
    "\u200b".encode(),
    "😀".encode(),
    b"&a ",
    b"*a",
    b"!!int ",
    b"<<: ",
    b"? ",
    b": ",
    b"- ",
    b'"',
    b"'",
    b"{",
    b"[",
    b"]",
    b"}",
    b"#",
    b"|",
    b">",
    b"{{",
    b"}}",
    b'fact("',
    b"\n---\n",
    b"\n# lessons\n",
]

position = st.integers(0, 2**31)
mutation = st.one_of(
    st.tuples(st.just("delete"), position, st.integers(1, 40)),
    st.tuples(
        st.just("insert"),
        position,
        st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from(BYTE_SNIPPETS)),
    ),
    st.tuples(st.just("swap"), position, position),
    st.tuples(st.just("delete line"), position),
    st.tuples(st.just("copy line"), position),
    st.tuples(st.just("swap lines"), position, position),
    st.tuples(
        st.just("insert line"),
        position,
        st.one_of(
            st.sampled_from(LINE_SNIPPETS), odd_text.map(lambda t: t.encode("utf-8", "replace"))
        ),
    ),
    st.tuples(st.just("indent"), position, st.sampled_from([b" ", b"  ", b"\t", b"    "])),
    st.tuples(st.just("dedent"), position),
)
line_ends = st.sampled_from(["keep", "crlf", "cr", "mixed", "none at end"])


def mutate(raw: bytes, ops, ends: str = "keep", bom: bool = False) -> bytes:
    """Apply byte and line edits, then change the line ends, then maybe add a BOM."""
    data = bytearray(raw)
    for op, *args in ops:
        if op in ("delete", "insert", "swap"):
            n = len(data) + 1
            if op == "delete":
                start = args[0] % n
                del data[start : start + args[1]]
            elif op == "insert":
                start = args[0] % n
                data[start:start] = args[1]
            elif data:
                i, j = args[0] % len(data), args[1] % len(data)
                data[i], data[j] = data[j], data[i]
            continue
        lines = bytes(data).split(b"\n")
        i = args[0] % len(lines)
        if op == "delete line":
            del lines[i]
        elif op == "copy line":
            lines.insert(i, lines[i])
        elif op == "swap lines":
            j = args[1] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert line":
            lines.insert(i, args[1])
        elif op == "indent":
            lines[i] = args[1] + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][1:] if lines[i][:1] in (b" ", b"\t") else lines[i]
        data = bytearray(b"\n".join(lines))
    out = bytes(data)
    if ends == "crlf":
        out = out.replace(b"\n", b"\r\n")
    elif ends == "cr":
        out = out.replace(b"\n", b"\r")
    elif ends == "mixed":
        parts = out.split(b"\n")
        out = b"".join(p + (b"\r\n", b"\r", b"\n")[k % 3] for k, p in enumerate(parts[:-1]))
        out += parts[-1]
    elif ends == "none at end":
        out = out.rstrip(b"\r\n")
    return (b"\xef\xbb\xbf" + out) if bom else out


@st.composite
def edited(draw, raw: bytes, most: int = 4) -> bytes:
    """``raw`` with up to ``most`` random edits, other line ends and maybe a BOM."""
    ops = draw(st.lists(mutation, max_size=most))
    return mutate(raw, ops, draw(line_ends), draw(st.booleans()))


# Fields of facts, claims and conflicts: mostly plausible values, sometimes anything.
ids = st.one_of(
    st.sampled_from(["t.a", "t.b", "qiaotou.output.2016", "T.Bad", "a..b", "", " "]), wild
)
label = st.one_of(
    st.fixed_dictionaries(
        {}, optional={"zh": plain_text, "en": plain_text, "fr": plain_text, None: plain_text}
    ),
    wild,
)
FIELDS = {
    "id": ids,
    "value": st.one_of(st.integers(), st.floats(), st.sampled_from(TRICKY_SCALARS), wild),
    "unit": st.one_of(
        st.sampled_from(["enterprise", "date", "percent", "cny", "year", "firms"]), wild
    ),
    "qualifier": st.one_of(st.sampled_from([*QUALIFIERS, "roughly"]), wild),
    "date": st.one_of(st.sampled_from(TRICKY_SCALARS), st.integers(-1, 10**6), wild),
    "label": label,
    "note": label,
    "source": st.one_of(st.sampled_from(["qiaotou-case", "hexi-report", "nowhere"]), wild),
    "quote": st.one_of(st.sampled_from(["各类企业481家", "", "   "]), plain_text, wild),
    "reference": st.one_of(st.booleans(), wild),
    "facts": st.one_of(st.lists(ids, max_size=3), wild),
    "units": wild,
}
entry = st.one_of(st.fixed_dictionaries({}, optional=FIELDS), trees)
facts_doc = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "facts": st.lists(entry, max_size=5) | wild,
            "claims": st.lists(entry, max_size=3) | wild,
            "conflicts": st.lists(entry, max_size=3) | wild,
            "sources": wild,
        },
    ),
    trees,
)

BRIEF_FIELDS = {
    "date": st.one_of(st.sampled_from(TRICKY_SCALARS), wild),
    "topic": st.one_of(st.just("test"), plain_text, wild),
    "authors": st.one_of(st.lists(label, max_size=2), wild),
    "audiences": st.one_of(
        st.lists(
            st.sampled_from(["full-report", "decision-makers", "investors", "../x", ""]), max_size=3
        ),
        wild,
    ),
    "languages": st.one_of(
        st.lists(
            st.sampled_from(
                ["en", "zh", "fr", "", "../../facts/units", "/etc/passwd", "en\x00", "EN"]
            ),
            min_size=1,
            max_size=3,
        ),
        wild,
    ),
    "key_figures": st.one_of(st.lists(ids, max_size=3), wild),
    "allow_digits": st.one_of(st.lists(st.sampled_from(["G20", "5G", "", "0"]), max_size=3), wild),
    "charts": st.one_of(
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": ids,
                    "kind": st.one_of(
                        st.sampled_from(["column", "bar", "line", "stacked", "multiples", "pie"]),
                        wild,
                    ),
                    "section": st.one_of(
                        st.sampled_from(["background", "outcomes", "results"]), wild
                    ),
                    "title": label,
                    "facts": st.one_of(st.lists(ids, max_size=3), wild),
                    "labels": st.one_of(st.lists(label, max_size=3), wild),
                    "series": st.one_of(
                        st.lists(
                            st.fixed_dictionaries(
                                {},
                                optional={
                                    "label": label,
                                    "facts": st.one_of(st.lists(ids, max_size=3), wild),
                                },
                            ),
                            max_size=3,
                        ),
                        wild,
                    ),
                    "totals": st.one_of(st.lists(ids, max_size=3), wild),
                    "note": ids,
                },
            ),
            max_size=2,
        ),
        wild,
    ),
    "batch": st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "rows": st.one_of(
                    st.sampled_from(
                        ["rows.yaml", "missing.yaml", "../../facts/units.yaml", "/etc/passwd", ""]
                    ),
                    wild,
                ),
                "source": st.one_of(st.sampled_from(["qiaotou-case", "nowhere"]), wild),
                "text": st.one_of(
                    st.lists(st.sampled_from(["city", "slug", "output"]), max_size=2), wild
                ),
                "figures": st.one_of(
                    st.dictionaries(
                        st.sampled_from(["output", "jobs"]),
                        st.fixed_dictionaries(
                            {},
                            optional={
                                "unit": FIELDS["unit"],
                                "label": label,
                                "qualifier": FIELDS["qualifier"],
                            },
                        )
                        | wild,
                        max_size=2,
                    ),
                    wild,
                ),
                "extra": wild,
            },
        ),
        wild,
    ),
    "extra": wild,
}
INLINE_FACT = st.fixed_dictionaries(
    {},
    optional={
        name: FIELDS[name] for name in ("value", "quote", "source", "qualifier", "date", "note")
    },
)
rows_doc = st.one_of(
    st.fixed_dictionaries(
        {
            "rows": st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "slug": st.one_of(st.sampled_from(["a", "b", "A B", ""]), wild),
                            "city": st.one_of(label, wild),
                            "output": st.one_of(ids, INLINE_FACT, wild),
                            "jobs": st.one_of(ids, INLINE_FACT, wild),
                        },
                    ),
                    max_size=3,
                ),
                wild,
            )
        }
    ),
    wild,
)
FRONT_FIELDS = {
    "title": st.one_of(plain_text, wild),
    "subtitle": st.one_of(plain_text, wild),
    "summary": st.one_of(plain_text, wild),
    "recommendations": st.one_of(st.lists(plain_text, min_size=2, max_size=6), wild),
    "extra": wild,
}
HEADINGS = [
    "# background",
    "# measures",
    "# outcomes",
    "# lessons",
    "# results",
    "## background",
    "#background",
    "#",
    "#\tlessons",
    "# background  ",
    " # measures",
    "#" + " " * 5000,
]
PARAGRAPHS = [
    'It has {{ fact("t.a") }}.',
    '{{ claim("t.b") }}',
    "Up 58% in ２０１６.",
    "```\n# background\n```",
    "~~~",
    "> > > quoted",
    "    - indented",
    "\t- tabbed",
    "- " * 30 + "deep",
    "> " * 30 + "deep",
    "{{ '' }}",
    "{% if x %}",
    "x" * 20_000,
]
paragraph = st.one_of(st.sampled_from(PARAGRAPHS), plain_text)


@st.composite
def language_file(draw) -> bytes:
    """A language file: front matter (YAML or noise) between fences, then sections."""
    open_fence, close_fence = draw(
        st.sampled_from(
            [
                ("---", "---"),
                ("---", "--- "),
                ("--- ", "---"),
                ("---", "----"),
                ("", "---"),
                ("---", ""),
                ("+++", "+++"),
            ]
        )
    )
    front = draw(
        st.one_of(st.fixed_dictionaries({}, optional=FRONT_FIELDS).flatmap(yaml_text), odd_text)
    )
    parts = [open_fence, front.rstrip("\n"), close_fence]
    for heading, body in draw(
        st.lists(st.tuples(st.sampled_from(HEADINGS), st.lists(paragraph, max_size=3)), max_size=6)
    ):
        parts += [heading, "", *body, ""]
    return "\n".join(parts).encode("utf-8", "replace")


# ----------------------------------------------------------------------------- YAML


@budget(250)
@given(
    st.one_of(
        trees.flatmap(yaml_text).map(str.encode).flatmap(edited),
        odd_text.map(str.encode).flatmap(edited),
        st.binary(max_size=200),
    )
)
@example(b"a: " + b"9" * 5000)  # int(): "Exceeds the limit (4300 digits)" (ValueError)
@example(b"a: " + b"1:" * 5000 + b"1")  # sexagesimal: too big to print later
@example(b"a: 0b_")  # implicit int that int() cannot read (ValueError)
@example(b"a: !!bool maybe")  # KeyError
@example(b"a: !!float x")  # ValueError
@example(b"a: !!int ''")  # IndexError
@example(b"a: !!timestamp nope")  # AttributeError
@example(b"a: !!timestamp 2016-13-01")  # ValueError
@example(b"a: !!map text")  # ValueError in our mapping constructor
@example(b"a: !!seq text")  # AttributeError in our sequence constructor
@example(b"[" * 2000 + b"]" * 2000)  # RecursionError
@example(b"- " * 2000 + b"x")  # RecursionError (block style)
@example(b"&x {a: *x}")  # RecursionError (a mapping that contains itself)
@example("a: 'x\u2028y'\nb: 1\nb: 2\n".encode())  # line 4 reported for line 3
@example(b"a: 1\r\xff")  # a bad byte after a lone CR was reported one line early
@example(b"\xef\xbb\xbfa\n\xff")  # after a BOM: line 1 and byte 0x0a were reported
def test_yaml_never_raises_and_lines_stay_in_the_file(raw):
    text, problems = yamlio.decode(raw, "gen.yaml")
    if text is not None:
        data, problems = yamlio.parse(text, "gen.yaml")
        lines = line_count(raw)
        assert all(1 <= line <= lines + 1 for line in recorded_lines(data))
    assert_problems(problems, files={"gen.yaml": raw})
    if text is None:  # the first line that is not UTF-8 or holds a character XML cannot
        # hold (a control character), counting lines as an editor does
        lines = raw.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = lines.split(b"\n")
        if not utf8(raw.removeprefix(b"\xef\xbb\xbf")):
            wrong = next(number for number, line in enumerate(lines, 1) if not utf8(line))
        else:
            wrong = next(
                number
                for number, line in enumerate(lines, 1)
                if xmlsafe.INVALID_RE.search(line.decode("utf-8"))
            )
        assert [p.line for p in problems] == [wrong]


def utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def same(a, b) -> bool:
    if isinstance(a, dict):
        return (
            isinstance(b, YMap)
            and len(a) == len(b)
            and all(k in b and same(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list):
        return isinstance(b, YList) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


# PyYAML's emitter writes NEL, LS and PS raw inside quotes, where a reader folds them.
# (without the characters XML cannot hold, which the loader refuses even when escaped)
dumpable_text = plain_text.map(
    lambda t: xmlsafe.xml_safe(t.translate({0x85: "", 0x2028: "", 0x2029: ""}))
)
small_trees = st.recursive(
    # Finite floats only: .inf and .nan are refused as reinterpreted (see the test below).
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**40), 10**40),
        st.floats(allow_nan=False, allow_infinity=False),
        dumpable_text,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(dumpable_text, children, max_size=4)
    ),
    max_leaves=15,
)


@budget(150)
@given(small_trees.flatmap(lambda data: st.tuples(st.just(data), yaml_text(data))))
def test_yaml_written_by_pyyaml_reads_back_the_same(case):
    data, text = case
    parsed, problems = yamlio.parse(text, "gen.yaml")
    assert problems == []
    assert same(data, parsed)
    assert all(1 <= line <= text.count("\n") + 1 for line in recorded_lines(parsed))


@pytest.mark.parametrize(
    "value", [".inf", "-.inf", ".nan", "0x1F", "1_000", "010", "yes", "No", "off", "1:20"]
)
def test_values_yaml_would_reinterpret_are_refused(value):
    parsed, problems = yamlio.parse(f"value: {value}\n", "gen.yaml")
    assert parsed is None and len(problems) == 1
    assert problems[0].message.startswith(f"{value!r} would be read as ")


@budget(250)
@given(
    st.one_of(
        language_file(), st.just(REAL["briefs/qiaotou/en.md"]), st.just(REAL["briefs/hexi/zh.md"])
    ).flatmap(edited)
)
@example(b"---\na: &a [1]\nb: [*a, *a, *a]\n---\n")  # one list shifted 4 times: line 5
@example("---\na: 1\u2028b: [\n---\n".encode())
def test_front_matter_never_raises(raw):
    problems: list[Problem] = []
    text, found = yamlio.decode(raw, "gen.md")
    problems += found
    if text is not None:
        front, body, body_line = split_front_matter(text, "gen.md", problems)
        lines = text.split("\n")
        if not problems:  # closed: the fences are where the split says
            assert lines[0].strip() == "---" and lines[body_line - 2].strip() == "---"
            assert body == "\n".join(lines[body_line - 1 :])
            assert front == "\n".join(lines[1 : body_line - 2])
        if front.strip():
            data, found = yamlio.parse(front, "gen.md", first_line=2)
            problems += found
            assert all(2 <= line <= body_line - 2 for line in recorded_lines(data))
    assert_problems(problems, files={"gen.md": raw})


# ----------------------------------------------------------------------------- projects


@budget(150)
@given(facts_doc.flatmap(yaml_text).map(str.encode).flatmap(lambda raw: edited(raw, 2)))
@example(b"facts:\n  - &a {id: t.a}\n  - *a\n")  # the same fact twice through an alias
def test_generated_facts_file_loads_or_reports(raw):
    run_project({"facts/gen.yaml": raw})


@budget(150)
@given(
    st.sampled_from([REAL["facts/qiaotou.yaml"], REAL["facts/hexi.yaml"]]).flatmap(
        lambda raw: edited(raw, 8)
    )
)
def test_mutated_real_facts_file_loads_or_reports(raw):
    run_project({"facts/gen.yaml": raw})


@budget(150)
@given(
    st.fixed_dictionaries({}, optional=BRIEF_FIELDS)
    .flatmap(yaml_text)
    .map(str.encode)
    .flatmap(lambda raw: edited(raw, 2)),
    language_file().flatmap(lambda raw: edited(raw, 2)),
    rows_doc.flatmap(yaml_text).map(str.encode).flatmap(lambda raw: edited(raw, 1)),
)
@example(b"languages: [/etc/passwd]\n", b"", b"")  # ValueError: not in the project's folder
@example(b"languages: [../../x]\n", b"", b"")
def test_generated_brief_loads_or_reports(brief, text, rows):
    run_project(
        {
            "briefs/gen/brief.yaml": brief,
            "briefs/gen/en.md": text,
            "briefs/gen/rows.yaml": rows,
            "facts/gen.yaml": b"facts:\n  - {id: t.a, value: 1, unit: percent, "
            b"date: '2016', label: {zh: a, en: a}, source: qiaotou-case, "
            b"quote: q, reference: true}\n",
        }
    )


@budget(150)
@given(
    st.sampled_from(
        [("en", REAL["briefs/qiaotou/en.md"]), ("zh", REAL["briefs/hexi/zh.md"])]
    ).flatmap(
        lambda case: st.tuples(
            st.just(case[0]), edited(case[1], 8), edited(REAL["briefs/qiaotou/brief.yaml"], 1)
        )
    )
)
def test_mutated_real_brief_loads_or_reports(case):
    lang, text, brief = case
    brief = brief.replace(b"[zh, en]", b"[" + lang.encode() + b"]")
    run_project({"briefs/gen/brief.yaml": brief, f"briefs/gen/{lang}.md": text})


# ----------------------------------------------------------------------------- limits

BOMB = b"""\
facts:
  - id: t.a
    value: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
    unit: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
    date: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
    label: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
    source: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
    quote: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
    note: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
    qualifier: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]
    id2: &l8 [*l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7]
    reference: [*l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8]
"""


def problems_of(files: dict[str, bytes]) -> list[str]:
    return [str(p) for p in run_project(files)]


def test_alias_bomb_is_refused():
    problems = problems_of({"facts/gen.yaml": BOMB})
    assert (
        "facts/gen.yaml:3: anchors and aliases (&name, *name) are not allowed "
        "(write each value out in full)"
    ) in problems


def test_alias_bomb_in_front_matter_is_refused():
    text = b"---\n" + BOMB.replace(b"facts:\n", b"title: x\nb:\n") + b"---\n# background\n"
    problems = problems_of(
        {
            "briefs/gen/brief.yaml": REAL["briefs/qiaotou/brief.yaml"].replace(
                b"[zh, en]", b"[en]"
            ),
            "briefs/gen/en.md": text,
        }
    )
    assert (
        "briefs/gen/en.md:5: anchors and aliases (&name, *name) are not allowed "
        "(write each value out in full)"
    ) in problems


def test_file_over_the_size_limit_is_refused():
    line = b"# " + b"x" * 998 + b"\n"
    big = REAL["facts/hexi.yaml"] + line * (yamlio.MAX_FILE_BYTES // len(line))
    assert len(big) > yamlio.MAX_FILE_BYTES
    problems = problems_of({"facts/gen.yaml": big})
    assert (
        "facts/gen.yaml: file is larger than 5 MB, the limit for project files "
        "(split it into smaller files)"
    ) in problems
    problems = problems_of(
        {
            "briefs/gen/brief.yaml": REAL["briefs/qiaotou/brief.yaml"].replace(
                b"[zh, en]", b"[en]"
            ),
            "briefs/gen/en.md": big,
        }
    )
    assert (
        "briefs/gen/en.md: file is larger than 5 MB, the limit for project files "
        "(split it into smaller files)"
    ) in problems


@pytest.mark.parametrize(
    "text",
    [
        b"x: " + b"[" * 2_000_000,
        b"x: " + b"{a: " * 1_000_000,
        b"".join(b" " * i + b"- \n" for i in range(2000)),
    ],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_deep_nesting_is_refused(text):
    # Unbounded, libyaml takes time in the square of the flow depth (16,000 levels: 2 s)
    # and building the data recurses once per level (benchmarks/limits.py times it).
    problems = problems_of({"facts/gen.yaml": text})
    assert [p for p in problems if "nest more than 100 levels deep" in p] == [
        f"facts/gen.yaml:{1 if text.startswith(b'x') else 101}: lists and mappings nest more "
        "than 100 levels deep (flatten the structure)"
    ]


def test_missing_or_unreadable_files_are_problems():
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "facts" / "units.yaml").mkdir(parents=True)  # a folder, not a file
        (root / "briefs").mkdir()
        project, problems = load_project(root)
        problems += check(project)
    assert_problems(problems)
    assert sorted(map(str, problems)) == [
        "facts/sources.yaml: cannot read the file: No such file or directory",
        "facts/units.yaml: cannot read the file: Is a directory",
    ]

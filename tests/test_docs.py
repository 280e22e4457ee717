"""Docs as tests: what the engine offers templates and users is named in the docs, the
commands the docs print run, and the numbers they print are the code's.

- Every list below is computed from the code at test time (a real page render, the partials
  folder, the Audience fields, base.html's blocks, `build.py --help`), so anything added to
  the engine without a line in docs/templates.md or the README fails here.
- Every ``sh`` block of README.md and docs/*.md runs, in a shell, on a copy of the project
  (or its comment says why not, or which test runs it): see "every sh block" below.
- Every count in the docs between ``<!-- n:NAME -->`` markers is recomputed by
  scripts/docs_numbers.py and must agree; measured numbers must only be there.

The docs describe this repository as it ships: the project these tests copy, build and
count holds the briefs of ``SHIPPED_BRIEFS`` (tests/helpers.py) and no other, so a brief a
user adds to their checkout (the walkthrough's ``water-reform``) fails none of them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import jinja2
import pypdf
import pytest
from helpers import ROOT, copy_project, find_all, parse_html, run_cli, shell_bin, text_of

from policybrief.build.pipeline import Options, build
from policybrief.core.languages import DEFAULT
from policybrief.core.model import Audience
from policybrief.load import project as project_module
from policybrief.render import notes as render

sys.path.insert(0, str(ROOT / "scripts"))
import docs_numbers  # noqa: E402 - scripts/ is not a package

TEMPLATES_DOC = ROOT / "docs" / "templates.md"


def doc_text() -> str:
    return TEMPLATES_DOC.read_text(encoding="utf-8")


def documented(name: str) -> bool:
    """A name counts as documented when the doc writes it as code: `name`."""
    return f"`{name}`" in doc_text()


# -- (1) every variable of the page context ---------------------------------------------------


def context_paths(value, prefix: str, out: set[str], source_keys: frozenset[str]) -> None:
    """Dotted paths of every key in a template context; ``[]`` marks list items.

    A mapping from language codes to texts ({"zh": ..., "en": ...}) is one value, not
    fields. A mapping shaped like ``render.source_dict`` is "a source", documented once as
    ``source.<field>`` wherever it appears."""
    if isinstance(value, Mapping):
        keys = frozenset(value)
        if keys == frozenset(DEFAULT):  # the shipped project's languages
            return
        if prefix and keys == source_keys:
            prefix = "source"
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.add(path)
            context_paths(item, path, out, source_keys)
    elif isinstance(value, list | tuple):
        for item in value:
            context_paths(item, f"{prefix}[]", out, source_keys)


@pytest.fixture(scope="module")
def page_variables(tmp_path_factory) -> set[str]:
    """Every variable path the engine passes to an audience template, collected by building
    every shipped brief's English HTML edition for every audience and recording each render
    call."""
    from policybrief.load.project import load_project

    root = copy_project(tmp_path_factory.mktemp("docs-project") / "project")
    project, _problems = load_project(root)
    audience_templates = {a.template for a in project.audiences.values()}
    facts = project.facts
    en = project.language("en")
    source_keys = frozenset(render.source_dict(facts, next(iter(facts.sources)), en))
    assert source_keys == frozenset(render.source_dict(facts, "", en))
    contexts: list[dict] = []
    original = jinja2.Template.render

    def spy(self, *args, **kwargs):
        if self.name in audience_templates:
            contexts.append(dict(*args, **kwargs))
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.Template, "render", spy)
        build(
            Options(
                root=root,
                out=tmp_path_factory.mktemp("docs-dist"),
                langs=("en",),
                formats=("html",),
            )
        )
    assert contexts, "no audience template was rendered"
    paths: set[str] = set()
    for context in contexts:
        context_paths(context, "", paths, source_keys)
    # Notes of every kind (derived, undated, in conflict, claims), whether or not a shipped
    # brief happens to cite one: the same function the renderer uses, on the whole base.
    for number, item_id in enumerate([*facts.facts, *facts.claims], 1):
        context_paths({"notes": [render.note(facts, item_id, number, en)]}, "", paths, source_keys)
    return paths


def test_the_page_context_is_collected_from_a_real_render(page_variables):
    # Guards the collector itself: it must see the context's top level and nested fields.
    assert {"brief", "brief.title", "notes[].source", "source.author"} <= page_variables


def test_every_page_variable_is_documented(page_variables):
    missing = sorted(p for p in page_variables if not documented(p))
    assert not missing, (
        f"page variables not documented in docs/templates.md (write each as `path`): {missing}"
    )


# -- (2) every partial --------------------------------------------------------------------------


PARTIALS = sorted(
    p.relative_to(ROOT / "templates").as_posix()
    for p in (ROOT / "templates" / "_partials").rglob("*")
    if p.is_file()
)


def test_there_are_partials():
    assert PARTIALS


@pytest.mark.parametrize("partial", PARTIALS)
def test_every_partial_is_documented(partial):
    assert documented(partial), f"{partial} is not named in docs/templates.md"


# -- (3) every audiences.yaml key, with its default ---------------------------------------------


def audience_rows() -> dict[str, list[str]]:
    """The rows of the key table in the doc's audiences.yaml section: key -> cells."""
    section = doc_text().split("\n## audiences.yaml\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z_]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def expected_default(field: dataclasses.Field) -> str:
    if field.default is dataclasses.MISSING:
        return "required"
    if field.default is None:
        return "none"
    if isinstance(field.default, bool):
        return f"`{str(field.default).lower()}`"
    return f"`{field.default}`"


AUDIENCE_FIELDS = {f.name: f for f in dataclasses.fields(Audience)}


@pytest.mark.parametrize("key", project_module.AUDIENCE_FIELDS)
def test_every_audience_key_is_documented_with_its_default(key):
    rows = audience_rows()
    assert key in rows, f"audiences.yaml key {key!r} has no row in docs/templates.md"
    _allowed, default, _effect = rows[key]
    assert default.startswith(expected_default(AUDIENCE_FIELDS[key])), (
        f"{key}: the doc gives the default {default!r}, the engine "
        f"{expected_default(AUDIENCE_FIELDS[key])}"
    )


@pytest.mark.parametrize(
    "key, values",
    [("page_size", project_module.PAGE_SIZES), ("pdf_variant", project_module.PDF_VARIANTS)],
)
def test_the_allowed_values_of_checked_audience_keys_are_documented(key, values):
    allowed = audience_rows()[key][0]
    for value in values:
        assert f"`{value}`" in allowed, f"{key}: {value!r} is not listed as allowed"


# -- (4) every block of base.html ---------------------------------------------------------------


BLOCKS = re.findall(
    r"{%-?\s*block\s+(\w+)", (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
)


def test_base_html_has_blocks():
    assert BLOCKS


@pytest.mark.parametrize("block", BLOCKS)
def test_every_block_of_base_html_is_documented(block):
    assert f"{{% block {block} %}}" in doc_text(), (
        f"base.html's block {block!r} is not documented in docs/templates.md"
    )


# -- (5) every command-line flag ----------------------------------------------------------------


def user_docs() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    )


def help_options() -> list[tuple[str, ...]]:
    """Each option printed by ``build.py --help``, as its spellings (``("--jobs", "-j")``)."""
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("\noptions:\n", 1)[1]
    options = []
    for line in section.splitlines():
        match = re.match(r"^  (-\S.*?)(?:\s{2,}|$)", line)
        if match:
            options.append(tuple(part.split()[0] for part in match.group(1).split(", ")))
    return options


def test_help_lists_options():
    options = help_options()
    assert ("--brief",) in options and ("--jobs", "-j") in options


def test_every_command_line_flag_is_documented():
    docs = user_docs()

    def mentioned(flag: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", docs) is not None

    missing = [
        " / ".join(spellings)
        for spellings in help_options()
        if "--help" not in spellings and not any(mentioned(s) for s in spellings)
    ]
    assert not missing, f"flags printed by build.py --help but not in README.md or docs/: {missing}"


def test_every_command_but_the_default_is_documented():
    from policybrief.cli.main import parser

    result = run_cli("--help")
    choices = re.search(r"\[\{([\w-]+(?:,[\w-]+)+)\}\]", result.stdout.split("\n\n", 1)[0])
    assert choices, "no command list in the usage line"
    default = parser().parse_args([]).command
    docs = user_docs()
    missing = [
        c
        for c in choices.group(1).split(",")
        if c != default and f"`{c}`" not in docs and f"build.py {c}" not in docs
    ]
    assert not missing, f"commands not documented in README.md or docs/: {missing}"


def test_the_docs_name_no_missing_file():
    """A hint or link that points at a doc must point at one that exists."""
    for path in [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "policybrief").glob("*.py")),
    ]:
        text = path.read_text(encoding="utf-8")
        for name in sorted(set(re.findall(r"\bdocs/[\w.-]+\.md\b", text))):
            assert (ROOT / name).is_file(), (
                f"{path.relative_to(ROOT)} names {name}, which is missing"
            )


def test_docs_paths_are_relative_links_that_resolve():
    for target in re.findall(r"\]\((?!https?:|#)([^)#]+)", doc_text()):
        assert (TEMPLATES_DOC.parent / target).resolve().exists(), target


# -- the worked example builds as printed -------------------------------------------------------


def worked_example_section() -> str:
    return doc_text().split("\n## Worked example", 1)[1].split("\n## ", 1)[0]


def worked_example() -> tuple[dict[str, str], str]:
    """The files the worked example prints (name -> text) and its brief.yaml audiences line."""
    section = worked_example_section()
    files, audiences_line, start = {}, "", 0
    for fence in re.finditer(r"```(\w*)\n(.*?)\n```", section, re.S):
        before = section[start : fence.start()]
        start = fence.end()
        lang, body = fence.group(1), fence.group(2)
        if lang == "sh":
            continue
        if body.startswith("audiences: ["):
            audiences_line = body
            continue
        names = re.findall(r"\*\*`([^`]+)`\*\*", before)
        if names:
            files[names[-1]] = body + "\n"
    return files, audiences_line


def worked_example_commands() -> list[str]:
    """The ``sh`` blocks of the worked example: the ones its test runs."""
    return re.findall(r"```sh\n(.*?)\n```", worked_example_section(), re.S)


def test_the_worked_example_builds_as_printed(tmp_path):
    """The files written where the example says (``~/acme-templates``, the brief's audiences
    line), then its commands run as printed, in a shell, on a copy of the project."""
    files, audiences_line = worked_example()
    assert {"board-memo.html", "audiences.yaml"} <= set(files), sorted(files)
    assert "board-memo" in audiences_line
    project = docs_project(tmp_path)
    house = tmp_path / "home" / "acme-templates"
    for name, text in files.items():
        (house / name).parent.mkdir(parents=True, exist_ok=True)
        (house / name).write_text(text, encoding="utf-8")
    brief = project / "briefs" / "yunqi" / "brief.yaml"
    brief.write_text(
        re.sub(r"(?m)^audiences: .*$", audiences_line, brief.read_text(encoding="utf-8"), count=1),
        encoding="utf-8",
    )
    commands = worked_example_commands()
    assert commands, "the worked example has no sh block"
    for commands_block in commands:
        run_block(project, tmp_path, commands_block, "docs/templates.md, worked example")
    out = project / "dist"
    for lang, to in (("en", "The Board"), ("zh", "董事会")):
        page = out / "yunqi" / f"board-memo.{lang}.html"
        root = parse_html(page)
        header = next(find_all(root, "header", class_="memo-head"))
        assert to in text_of(header)
        assert len(list(find_all(root, "section", class_="brief-section"))) == 4
        assert "size: letter;" in page.read_text(encoding="utf-8")
        # "the PDFs came out on US Letter", at most two pages (the audience's max_pages)
        reader = pypdf.PdfReader(out / "yunqi" / f"board-memo.{lang}.pdf")
        assert 1 <= len(reader.pages) <= 2
        width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (612, 792)


# -- every sh block in the docs is run, or says why not -------------------------------------------
#
# A ``sh`` block in README.md or docs/*.md is run by test_the_commands_in_the_docs_run, in
# order, on a copy of the project, unless an HTML comment right above it says otherwise:
#
#     <!-- not run: installs system packages -->       (the reason, for the reader)
#     <!-- run by: tests/test_walkthrough.py -->      (a test that runs it with its files)
#
# So a new block is run as soon as it is written; one that cannot run needs one of the two.

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)```sh\n(?P<body>.*?)\n(?P=indent)```", re.M | re.S)
MARK_RE = re.compile(r"<!--\s*(?P<mark>not run|run by):\s*(?P<why>[^<>]*?)\s*-->\Z")


@dataclasses.dataclass(frozen=True)
class ShBlock:
    path: Path
    line: int
    body: str
    mark: str  # "", "not run" or "run by"
    why: str  # the reason it is not run, or the test that runs it

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def sh_blocks(path: Path) -> list[ShBlock]:
    text = path.read_text(encoding="utf-8")
    blocks = []
    for fence in FENCE_RE.finditer(text):
        mark = MARK_RE.search(text[: fence.start()].rstrip())
        blocks.append(
            ShBlock(
                path,
                text.count("\n", 0, fence.start()) + 1,
                textwrap.dedent(fence.group("body")),
                mark.group("mark") if mark else "",
                mark.group("why") if mark else "",
            )
        )
    return blocks


ALL_BLOCKS = [block for path in DOCS for block in sh_blocks(path)]


def claimed() -> dict[str, list[str]]:
    """What each test named in a ``run by:`` mark runs: the blocks it reads from the docs."""
    import test_originals
    import test_walkthrough

    return {
        "tests/test_walkthrough.py": test_walkthrough.sh_blocks(),
        "tests/test_originals.py": test_originals.sh_blocks(),
        "tests/test_docs.py::test_the_worked_example_builds_as_printed": (
            worked_example_commands()
        ),
    }


def test_the_docs_have_sh_blocks_of_every_kind():
    marks = {block.mark for block in ALL_BLOCKS}
    assert marks == {"", "not run", "run by"}, marks


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_commands_are_in_sh_blocks_and_marks_above_them(doc):
    """A command in a ``bash`` or ``console`` block would escape the runner, and a mark
    that is not right above an ``sh`` block marks nothing."""
    text = doc.read_text(encoding="utf-8")
    other = re.findall(r"^[ \t]*```(bash|shell|console|zsh|sh-session)\b", text, re.M)
    assert not other, f"{doc.name}: write commands in sh blocks, not {other}"
    comments = len(re.findall(r"<!--\s*(?:not run|run by):", text))
    marked = sum(1 for block in sh_blocks(doc) if block.mark)
    assert comments == marked, f"{doc.name}: a not run / run by mark that is not above an sh block"


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.mark == "not run"], ids=str)
def test_a_block_not_run_says_why(block):
    assert len(block.why.split()) >= 3, f"{block}: say why the block is not run"


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.mark == "run by"], ids=str)
def test_a_block_run_elsewhere_is_run_there(block):
    runs = claimed()
    assert block.why in runs, f"{block}: no test {block.why!r} (known: {sorted(runs)})"
    assert block.body in runs[block.why], f"{block}: {block.why} does not run this block"


def test_what_those_tests_run_is_marked_so():
    """A block the walkthrough or the worked example runs is marked as run there, so that
    it is not also run here without the files it needs."""
    marks = {(block.body, block.why) for block in ALL_BLOCKS if block.mark == "run by"}
    for test, bodies in claimed().items():
        for body in bodies:
            assert (body, test) in marks, f"{test} runs a block not marked as run by it:\n{body}"


def docs_project(tmp_path: Path) -> Path:
    """A copy of this repository as it ships, where a reader runs the docs' commands: the
    inputs and settings (the shipped briefs alone: ``copy_project``), build.py and the
    engine, docs/house-style and babel.cfg, in a git repository with one commit."""
    project = copy_project(tmp_path / "project")
    shutil.copy2(ROOT / "build.py", project / "build.py")
    shutil.copy2(ROOT / "babel.cfg", project / "babel.cfg")
    (project / "policybrief").symlink_to(ROOT / "policybrief", target_is_directory=True)
    shutil.copytree(ROOT / "docs" / "house-style", project / "docs" / "house-style")
    (tmp_path / "home").mkdir(exist_ok=True)
    (project / ".gitignore").write_text("dist/\npolicybrief\n", encoding="utf-8")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the project"]):
        subprocess.run(["git", *command], cwd=project, env=shell_env(tmp_path), check=True)
    return project


def shell_env(tmp_path: Path) -> dict[str, str]:
    """The environment a block runs in: a home of its own (``~/…`` lands there), and
    ``python3`` on the PATH being this interpreter, with ``python3 build.py ...`` run as
    run_cli runs it (forked from a process that has the engine imported: helpers.shell_bin)."""
    identity = {
        "GIT_AUTHOR_NAME": "Docs Test",
        "GIT_AUTHOR_EMAIL": "docs@example.org",
        "GIT_COMMITTER_NAME": "Docs Test",
        "GIT_COMMITTER_EMAIL": "docs@example.org",
    }
    return {
        **os.environ,
        **identity,
        "HOME": str(tmp_path / "home"),
        **shell_bin(tmp_path / "bin"),
    }


def run_block(project: Path, tmp_path: Path, body: str, where: str) -> None:
    result = subprocess.run(
        ["sh", "-e", "-c", body],
        cwd=project,
        env=shell_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"{where}: the block exits {result.returncode}:\n{body}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )


def test_a_block_runs_build_py_as_a_user_would(tmp_path):
    """``python3 build.py`` in a block (through helpers.shell_bin's server) writes where the
    shell's redirections say, in order, and exits with the command's own code; any other
    ``python3`` is the interpreter itself."""
    project = docs_project(tmp_path)
    result = subprocess.run(
        [
            "sh",
            "-c",
            "python3 build.py --help > help.txt; python3 build.py --no-such-option 2> err.txt;"
            " echo $? > code.txt; python3 build.py check --fast 2>&1 | tail -n 1 > tail.txt;"
            " python3 -c 'import sys; print(sys.argv[1:])' build.py x",
        ],
        cwd=project,
        env=shell_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout == "['build.py', 'x']\n", result
    assert "--brief" in (project / "help.txt").read_text(encoding="utf-8")
    assert (project / "code.txt").read_text(encoding="utf-8") == "2\n"
    assert "--no-such-option" in (project / "err.txt").read_text(encoding="utf-8")
    assert (project / "tail.txt").read_text(encoding="utf-8").strip(), "check printed nothing"


RUN_HERE = {path: [b for b in sh_blocks(path) if not b.mark] for path in DOCS}


@pytest.mark.parametrize(
    "doc", [p for p, blocks in RUN_HERE.items() if blocks], ids=lambda p: p.name
)
def test_the_commands_in_the_docs_run(doc, tmp_path):
    """Each unmarked sh block of one document, in order, on one copy of the project (a
    later block may build on an earlier one, as a reader's would)."""
    project = docs_project(tmp_path)
    for block in RUN_HERE[doc]:
        run_block(project, tmp_path, block.body, str(block))


def test_a_new_block_is_found(tmp_path):
    """The block finder itself: an unmarked block, a marked one, an indented one."""
    doc = tmp_path / "guide.md"
    doc.write_text(
        "Text.\n\n```sh\necho one\n```\n\n<!-- not run: needs a printer attached -->\n"
        "```sh\nlp x\n```\n\n- item\n\n  ```sh\n  echo two\n  ```\n",
        encoding="utf-8",
    )
    found = [(b.line, b.body, b.mark, b.why) for b in sh_blocks(doc)]
    assert found == [
        (3, "echo one", "", ""),
        (8, "lp x", "not run", "needs a printer attached"),
        (14, "echo two", "", ""),
    ]


# -- links between the docs -----------------------------------------------------------------------


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file (code blocks skipped)."""
    found, fenced = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (heading := re.match(r"#{1,6} (.*)", line)):
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            found.add(slug)
    return found


def prose(path: Path) -> str:
    """A Markdown file without its code: fenced blocks and `inline code` removed."""
    text = re.sub(r"^([ \t]*)```.*?^\1```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_links_between_the_docs_resolve(doc):
    links = re.findall(r"\]\((?!https?:|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)", prose(doc))
    assert links or doc.name == "internals.md", f"{doc.name} links nowhere"
    for target, anchor in links:
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), f"{doc.name} links to {target}, which is missing"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), (
                f"{doc.name} links to {target}#{anchor}: no such heading"
            )


# -- numbers in the docs are the code's -----------------------------------------------------------


@pytest.fixture(scope="module")
def markers() -> dict[str, list[tuple[Path, int, str]]]:
    return docs_numbers.found()


def test_every_marker_in_the_docs_is_listed(markers):
    unknown = sorted(set(markers) - set(docs_numbers.MARKERS))
    assert not unknown, f"markers not in scripts/docs_numbers.py MARKERS: {unknown}"


def test_every_listed_marker_is_in_the_docs(markers):
    unused = sorted(set(docs_numbers.MARKERS) - set(markers))
    assert not unused, f"MARKERS no doc prints (remove them, or print them): {unused}"


@pytest.mark.parametrize("name", sorted(docs_numbers.counted()))
def test_a_documented_count_is_the_codes(name, markers):
    value = docs_numbers.counted()[name]()
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path, line, text in markers.get(name, [])
        if text != value
    ]
    assert not wrong, (
        f"{name} is {value!r} in the code, but {wrong} (python3 scripts/docs_numbers.py "
        "writes the docs)"
    )


SHIPPED_COUNTS = ("shipped-briefs", "shipped-facts", "shipped-editions", "font-characters")


def test_a_brief_of_ones_own_changes_no_documented_count(tmp_path):
    """A checkout with the walkthrough's brief added (its files and its ``new`` commands;
    its own facts, units, audience and characters) counts what this one counts, and its
    copy for the docs' commands leaves the brief out."""
    import test_walkthrough

    checkout = copy_project(tmp_path / "checkout")
    for step in test_walkthrough.steps():
        kind, target, _text = step
        if kind != "run" or target.startswith(("python3 build.py new ", "mkdir ")):
            test_walkthrough.follow(checkout, step)
    assert (checkout / "briefs" / "water-reform" / "facts.yaml").is_file()
    assert docs_numbers.unlisted_briefs(checkout) == ["water-reform"]
    for name in SHIPPED_COUNTS:
        count = docs_numbers.MARKERS[name]
        assert count(checkout) == count(), f"{name} counts the user's brief"
    assert not (copy_project(tmp_path / "copy", checkout) / "briefs" / "water-reform").exists()


def test_measured_numbers_are_written(markers):
    """Only that each is there: benchmarks/run.py --update-docs writes it (its part names
    which run), and no test times anything."""
    empty = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for name in docs_numbers.measured()
        for path, line, text in markers.get(name, [])
        if not text.strip()
    ]
    assert not empty, f"empty markers: {empty}"
    parts = {docs_numbers.MARKERS[name].part for name in docs_numbers.measured()}
    assert parts <= {"matplotlib", *run_parts()}, parts - run_parts()


def run_parts() -> set[str]:
    """The parts benchmarks/run.py can run (its --only choices)."""
    text = (ROOT / "benchmarks" / "run.py").read_text(encoding="utf-8")
    found = re.findall(r"^(?:PARTS|ON_REQUEST) = \(([^)]*)\)", text, re.M)
    return {name for group in found for name in re.findall(r'"([a-z]+)"', group)}


def test_markers_are_rewritten_in_place(tmp_path):
    """docs_numbers.update writes between the markers and nowhere else."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(
        "<!-- n:tests -->1<!-- /n --> tests, <!-- n:hostile-cases -->2<!-- /n --> cases\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "a.md").write_text("<!-- n:tests -->1<!-- /n -->\n", encoding="utf-8")
    changed = docs_numbers.update({"tests": "700"}, tmp_path)
    assert sorted(p.name for p in changed) == ["README.md", "a.md"]
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == (
        "<!-- n:tests -->700<!-- /n --> tests, <!-- n:hostile-cases -->2<!-- /n --> cases\n"
    )
    with pytest.raises(KeyError):
        docs_numbers.update({"no-such-marker": "1"}, tmp_path)

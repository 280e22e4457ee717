"""Docs as tests: what the engine offers templates and users is named in the docs.

Every list below is computed from the code at test time (a real page render, the partials
folder, the Audience fields, base.html's blocks, `build.py --help`), so anything added to
the engine without a line in docs/templates.md or the README fails here. No PDF is built.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

import jinja2
import pytest
from helpers import ROOT, copy_project, find_all, parse_html, run_cli, text_of

from policybrief.build.pipeline import Options, build
from policybrief.core.languages import DEFAULT
from policybrief.core.model import Audience
from policybrief.load import project as project_module
from policybrief.render import page as render

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
    every brief's English HTML edition for every audience and recording each render call."""
    from policybrief.load.project import load_project

    project, _problems = load_project(ROOT)
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
                root=ROOT,
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


def worked_example() -> tuple[dict[str, str], str]:
    """The files the worked example prints (name -> text) and its brief.yaml audiences line."""
    section = doc_text().split("\n## Worked example", 1)[1].split("\n## ", 1)[0]
    files, audiences_line, start = {}, "", 0
    for fence in re.finditer(r"```\w*\n(.*?)\n```", section, re.S):
        before = section[start : fence.start()]
        start = fence.end()
        body = fence.group(1)
        if body.startswith("audiences: ["):
            audiences_line = body
            continue
        names = re.findall(r"\*\*`([^`]+)`\*\*", before)
        if names:
            files[names[-1]] = body + "\n"
    return files, audiences_line


def test_the_worked_example_builds_as_printed(tmp_path):
    files, audiences_line = worked_example()
    assert {"board-memo.html", "audiences.yaml"} <= set(files), sorted(files)
    assert "board-memo" in audiences_line
    house = tmp_path / "acme-templates"
    for name, text in files.items():
        (house / name).parent.mkdir(parents=True, exist_ok=True)
        (house / name).write_text(text, encoding="utf-8")
    project = copy_project(tmp_path / "project")
    brief = project / "briefs" / "yunqi" / "brief.yaml"
    brief.write_text(
        re.sub(r"(?m)^audiences: .*$", audiences_line, brief.read_text(encoding="utf-8"), count=1),
        encoding="utf-8",
    )
    out = tmp_path / "dist"
    build(
        Options(
            root=project,
            out=out,
            briefs=("yunqi",),
            audiences=("board-memo",),
            formats=("html",),
            templates=(house,),
            strict=True,
        )
    )
    for lang, to in (("en", "The Board"), ("zh", "董事会")):
        page = out / "yunqi" / f"board-memo.{lang}.html"
        root = parse_html(page)
        header = next(find_all(root, "header", class_="memo-head"))
        assert to in text_of(header)
        assert len(list(find_all(root, "section", class_="brief-section"))) == 4
        assert "size: letter;" in page.read_text(encoding="utf-8")

"""docs/authoring.md's "A new topic, step by step", followed as written: every command run
and every file written as the section prints them, in order, on a new project as
``new project`` writes it, in zh and en as this repository's (the engine's tests never
depend on the shipped briefs); then the
engine's checks run on it and the outputs are read back as a reader sees them. The new
brief holds its own sources, unit, facts and templates, and characters the project never
used. (Its ``sh`` blocks are marked as run by this
file; tests/test_docs.py checks that the marks and this file's steps agree.)"""

from __future__ import annotations

import re
import shlex
import subprocess

import pypdf
import pytest
from helpers import ROOT, find_all, parse_html, run_cli, text_of

GUIDE = ROOT / "docs" / "authoring.md"
SECTION = "## A new topic, step by step"


def section() -> str:
    """The walkthrough's text, from its heading to the next one of its level."""
    return GUIDE.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]


def sh_blocks() -> list[str]:
    """The text of each ``sh`` block of the walkthrough: the blocks this file runs."""
    return [m.group(1) for m in re.finditer(r"```sh\n(.*?)\n```", section(), re.S)]


def steps() -> list[tuple[str, str, str]]:
    """(kind, target, text) in reading order: ("run", command, "") for each line of a
    ``sh`` block; ("write" | "append" | "settings", path, text) for a file block."""
    text = section()
    found, start = [], 0
    for fence in re.finditer(r"```(\w*)\n(.*?)\n```", text, re.S):
        before, start = text[start : fence.start()], fence.end()
        lang, body = fence.group(1), fence.group(2)
        if lang == "sh":
            found += [("run", line.strip(), "") for line in body.splitlines() if line.strip()]
            continue
        label = re.findall(r"\*\*([^*]+)\*\*\s*$", before.strip())
        assert label, f"a {lang} block with no file name before it: {body[:60]!r}"
        name = re.search(r"`([^`]+)`", label[-1])
        assert name, label
        if label[-1].startswith("append to"):
            found.append(("append", name.group(1), body + "\n"))
        elif name.group(1) == "[tool.policybrief]":
            found.append(("settings", "pyproject.toml", body + "\n"))
        else:
            found.append(("write", name.group(1), body + "\n"))
    return found


def follow(project, step: tuple[str, str, str]) -> None:
    kind, target, text = step
    if kind == "write":
        path = project / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    elif kind == "append":
        with (project / target).open("a", encoding="utf-8") as handle:
            handle.write(text)
    elif kind == "settings":
        path = project / target
        old = path.read_text(encoding="utf-8")
        path.write_text(old.split("[tool.policybrief]", 1)[0] + text, encoding="utf-8")
    else:
        run(project, target)


def run(project, command: str) -> None:
    words = shlex.split(command)
    if words[:2] == ["python3", "build.py"]:
        result = run_cli(*words[2:], "--project", str(project), cwd=project)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
    elif words[:2] == ["mkdir", "-p"]:
        (project / words[2]).mkdir(parents=True, exist_ok=True)
    elif words[0] == "pdftotext":
        result = subprocess.run(words, cwd=project, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "River County Water Policy Unit" in result.stdout
    else:
        pytest.fail(f"the walkthrough runs a command this test does not know: {command}")


def new_project(folder):
    """A project as ``new project`` writes it (zh and en): what a new team starts from,
    and what this repository's own project is too, in its languages."""
    from policybrief.cli.newproject import new_project as write

    write(folder)
    return folder


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    project = new_project(tmp_path_factory.mktemp("walkthrough") / "project")
    for step in steps():
        follow(project, step)
    return project


def test_the_walkthrough_has_every_step():
    kinds = [(kind, target) for kind, target, _ in steps()]
    assert kinds[0] == ("run", "python3 build.py new brief water-reform")
    assert ("write", "briefs/water-reform/sources.yaml") in kinds
    assert ("write", "briefs/water-reform/units.yaml") in kinds
    assert ("run", "python3 build.py --brief water-reform --strict") in kinds
    assert ("write", "briefs/water-reform/templates/theme.yaml") in kinds


def test_the_briefs_own_sources_prove_the_quotes(walked):
    result = run_cli("check", "--strict", "--project", str(walked), cwd=walked)
    assert result.returncode == 0, result.stderr
    assert "water-reform" in result.stdout
    # without the brief's own source text, the bulletin cannot be found: a warning at the
    # line of its entry in the brief's sources.yaml
    text = walked / "briefs/water-reform/sources/river-county-2024.txt"
    aside = walked / "river-county-2024.txt"
    text.rename(aside)
    try:
        result = run_cli("check", "--fast", "--project", str(walked), cwd=walked)
    finally:
        aside.rename(text)
    lines = (walked / "briefs/water-reform/sources.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("  river-county-bulletin:") + 1
    assert (
        f"briefs/water-reform/sources.yaml:{line}: warning: source text "
        "'water-reform/sources/river-county-2024.txt' not found"
    ) in result.stderr


def test_the_brief_brings_characters_the_project_never_used(walked, tmp_path):
    from policybrief.output.fonts import characters

    before = characters(new_project(tmp_path / "before"), [])
    new = set("阶梯水价漏损") - set(before)
    assert new, "the walkthrough should bring characters the project never used"
    page = text_of(parse_html(walked / "dist/water-reform/full-report.zh.html"))
    assert all(c in page for c in new)
    pdf = pypdf.PdfReader(walked / "dist/water-reform/full-report.zh.pdf")
    assert "阶梯水价" in "".join(p.extract_text() for p in pdf.pages).replace("\n", "")


def test_the_board_memo_carries_the_house_style(walked):
    out = walked / "dist" / "water-reform"
    for lang, organisation in (("en", "River County Water Policy Unit"), ("zh", "河县水务政策组")):
        root = parse_html(out / f"board-memo.{lang}.html")
        name = next(find_all(root, "span", class_="organisation-name"))
        assert text_of(name) == organisation
        logo = next(find_all(root, "img", class_="logo"))
        assert logo.get("src", "").startswith("data:image/svg+xml;base64,")
        reader = pypdf.PdfReader(out / f"board-memo.{lang}.pdf")
        assert 1 <= len(reader.pages) <= 2
        width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (612, 792)  # US Letter, in points
        assert organisation in reader.pages[0].extract_text()


def test_the_theme_recolours_the_charts_of_this_brief_only(walked):
    page = (walked / "dist/water-reform/full-report.en.html").read_text(encoding="utf-8")
    chart = page.split('id="fig-covered"', 1)[1].split("</svg>", 1)[0]
    assert 'fill="#0b7a75"' in chart
    text = text_of(parse_html(walked / "dist/water-reform/full-report.en.html"))
    assert "18,500 residents" in text and "41,200 residents" in text
    assert "In 2024 the tiered water tariff covered 41,200 residents" in text


def test_other_briefs_build_without_the_new_briefs_folder(walked, tmp_path):
    out = tmp_path / "dist"
    result = run_cli(
        "--brief", "characteristic-towns", "--format", "html", "-q", "--out", str(out),
        "--project", str(walked), cwd=walked,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = (out / "characteristic-towns/full-report.en.html").read_text(encoding="utf-8")
    assert "River County" not in page and "#0b7a75" not in page
    assert not (out / "characteristic-towns/board-memo.en.html").exists()


def test_the_bulletin_is_cited_in_the_reference_style_and_exported(walked):
    out = walked / "dist" / "water-reform"
    text = text_of(parse_html(out / "full-report.en.html"))
    assert "River County Water Bureau. 2025. Annual Bulletin on the Tariff Reform." in text
    bib = (out / "references.bib").read_text(encoding="utf-8")
    assert bib.startswith("@techreport{river-county-bulletin,")
    assert "author = {{River County Water Bureau}}" in bib and "date = {2025-03}" in bib

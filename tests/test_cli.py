"""The command line as a user runs it: exit codes, messages, and nothing lost on failure (on
the fixture project)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, pdf_pages, run_cli, squash

HTML_ONLY = ("--format", "html")


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture
def built(fixture_project, tmp_path):
    """A project copy with a good build in ``out``; returns (project, out, snapshot)."""
    project = fixture_project
    out = tmp_path / "out"
    result = run_cli("--project", str(project), "--out", str(out), *HTML_ONLY)
    assert result.returncode == 0, result.stderr
    return project, out, snapshot(out)


def break_and_build(project: Path, out: Path, path: str, old: str, new: str):
    target = project / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return run_cli("--project", str(project), "--out", str(out), *HTML_ONLY)


def test_broken_fact_file_stops_the_build_and_keeps_the_last_good_outputs(built):
    project, out, before = built
    result = break_and_build(project, out, "facts/qiaotou.yaml", "facts:\n", "facts:\n  - [\n")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("facts/qiaotou.yaml:")
    assert ": invalid YAML: " in lines[0]
    assert lines[-1].startswith("Error: stopped with ")
    assert lines[-1].endswith("; nothing was written.")
    assert snapshot(out) == before


def test_unknown_fact_id_names_the_file_and_line(built):
    project, out, before = built
    text = (project / "briefs/qiaotou/en.md").read_text(encoding="utf-8")
    line = text.splitlines().index("# outcomes") + 3
    result = break_and_build(
        project,
        out,
        "briefs/qiaotou/en.md",
        "# outcomes\n\n",
        '# outcomes\n\nIt had {{ fact("qiaotou.no-such-fact") }} firms.\n\n',
    )
    assert result.returncode == 1
    assert (
        f"briefs/qiaotou/en.md:{line}: unknown fact 'qiaotou.no-such-fact' "
        "(check the id in facts/*.yaml)"
    ) in result.stderr.splitlines()
    assert snapshot(out) == before


def test_template_typo_names_the_template_and_line(built):
    project, out, before = built
    text = (project / "templates/full-report.html").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "brief.subtitle }}" in row)
    result = break_and_build(
        project, out, "templates/full-report.html", "brief.subtitle }}", "brief.subtitel }}"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: templates/full-report.html:{line}: template error: "
        "'dict object' has no attribute 'subtitel'"
    )
    assert snapshot(out) == before


def test_template_syntax_error(built):
    project, out, before = built
    result = break_and_build(
        project, out, "templates/decision-makers.html", "{% endblock %}", "{% endblok %}"
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: templates/decision-makers.html:")
    assert "template syntax error" in result.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--brief", "nope"), "Error: unknown brief 'nope' (known: hexi, qiaotou)"),
        (
            ("--audience", "radio"),
            "Error: unknown audience 'radio' (known: decision-makers, "
            "field-card, full-report, press, print-edition)",
        ),
        (("--lang", "fr"), "Error: unknown language 'fr' (known: en, zh, zh-Hant)"),
    ],
)
def test_usage_errors_exit_2(fixture_project, args, message):
    result = run_cli(
        "--project", str(fixture_project), *args, "--out", "/nonexistent/never-written"
    )
    assert result.returncode == 2
    assert result.stderr.strip() == message


def test_argument_errors_exit_2():
    result = run_cli("--format", "epub")
    assert result.returncode == 2
    assert "invalid choice: 'epub'" in result.stderr


def test_check_command_reports_counts(fixture_project):
    result = run_cli("check", "--strict", "--project", str(fixture_project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "source          facts  claims  conflicts",
        "  hexi-report      15       1          0",
        "  qiaotou-case     10       1          1",
        "topic           facts  claims  conflicts",
        "  hexi             15       1          0",
        "  qiaotou          10       1          1",
        "conflict qiaotou.staff-2016: nearly 8,000 people [people working in the park, "
        "qiaotou-case] vs over 8,000 people [people working in the park (annual report), "
        "qiaotou-case]",
        "ok: 25 facts, 2 claims, 1 conflicts, 2 briefs; 0 warnings",
    ]


def test_selection_builds_only_what_was_asked(fixture_project, tmp_path):
    out = tmp_path / "out"
    result = run_cli(
        "--project",
        str(fixture_project),
        "--brief",
        "hexi",
        "--lang",
        "en",
        "--audience",
        "decision-makers",
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert sorted(snapshot(out)) == [
        "facts.html",
        "hexi/cite.en.bib",  # the brief's own citation, which its page links
        "hexi/cite.en.json",
        "hexi/cite.en.ris",
        "hexi/decision-makers.en.html",
        "hexi/references.bib",  # the brief's sources, which its page links
        "hexi/references.json",
        "hexi/references.ris",
        "hexi/social.en.png",  # the page's Open Graph picture
        "index.html",
    ]


def test_every_option_is_documented_in_the_readme():
    from policybrief.cli.main import parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for action in parser()._actions:  # noqa: SLF001 - argparse keeps no public list
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in readme, flag


def test_relative_project_and_output_folders_build_pdfs(fixture_project):
    """`--project p --out out`, as typed in a shell: the PDF's fonts and files are found
    from where the command runs (a relative folder once stopped the PDF with a traceback)."""
    here = fixture_project.parent
    result = run_cli(
        *("--project", fixture_project.name, "--out", "out", "-q"),
        *("--brief", "qiaotou", "--audience", "decision-makers", "--lang", "en"),
        *("--format", "pdf"),
        cwd=here,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    pages = pdf_pages(here / "out" / "qiaotou" / "decision-makers.en.pdf")
    assert squash("Qiaotou: how a digital industry park started and grew") in squash("".join(pages))


def test_ctrl_c_in_a_finaliser_prints_no_traceback(tmp_path, monkeypatch):
    """A Ctrl+C that lands in a finaliser (a file lock's __del__ as a build ends) would be
    printed by Python as "Exception ignored ... Traceback"; any other error there still is."""
    from policybrief.cli import interrupts
    from policybrief.cli import main as cli

    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    assert cli.main(["--jobs", "-1", "--project", str(tmp_path)]) == 2  # a usage error
    assert sys.unraisablehook is interrupts.quiet
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from policybrief.cli.interrupts import quiet\n"
        "sys.unraisablehook = quiet\n"
        "class Interrupted:\n    def __del__(self): raise KeyboardInterrupt\n"
        "class Broken:\n    def __del__(self): raise ValueError('still shown')\n"
        "Interrupted(); Broken()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert "KeyboardInterrupt" not in result.stderr
    assert "ValueError: still shown" in result.stderr

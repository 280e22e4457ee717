"""The command line as a user runs it: exit codes, messages, and nothing lost on failure."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

HTML_ONLY = ("--format", "html")


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def built(project, tmp_path):
    """A project copy with a good build in ``out``; returns (project, out, snapshot)."""
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
    result = break_and_build(project, out, "facts/yunqi.yaml", "facts:\n", "facts:\n  - [\n")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("facts/yunqi.yaml:")
    assert ": invalid YAML: " in lines[0]
    assert lines[-1].startswith("Error: stopped with ")
    assert lines[-1].endswith("; nothing was written.")
    assert snapshot(out) == before


def test_unknown_fact_id_names_the_file_and_line(built):
    project, out, before = built
    text = (project / "briefs/yunqi/en.md").read_text(encoding="utf-8")
    line = text.splitlines().index("# outcomes") + 3
    result = break_and_build(project, out, "briefs/yunqi/en.md", "# outcomes\n\n",
                             '# outcomes\n\nIt had {{ fact("yunqi.no-such-fact") }} firms.\n\n')
    assert result.returncode == 1
    assert (f"briefs/yunqi/en.md:{line}: unknown fact 'yunqi.no-such-fact' "
            "(check the id in facts/*.yaml)") in result.stderr.splitlines()
    assert snapshot(out) == before


def test_template_typo_names_the_template_and_line(built):
    project, out, before = built
    text = (project / "templates/full-report.html").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "brief.subtitle }}" in row)
    result = break_and_build(project, out, "templates/full-report.html", "brief.subtitle }}",
                             "brief.subtitel }}")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Error: templates/full-report.html:{line}: template error: "
                                     "'dict object' has no attribute 'subtitel'")
    assert snapshot(out) == before


def test_template_syntax_error(built):
    project, out, before = built
    result = break_and_build(project, out, "templates/decision-makers.html", "{% endblock %}",
                             "{% endblok %}")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: templates/decision-makers.html:")
    assert "template syntax error" in result.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize(("args", "message"), [
    (("--brief", "nope"), "Error: unknown brief 'nope' (known: bri, members-chinasoft, "
                             "members-cnblogs, members-meiruo, yunqi)"),
    (("--audience", "radio"), "Error: unknown audience 'radio' (known: decision-makers, "
                              "full-report, press, print-edition)"),
    (("--lang", "fr"), "Error: unknown language 'fr' (known: en, zh)"),
])
def test_usage_errors_exit_2(args, message):
    result = run_cli(*args, "--out", "/nonexistent/never-written")
    assert result.returncode == 2
    assert result.stderr.strip() == message


def test_argument_errors_exit_2():
    result = run_cli("--format", "epub")
    assert result.returncode == 2
    assert "invalid choice: 'epub'" in result.stderr


def test_check_command_reports_counts():
    result = run_cli("check", "--strict")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["source", "facts", "claims", "conflicts"]
    assert any(line.split()[0] == "jing-yunqi" for line in lines[1:4])
    assert any(line.startswith("conflict yunqi.conference.attendance-2016: nearly 40,000 people")
               for line in lines)
    assert lines[-1].startswith("ok: ")
    assert lines[-1].endswith(" conflicts, 5 briefs; 0 warnings")


def test_selection_builds_only_what_was_asked(tmp_path):
    out = tmp_path / "out"
    result = run_cli("--brief", "bri", "--lang", "en", "--audience", "decision-makers",
                     "--format", "html", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(snapshot(out)) == ["bri/decision-makers.en.html", "facts.html", "index.html"]


def test_help_documents_every_option():
    result = run_cli("--help")
    assert result.returncode == 0
    for option in ("--brief", "--audience", "--lang", "--format", "--out", "--templates",
                   "--sources", "--project", "--strict", "--quiet", "--debug", "check"):
        assert option in result.stdout


def test_every_option_is_documented_in_the_readme():
    from policybrief.cli import parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for action in parser()._actions:  # noqa: SLF001 - argparse keeps no public list
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in readme, flag

"""[tool.policybrief] in pyproject.toml: known settings only, each of its type, and the
output folder set there (the command line still wins)."""

from __future__ import annotations

from helpers import run_cli


def _configure(project, line: str) -> None:
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("[tool.policybrief]\n", f"[tool.policybrief]\n{line}\n", 1), encoding="utf-8"
    )


def test_an_unknown_setting_is_an_error_at_its_line(fixture_project):
    _configure(fixture_project, 'sourcetexts = "sources"')
    result = run_cli("check", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    line = next(
        n
        for n, text in enumerate(
            (fixture_project / "pyproject.toml").read_text(encoding="utf-8").splitlines(), 1
        )
        if text.startswith("sourcetexts")
    )
    assert result.stderr.splitlines() == [
        f"pyproject.toml:{line}: [tool.policybrief]: unknown setting 'sourcetexts' "
        "(did you mean source_texts?)"
    ]


def test_the_output_folder_may_be_configured(fixture_project, tmp_path):
    _configure(fixture_project, 'out = "site"')
    result = run_cli("--brief", "hexi", "--format", "html", "-q", "--project", str(fixture_project))
    assert result.returncode == 0, result.stderr
    assert (fixture_project / "site" / "hexi" / "full-report.en.html").is_file()
    assert not (fixture_project / "dist").exists()
    other = tmp_path / "elsewhere"
    result = run_cli(
        "--brief",
        "hexi",
        "--format",
        "html",
        "-q",
        "--out",
        str(other),
        "--project",
        str(fixture_project),
    )
    assert result.returncode == 0, result.stderr
    assert (other / "hexi" / "full-report.en.html").is_file()


def test_a_configured_output_folder_may_not_overlap_the_inputs(fixture_project):
    _configure(fixture_project, 'out = "facts"')
    result = run_cli("--brief", "hexi", "--format", "html", "-q", "--project", str(fixture_project))
    assert result.returncode == 2
    assert "overlaps the input folder facts/" in result.stderr

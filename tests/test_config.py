"""[tool.policybrief] in pyproject.toml: known settings only, each of its type, and the
output folder set there (the command line still wins)."""

from __future__ import annotations

import pytest
from helpers import run_cli


def _configure(project, line: str) -> None:
    """Put ``line`` first under [tool.policybrief], in place of the fixture's own setting
    of the same key (the fixture declares its languages)."""
    path = project / "pyproject.toml"
    key = line.split("=")[0].strip()
    text = "".join(
        kept
        for kept in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if not (key and kept.startswith(f"{key} ="))
    )
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


# -- several source folders ----------------------------------------------------------------


def _split_sources(project):
    """Move hexi's source text into a second folder, so that it is found only there."""
    (project / "more").mkdir()
    (project / "sources/hexi.txt").rename(project / "more/hexi.txt")


def _hexi_line(project) -> int:
    lines = (project / "facts/sources.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index("  hexi-report:") + 1


def test_source_texts_may_list_several_folders(fixture_project):
    _split_sources(fixture_project)
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert (
        f"facts/sources.yaml:{_hexi_line(fixture_project)}: warning: source text 'hexi.txt' "
        "not found in"
    ) in result.stderr
    settings = fixture_project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace('source_texts = "sources"', 'source_texts = ["sources", "more"]'),
        encoding="utf-8",
    )
    result = run_cli("check", "--fast", "--strict", "-q", "--project", str(fixture_project))
    assert result.returncode == 0, result.stderr


def test_repeated_sources_options_add_up(fixture_project):
    _split_sources(fixture_project)
    (fixture_project / "other").mkdir()
    (fixture_project / "sources/qiaotou.txt").rename(fixture_project / "other/qiaotou.txt")
    args = ("check", "--fast", "--strict", "-q", "--project", str(fixture_project))
    result = run_cli(*args, "--sources", str(fixture_project / "more"))
    assert result.returncode == 1
    assert "source text 'qiaotou.txt' not found" in result.stderr
    assert "'hexi.txt'" not in result.stderr
    result = run_cli(
        *args,
        "--sources",
        str(fixture_project / "more"),
        "--sources",
        str(fixture_project / "other"),
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_configured_source_folder_is_an_error_at_its_line(fixture_project):
    _configure(fixture_project, "")
    settings = fixture_project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace('source_texts = "sources"', 'source_texts = ["sources", "gone"]'),
        encoding="utf-8",
    )
    line = next(
        n for n, t in enumerate(settings.read_text(encoding="utf-8").splitlines(), 1)
        if t.startswith("source_texts")
    )  # fmt: skip
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert f"pyproject.toml:{line}: source folder 'gone' not found" in result.stderr


# -- defaults for briefs ---------------------------------------------------------------------


def test_briefs_that_leave_out_audiences_and_languages_take_the_projects(fixture_project, tmp_path):
    # The fixture declares zh, en and zh-Hant; hexi is written in all three.
    _configure(fixture_project, 'audiences = ["decision-makers"]')
    brief = fixture_project / "briefs/hexi/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("audiences: [full-report, decision-makers]\n", "").replace(
            "languages: [zh, en, zh-Hant]\n", ""
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli(
        "--brief", "hexi", "--format", "html", "-q", "--out", str(out),
        "--project", str(fixture_project),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "hexi").glob("*.html")) == [
        "decision-makers.en.html",
        "decision-makers.zh-Hant.html",
        "decision-makers.zh.html",
    ]
    # a brief that lists its own keeps them: qiaotou is in zh and en only
    result = run_cli(
        "--brief", "qiaotou", "--format", "html", "-q", "--out", str(out),
        "--project", str(fixture_project),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (out / "qiaotou/full-report.zh.html").is_file()
    assert not list((out / "qiaotou").glob("*.zh-Hant.html"))


def test_a_brief_in_a_language_the_project_does_not_declare_is_an_error(fixture_project):
    brief = fixture_project / "briefs/qiaotou/brief.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("languages: [zh, en]", "languages: [zh, en, fr]"),
        encoding="utf-8",
    )
    result = run_cli("check", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert (
        "briefs/qiaotou/brief.yaml:6: brief: unknown language 'fr' "
        "(use zh, en or zh-Hant, or declare it in [tool.policybrief] languages)"
    ) in result.stderr.splitlines()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('languages = "en"', "languages must be a list of language codes, not str 'en'"),
        ("audiences = [1]", "audiences must be a list of audience names, not list [1]"),
        ('theme = ["a"]', "theme must be a theme file (theme.yaml), not list ['a']"),
    ],
)
def test_settings_of_the_wrong_type_are_errors_at_their_line(fixture_project, line, message):
    _configure(fixture_project, line)
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert result.stderr.startswith(f"pyproject.toml:2: {message}"), result.stderr


def test_the_theme_setting_names_a_house_style_file(fixture_project, tmp_path):
    (fixture_project / "style").mkdir()
    (fixture_project / "style/house.yaml").write_text(
        'colors: {accent: "#aa3300"}\n'
        "organisation: {zh: 测试所, en: Test Institute, zh-Hant: 測試所}\n",
        encoding="utf-8",
    )
    _configure(fixture_project, 'theme = "style/house.yaml"')
    out = tmp_path / "out"
    result = run_cli(
        "--brief", "qiaotou", "--format", "html", "-q", "--out", str(out),
        "--project", str(fixture_project),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = (out / "qiaotou/full-report.en.html").read_text(encoding="utf-8")
    assert "--accent: #aa3300;" in page and 'fill="#aa3300"' in page
    assert "Test Institute" in page


# -- a brief's own template folder -----------------------------------------------------------


def _own_folder(project) -> None:
    """Move the fixture's house/ folder into qiaotou's folder and name it there only."""
    (project / "house").rename(project / "briefs/qiaotou/templates")
    settings = project / "pyproject.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace('templates = ["house"]\n', ""),
        encoding="utf-8",
    )
    brief = project / "briefs/qiaotou/brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "templates: templates\n", encoding="utf-8")


def test_a_briefs_own_audience_needs_no_flag_and_touches_no_other_brief(fixture_project, tmp_path):
    _own_folder(fixture_project)
    (fixture_project / "briefs/qiaotou/templates/theme.yaml").write_text(
        'colors: {accent: "#0b7a75"}\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run_cli(
        "--format", "html", "--strict", "-q", "--out", str(out), "--project", str(fixture_project)
    )
    assert result.returncode == 0, result.stderr
    assert (out / "qiaotou/field-card.en.html").is_file()
    assert "--accent: #0b7a75;" in (out / "qiaotou/full-report.en.html").read_text("utf-8")
    assert "#0b7a75" not in (out / "hexi/full-report.en.html").read_text("utf-8")
    # another brief that lists the audience does not get it: an error at its line
    brief = fixture_project / "briefs/hexi/brief.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "decision-makers]", "decision-makers, field-card]"
        ),
        encoding="utf-8",
    )
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert "briefs/hexi/brief.yaml:5: unknown audience 'field-card'" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../../house", "template folder '../../house' is outside the brief's folder"),
        ("/tmp", "template folder '/tmp' is outside the brief's folder"),
        ("nowhere", "template folder 'nowhere' not found in briefs/qiaotou/"),
    ],
)
def test_a_briefs_template_folder_stays_in_the_brief(fixture_project, value, message):
    brief = fixture_project / "briefs/qiaotou/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text + f"templates: {value}\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert f"briefs/qiaotou/brief.yaml:{line}: brief: {message}" in result.stderr


def test_a_briefs_template_folder_may_not_link_out(fixture_project):
    (fixture_project / "briefs/qiaotou/templates").symlink_to(fixture_project / "house")
    brief = fixture_project / "briefs/qiaotou/brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "templates: templates\n", encoding="utf-8")
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert "symlink leads outside briefs/" in result.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '    key_figures: "false"',
            "audience 'field-card': key_figures must be true or false, not 'false'",
        ),
        ("    max_pages: two", "audience 'field-card': max_pages must be a whole number of pages"),
        ("    charts: 1", "audience 'field-card': charts must be true or false, not 1"),
    ],
)
def test_audience_settings_of_the_wrong_type_are_errors_at_their_line(
    fixture_project, line, message
):
    path = fixture_project / "house/audiences.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    key = line.split(":")[0]
    number = next(n for n, text in enumerate(lines, 1) if text.startswith(key + ":"))
    lines[number - 1] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("check", "--fast", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    assert f"house/audiences.yaml:{number}: {message}" in result.stderr, result.stderr

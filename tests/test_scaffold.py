"""`build.py new`: skeletons that pass `check` as written and build."""

from __future__ import annotations

from helpers import find_all, parse_html, run_cli, text_of


def test_new_brief_passes_check_and_builds(fixture_project, tmp_path):
    project = fixture_project
    result = run_cli("new", "brief", "water-reform", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert f"wrote {project / 'briefs' / 'water-reform' / 'brief.yaml'}" in result.stdout
    check = run_cli("check", "--strict", "-q", "--project", str(project))
    assert check.returncode == 0, check.stderr
    # A new audience in the team's own template folder, used by the new brief.
    house = tmp_path / "house"
    made = run_cli(
        "new", "audience", "board-memo", "--templates", str(house), "--project", str(project)
    )
    assert made.returncode == 0, made.stderr
    brief = project / "briefs" / "water-reform" / "brief.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "audiences: [full-report, decision-makers]", "audiences: [board-memo]"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    built = run_cli(
        "--brief",
        "water-reform",
        "--format",
        "html",
        "--templates",
        str(house),
        "--out",
        str(out),
        "-q",
        "--project",
        str(project),
    )
    assert built.returncode == 0, built.stderr
    page = parse_html(out / "water-reform" / "board-memo.en.html")
    headings = [text_of(h).strip() for h in find_all(page, "h2")]
    assert [h for h in headings if h in ("Background", "Measures", "Outcomes", "Lessons")] == [
        "Background",
        "Measures",
        "Outcomes",
        "Lessons",
    ]
    assert "Title of the brief" in text_of(page)


def test_new_never_overwrites(fixture_project):
    project = fixture_project
    assert run_cli("new", "brief", "qiaotou", "--project", str(project)).returncode == 2
    result = run_cli("new", "brief", "Bad Name", "--project", str(project))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: brief name 'Bad Name' must be a lowercase slug, e.g. water-reform"
    ]
    assert run_cli("new", "thing", "x", "--project", str(project)).returncode == 2


def test_check_renders_every_output_and_reports_template_errors(fixture_project, tmp_path):
    project = fixture_project
    house = tmp_path / "house"
    house.mkdir()
    base = (project / "templates" / "press.html").read_text(encoding="utf-8")
    (house / "press.html").write_text(
        base.replace("{% endblock %}", "{{ brief.nope( }}\n{% endblock %}", 1), encoding="utf-8"
    )
    result = run_cli("check", "-q", "--templates", str(house), "--project", str(project))
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{house / 'press.html'}:") and "template syntax error" in first
    assert "Traceback" not in result.stderr
    # --fast skips rendering: the facts and briefs alone are fine.
    fast = run_cli("check", "-q", "--fast", "--templates", str(house), "--project", str(project))
    assert fast.returncode == 0, fast.stderr

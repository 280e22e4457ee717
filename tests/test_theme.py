"""House styles: one theme.yaml recolours HTML, PDF and charts, adds a logo and the
organisation's name, and is confined to its template folder."""

from __future__ import annotations

import os
import subprocess

import pytest
from helpers import ROOT, copy_fixture, find_all, parse_html, pdf_pages, run_cli, squash
from PIL import Image

HOUSE = ROOT / "docs" / "house-style"
ACCENT = (0x7A, 0x1F, 0x5C)


@pytest.fixture(scope="module")
def styled(tmp_path_factory):
    out = tmp_path_factory.mktemp("styled")
    project = copy_fixture(tmp_path_factory.mktemp("styled-project") / "project")
    result = run_cli(
        "--project",
        str(project),
        "--templates",
        str(HOUSE),
        "--brief",
        "qiaotou",
        "--audience",
        "full-report",  # (the press release draws no charts: issue 28)
        "--lang",
        "en",
        "--format",
        "html",
        "--format",
        "pdf",
        "--out",
        str(out),
        "-q",
    )
    assert result.returncode == 0, result.stderr
    return out / "qiaotou"


def test_html_takes_the_house_colours_logo_and_name(styled):
    page = parse_html(styled / "full-report.en.html")
    bars = [r.get("fill") for r in page.iter("{http://www.w3.org/2000/svg}rect")]
    # the fixture brief's one-series charts, in the house accent
    assert bars and set(bars) == {"#7a1f5c"}
    logo = next(find_all(page, "img", class_="logo"))
    assert logo.get("src").startswith("data:image/svg+xml;base64,")
    assert logo.get("alt") == "Harbour Institute"
    style = "".join(s.text or "" for s in find_all(page, "style"))
    assert "--accent: #7a1f5c;" in style


def test_pdf_takes_the_house_colours_and_running_header(styled, tmp_path):
    pages = pdf_pages(styled / "full-report.en.pdf")
    # every page past the cover, which carries no running head (issue 24)
    assert all("HarbourInstitute·Policybrief" in squash(text) for text in pages[1:])
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            str(styled / "full-report.en.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    accent = 0
    for png in sorted(tmp_path.glob("page*.png")):
        image = Image.open(png).convert("RGB")
        accent += sum(
            1
            for pixel in image.get_flattened_data()
            if all(abs(a - b) <= 12 for a, b in zip(pixel, ACCENT, strict=True))
        )
        if accent > 500:
            break
    assert accent > 500  # chart bars, headings and the logo, in the house accent


@pytest.mark.parametrize(
    ("theme", "expected"),
    [
        (
            "colors: {accent: red}\n",
            "theme.yaml:1: theme: colour 'accent' is not valid: 'red' (write a colour as #rrggbb)",
        ),
        (
            "colors: {acent: '#000000'}\n",
            "theme.yaml:1: theme: unknown colour 'acent' (did you mean accent?)",
        ),
        (
            "logo: ../secret.svg\n",
            "theme.yaml:1: theme: logo '../secret.svg' lies outside its template folder (put the "
            "image beside theme.yaml (links out of the folder are refused))",
        ),
    ],
)
def test_bad_themes_are_errors_at_their_line(tmp_path, theme, expected):
    house = tmp_path / "house"
    house.mkdir()
    (tmp_path / "secret.svg").write_text("<svg/>", encoding="utf-8")
    (house / "theme.yaml").write_text(theme, encoding="utf-8")
    result = run_cli("check", "-q", "--fast", "--templates", str(house))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"{house}/{expected}"


def test_a_logo_linked_from_outside_is_never_read(tmp_path):
    house = tmp_path / "house"
    house.mkdir()
    (tmp_path / "secret.svg").write_text("<svg/>", encoding="utf-8")
    os.symlink(tmp_path / "secret.svg", house / "link.svg")
    (house / "theme.yaml").write_text("logo: link.svg\n", encoding="utf-8")
    result = run_cli("check", "-q", "--fast", "--templates", str(house))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{house}/link.svg: symlink leads outside")


# -- files beside a user template: asset() ---------------------------------------------------


def _seal(folder) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (200, 30, 40)).save(folder / "seal.png")
    return (folder / "seal.png").read_bytes()


def _memo(folder, body: str) -> None:
    entries = (folder / "audiences.yaml").read_text(encoding="utf-8")
    (folder / "audiences.yaml").write_text(
        entries + "  seal-memo:\n    template: seal-memo.html\n"
        "    label: {zh: 印章备忘录, en: Seal memo, zh-Hant: 印章備忘錄}\n",
        encoding="utf-8",
    )
    (folder / "seal-memo.html").write_text(
        '{% extends "base.html" %}\n{% block front %}\n'
        + body
        + '\n{% endblock %}\n{% block back %}{% include "_partials/notes.html" %}{% endblock %}\n',
        encoding="utf-8",
    )


def _with_memo(project) -> None:
    brief = project / "briefs/hexi/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("decision-makers]", "decision-makers, seal-memo]"), "utf-8")


def test_a_file_beside_a_template_is_embedded_by_asset(fixture_project, tmp_path):
    house = fixture_project / "house"
    data = _seal(house / "img")
    _memo(house, '<img class="seal" src="{{ asset("img/seal.png") }}" alt="seal">')
    _with_memo(fixture_project)
    out = tmp_path / "out"
    result = run_cli(
        "--brief", "hexi", "--audience", "seal-memo", "--lang", "en", "--format", "html",
        "--format", "pdf", "--strict", "-q", "--out", str(out), "--project", str(fixture_project),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seal = next(find_all(parse_html(out / "hexi/seal-memo.en.html"), "img", class_="seal"))
    import base64

    assert seal.get("src") == "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    import pypdf

    images = [
        image for page in pypdf.PdfReader(out / "hexi/seal-memo.en.pdf").pages
        for image in page.images
    ]  # fmt: skip
    assert images, "the seal is not in the PDF"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '<img src="img/seal.png" alt="seal">',
            "house/seal-memo.html:3: loads 'img/seal.png' from beside the page, where it is not "
            "(embed the file with {{ asset('img/seal.png') }})",
        ),
        (
            '<img src="{{ asset("../facts/units.yaml") }}" alt="x">',
            "house/seal-memo.html:3: template error: asset('../facts/units.yaml'): give a file "
            "name relative to the template folder",
        ),
        (
            '<img src="{{ asset("img/missing.png") }}" alt="x">',
            "house/seal-memo.html:3: template error: asset('img/missing.png'): no such file in "
            "the template folders",
        ),
        (
            '<img src="{{ asset("img/out.png") }}" alt="x">',
            "house/img/out.png: symlink leads outside house/ (copy the file into the folder "
            "instead)",
        ),
    ],
    ids=["plain src", "dot-dot", "missing", "symlink out"],
)
def test_files_beside_templates_are_confined(fixture_project, body, expected):
    house = fixture_project / "house"
    _seal(house / "img")
    outside = fixture_project.parent / "outside.png"
    outside.write_bytes((house / "img/seal.png").read_bytes())
    if "out.png" in body:
        (house / "img/out.png").symlink_to(outside)
    _memo(house, body)
    _with_memo(fixture_project)
    result = run_cli("check", "-q", "--brief", "hexi", "--project", str(fixture_project))
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr

"""House styles: one theme.yaml recolours HTML, PDF and charts, adds a logo and the
organisation's name, and is confined to its template folder."""

from __future__ import annotations

import os
import subprocess

import pytest
from helpers import ROOT, find_all, parse_html, pdf_pages, run_cli, squash
from PIL import Image

HOUSE = ROOT / "docs" / "house-style"
ACCENT = (0x7A, 0x1F, 0x5C)


@pytest.fixture(scope="module")
def styled(tmp_path_factory):
    out = tmp_path_factory.mktemp("styled")
    result = run_cli(
        "--templates",
        str(HOUSE),
        "--brief",
        "yunqi",
        "--audience",
        "press",
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
    return out / "yunqi"


def test_html_takes_the_house_colours_logo_and_name(styled):
    page = parse_html(styled / "press.en.html")
    bars = [r.get("fill") for r in page.iter("{http://www.w3.org/2000/svg}rect")]
    assert bars and set(bars) == {"#7a1f5c"}
    logo = next(find_all(page, "img", class_="logo"))
    assert logo.get("src").startswith("data:image/svg+xml;base64,")
    assert logo.get("alt") == "Harbour Institute"
    style = "".join(s.text or "" for s in find_all(page, "style"))
    assert "--accent: #7a1f5c;" in style


def test_pdf_takes_the_house_colours_and_running_header(styled, tmp_path):
    pages = pdf_pages(styled / "press.en.pdf")
    assert all("HarbourInstitute·Policybrief" in squash(text) for text in pages)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(styled / "press.en.pdf"), str(tmp_path / "page")],
        check=True,
    )
    accent = 0
    for png in sorted(tmp_path.glob("page*.png")):
        image = Image.open(png).convert("RGB")
        width, height = image.size
        pixels = image.load()
        accent += sum(
            1
            for x in range(width)
            for y in range(height)
            if all(abs(a - b) <= 12 for a, b in zip(pixels[x, y], ACCENT, strict=True))
        )
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

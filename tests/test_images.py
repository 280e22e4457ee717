"""Images in prose: a numbered figure (图1 / Figure 1, in reading order with the charts)
embedded from the brief's own folder in HTML, PDF, tagged PDF and Word; every way out of
the folder, and every missing part, an error at its line that leaves the output as it was
(on the fixture project, whose brief hexi has one image)."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import docx
import pytest
from helpers import FIXTURE, find_all, parse_html, pdf_pages, pdf_reader, squash, text_of
from PIL import Image

from policybrief.build.pipeline import Options, build
from policybrief.cli import main as cli

PNG = FIXTURE / "briefs/hexi/riverside-plan.png"


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    """An image's mode, size and pixels: what survives its re-encoding (a PNG's exactly)."""
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


CAPTIONS = {
    "zh": ("图1", "规划思路示意：沿河为公园，住宅在其后"),
    "en": ("Figure 1", "The plan’s idea: the riverside as a park, housing behind it"),
}
ALT = {
    "zh": "示意平面图：上方是河流，沿岸是一条带步道的绿色公园带，下方是两排灰色住宅地块，"
    "其中一块是绿色的小公园",
    "en": "A schematic plan: a river along the top, a green park strip with a path along its "
    "bank, and two rows of grey housing blocks below, one of them a small green square",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_image_is_a_numbered_figure_with_alt_text_embedded_in_the_page(fixture_dist, lang):
    page = parse_html(fixture_dist / "hexi" / f"full-report.{lang}.html")
    figure = next(find_all(page, "figure", class_="picture"))
    assert figure.get("id") == "fig-riverside-plan"
    img = next(find_all(figure, "img"))
    assert img.get("alt") == ALT[lang]
    src = img.get("src")
    assert src.startswith("data:image/png;base64,")
    assert pixels(base64.b64decode(src.split(",", 1)[1])) == pixels(PNG.read_bytes())
    assert (img.get("width"), img.get("height")) == ("480", "300")
    label, caption = CAPTIONS[lang]
    figcaption = next(find_all(figure, "figcaption"))
    assert text_of(next(find_all(figcaption, "span", class_="exhibit-label"))) == label
    assert text_of(figcaption) == label + " " + caption
    refs = [(text_of(a), a.get("href")) for a in find_all(page, "a", class_="xref")]
    assert refs == [(label, "#fig-riverside-plan")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pdf_embeds_the_image_under_its_caption(fixture_dist, lang):
    path = fixture_dist / "hexi" / f"full-report.{lang}.pdf"
    label, caption = CAPTIONS[lang]
    pages = [squash(text) for text in pdf_pages(path)]
    printed = label + " " + caption
    # the caption as printed above the image (the contents' list of figures has it too, as
    # "图1 …" / "Figure 1 …" without the full stop)
    shown = [n for n, text in enumerate(pages) if squash(printed) in text and n > 1]
    assert len(shown) == 1
    # The pages that draw an image (``/name Do`` in their content), and what they draw.
    drawn = []
    for number, page in enumerate(pdf_reader(path).pages):
        objects = page["/Resources"].get("/XObject", {})
        for name in re.findall(rb"/([^\s/]+)\s+Do\b", page.get_contents().get_data()):
            image = objects["/" + name.decode()].get_object()
            if image.get("/Subtype") == "/Image":
                drawn.append((number, image["/Width"], image["/Height"]))
    assert drawn == [(shown[0], 480, 300)]


def test_the_one_page_note_leaves_out_a_figure_that_is_not_in_a_lead(fixture_dist):
    page = parse_html(fixture_dist / "hexi" / "decision-makers.en.html")
    assert list(find_all(page, "img")) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_word_edition_has_the_picture_with_its_caption_and_alt_text(fixture_dist, lang):
    path = fixture_dist / "hexi" / f"full-report.{lang}.docx"
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    label, caption = CAPTIONS[lang]
    # (the contents' list of figures names it first, in the style "Table of Figures")
    at = next(
        n
        for n, p in enumerate(paragraphs)
        if p.text.startswith(label) and p.style.name != "Table of Figures"
    )
    assert paragraphs[at].style.name == "Caption"
    assert paragraphs[at].text == label + " " + caption
    assert paragraphs[at].paragraph_format.keep_with_next
    picture = paragraphs[at + 1]._p
    assert picture.xpath(".//pic:pic")
    docpr = picture.xpath(".//wp:docPr")[0]
    assert docpr.get("descr") == ALT[lang]
    # the picture's own shape (the brief's charts are pictures too)
    rid = picture.xpath(".//a:blip/@r:embed")[0]
    shape = next(s for s in document.inline_shapes if rid in s._inline.xml)
    assert round(shape.width.mm) == round(480 / 96 * 25.4)  # as large as in the PDF
    # embedded with the pixels it has in the brief's folder (written again from them)
    assert pixels(document.part.related_parts[rid].blob) == pixels(PNG.read_bytes())


def test_the_tagged_pdf_gives_the_image_its_alt_text(fixture_project, tmp_path):
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("hexi",),
            audiences=("full-report",),
            langs=("en",),
            formats=("pdf",),
            pdf_variant="pdf/ua-1",
        )
    )
    root = pdf_reader(tmp_path / "hexi" / "full-report.en.pdf").trailer["/Root"]
    figures: list[str] = []

    def walk(node):
        node = node.get_object()
        if hasattr(node, "get"):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt", "")))
            children = node.get("/K")
            for child in children if isinstance(children, list) else [children] * bool(children):
                walk(child)

    walk(root["/StructTreeRoot"])
    assert figures[0] == ALT["en"]  # the image comes first; the brief's charts follow
    assert ALT["en"] not in figures[1:]


# -- numbering with the charts ----------------------------------------------------------


def _figure(figure_id: str, caption: str, name: str = "pic.png") -> str:
    return f"\n\nFigure[{figure_id}]: {caption}\n\n![A plain square of colour]({name})\n\n"


def _insert(path: Path, marker: str, text: str) -> None:
    body = path.read_text(encoding="utf-8")
    assert body.count(marker) == 1, marker
    path.write_text(body.replace(marker, marker + text), encoding="utf-8")


def test_images_and_charts_share_the_figure_numbers_in_reading_order(fixture_project, tmp_path):
    """qiaotou draws two charts at the end of "outcomes". An image in "background" comes
    before them, one in the prose of "outcomes" too (charts close their section), one in
    "lessons" after them: 1, 2, charts 3 and 4, then 5, in both languages."""
    folder = fixture_project / "briefs/qiaotou"
    Image.new("RGB", (40, 30), (200, 60, 40)).save(folder / "pic.png")
    for lang, prose in (
        ("en", "See {{ ref('early') }}, {{ ref('late') }} and {{ ref('output') }}."),
        ("zh", "见{{ ref('early') }}、{{ ref('late') }}和{{ ref('output') }}。"),
    ):
        path = folder / f"{lang}.md"
        cited = 'A fund of {{ fact("qiaotou.fund.total") }}'  # a caption may cite a fact
        _insert(path, "# background\n", _figure("early", cited))
        _insert(path, "# outcomes\n", _figure("among", "In the prose of outcomes"))
        _insert(path, "# lessons\n", f"\n{prose}\n" + _figure("late", "After the charts"))
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("qiaotou",),
            audiences=("full-report", "decision-makers"),
            formats=("html",),
        )
    )
    for lang, figure in (("zh", "图{}"), ("en", "Figure {}")):
        page = parse_html(tmp_path / "qiaotou" / f"full-report.{lang}.html")
        parents = {child: parent for parent in page.iter() for child in parent}
        labels = [
            (parents[parents[span]].get("id"), text_of(span))
            for span in find_all(page, "span", class_="exhibit-label")
        ]
        assert labels == [
            ("fig-early", figure.format(1)),
            ("fig-among", figure.format(2)),
            ("fig-enterprises", figure.format(3)),
            ("fig-output", figure.format(4)),
            ("fig-late", figure.format(5)),
        ]
        early = next(e for e in page.iter() if e.get("id") == "fig-early")
        fact = next(find_all(early, "span", class_="fact"))
        assert fact.get("data-fact") == "qiaotou.fund.total"
        assert next(find_all(early, "sup", class_="cite"))  # cited like prose, with its note
        refs = [(text_of(a), a.get("href")) for a in find_all(page, "a", class_="xref")]
        expected = [
            (figure.format(1), "#fig-early"),
            (figure.format(5), "#fig-late"),
            (figure.format(4), "#fig-output"),
        ]
        assert refs == expected
        # The one-page note prints only leads, yet its numbers are the report's; a reference
        # to a figure it does not print stays as text, never a link to nothing.
        note = parse_html(tmp_path / "qiaotou" / f"decision-makers.{lang}.html")
        present = {e.get("id") for e in note.iter() if e.get("id")}
        linked = [(text_of(a), a.get("href")) for a in find_all(note, "a", class_="xref")]
        unlinked = [text_of(span) for span in find_all(note, "span", class_="xref")]
        assert linked == [(label, href) for label, href in expected if href[1:] in present]
        assert unlinked == [label for label, href in expected if href[1:] not in present]
        assert unlinked, "the note leaves out one of the report's figures"


def test_changing_the_image_rebuilds_the_outputs_that_show_it(fixture_project, tmp_path):
    out = tmp_path / "out"
    picks = dict(root=fixture_project, out=out, briefs=("hexi",), formats=("html",))
    build(Options(**picks))
    assert {w.status for w in build(Options(**picks)).written} == {"skipped"}
    path = fixture_project / "briefs/hexi/riverside-plan.png"
    Image.new("RGB", (48, 30), (20, 90, 200)).save(path)
    report = build(Options(**picks))
    rebuilt = {w.path for w in report.written if w.status == "built"}
    assert rebuilt == {
        "hexi/full-report.zh.html",
        "hexi/full-report.en.html",
        "hexi/full-report.zh-Hant.html",
    }
    page = parse_html(out / "hexi" / "full-report.en.html")
    img = next(find_all(page, "img", alt=ALT["en"]))
    assert pixels(base64.b64decode(img.get("src").split(",", 1)[1])) == pixels(path.read_bytes())


# -- errors ------------------------------------------------------------------------------

LESSONS = "# lessons\n"
HINT_FOLDER = "put the file in the brief's folder, beside brief.yaml, and write its name"


def _big(folder: Path) -> None:
    (folder / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2 * 1024 * 1024))


def _svg(folder: Path) -> None:
    (folder / "map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")


def _not_png(folder: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    (folder / "photo.png").write_bytes(buffer.getvalue())


def _link_to_other_brief(folder: Path) -> None:
    Image.new("RGB", (4, 4)).save(folder.parent / "qiaotou" / "theirs.png")
    os.symlink("../qiaotou/theirs.png", folder / "theirs.png")


CAPTION = "Figure[x]: A caption\n\n"
ERRORS = {
    # name: (text added after "# lessons", setup, line of the error from "# lessons", message)
    "climbs out": (
        CAPTION + "![A file](../qiaotou/en.md)",
        None,
        4,
        f"image '../qiaotou/en.md' leads out of the brief's folder ('..') ({HINT_FOLDER})",
    ),
    "absolute path": (
        CAPTION + "![A file](/etc/hostname)",
        None,
        4,
        f"image '/etc/hostname' is an absolute path ({HINT_FOLDER})",
    ),
    "URL": (
        CAPTION + "![A chart](http://127.0.0.1:9/chart.png)",
        None,
        4,
        "image 'http://127.0.0.1:9/chart.png' is a URL; images come from the brief's own "
        f"folder (nothing is loaded from elsewhere: {HINT_FOLDER})",
    ),
    "link to another brief's folder": (
        CAPTION + "![A file](theirs.png)",
        _link_to_other_brief,
        4,
        "image 'theirs.png' is a link that leads out of the brief's folder (copy the file "
        "into the brief's folder instead)",
    ),
    "missing file": (
        CAPTION + "![A map](nope.png)",
        None,
        4,
        "image 'nope.png' not found in briefs/hexi/ (check the name; it is case-sensitive)",
    ),
    "missing alt text": (
        CAPTION + "![](riverside-plan.png)",
        None,
        4,
        "image 'riverside-plan.png' has no alternative text (say in the brackets what it "
        "shows, for readers who cannot see it: ![A map of the park beside the river]"
        "(park-map.png))",
    ),
    "missing caption": (
        "Text.\n\n![A map](riverside-plan.png)",
        None,
        4,
        "image without a caption (write a line 'Figure[id]: caption' right before it)",
    ),
    "empty caption": (
        "Figure[x]:\n![A map](riverside-plan.png)",
        None,
        2,
        "figure without caption text (say after the colon what the image shows)",
    ),
    "caption without an image": (
        "Figure[x]: A caption\n\nText.",
        None,
        2,
        "a figure's caption line is not followed by its image (put the image line "
        "![what the image shows](file.png) right below it)",
    ),
    "image inside a sentence": (
        CAPTION + "See ![A map](riverside-plan.png) here.",
        None,
        4,
        "an image stands on a line of its own (write ![what the image shows](file.png) "
        "alone on its line, after its caption line)",
    ),
    "SVG": (
        CAPTION + "![A map](map.svg)",
        _svg,
        4,
        "image 'map.svg': SVG is not accepted (an SVG file can load other files and carry "
        "scripts) (convert it to PNG: rsvg-convert -w 2000 map.svg -o map.png)",
    ),
    "too large": (
        CAPTION + "![A map](big.png)",
        _big,
        4,
        "image 'big.png' is 2,097,160 bytes; the limit is 2,097,152 (scale it down: about "
        "2,000 pixels across is enough for a full-width image printed at 300 dpi)",
    ),
    "JPEG named .png": (
        CAPTION + "![A photo](photo.png)",
        _not_png,
        4,
        "image 'photo.png' is not a PNG file (save it as PNG)",
    ),
    "id used twice": (
        "Figure[riverside-plan]: Again\n\n![A map](riverside-plan.png)",
        None,
        4,
        "figure id 'riverside-plan' is already taken by another figure (give each figure, "
        "table and chart its own id)",
    ),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A fixture copy and its last good output (hexi's HTML in English)."""
    root = tmp_path_factory.mktemp("images")
    from helpers import copy_fixture

    project = copy_fixture(root / "project")
    out = root / "out"
    assert cli.main(_argv(project, out)) == 0
    return project, out


def _argv(project: Path, out: Path, *extra: str) -> list[str]:
    return [
        "--project",
        str(project),
        "--out",
        str(out),
        "--brief",
        "hexi",
        "--lang",
        "en",
        "--format",
        "html",
        "-q",
        *extra,
    ]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_an_image_error_is_reported_at_its_line_and_changes_nothing(good, tmp_path, capsys, case):
    import shutil

    text, setup, offset, message = ERRORS[case]
    base, good_out = good
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    out = tmp_path / "out"
    shutil.copytree(good_out, out)
    folder = project / "briefs/hexi"
    if setup:
        setup(folder)
    path = folder / "en.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    line = lines.index(LESSONS.strip()) + 1 + offset
    _insert(path, LESSONS, "\n" + text + "\n")
    before = _files(out)
    for argv in (["check", "--project", str(project), "-q"], _argv(project, out)):
        capsys.readouterr()
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert f"briefs/hexi/en.md:{line}: {message}" in err.splitlines(), err
        assert "Traceback" not in err
    assert _files(out) == before


def test_a_link_out_of_the_project_is_refused_before_anything_is_read(good, tmp_path, capsys):
    import shutil

    base, _out = good
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4)).save(secret)
    os.symlink(secret, project / "briefs/hexi/leak.png")
    _insert(project / "briefs/hexi/en.md", LESSONS, "\n" + CAPTION + "![A leak](leak.png)\n")
    assert cli.main(["check", "--project", str(project), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        "briefs/hexi/leak.png: symlink leads outside briefs/ (copy the file into the folder "
        "instead)"
    )


def test_a_large_image_is_reported_with_its_size(fixture_project, capsys):
    folder = fixture_project / "briefs/hexi"
    noise = Image.frombytes("RGB", (600, 400), os.urandom(600 * 400 * 3))
    noise.save(folder / "noise.png")
    size = (folder / "noise.png").stat().st_size
    path = folder / "en.md"
    line = path.read_text(encoding="utf-8").split("\n").index(LESSONS.strip()) + 1 + 4
    _insert(path, LESSONS, "\n" + CAPTION + "![Coloured noise](noise.png)\n")
    assert cli.main(["check", "--project", str(fixture_project), "-q"]) == 0
    assert (
        f"briefs/hexi/en.md:{line}: warning: image 'noise.png' is {size // 1024:,} KiB "
        "(600 × 400 pixels); every page and PDF that shows it carries about that much"
    ) in capsys.readouterr().err


def _photo(folder: Path) -> Image.Image:
    """A JPEG that says who took it and where (EXIF), with a comment, and a PNG with a text
    chunk naming its author; returns the pixels both hold."""
    pixels = Image.frombytes("RGB", (64, 48), bytes(range(256)) * 36)
    exif = Image.Exif()
    exif[0x013B] = "Jane Secret"  # Artist
    exif[0x010E] = "Behind the town hall"  # ImageDescription
    pixels.save(folder / "photo.jpg", exif=exif.tobytes(), comment=b"secret comment")
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Secret")
    info.add_itxt("Comment", "behind the town hall")
    pixels.save(folder / "plan.png", pnginfo=info)
    return pixels


def test_metadata_is_not_published_and_the_pixels_stay(fixture_project, tmp_path):
    folder = fixture_project / "briefs/hexi"
    drawn = _photo(folder)
    assert b"Jane Secret" in (folder / "photo.jpg").read_bytes()
    assert b"Jane Secret" in (folder / "plan.png").read_bytes()
    _insert(
        folder / "en.md",
        LESSONS,
        "\nFigure[photo]: A photo\n\n![A gradient of grey](photo.jpg)\n"
        "\nFigure[plan]: A plan\n\n![A gradient of grey](plan.png)\n",
    )
    build(
        Options(
            root=fixture_project,
            out=tmp_path,
            briefs=("hexi",),
            audiences=("full-report",),
            langs=("en",),
            formats=("html",),
        )
    )
    page = parse_html(tmp_path / "hexi" / "full-report.en.html")
    embedded = {
        img.get("src").split(";")[0]: base64.b64decode(img.get("src").split(",", 1)[1])
        for img in find_all(page, "img", alt="A gradient of grey")
    }
    assert set(embedded) == {"data:image/jpeg", "data:image/png"}
    for data in embedded.values():
        for secret in (b"Jane Secret", b"town hall", b"secret comment", b"Exif"):
            assert secret not in data
        with Image.open(io.BytesIO(data)) as image:
            assert dict(image.getexif()) == {}
    png = Image.open(io.BytesIO(embedded["data:image/png"]))
    assert png.tobytes() == drawn.tobytes()  # PNG is lossless: the same pixels
    with (
        Image.open(io.BytesIO(embedded["data:image/jpeg"])) as jpeg,
        Image.open(folder / "photo.jpg") as original,
    ):
        # compressed again with the photo's own tables: one more save at the same quality
        assert jpeg.size == original.size and jpeg.mode == original.mode
        assert jpeg.quantization == original.quantization
        worst = max(abs(a - b) for a, b in zip(jpeg.tobytes(), original.tobytes(), strict=True))
        assert worst <= 8, worst


def test_a_photo_turned_by_its_exif_orientation_is_refused(fixture_project, capsys):
    folder = fixture_project / "briefs/hexi"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    Image.new("RGB", (40, 30)).save(folder / "turned.jpg", exif=exif.tobytes())
    path = folder / "en.md"
    line = path.read_text(encoding="utf-8").split("\n").index(LESSONS.strip()) + 1 + 4
    _insert(path, LESSONS, "\n" + CAPTION + "![A photo](turned.jpg)\n")
    assert cli.main(["check", "--project", str(fixture_project), "-q"]) == 1
    assert (
        f"briefs/hexi/en.md:{line}: image 'turned.jpg' is stored turned and relies on its EXIF "
        "orientation (6), which Word ignores (save it upright, e.g. with mogrify -auto-orient "
        "turned.jpg)"
    ) in capsys.readouterr().err.splitlines()

"""Load stage for images in prose: a caption line, then the image, from the brief's folder.

    Figure[park-map]: The park and the town around it

    ![A map of the park: the river to the north, the old workshops to the south](park-map.png)

Every image line in a brief's prose is checked here (a caption line right before it, alt
text, a file name inside the brief's own folder, a PNG or JPEG file within the limits) and
its file read into a :class:`~policybrief.core.model.Picture`; each problem is an error at its
file and line. Rendering embeds the bytes as a ``data:`` URI (:mod:`prose`), so neither a
page nor a PDF ever loads a file or a URL for it. SVG is refused: an SVG file can load
other files and URLs and carry scripts, and cleaning it safely is a project of its own.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.core.errors import Problem
from policybrief.core.model import Brief, Loc, Picture

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

TABLE_CAPTION_RE = re.compile(r"^Table(?:\[([a-z0-9][a-z0-9-]*)\])?:[ \t]*(.*?)[ \t]*$", re.M)
FIGURE_RE = re.compile(r"^Figure\[([a-z0-9][a-z0-9-]*)\]:[ \t]*(.*?)[ \t]*$")
_CAPTION_LIKE_RE = re.compile(r"^Figure(\[[^\]\n]*\])?:")
IMAGE_RE = re.compile(r"^!\[([^\]\n]*)\]\(([^)\n]*)\)[ \t]*$")
NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# An image name anywhere in prose, for the checks that read prose as text (digits, cache).
IMAGE_NAME_RE = re.compile(r"^!\[[^\]\n]*\]\(([^)\n]*)\)", re.M)
FIGURE_ID_RE = re.compile(r"^Figure\[[^\]\n]*\]", re.M)

SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
MIME = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_BYTES = 2 * 1024 * 1024  # an image file larger than this is refused
LARGE_BYTES = 512 * 1024  # ... and one larger than this is worth a warning (PDF size)
MAX_PIXELS = 40_000_000  # decoding more would take hundreds of MB: a "decompression bomb"
# A logo is printed a few centimetres wide on every page: 4 megapixels is 2000 × 2000, ample;
# a 420 KB PNG can declare 160 megapixels and take 650 MB to decode.
MAX_LOGO_PIXELS = 4_000_000
_SIZE_HINT = "about 2,000 pixels across is enough for a full-width image printed at 300 dpi"
_SHAPE = "![what the image shows](file.png)"


@dataclass(frozen=True)
class ProseImage:
    """One image in prose, as written."""

    id: str
    caption: str
    alt: str
    name: str
    loc: Loc  # the image line


def _caption_above(lines: list[str], index: int) -> int | None:
    """The index of the caption line of the image at ``index``: the line right above it, or
    the one above a single blank line."""
    for above in (index - 1, index - 2):
        if above < 0:
            return None
        if _CAPTION_LIKE_RE.match(lines[above]):
            return above
        if lines[above].strip():
            return None
    return None


def _image_below(lines: list[str], index: int) -> bool:
    """Whether the caption line at ``index`` has an image line right below it (or after
    one blank line)."""
    for below in (index + 1, index + 2):
        if below >= len(lines):
            return False
        if IMAGE_RE.match(lines[below]):
            return True
        if lines[below].strip():
            return False
    return False


def name_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` cannot name a file in the brief's folder: (message, hint), or None."""
    folder = "put the file in the brief's folder, beside brief.yaml, and write its name"
    if _SCHEME_RE.match(name) or name.startswith("//"):
        return (
            f"image {name!r} is a URL; images come from the brief's own folder",
            f"nothing is loaded from elsewhere: {folder}",
        )
    if name.startswith(("/", "\\", "~")):
        return f"image {name!r} is an absolute path", folder
    if ".." in re.split(r"[/\\]", name):
        return f"image {name!r} leads out of the brief's folder ('..')", folder
    if not name:
        return "image without a file name", f"write {_SHAPE}"
    if not NAME_RE.fullmatch(name):
        return (
            f"image file name {name!r} may hold only letters, digits, '-', '_', '.' and '/'",
            "rename the file (no spaces, no title after the name)",
        )
    return None


def _line_problems(lines: list[str], index: int, loc: Loc) -> list[Problem]:
    """The problems of one line that holds ``![``."""
    where = loc.line + index
    match = IMAGE_RE.match(lines[index])
    if match is None:
        hint = f"write {_SHAPE} alone on its line, after its caption line"
        return [Problem(loc.path, where, "an image stands on a line of its own", hint)]
    found = _caption_problems(lines, index, loc)
    alt, name = match.group(1).strip(), match.group(2).strip()
    if not alt:
        hint = (
            "say in the brackets what it shows, for readers who cannot see it: "
            "![A map of the park beside the river](park-map.png)"
        )
        found.append(Problem(loc.path, where, f"image {name!r} has no alternative text", hint))
    if "{" in alt or "{" in name:
        hint = "cite figures in the caption line, not in the alt text"
        found.append(
            Problem(loc.path, where, "an image's alt text and file name are plain text", hint)
        )
    why = name_problem(name)
    if why:
        found.append(Problem(loc.path, where, *why))
    if index + 1 < len(lines) and lines[index + 1].strip():
        hint = "leave a blank line after it"
        found.append(Problem(loc.path, where, "an image ends its paragraph", hint))
    return found


def _caption_problems(lines: list[str], index: int, loc: Loc) -> list[Problem]:
    """The caption line above the image on line ``index``: there, with an id and text."""
    caption = _caption_above(lines, index)
    if caption is None:
        hint = "write a line 'Figure[id]: caption' right before it"
        return [Problem(loc.path, loc.line + index, "image without a caption", hint)]
    figure = FIGURE_RE.match(lines[caption])
    if not figure:
        hint = "write 'Figure[park-map]: caption', the id in lowercase letters, digits and '-'"
        return [Problem(loc.path, loc.line + caption, "a figure's caption line needs an id", hint)]
    if not figure.group(2):
        hint = "say after the colon what the image shows"
        return [Problem(loc.path, loc.line + caption, "figure without caption text", hint)]
    return []


def scan(markdown: str, loc: Loc) -> tuple[list[ProseImage], list[Problem]]:
    """The well-formed images of one section's Markdown, and the problems of the rest."""
    lines = markdown.split("\n")
    figures: list[ProseImage] = []
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        if _CAPTION_LIKE_RE.match(line) and not _image_below(lines, index):
            if FIGURE_RE.match(line):  # a "Figure: …" sentence without an id is prose
                problems.append(
                    Problem(
                        loc.path,
                        loc.line + index,
                        "a figure's caption line is not followed by its image",
                        f"put the image line {_SHAPE} right below it",
                    )
                )
            continue
        if "![" not in line:
            continue
        found = _line_problems(lines, index, loc)
        problems += found
        if not found:
            image = IMAGE_RE.match(line)
            caption = FIGURE_RE.match(lines[_caption_above(lines, index) or 0])
            assert image is not None and caption is not None  # no problems: both are there
            figures.append(
                ProseImage(
                    caption.group(1),
                    caption.group(2),
                    image.group(1).strip(),
                    image.group(2).strip(),
                    Loc(loc.path, loc.line + index),
                )
            )
    return figures, problems


def figure_ids(markdown: str) -> list[str]:
    """The ids of a section's figure captions, in order (for numbering and ``ref``)."""
    return [m.group(1) for line in markdown.split("\n") if (m := FIGURE_RE.match(line))]


def _unplaced(brief: Brief) -> list[Problem]:
    """Images in the summary or the recommendations: only sections hold figures."""
    found = []
    for text in brief.texts.values():
        for value, loc in [(text.summary, text.summary_loc), *text.recommendations]:
            if "![" in value:
                found.append(
                    Problem(
                        loc.path,
                        loc.line,
                        "an image belongs in a section, not in the front matter",
                        "move it below one of the four section headings",
                    )
                )
    return found


def _ids(brief: Brief, lang: str, figures: list[ProseImage]) -> list[Problem]:
    """A figure's id is unique among the brief's figures, tables and charts."""

    seen = {chart.id: "a chart" for chart in brief.charts}
    for section in brief.texts[lang].sections:
        for match in TABLE_CAPTION_RE.finditer(section.markdown):
            if match.group(1):
                seen.setdefault(match.group(1), "a table")
    found = []
    for figure in figures:
        if figure.id in seen:
            found.append(
                Problem(
                    figure.loc.path,
                    figure.loc.line,
                    f"figure id {figure.id!r} is already taken by {seen[figure.id]}",
                    "give each figure, table and chart its own id",
                )
            )
        seen[figure.id] = "another figure"
    return found


def read(folder: Path, name: str, shown: str) -> Picture | tuple[str, str]:
    """The image ``name`` in ``folder`` (``shown``: as the user sees it, briefs/<slug>),
    read and checked; or (message, hint)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".svg":
        return (
            f"image {name!r}: SVG is not accepted (an SVG file can load other files and "
            "carry scripts)",
            f"convert it to PNG: rsvg-convert -w 2000 {name} -o {name[:-4]}.png",
        )
    if suffix not in SUFFIXES:
        return f"image {name!r}: only PNG and JPEG images are accepted", "save it as .png or .jpg"
    data = _file(folder, name, shown)
    return data if isinstance(data, tuple) else _picture(name, SUFFIXES[suffix], data)


def _file(folder: Path, name: str, shown: str) -> bytes | tuple[str, str]:
    """The bytes of the file ``name``, inside ``folder`` and within the size limit."""
    top = folder.resolve()
    try:
        path = (top / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return f"image {name!r} not found in {shown}/", "check the name; it is case-sensitive"
    if not path.is_relative_to(top):
        return (
            f"image {name!r} is a link that leads out of the brief's folder",
            "copy the file into the brief's folder instead",
        )
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        return f"image {name!r} is not a regular file", "name an image file"
    if info.st_size > MAX_BYTES:
        return (
            f"image {name!r} is {info.st_size:,} bytes; the limit is {MAX_BYTES:,}",
            f"scale it down: {_SIZE_HINT}",
        )
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _picture(
    name: str, kind: str, data: bytes, limit: int = MAX_PIXELS
) -> Picture | tuple[str, str]:
    """``data`` decoded once with Pillow (a PNG or JPEG it says it is, within the pixel
    limit, upright), then embedded without its metadata."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # (Pillow warns of a large image on opening; the limit is checked here, below)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            if image.format != kind:
                return f"image {name!r} is not a {kind} file", f"save it as {kind}"
            width, height = image.size
            if width * height > limit:
                return (
                    f"image {name!r} has {width} × {height} pixels; the limit is {limit:,} in all",
                    f"scale it down: {_SIZE_HINT}",
                )
            orientation = image.getexif().get(0x0112)
            data = reencode(image, kind)  # a truncated or corrupt file fails here
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, UnidentifiedImageError):
        return f"image {name!r} is not a readable {kind} file", f"save it again as {kind}"
    if orientation not in (None, 1):
        return (
            f"image {name!r} is stored turned and relies on its EXIF orientation "
            f"({orientation}), which Word ignores",
            f"save it upright, e.g. with mogrify -auto-orient {name}",
        )
    return Picture(name, MIME[kind], data, width, height, hashlib.sha256(data).hexdigest())


def logo(name: str, kind: str, data: bytes) -> bytes | tuple[str, str]:
    """A theme's PNG or JPEG logo, decoded within :data:`MAX_LOGO_PIXELS` and written again
    from its pixels; or (message, hint)."""
    made = _picture(name, kind, data, MAX_LOGO_PIXELS)
    return made.data if isinstance(made, Picture) else made


def reencode(image: PilImage, kind: str) -> bytes:
    """The image written again from its decoded pixels, as ``kind``: nothing of the file
    but its pixels, their colour profile and transparency goes on (no EXIF with a photo's
    place, XMP, IPTC, text chunks, comments, nor what follows the image data: however
    many blocks the file holds and wherever they are). A PNG keeps its pixels exactly; a
    JPEG is compressed again with its own quantization tables (``quality="keep"``), so the
    loss is that of one more save at the same quality."""
    image.load()
    out = io.BytesIO()
    profile = image.info.get("icc_profile")
    if kind == "JPEG":
        # (a JPEG's comment is the one block Pillow would copy unless told)
        image.save(
            out, "JPEG", quality="keep", subsampling="keep", icc_profile=profile, comment=b""
        )
    else:
        image.save(out, "PNG", icc_profile=profile, default_image=False)
    return out.getvalue()


def _load_one(
    brief: Brief, folder: Path, cache: dict[Path, Picture | tuple[str, str]]
) -> tuple[dict[str, Picture], list[Problem]]:
    pictures: dict[str, Picture] = {}
    problems = _unplaced(brief)
    for lang, text in brief.texts.items():
        figures: list[ProseImage] = []
        for section in text.sections:
            found, wrong = scan(section.markdown, section.loc)
            figures += found
            problems += wrong
        problems += _ids(brief, lang, figures)
        for figure in figures:
            key = folder / figure.name
            if key not in cache:
                cache[key] = read(folder, figure.name, brief.folder)
            result = cache[key]
            if isinstance(result, Picture):
                pictures[figure.name] = result
                if len(result.data) > LARGE_BYTES:
                    problems.append(_large(figure, result))
            else:
                problems.append(Problem(figure.loc.path, figure.loc.line, *result))
    return pictures, problems


def _large(figure: ProseImage, picture: Picture) -> Problem:
    return Problem(
        figure.loc.path,
        figure.loc.line,
        f"image {figure.name!r} is {len(picture.data) // 1024:,} KiB "
        f"({picture.width} × {picture.height} pixels); every page and PDF that shows it "
        "carries about that much",
        f"scale it down if it need not be so large: {_SIZE_HINT}",
        "warning",
    )


def load(briefs: dict[str, Brief], root: Path, problems: list[Problem]) -> dict[str, Brief]:
    """Each brief with the images its prose shows read into ``pictures``; every problem of
    an image line (caption, alt text, file) is added to ``problems`` at its line."""
    cache: dict[Path, Picture | tuple[str, str]] = {}  # the rows of a batch share files
    loaded = {}
    for slug, brief in briefs.items():
        pictures, found = _load_one(brief, root / brief.folder, cache)
        problems += found
        loaded[slug] = replace(brief, pictures=pictures) if pictures else brief
    return loaded


def shown(brief: Brief, texts: Iterable[str]) -> list[tuple[str, str]]:
    """(name, digest) of each image the given prose shows: part of an output's cache key,
    so that changing an image file rebuilds exactly the outputs that show it."""
    names = sorted({m.group(1).strip() for text in texts for m in IMAGE_NAME_RE.finditer(text)})
    return [(name, brief.pictures[name].sha256 if name in brief.pictures else "") for name in names]

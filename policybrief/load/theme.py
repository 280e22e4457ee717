"""Load stage, house style: ``theme.yaml`` in the template folders.

A theme is one small file that HTML, PDF and charts all read: colours, the two font
families, a logo, the organisation's name and the running-header text. Each template folder
may hold one; a user folder's keys override the built-in ``templates/theme.yaml`` key by
key, so a house style that changes one colour writes one line. The colours and fonts become
CSS custom properties after ``base.css`` (no copy of it is needed), and charts draw with the
same colours. A logo is a file beside ``theme.yaml``, read only from inside its folder and
embedded as a ``data:`` URI, so pages stay self-contained.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.files import long_name
from policybrief.core.model import Theme
from policybrief.load import images, yamlio
from policybrief.load.yamlio import Fields, YMap

COLORS = (
    "ink",
    "muted",
    "rule",
    "accent",
    "accent_soft",
    "warm",
    *(f"chart_{n}" for n in range(3, 7)),  # a chart's third to sixth series
)
FONTS = ("serif", "sans")
# the Word edition's faces: Latin by role, then Chinese by role and script (output/docx)
WORD_FONTS = ("serif", "sans", "mono", "serif_hans", "sans_hans", "serif_hant", "sans_hant")
THEME_FIELDS = (
    "colors",
    "fonts",
    "word_fonts",
    "print_colors",
    "logo",
    "organisation",
    "running_header",
)
MAX_LOGO_BYTES = 1_000_000
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_FONT_RE = re.compile(r"[A-Za-z0-9 \-]{1,60}")
_LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _logo(folder: Path, name: object, f: Fields) -> str:
    if not isinstance(name, str) or not name.strip():
        f.bad("logo", "theme: 'logo' must name an image file beside theme.yaml")
        return ""
    too_long = long_name(name)
    if too_long:
        f.bad("logo", f"theme: logo: {too_long}", "rename the file")
        return ""
    path = (folder / name).resolve()
    suffix = path.suffix.lower()
    if not path.is_relative_to(folder.resolve()):
        f.bad(
            "logo",
            f"theme: logo {name!r} lies outside its template folder",
            "put the image beside theme.yaml (links out of the folder are refused)",
        )
        return ""
    if suffix not in _LOGO_TYPES:
        f.bad("logo", f"theme: logo {name!r} is not an SVG, PNG or JPEG file")
        return ""
    if not path.is_file():
        f.bad("logo", f"theme: logo {name!r} not found in {folder}")
        return ""
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        f.bad(
            "logo",
            f"theme: logo {name!r} is {len(data):,} bytes; the limit is {MAX_LOGO_BYTES:,}",
            "use a smaller image (an SVG, or a PNG under 1 MB)",
        )
        return ""
    if suffix != ".svg":
        made = images.logo(name, "PNG" if suffix == ".png" else "JPEG", data)
        if isinstance(made, tuple):
            f.bad("logo", f"theme: logo: {made[0]}", made[1])
            return ""
        data = made
    return f"data:{_LOGO_TYPES[suffix]};base64,{base64.b64encode(data).decode('ascii')}"


ASSET_TYPES = {
    **_LOGO_TYPES,
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
MAX_ASSET_BYTES = 2_000_000


def asset_uri(folders: list[str] | tuple[Path, ...], name: object) -> str:
    """``asset("seal.png")`` in a template: the file ``name`` from the first template folder
    that has it, as a data: URI (pages load nothing, so files travel inside them). The name
    is relative to the folder and must stay inside it, links included; ValueError says why
    it cannot be used."""
    if (
        not isinstance(name, str)
        or not name
        or Path(name).is_absolute()
        or ".." in Path(name).parts
    ):
        raise ValueError(f"asset({name!r}): give a file name relative to the template folder")
    suffix = Path(name).suffix.lower()
    if suffix not in ASSET_TYPES:
        kinds = ", ".join(sorted(ASSET_TYPES))
        raise ValueError(f"asset({name!r}): not a file type a page can embed ({kinds})")
    for folder in folders:
        path = Path(folder) / name
        if not path.is_file():
            continue
        if not path.resolve().is_relative_to(Path(folder).resolve()):
            raise ValueError(f"asset({name!r}) leads outside its template folder")
        data = path.read_bytes()
        if len(data) > MAX_ASSET_BYTES:
            raise ValueError(f"asset({name!r}) is {len(data):,} bytes; at most {MAX_ASSET_BYTES:,}")
        return f"data:{ASSET_TYPES[suffix]};base64,{base64.b64encode(data).decode('ascii')}"
    raise ValueError(f"asset({name!r}): no such file in the template folders")


def _table(
    data: YMap,
    key: str,
    allowed: tuple[str, ...],
    pattern: re.Pattern[str],
    f: Fields,
    shown: str,
    what: str,
) -> dict[str, str]:
    table = data.get(key)
    if table is None:
        return {}
    if not isinstance(table, YMap):
        f.bad(key, f"theme: {key!r} must be a mapping", f"e.g. {key}: {{{allowed[0]}: …}}")
        return {}
    values = {}
    for name, value in table.items():
        if name not in allowed:
            f.problems.append(
                Problem(
                    shown,
                    table.line_of(name),
                    f"theme: unknown {what} {name!r}",
                    did_you_mean(name, allowed, "allowed: " + ", ".join(allowed)),
                )
            )
        elif not isinstance(value, str) or not pattern.fullmatch(value):
            f.problems.append(
                Problem(
                    shown,
                    table.line_of(name),
                    f"theme: {what} {name!r} is not valid: {value!r}",
                    "write a colour as #rrggbb"
                    if what == "colour"
                    else "write a font family name, letters and spaces",
                )
            )
        else:
            values[name] = value
    return values


CMYK = tuple[float, float, float, float]


def _print_colors(data: YMap, f: Fields, shown: str) -> dict[str, CMYK]:
    """``print_colors``: each theme colour as four ink percentages, [c, m, y, k]."""
    table = data.get("print_colors")
    if table is None:
        return {}
    if not isinstance(table, YMap):
        f.bad("print_colors", "theme: 'print_colors' must be a mapping", "e.g. ink: [0, 0, 0, 95]")
        return {}
    values: dict[str, CMYK] = {}
    for name, value in table.items():
        line = table.line_of(name)
        if name not in COLORS:
            hint = did_you_mean(name, COLORS, "allowed: " + ", ".join(COLORS))
            f.problems.append(Problem(shown, line, f"theme: unknown colour {name!r}", hint))
        elif (
            isinstance(value, list)
            and len(value) == 4
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and all(0 <= v <= 100 for v in value)
        ):
            c, m, y, k = (round(v / 100, 4) for v in value)
            values[name] = (c, m, y, k)
        else:
            f.problems.append(
                Problem(
                    shown,
                    line,
                    f"theme: print colour {name!r} is not valid: {value!r}",
                    "write four ink percentages, cyan, magenta, yellow and black: [100, 60, 0, 20]",
                )
            )
    return values


def theme_files(template_dirs: tuple[Path, ...]) -> list[Path]:
    """The ``theme.yaml`` of each folder, least important first (the built-in one first)."""
    return [d / "theme.yaml" for d in reversed(template_dirs) if (d / "theme.yaml").is_file()]


def load_theme(
    files: list[Path], root: Path, problems: list[Problem], base: Theme | None = None
) -> Theme:
    """The theme: ``base`` (or nothing) with each file's keys laid over it in order; a
    logo is read from beside the file that names it."""
    base = base or Theme()
    colors, fonts, logo = dict(base.colors), dict(base.fonts), base.logo
    word_fonts = dict(base.word_fonts)
    print_colors = dict(base.print_colors)
    texts = {"organisation": base.organisation, "running_header": base.running_header}
    for path in files:
        shown = _shown(path, root)
        data, found = yamlio.load(str(path), shown)
        problems += found
        if data is None:
            continue
        if not isinstance(data, YMap):
            problems.append(
                Problem(shown, 1, "theme.yaml must be a mapping", "see README: house styles")
            )
            continue
        f = Fields(data, shown, problems, "theme")
        f.unknown(THEME_FIELDS)
        colors.update(_table(data, "colors", COLORS, _COLOR_RE, f, shown, "colour"))
        fonts.update(_table(data, "fonts", FONTS, _FONT_RE, f, shown, "font"))
        word_fonts.update(_table(data, "word_fonts", WORD_FONTS, _FONT_RE, f, shown, "font"))
        print_colors.update(_print_colors(data, f, shown))
        if "logo" in data:
            logo = _logo(path.parent, data["logo"], f)
        for key in texts:
            if key in data:
                texts[key] = f.text(key, required=False)
    return Theme(
        colors,
        fonts,
        logo,
        texts["organisation"],
        texts["running_header"],
        word_fonts=word_fonts,
        print_colors=print_colors,
    )

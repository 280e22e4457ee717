"""Write stage, fonts: the Noto CJK faces cut down to the characters the project uses.

WeasyPrint lays text out with the faces it is given and subsets each face it embeds, but
keeps every glyph slot up to the highest one used: a Noto CJK face has about 65,000, so one
Chinese character (or a curly quote, which these faces also place near the end) would cost
a few hundred KB of empty slots per face per PDF, and laying out with a whole face costs
time and memory. We give WeasyPrint small faces instead, made once per character set and
reused by every PDF:

1. **The character set** is a fixed base (ASCII, Latin-1, general and CJK punctuation,
   full-width forms) plus every character in the project's own inputs (facts, briefs and
   their batch rows, every template folder with its catalogs, the engine's source; of a
   YAML file, its keys and values less a fact's ``curator_note``, which no page prints) plus
   what Babel writes for each language (digits, months, number symbols). It does not depend
   on which outputs a build selects, so a partial, sharded or full build makes the same
   faces and the same bytes; it changes only when an input gains a character.
2. **Subsetting** is HarfBuzz's (``libharfbuzz-subset``, as WeasyPrint uses; fontTools
   takes 5 s on a full face) keeping every layout feature and language system, so that
   shaping and line breaks stay exactly those of the full face. (Leaving out the Japanese,
   Korean and Traditional Chinese systems would save 700 glyphs a face, but moved one line
   break in a Chinese report: not done.)
3. **Renumbering.** HarfBuzz leaves a CID-keyed CFF's glyphs under their original CIDs,
   while WeasyPrint writes glyph positions into the PDF as CIDs (``Identity-H``): poppler
   tolerates the mismatch, MuPDF and pdf.js draw those glyphs blank. We renumber the
   glyphs (fontTools) so that each glyph's CID is its position. The PDF writer then cuts
   each face it embeds down to the glyphs that PDF uses (:mod:`embedded`), which this
   makes sound; so the order of the glyphs here no longer matters to a PDF's size.
4. **The cache**: ``<out>/.policybrief-cache/fonts/<digest>/``, keyed by the face files,
   the character set and the HarfBuzz version; safe to delete, rebuilt when fonts change.
   ``POLICYBRIEF_FONT_CACHE=DIR`` puts the digest folders in ``DIR`` instead, shared by
   every output folder (the tests build into hundreds of fresh folders).

Each face is served to WeasyPrint by ``@font-face`` under its own family name,
``policybrief Noto Serif CJK SC`` and so on, which the templates' font stacks name first;
the system family after it stays the fallback for any character outside the set.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybrief.core.digest import PACKAGE
from policybrief.core.errors import Problem, RenderError
from policybrief.core.languages import DEFAULT
from policybrief.core.patches import logger_level
from policybrief.core.starts import start_context

if TYPE_CHECKING:  # cffi and fontTools ship no types: Any to mypy
    from cffi import FFI
    from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)

CACHE_DIR = Path(".policybrief-cache") / "fonts"
SHARED_CACHE = "POLICYBRIEF_FONT_CACHE"  # environment: one font cache for every output folder
PREFIX = "policybrief "  # the family name a subset face is served under: PREFIX + family
# The faces the built-in templates ask for (base.css: --serif, --sans, --mono); a face
# that is not installed is left out and the template's fallbacks apply, as before.
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans Mono CJK SC")
# The Latin faces English text is set in (base.css names them first under :lang(en)), with
# true italics: Debian's fonts-noto-core, the CJK faces' own design family (issue 24).
LATIN_FAMILIES = ("Noto Serif", "Noto Sans")
WEIGHTS = (400, 700)
STYLES = ("normal", "italic")  # italic for the Latin faces only: the CJK faces have none
_FC_WEIGHT = {400: 80, 700: 200}  # fontconfig's scale
_FC_SLANT = {"normal": 0, "italic": 100}
# The stages whose strings reach a page (numbers and dates, exhibit and note wording, Word
# labels); loading and checking only print messages to the terminal.
PRINTING_STAGES = ("core", "render", "output")
BASE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x2010, 0x2027),
    (0x2030, 0x2060),  # to the word joiner render/typography.py puts before note markers
    (0x202F, 0x202F),  # and the narrow space that keeps a marker off a number
    (0x3000, 0x303F),
    (0xFF01, 0xFF5E),
    (0xFFE0, 0xFFE6),
)
SOURCE_SUFFIXES = (
    ".yaml",
    ".yml",
    ".md",
    ".html",
    ".css",
    ".po",
    ".csv",
    ".tsv",
    ".txt",
    ".json",
    ".py",
)
STALE_SECONDS = 3600  # other cache folders older than this are removed


@dataclass(frozen=True)
class Face:
    family: str  # the system family this face stands in for
    weight: int
    path: str  # the system font file
    index: int  # the face's index in a collection (.ttc)
    file: str = ""  # the subset's file name in the cache folder
    style: str = "normal"  # "italic": a Latin face's true italic

    @property
    def latin(self) -> bool:
        """A Latin face (TrueType outlines): subset only, no CID renumbering needed."""
        return self.family in LATIN_FAMILIES

    @property
    def served_as(self) -> str:
        return PREFIX + self.family


@dataclass(frozen=True)
class FontSet:
    """Subset faces ready on disk; picklable, so it travels to the PDF workers."""

    digest: str
    folder: Path
    faces: tuple[Face, ...]
    cache: Path | None = None  # the output folder's cache area (also for layout results)

    def css(self) -> str:
        """The ``@font-face`` rules that serve the subsets."""
        rules = []
        for face in self.faces:
            url = (self.folder / face.file).absolute().as_uri()  # --out may be relative
            rules.append(
                f'@font-face {{ font-family: "{face.served_as}"; '
                f'src: url("{url}"); font-weight: {face.weight}; '
                f"font-style: {face.style}; }}"
            )
        return "\n".join(rules)


# -- the character set ------------------------------------------------------------------


def base_characters() -> set[str]:
    return {chr(c) for start, end in BASE_RANGES for c in range(start, end + 1)}


def project_characters(
    root: Path, template_dirs: tuple[Path, ...] | list[Path], codes: tuple[str, ...] = DEFAULT
) -> set[str]:
    """Every character in the project's inputs and the engine's own strings; of the
    template folders' catalogs, only those of the project's languages ``codes`` (the
    built-in templates' zh_Hant catalog adds nothing to a zh and en project's faces)."""
    chars: set[str] = set()
    # the engine's own words a page can print: formatting, the renderer's and the writers'
    engine = [PACKAGE / stage for stage in PRINTING_STAGES]
    folders = [root / "facts", root / "briefs", *template_dirs, *engine]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if (
                path.suffix in SOURCE_SUFFIXES
                and path.is_file()
                and not any(part.startswith(".") or part == "__pycache__" for part in parts)
                and not _other_catalog(parts, codes)
            ):
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                chars |= _characters_of(text, path.suffix in (".yaml", ".yml"))
    # the settings a page prints: the office's name, its "about" and contact (press release)
    settings = root / "pyproject.toml"
    if settings.is_file():
        try:
            chars |= set(settings.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass
    return chars


UNPRINTED = frozenset({"curator_note"})  # a fact's working remark: never in a PDF


@lru_cache(maxsize=4096)
def _characters_of(text: str, yaml: bool) -> frozenset[str]:
    """One file's characters, by its text: every PDF build reads the whole project and
    the engine's own sources again (a file may have changed), but a process that builds
    again (``serve``, a batch, the tests) parses only the YAML that did."""
    return frozenset(_printable_yaml(text) if yaml else text)


def _printable_yaml(text: str) -> set[str]:
    """The characters of a YAML file's keys and values, less the values under a key
    that is never printed (``UNPRINTED``) and the comments; the whole text when the file
    does not parse (check reports it)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return set(text)
    chars: set[str] = set()
    stack: list[object] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                chars |= set(str(key))
                if key not in UNPRINTED:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            chars |= set(str(item))
    return chars


def _other_catalog(parts: tuple[str, ...], codes: tuple[str, ...]) -> bool:
    """Whether a template folder's file is a catalog of a language the project does not
    declare: ``locales/<code or gettext name>/...``."""
    return len(parts) > 2 and parts[0] == "locales" and parts[1].replace("_", "-") not in codes


@cache
def babel_characters(codes: tuple[str, ...] = DEFAULT) -> frozenset[str]:
    """What Babel can write for the project's languages: digits, number symbols, month and
    day names, the literal text of date patterns, the words for large numbers, the
    languages' names; and the quotation marks and particles of the engine's table."""
    from policybrief.core.languages import language

    chars: set[str] = set()
    for code in codes:
        lang = language(code)
        locale = lang.locale
        texts: list[str] = list(locale.number_symbols.get("latn", {}).values())
        for table in (locale.months, locale.days):
            for context in table.values():
                for names in context.values():
                    texts += [str(v) for v in names.values()]
        texts += [str(p) for p in locale.date_formats.values()]
        texts += [str(p) for p in locale.datetime_skeletons.values()]
        texts += [str(p) for p in locale.decimal_formats.values()]
        texts += [str(p) for p in locale.percent_formats.values()]
        texts += [prefix + suffix for m in lang.magnitudes for _c, prefix, suffix in m.forms]
        texts += ["".join(lang.quotes), lang.more, lang.name]  # 繁體中文 in a language list
        for text in texts:
            chars |= set(text)
    return frozenset(chars)


def characters(
    root: Path, template_dirs: tuple[Path, ...] | list[Path], codes: tuple[str, ...] = DEFAULT
) -> str:
    """Every character a PDF of the project may print (``codes``: its languages)."""
    chars = base_characters() | project_characters(root, template_dirs, codes)
    chars |= babel_characters(codes)
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u00a0"))


# -- finding the system faces (fontconfig) -------------------------------------------------

_FC_CDEF = """
typedef struct _FcPattern FcPattern;
typedef struct _FcConfig FcConfig;
typedef unsigned char FcChar8;
typedef int FcBool;
typedef int FcResult;
FcPattern *FcNameParse(const FcChar8 *name);
FcBool FcConfigSubstitute(FcConfig *config, FcPattern *p, int kind);
void FcDefaultSubstitute(FcPattern *pattern);
FcPattern *FcFontMatch(FcConfig *config, FcPattern *p, FcResult *result);
FcResult FcPatternGetString(const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);
void FcPatternDestroy(FcPattern *p);
"""

_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file(const char *file_name);
unsigned int hb_blob_get_length(hb_blob_t *blob);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_blob_destroy(hb_blob_t *blob);
void hb_face_destroy(hb_face_t *face);
const char *hb_version_string(void);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_clear(hb_set_t *set);
void hb_set_invert(hb_set_t *set);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data,
                          void *destroy);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_blob_t *hb_face_reference_table(const hb_face_t *face, uint32_t tag);
"""
_HB_SETS_LAYOUT_FEATURE_TAG = 6
_HB_FLAGS_NO_HINTING = 0x1
_HB_FLAGS_DESUBROUTINIZE = 0x4
_HB_MEMORY_MODE_DUPLICATE = 0
_CFF_TAG = int.from_bytes(b"CFF ", "big")


@cache
def _libraries() -> tuple[FFI, Any, Any, Any]:  # each library: a class cffi makes
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_FC_CDEF + _HB_CDEF)
    try:
        fc = ffi.dlopen("libfontconfig.so.1")
        hb = ffi.dlopen("libharfbuzz.so.0")
        hb_subset = ffi.dlopen("libharfbuzz-subset.so.0")
    except OSError as error:
        raise RenderError(
            Problem(
                "fonts",
                0,
                str(error),
                "run scripts/setup.sh: it installs libharfbuzz-subset0 and fontconfig",
            )
        ) from None
    return ffi, fc, hb, hb_subset


def harfbuzz_version() -> str:
    ffi, _fc, hb, _subset = _libraries()
    return ffi.string(hb.hb_version_string()).decode()


@cache
def system_faces() -> tuple[Face, ...]:
    """The installed faces the templates ask for, found as fontconfig finds them."""
    ffi, fc, _hb, _subset = _libraries()
    faces = []
    wanted = [(f, w, "normal") for f in FAMILIES for w in WEIGHTS]
    wanted += [(f, w, s) for f in LATIN_FAMILIES for w in WEIGHTS for s in STYLES]
    for family, weight, style in wanted:
        query = f"{family}:weight={_FC_WEIGHT[weight]}:slant={_FC_SLANT[style]}"
        pattern = fc.FcNameParse(query.encode())
        fc.FcConfigSubstitute(ffi.NULL, pattern, 0)
        fc.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fc.FcFontMatch(ffi.NULL, pattern, result)
        fc.FcPatternDestroy(pattern)
        if match == ffi.NULL:
            continue
        try:
            found = ffi.new("FcChar8 **")
            names = []
            n = 0
            while fc.FcPatternGetString(match, b"family", n, found) == 0:
                names.append(ffi.string(found[0]).decode())
                n += 1
            got_weight, got_slant = ffi.new("int *"), ffi.new("int *")
            fc.FcPatternGetInteger(match, b"weight", 0, got_weight)
            fc.FcPatternGetInteger(match, b"slant", 0, got_slant)
            if (
                family not in names
                or abs(got_weight[0] - _FC_WEIGHT[weight]) > 20
                or got_slant[0] != _FC_SLANT[style]
            ):
                continue  # not installed: fontconfig offers a substitute
            fc.FcPatternGetString(match, b"file", 0, found)
            path = ffi.string(found[0]).decode()
            index = ffi.new("int *")
            fc.FcPatternGetInteger(match, b"index", 0, index)
            faces.append(Face(family, weight, path, index[0], style=style))
        finally:
            fc.FcPatternDestroy(match)
    return tuple(faces)


def fonts_key(chars: str, faces: tuple[Face, ...]) -> str:
    """The digest that names a set of subsets: face files, character set, HarfBuzz."""
    sha = hashlib.sha256()
    for face in faces:
        stat = os.stat(face.path)
        sha.update(
            repr(
                (face.family, face.weight, face.style, face.path, face.index, stat.st_size)
                + (stat.st_mtime_ns,)
            ).encode()
        )
    sha.update(chars.encode("utf-8"))
    sha.update(harfbuzz_version().encode())
    sha.update(b"renumbered-v3")  # v3: in the face's own order (a PDF keeps no empty slot)
    return sha.hexdigest()


# -- subsetting and renumbering ----------------------------------------------------------


def _hb_subset(face: Face, chars: str) -> bytes:
    ffi, _fc, hb, hbs = _libraries()
    blob = hb.hb_blob_create_from_file(face.path.encode())
    source = hb.hb_face_create(blob, face.index)
    request = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(request)
        for char in chars:
            hb.hb_set_add(unicodes, ord(char))
        features = hbs.hb_subset_input_set(request, _HB_SETS_LAYOUT_FEATURE_TAG)
        hb.hb_set_clear(features)
        hb.hb_set_invert(features)  # every layout feature: shaping stays the full face's
        hbs.hb_subset_input_set_flags(request, _HB_FLAGS_DESUBROUTINIZE)
        result = hbs.hb_subset_or_fail(source, request)
        if result == ffi.NULL:
            raise RenderError(
                Problem("fonts", 0, f"HarfBuzz could not subset {face.path}#{face.index}")
            )
        data = _blob_bytes(hb.hb_face_reference_blob(result))
        hb.hb_face_destroy(result)
        return data
    finally:
        hbs.hb_subset_input_destroy(request)
        hb.hb_face_destroy(source)
        hb.hb_blob_destroy(blob)


def _blob_bytes(blob: FFI.CData) -> bytes:
    """A HarfBuzz blob's bytes, copied out; the blob is released."""
    ffi, _fc, hb, _hbs = _libraries()
    length = ffi.new("unsigned int *")
    data = bytes(ffi.buffer(hb.hb_blob_get_data(blob, length), length[0]))
    hb.hb_blob_destroy(blob)
    return data


def cff_of(data: bytes, glyphs: Iterable[int]) -> bytes:
    """The ``CFF `` table of an OpenType face cut down to ``glyphs`` (glyph ids) and
    .notdef, as HarfBuzz subsets it: glyph ids renumbered, a CID-keyed face's CIDs kept
    (see :mod:`policybrief.output.embedded`); empty if HarfBuzz cannot."""
    ffi, _fc, hb, hbs = _libraries()
    blob = hb.hb_blob_create(data, len(data), _HB_MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL)
    source = hb.hb_face_create(blob, 0)
    request = hbs.hb_subset_input_create_or_fail()
    try:
        wanted = hbs.hb_subset_input_glyph_set(request)
        for gid in glyphs:
            hb.hb_set_add(wanted, gid)
        hbs.hb_subset_input_set_flags(request, _HB_FLAGS_NO_HINTING | _HB_FLAGS_DESUBROUTINIZE)
        result = hbs.hb_subset_or_fail(source, request)
        if result == ffi.NULL:
            return b""
        cff = _blob_bytes(hb.hb_face_reference_table(result, _CFF_TAG))
        hb.hb_face_destroy(result)
        return cff
    finally:
        hbs.hb_subset_input_destroy(request)
        hb.hb_face_destroy(source)
        hb.hb_blob_destroy(blob)


def _open(data: bytes) -> TTFont:
    from fontTools.ttLib import TTFont

    # Outlines are unchanged, so their bounds are too; keep the source's timestamps.
    return TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False)


def _save(font: TTFont) -> bytes:
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def renumber(data: bytes) -> bytes:
    """Each glyph's CID becomes its glyph id (CID-keyed CFF), as WeasyPrint's PDFs assume."""
    font = _open(data)
    if "CFF " not in font:
        return data
    count = font["maxp"].numGlyphs
    names = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, count)]
    font.setGlyphOrder(names)  # before any table is read: they read glyphs by position
    for tag in font.keys():
        if tag not in ("GlyphOrder", "CFF "):
            font[tag]
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return data  # a name-keyed CFF: glyph ids are already what the PDF uses
    top.charset = names
    top.CharStrings.charStrings = {name: gid for gid, name in enumerate(names)}
    return _save(font)


def make_subset(face: Face, chars: str) -> bytes:
    data = _hb_subset(face, chars)
    if face.latin:  # TrueType: glyph ids are what the PDF uses already
        return data
    # fontTools reports what it rewrites in a face's tables as warnings (coverage tables
    # with unsorted indices, when glyphs used to be moved here): not the user's concern.
    with logger_level("fontTools", logging.ERROR):
        return renumber(data)


# -- the cache ---------------------------------------------------------------------------


def prepare(out: Path, chars: str, faces: tuple[Face, ...] | None = None) -> FontSet:
    """The subset faces for this character set, made (once) into the output folder's cache."""
    faces = system_faces() if faces is None else faces
    key = fonts_key(chars, faces)
    shared = os.environ.get(SHARED_CACHE, "")
    root = Path(shared).resolve() if shared else out / CACHE_DIR
    folder = root / key[:24]
    named = tuple(Face(f.family, f.weight, f.path, f.index, _file_name(f), f.style) for f in faces)
    if not all((folder / face.file).is_file() for face in named):
        started = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        missing = [face for face in named if not (folder / face.file).is_file()]
        workers = min(len(missing), os.cpu_count() or 1)
        if workers > 1:  # the faces are independent: one process each, as cores allow
            with ProcessPoolExecutor(workers, mp_context=start_context()) as pool:
                list(
                    pool.map(
                        _write_subset, missing, [chars] * len(missing), [folder] * len(missing)
                    )
                )
        else:
            for face in missing:
                _write_subset(face, chars, folder)
        log.info(
            "fonts: %d faces subset to %d characters in %.1f s (%s)",
            len(named),
            len(chars),
            time.perf_counter() - started,
            folder,
        )
    _prune(root, keep=folder)
    return FontSet(key, folder, named, out / CACHE_DIR.parent)


def _file_name(face: Face) -> str:
    italic = "-italic" if face.style == "italic" else ""
    suffix = ".ttf" if face.latin else ".otf"
    return f"{face.family.replace(' ', '')}-{face.weight}{italic}{suffix}"


def _write_subset(face: Face, chars: str, folder: Path) -> None:
    staging = folder / f".{face.file}.{os.getpid()}.tmp"
    staging.write_bytes(make_subset(face, chars))
    os.replace(staging, folder / face.file)


def _prune(root: Path, keep: Path) -> None:
    """Remove other character sets' folders once they are an hour old (a build that is
    still rendering with one has read its faces long before)."""
    now = time.time()
    for entry in root.iterdir() if root.is_dir() else ():  # no faces: nothing was made
        if entry != keep and entry.is_dir() and now - entry.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)

"""Project settings: ``[tool.policybrief]`` in pyproject.toml, validated like facts (an
unknown key or a wrongly typed value is an error at its line), and the folders they name,
merged with the command line's (its folders come first; repeated options add up).

Kept light (tomllib and the YAML reader only) so that the no-op fast path (cache.py) can
resolve the same folders as the build without loading anything heavy."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from policybrief.core.builtin import BUILTIN
from policybrief.core.errors import InputError, Problem, did_you_mean
from policybrief.load import yamlio
from policybrief.load.ownparts import has_own_sources

# Each setting: (what it must be, an example, whether a single string is accepted for a list).
SETTINGS: dict[str, tuple[str, str, bool]] = {
    "templates": ("a list of folder names", '["house"]', False),
    "source_texts": ("a folder name or a list of them", '["../shared/seeds"]', True),
    "out": ("a folder name", '"dist"', False),
    "audiences": ("a list of audience names", '["full-report", "press"]', False),
    "languages": ("a list of language codes", '["zh", "en", "zh-Hant"]', False),
    "theme": ("a theme file (theme.yaml)", '"house/theme.yaml"', False),
    "reference_style": ("a style name, or a table of languages to style names", "", False),
    # house options (issue 24): English's variant (dates, Word's language, spelling) and
    # whether prose spells out numbers under ten
    "english": ('"en-GB" or "en-US"', '"en-GB"', False),
    "numbers_as_words": ('"under-ten" or "never"', '"under-ten"', False),
    # the office (press contact, "about") and the print shop's options: load/house.py
    "office": ("a table: name, about, email, phone, web", '{email = "press@example.org"}', False),
    "print": ("a table: pages, profile, colophon", "{pages = 4}", False),
}
_TABLES = ("reference_style", "office", "print")  # checked where they are read
_SINGLE = ("out", "theme", "english", "numbers_as_words")  # settings that hold one string
_CHOICES = {"english": ("en-GB", "en-US"), "numbers_as_words": ("under-ten", "never")}


def settings(root: Path) -> dict:
    """``[tool.policybrief]`` from the project's pyproject.toml, if any; an unknown key or a
    value of the wrong type is a problem with its line. ``source_texts`` given as one string
    comes back as a one-item list."""
    path = root / "pyproject.toml"
    if not path.exists() and not path.is_symlink():
        return {}
    raw, problems = yamlio.read(str(path), "pyproject.toml")
    if raw is None:
        raise InputError(problems)
    text = raw.decode("utf-8", errors="replace")
    try:
        config = tomllib.loads(text).get("tool", {}).get("policybrief", {})
    except tomllib.TOMLDecodeError as exc:
        # (Python 3.11's error has no lineno: the message says "at line N" or "at end of
        # document")
        where = re.search(r"at line (\d+)", str(exc))
        line = int(where.group(1)) if where else len(text.rstrip("\n").split("\n"))
        message = re.sub(r" \((at line \d+, column \d+|at end of document)\)$", "", str(exc))
        raise InputError([Problem("pyproject.toml", line, f"invalid TOML: {message}")]) from None
    if not isinstance(config, dict):
        line = setting_line(text, "tool.policybrief")
        raise InputError([Problem("pyproject.toml", line, "[tool.policybrief] must be a table")])
    checked = {}
    for key, value in config.items():
        if key in _TABLES:  # checked below, or where they are read (load/house.py)
            checked[key] = value
            continue
        problem = _setting_problem(key, value) or _languages_problem(key, value)
        if problem:
            problems.append(Problem("pyproject.toml", setting_line(text, key), *problem))
        else:
            one = isinstance(value, str) and key not in _SINGLE
            checked[key] = [value] if one else value
    if "reference_style" in config:  # checked against the styles the project ships
        from policybrief.core.languages import DEFAULT
        from policybrief.load.refstyles import reference_style_problems

        line = setting_line(text, "reference_style")
        langs = tuple(checked.get("languages") or DEFAULT)
        value = config["reference_style"]
        problems += reference_style_problems(value, "pyproject.toml", line, langs)
        checked["reference_style"] = value
    if problems:
        raise InputError(problems)
    return checked


def _setting_problem(key: str, value: object) -> tuple[str, str] | None:
    """(message, hint) when ``key = value`` is not a setting of the right type."""
    if key not in SETTINGS:
        known = "known: " + ", ".join(sorted(SETTINGS))
        return f"[tool.policybrief]: unknown setting {key!r}", did_you_mean(key, SETTINGS, known)
    what, example, single_ok = SETTINGS[key]
    if key in _CHOICES:
        ok = value in _CHOICES[key]
    elif key in _SINGLE:
        ok = isinstance(value, str) and bool(value)
    else:
        ok = (isinstance(value, str) and single_ok) or (
            isinstance(value, list) and all(isinstance(v, str) and v for v in value)
        )
    if ok:
        return None
    return f"{key} must be {what}, not {type(value).__name__} {value!r}", f"write {key} = {example}"


def _languages_problem(key: str, value: object) -> tuple[str, str] | None:
    """(message, hint) when ``languages`` names a code twice or one Babel does not know."""
    if key != "languages" or not isinstance(value, list):
        return None
    if not value:
        return "languages must name at least one language", 'e.g. languages = ["zh", "en"]'
    from policybrief.core.languages import code_problem  # Babel: only when languages are set

    for code in value:
        problem = code_problem(code)
        if problem:
            return f"languages: {problem}", "see README: languages"
    twice = sorted({c for c in value if value.count(c) > 1})
    if twice:
        return f"languages: {twice[0]!r} is listed twice", "list each language once"
    return None


def setting_line(text: str, key: str) -> int:
    """The line of ``key = ...`` (or of the ``[key]`` table) in TOML text; 0 if not found."""
    pattern = re.compile(rf"^[ \t]*(?:{re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])", re.M)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def settings_text(root: Path) -> str:
    try:
        return (root / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def template_folders(root: Path, given: tuple[Path, ...], config: dict) -> tuple[Path, ...]:
    """The user's template folders, most important first: the command line's ``--templates``
    in the order given, then ``templates`` of the settings. The built-in ``templates/``
    comes after them all (not included here)."""
    dirs = [Path(d).resolve() for d in given]
    dirs += [(root / d).resolve() for d in config.get("templates", [])]
    return tuple(dict.fromkeys(dirs))


def source_folders(root: Path, given: tuple[Path, ...], config: dict) -> tuple[Path, ...]:
    """The folders source texts are looked up in, in order: each ``--sources`` as given,
    then each folder of ``source_texts`` in the settings, then ``briefs/`` when a brief holds
    its own sources (load/ownparts.py). A source's ``file`` is read from
    the first folder that has it."""
    dirs = [Path(d).resolve() for d in given]
    dirs += [(root / d).resolve() for d in config.get("source_texts", [])]
    if has_own_sources(root):  # briefs with their own sources.yaml: their sources/ folders
        dirs.append((root / "briefs").resolve())
    return tuple(dict.fromkeys(dirs))


def input_paths(
    root: Path, templates: tuple[Path, ...], sources: tuple[Path, ...], config: dict
) -> tuple[Path, ...]:
    """Every folder and file a build reads, in one list: the settings, ``facts/``,
    ``briefs/`` (each brief's images, batch tables and own template folder lie inside its
    folder), the template folders (``templates`` settings and ``--templates``, then the
    built-in ``templates/``), the source folders, and the ``theme`` file the settings name
    with the logo beside it. The no-op check hashes them, the preview watches them, and the
    output folder must stay clear of them."""
    paths = [
        root / "pyproject.toml",
        root / "facts",
        root / "briefs",
        *template_folders(root, templates, config),
        root / "templates",
        BUILTIN,
        *source_folders(root, sources, config),
    ]
    if config.get("theme"):
        theme = root / config["theme"]
        paths += [theme, *_logo(theme)]
    return tuple(dict.fromkeys(paths))


def _logo(theme: Path) -> list[Path]:
    """The logo file a theme file names, if it names one (read quietly: loading the
    project reports any problem with it)."""
    data, _problems = yamlio.load(str(theme), theme.name) if theme.is_file() else (None, [])
    logo = data.get("logo") if isinstance(data, dict) else None
    return [theme.parent / logo] if isinstance(logo, str) and logo.strip() else []


def quiet_settings(root: Path) -> dict:
    """The settings, or none if they do not load (the caller falls back to a full build,
    which reports the problem)."""
    try:
        return settings(root)
    except InputError:
        return {}

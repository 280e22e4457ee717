"""Load stage entry: read the whole project (facts, briefs, audiences, settings) into a
:class:`~policybrief.core.model.Project`, collecting every problem before stopping."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import fields, replace
from pathlib import Path

from policybrief.core.builtin import BUILTIN, folder_name
from policybrief.core.errors import InputError, Problem
from policybrief.core.files import long_name
from policybrief.core.languages import DEFAULT
from policybrief.core.model import Audience, Office, Printing, Project, TemplateSet, Text
from policybrief.load import batch, charts, house, images, originals, yamlio
from policybrief.load.briefs import SLUG_RE, load_briefs
from policybrief.load.config import (
    setting_line,
    settings,
    settings_text,
    source_folders,
    template_folders,
)
from policybrief.load.facts import Fields, load_factbase
from policybrief.load.languages import declared, project_languages, text_problems
from policybrief.load.refstyles import normal_style, reference_style_problems
from policybrief.load.theme import load_theme, theme_files
from policybrief.load.yamlio import YMap

AUDIENCE_FIELDS = tuple(f.name for f in fields(Audience) if f.name != "name")
PAGE_SIZES = ("A4", "A5", "letter")
PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1", "pdf/x-4")


def unsafe_files(folder: Path, shown: str) -> list[Problem]:
    """Named pipes, devices, sockets, symlink loops and symlinks that lead out of ``folder``
    anywhere under it: nothing may read them (a pipe blocks a reader; a symlink out would
    copy a file from elsewhere into the output)."""
    try:
        top = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return []
    if not top.is_dir():
        return []
    problems: list[Problem] = []
    for here, dirs, files in os.walk(top, followlinks=False):
        for name in sorted([*dirs, *files]):
            path = Path(here) / name
            where = f"{shown}/{path.relative_to(top).as_posix()}"
            try:
                problem = _unsafe(path, top, shown)
            except OSError as exc:
                problem = (f"cannot read: {exc.strerror}", "")
            if problem:
                problems.append(Problem(where, 0, *problem))
    return problems


def _unsafe(path: Path, top: Path, shown: str) -> tuple[str, str] | None:
    """Why nothing may read ``path`` (message, hint), or None if it is safe."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "symlink loop", "remove the link"
        except OSError as exc:
            # a dangling link is reported as missing by whoever reads it
            return ("symlink loop", "remove the link") if exc.errno == errno.ELOOP else None
        if not target.is_relative_to(top):
            return f"symlink leads outside {shown}/", "copy the file into the folder instead"
        info = target.stat()
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return None
    return "not a regular file (a named pipe, device or socket)", "remove it"


def load_audiences(
    dirs: tuple[Path, ...],
    root: Path,
    problems: list[Problem],
    read: int | None = None,
    langs: tuple[str, ...] = DEFAULT,
) -> dict[str, Audience]:
    """Audiences from ``audiences.yaml`` in each template folder; earlier folders win. Only
    the first ``read`` folders' files are read (all by default); templates are looked up
    in all of ``dirs``."""
    audiences: dict[str, Audience] = {}
    for folder in reversed(dirs[:read]):
        path = folder / "audiences.yaml"
        if not path.is_file():
            continue
        shown = _shown(path, root)
        data, found = yamlio.load(str(path), shown)
        problems += found
        table = data.get("audiences") if isinstance(data, YMap) else None
        if not isinstance(table, YMap):
            problems.append(
                Problem(shown, 1, "expected a mapping 'audiences:'", "see docs/templates.md")
            )
            continue
        for name, spec in table.items():
            audience = _audience(name, spec, table, shown, dirs, root, problems, langs)
            if audience:
                audiences[name] = audience
    return audiences


def _audience(
    name: object,
    spec: object,
    table: YMap,
    shown: str,
    dirs: tuple[Path, ...],
    root: Path,
    problems: list[Problem],
    langs: tuple[str, ...],
) -> Audience | None:
    if not isinstance(name, str) or not SLUG_RE.match(name):
        problems.append(
            Problem(
                shown,
                table.line_of(name),
                f"audience name {name!r} is not valid",
                "use lowercase letters, digits and hyphens; it names output files",
            )
        )
        return None
    if not isinstance(spec, YMap):
        problems.append(Problem(shown, table.line_of(name), f"audience {name!r} must be a mapping"))
        return None
    f = Fields(spec, shown, problems, f"audience {name!r}")
    f.unknown(AUDIENCE_FIELDS)
    values = {k: spec[k] for k in AUDIENCE_FIELDS if k in spec}
    values["label"] = f.text("label") or Text(())
    values["template"] = f.string("template")
    for key, default, allowed in _CHOICES:
        if values.get(key, default) not in allowed:
            f.bad(key, f"audience {name!r}: {key} must be {' or '.join(map(str, allowed))}")
    for key in _FLAGS:
        if key in values and not isinstance(values[key], bool):
            f.bad(key, f"audience {name!r}: {key} must be true or false, not {values[key]!r}")
    pages = values.get("max_pages")
    if pages is not None and (isinstance(pages, bool) or not isinstance(pages, int) or pages < 1):
        f.bad("max_pages", f"audience {name!r}: max_pages must be a whole number of pages")
    template = values["template"]
    too_long = long_name(template) if isinstance(template, str) else None
    if too_long:
        f.bad("template", f"audience {name!r}: template: {too_long}", "rename the file")
    elif template and not any((d / template).is_file() for d in dirs):
        f.bad(
            "template",
            f"audience {name!r}: template {template!r} not found",
            "looked in " + ", ".join(folder_name(d, _shown(d, root)) for d in dirs),
        )
    style = values.get("reference_style")
    problems += reference_style_problems(style, shown, spec.line_of("reference_style"), langs)
    values["reference_style"] = normal_style(style)
    return Audience(name=name, **values)


# Audience keys that are switches (true or false).
_FLAGS = tuple(f.name for f in fields(Audience) if f.type in ("bool", bool))

# Audience keys with a fixed set of values: (key, default, allowed values).
_CHOICES: tuple[tuple[str, object, tuple], ...] = (
    ("section_text", "full", ("full", "lead")),
    ("endnotes", "full", ("full", "compact", "none")),
    ("citations", "links", ("links", "footnotes")),
    ("pdf_variant", None, (None, *PDF_VARIANTS)),
    ("page_size", "A4", PAGE_SIZES),
)


def audience_file(dirs: tuple[Path, ...], name: str, root: Path) -> tuple[str, int]:
    """The ``audiences.yaml`` that defines audience ``name`` (earlier folders win), and the
    line of its entry."""
    for folder in dirs:
        path = folder / "audiences.yaml"
        data, _ = yamlio.load(str(path), "") if path.is_file() else (None, [])
        table = data.get("audiences") if isinstance(data, YMap) else None
        if isinstance(table, YMap) and name in table:
            return _shown(path, root), table.line_of(name)
    return "audiences.yaml", 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load_project(
    root: Path,
    extra_templates: tuple[Path, ...] = (),
    source_texts: tuple[Path, ...] | None = (),
) -> tuple[Project, list[Problem]]:
    """Load everything that loads; return it with every problem found on the way, so the
    checker can run over the rest and one run reports everything."""
    root = root.resolve()
    config = settings(root)
    problems = _missing_folders(root, extra_templates, config)
    user_dirs = template_folders(root, extra_templates, config)
    template_dirs = project_template_dirs(root, user_dirs)
    sources = source_folders(root, tuple(source_texts or ()), config)
    folders = [
        (root / "facts", "facts"),
        (root / "briefs", "briefs"),
        *((d, _shown(d, root)) for d in (*template_dirs, *sources)),
    ]
    unsafe = [p for folder, shown in folders for p in unsafe_files(folder, shown)]
    if unsafe:  # stop before anything opens them
        raise InputError(unsafe)
    facts = load_factbase(root, problems)
    if not facts.complete and not any(
        p.path.startswith("facts/") and p.severity == "error" for p in problems
    ):
        # An empty or comments-only facts file holds nothing, but is no reason to stop
        # checking cited ids.
        facts = replace(facts, complete=True)
    codes = declared(config)
    defaults = {**config, "languages": list(codes)}  # a brief that names none: all of them
    briefs, facts = batch.expand(load_briefs(root, problems, defaults), facts, root, problems)
    briefs = {slug: charts.load(brief, facts, problems) for slug, brief in briefs.items()}
    briefs = images.load(briefs, root, problems)
    audiences = load_audiences(template_dirs, root, problems, langs=codes)
    theme = load_theme(
        _theme_files(root, template_dirs, extra_templates, config, problems), root, problems
    )
    spelled = config.get("numbers_as_words") == "under-ten"
    languages = project_languages(codes, template_dirs, config.get("english", ""), spelled)
    facts = originals.quote_pages(facts, sources, root)
    project = Project(
        root, facts, briefs, audiences, sources, template_dirs, theme, languages=languages
    )
    own = {
        slug: _own_set(project, brief.templates, problems)
        for slug, brief in briefs.items()
        if brief.templates
    }
    style = normal_style(config.get("reference_style"))
    office, printing = _house(root, config, codes, problems)
    project = replace(project, own=own, reference_style=style, office=office, printing=printing)
    return project, problems + text_problems(project)


def _house(
    root: Path, config: dict, codes: tuple[str, ...], problems: list[Problem]
) -> tuple[Office, Printing]:
    """The office and print settings (load/house.py), each problem at its table's line."""
    text = settings_text(root)

    def line(key: str) -> int:
        return setting_line(text, f"tool.policybrief.{key}") or setting_line(text, key)

    office, found = house.office(config.get("office"), line("office"), codes)
    problems += found
    printing, found = house.printing(config.get("print"), line("print"), root)
    problems += found
    return office, printing


def project_template_dirs(root: Path, user_dirs: tuple[Path, ...]) -> tuple[Path, ...]:
    """The project's template folders, most important first: the user's (command line,
    settings), the project's own ``templates/`` if it has one (found with no settings), then
    the engine's built-in folder."""
    own = (root / "templates").resolve()
    return tuple(dict.fromkeys((*user_dirs, *((own,) if own.is_dir() else ()), BUILTIN)))


def _own_set(project: Project, folder: str, problems: list[Problem]) -> TemplateSet:
    """A brief's own template folder over the project's: its audiences (and any of the
    project's it does not redefine) and its theme.yaml laid over the project's theme."""
    own = (project.root / folder).resolve()
    dirs = (own, *project.template_dirs)
    own_audiences = load_audiences(dirs, project.root, problems, read=1, langs=project.codes)
    audiences = {**project.audiences, **own_audiences}
    files = [own / "theme.yaml"] if (own / "theme.yaml").is_file() else []
    theme = load_theme(files, project.root, problems, base=project.theme)
    return TemplateSet(dirs, audiences, theme)


def _missing_folders(root: Path, given: tuple[Path, ...], config: dict) -> list[Problem]:
    """A template or source folder named on the command line or in the settings that is
    not there."""
    problems = []
    for folder in given:
        if not Path(folder).is_dir():
            problems.append(Problem(_shown(Path(folder), root), 0, "template folder not found"))
    for key, what in (("templates", "template"), ("source_texts", "source")):
        for name in config.get(key, []):
            if not (root / name).is_dir():  # the file is read again only for the line
                problems.append(
                    Problem(
                        "pyproject.toml",
                        setting_line(settings_text(root), key),
                        f"{what} folder {name!r} not found",
                        f"create it, or correct {key} in [tool.policybrief]",
                    )
                )
    return problems


def _theme_files(
    root: Path,
    template_dirs: tuple[Path, ...],
    given: tuple[Path, ...],
    config: dict,
    problems: list[Problem],
) -> list[Path]:
    """The theme files of the project, least important first: the built-in folder's, the
    configured folders', the ``theme`` setting's, then those of ``--templates`` folders."""
    files = theme_files(template_dirs)
    name = config.get("theme")
    if not name:
        return files
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        line = setting_line(settings_text(root), "theme")
        problems.append(Problem("pyproject.toml", line, f"theme {name!r} lies outside the project"))
    elif not path.is_file():
        line = setting_line(settings_text(root), "theme")
        problems.append(Problem("pyproject.toml", line, f"theme file {name!r} not found"))
    else:
        cli = theme_files(template_folders(root, given, {}))
        return [*(f for f in files if f not in cli), path, *cli]
    return files

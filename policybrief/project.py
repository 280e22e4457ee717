"""Load stage entry: read the whole project (facts, briefs, audiences, settings) into a
:class:`~policybrief.model.Project`, collecting every problem before stopping."""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from dataclasses import fields, replace
from pathlib import Path

from . import batch, charts, yamlio
from .briefs import SLUG_RE, load_briefs
from .errors import InputError, Problem, did_you_mean
from .facts import Fields, load_factbase
from .model import Audience, Project, Text
from .references import normal_style, reference_style_problems
from .theme import load_theme
from .yamlio import YMap

AUDIENCE_FIELDS = tuple(f.name for f in fields(Audience) if f.name != "name")
PAGE_SIZES = ("A4", "A5", "letter")
PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")


SETTINGS = {
    "templates": "a list of folder names",
    "source_texts": "a folder name",
    "out": "a folder name",
    "reference_style": "a style name, or a table of languages to style names",
}


def settings(root: Path) -> dict:
    """``[tool.policybrief]`` from the project's pyproject.toml, if any; a value of the wrong
    type is a problem with its line."""
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
        raise InputError(
            [Problem("pyproject.toml", getattr(exc, "lineno", 0) or 0, f"invalid TOML: {exc}")]
        ) from None
    if not isinstance(config, dict):
        raise InputError(
            [
                Problem(
                    "pyproject.toml",
                    _line(text, "tool.policybrief"),
                    "[tool.policybrief] must be a table",
                )
            ]
        )
    for key, value in config.items():
        if key not in SETTINGS:
            problems.append(
                Problem(
                    "pyproject.toml",
                    _line(text, key),
                    f"[tool.policybrief]: unknown setting {key!r}",
                    did_you_mean(key, SETTINGS, "known: " + ", ".join(sorted(SETTINGS))),
                )
            )
        elif key == "reference_style":
            problems += reference_style_problems(value, "pyproject.toml", _line(text, key))
        elif not (
            isinstance(value, str)
            if key in ("source_texts", "out")
            else isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            example = '["house"]' if key == "templates" else '"../shared/seeds"'
            problems.append(
                Problem(
                    "pyproject.toml",
                    _line(text, key),
                    f"{key} must be {SETTINGS[key]}, not {type(value).__name__} {value!r}",
                    f"write {key} = {example}",
                )
            )
    if problems:
        raise InputError(problems)
    return config


def _line(text: str, key: str) -> int:
    """The line of ``key = ...`` (or of the ``[key]`` table) in TOML text; 0 if not found."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])", re.M)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def unsafe_files(folder: Path, shown: str) -> list[Problem]:
    """Named pipes, devices, sockets, symlink loops and symlinks that lead out of ``folder``
    anywhere under it: nothing may read them (a pipe blocks a reader; a symlink out would
    copy a file from elsewhere into the output)."""
    problems: list[Problem] = []
    try:
        top = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return problems
    if not top.is_dir():
        return problems
    for here, dirs, files in os.walk(top, followlinks=False):
        for name in sorted([*dirs, *files]):
            path = Path(here) / name
            where = f"{shown}/{path.relative_to(top).as_posix()}"
            try:
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    try:
                        target = path.resolve(strict=True)
                    except RuntimeError:
                        problems.append(Problem(where, 0, "symlink loop", "remove the link"))
                        continue
                    except OSError as exc:
                        if exc.errno == errno.ELOOP:
                            problems.append(Problem(where, 0, "symlink loop", "remove the link"))
                        continue  # a dangling link: readers report it as missing
                    if not target.is_relative_to(top):
                        problems.append(
                            Problem(
                                where,
                                0,
                                f"symlink leads outside {shown}/",
                                "copy the file into the folder instead",
                            )
                        )
                        continue
                    info = target.stat()
                if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                    problems.append(
                        Problem(
                            where,
                            0,
                            "not a regular file (a named pipe, device or socket)",
                            "remove it",
                        )
                    )
            except OSError as exc:
                problems.append(Problem(where, 0, f"cannot read: {exc.strerror}"))
    return problems


def load_audiences(
    dirs: tuple[Path, ...], root: Path, problems: list[Problem]
) -> dict[str, Audience]:
    """Audiences from ``audiences.yaml`` in each template folder; earlier folders win."""
    audiences: dict[str, Audience] = {}
    for folder in reversed(dirs):
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
            if not isinstance(name, str) or not SLUG_RE.match(name):
                problems.append(
                    Problem(
                        shown,
                        table.line_of(name),
                        f"audience name {name!r} is not valid",
                        "use lowercase letters, digits and hyphens; it names output files",
                    )
                )
                continue
            if not isinstance(spec, YMap):
                problems.append(
                    Problem(shown, table.line_of(name), f"audience {name!r} must be a mapping")
                )
                continue
            f = Fields(spec, shown, problems, f"audience {name!r}")
            f.unknown(AUDIENCE_FIELDS)
            values = {k: spec[k] for k in AUDIENCE_FIELDS if k in spec}
            values["label"] = f.text("label") or Text(())
            values["template"] = f.string("template")
            if values.get("section_text", "full") not in ("full", "lead"):
                f.bad("section_text", f"audience {name!r}: section_text must be full or lead")
            if values.get("endnotes", "full") not in ("full", "compact", "none"):
                f.bad("endnotes", f"audience {name!r}: endnotes must be full, compact or none")
            if values.get("citations", "links") not in ("links", "footnotes"):
                f.bad("citations", f"audience {name!r}: citations must be links or footnotes")
            if values.get("pdf_variant") not in (None, *PDF_VARIANTS):
                f.bad(
                    "pdf_variant",
                    f"audience {name!r}: unknown PDF variant",
                    "use " + " or ".join(PDF_VARIANTS),
                )
            if values.get("page_size", "A4") not in PAGE_SIZES:
                f.bad(
                    "page_size",
                    f"audience {name!r}: unknown page size",
                    "use " + ", ".join(PAGE_SIZES),
                )
            template = values["template"]
            if template and not any((d / template).is_file() for d in dirs):
                f.bad(
                    "template",
                    f"audience {name!r}: template {template!r} not found",
                    "looked in " + ", ".join(_shown(d, root) for d in dirs),
                )
            problems += reference_style_problems(
                values.get("reference_style"), shown, spec.line_of("reference_style")
            )
            values["reference_style"] = normal_style(values.get("reference_style"))
            audiences[name] = Audience(name=name, **values)
    return audiences


def audience_file(dirs: tuple[Path, ...], name: str, root: Path) -> str:
    """The ``audiences.yaml`` that defines audience ``name`` (earlier folders win)."""
    for folder in dirs:
        path = folder / "audiences.yaml"
        data, _ = yamlio.load(str(path), "") if path.is_file() else (None, [])
        table = data.get("audiences") if isinstance(data, YMap) else None
        if isinstance(table, YMap) and name in table:
            return f"{_shown(path, root)}:{table.line_of(name)}"
    return "audiences.yaml"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load_project(
    root: Path, extra_templates: tuple[Path, ...] = (), source_texts: Path | None = None
) -> tuple[Project, list[Problem]]:
    """Load everything that loads; return it with every problem found on the way, so the
    checker can run over the rest and one run reports everything."""
    root = root.resolve()
    config = settings(root)
    problems: list[Problem] = []
    user_dirs = tuple(Path(d).resolve() for d in extra_templates)
    user_dirs += tuple((root / d).resolve() for d in config.get("templates", []))
    template_dirs = (*user_dirs, root / "templates")
    given = len(extra_templates)
    for index, folder in enumerate(user_dirs):
        if not folder.is_dir():
            if index < given:
                problems.append(Problem(_shown(folder, root), 0, "template folder not found"))
            else:
                problems.append(
                    Problem(
                        "pyproject.toml",
                        _line(settings_text(root), "templates"),
                        f"template folder {_shown(folder, root)!r} not found",
                    )
                )
    if source_texts is None and config.get("source_texts"):
        source_texts = root / config["source_texts"]
    folders = [
        (root / "facts", "facts"),
        (root / "briefs", "briefs"),
        *((d, _shown(d, root)) for d in template_dirs),
    ]
    if source_texts is not None:
        folders.append((source_texts, _shown(source_texts, root)))
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
    briefs = batch.expand(load_briefs(root, problems), facts, root, problems)
    briefs = {slug: charts.load(brief, facts, problems) for slug, brief in briefs.items()}
    audiences = load_audiences(template_dirs, root, problems)
    theme = load_theme(template_dirs, root, problems)
    return Project(
        root,
        facts,
        briefs,
        audiences,
        source_texts.resolve() if source_texts else None,
        template_dirs,
        theme,
        reference_style=normal_style(config.get("reference_style")),
    ), problems


def settings_text(root: Path) -> str:
    try:
        return (root / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

"""Load stage for briefs: ``briefs/<slug>/brief.yaml`` plus one ``<lang>.md`` per language
(YAML front matter, then the four sections, each opened by ``# <key>``)."""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.core.errors import Problem
from policybrief.core.languages import DEFAULT, alternatives
from policybrief.core.model import (
    SECTION_KEYS,
    Brief,
    LangText,
    Loc,
    Revision,
    Section,
    Text,
    TextSite,
)
from policybrief.load import release, yamlio
from policybrief.load.facts import Fields
from policybrief.load.yamlio import YList, YMap

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
HEADING_RE = re.compile(r"^#(?!#)\s*(.*?)\s*$")
FENCE_RE = re.compile(r"^(```|~~~)")
BRIEF_FIELDS = (
    "date",
    "topic",
    "authors",
    "audiences",
    "languages",
    "key_figures",
    "allow_digits",
    "batch",
    "charts",
    "parity",
    "status",
    "revision",
    "templates",
    "release",  # press releases (load/release.py)
    "spokesperson",
)
STATUSES = ("final", "draft")
REVISION_FIELDS = ("date", "since", "note")
FRONT_FIELDS = ("title", "subtitle", "summary", "recommendations")


def _str_list(f: Fields, key: str, required: bool = True) -> tuple[str, ...]:
    value = f.data.get(key)
    if value is None:
        if required:
            f.bad(None, f"{f.what}: missing field {key!r}")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        f.bad(key, f"{f.what}: {key!r} must be a list of names")
        return ()
    return tuple(value)


def split_front_matter(text: str, shown: str, problems: list[Problem]) -> tuple[str, str, int]:
    """Return (front matter, body, line of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(
            Problem(
                shown,
                1,
                "missing front matter",
                "start the file with a line '---', the title and other fields, then '---'",
            )
        )
        return "", text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    problems.append(Problem(shown, 1, "front matter is not closed", "add a line '---' after it"))
    return "", "", len(lines)


def split_sections(
    body: str, first_line: int, shown: str, problems: list[Problem]
) -> tuple[Section, ...]:
    """The four sections of a language file's body, each opened by ``# <key>``; every
    problem (text before the first, unknown, repeated, empty, missing, out of order) is
    recorded at its line."""
    lines = body.split("\n")
    headings = _headings(lines)
    end = headings[0][0] if headings else len(lines)
    stray = next((i for i, line in enumerate(lines[:end]) if line.strip()), None)
    if stray is not None:
        hint = "open it with '# background'"
        problems.append(Problem(shown, first_line + stray, "text before the first section", hint))
    sections: list[Section] = []
    for n, (index, key) in enumerate(headings):
        number = first_line + index
        stop = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
        problem = _heading_problem(key, sections)
        if problem:
            problems.append(Problem(shown, number, *problem))
            continue
        text = "\n".join(lines[index + 1 : stop])
        if not text.strip():
            hint = "write at least one paragraph"
            problems.append(Problem(shown, number, f"section {key!r} is empty", hint))
        sections.append(Section(key, text, Loc(shown, number + 1)))
    _order_problems(sections, first_line + len(lines) - 1, shown, problems)
    return tuple(sections)


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, key) of each level-one heading outside fenced code."""
    found, in_fence = [], False
    for index, line in enumerate(lines):
        if FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING_RE.match(line)
        if match:
            found.append((index, match.group(1)))
    return found


def _heading_problem(key: str, sections: list[Section]) -> tuple[str, str] | None:
    if key not in SECTION_KEYS:
        return f"unknown section {key!r}", "sections are " + ", ".join(SECTION_KEYS)
    if any(s.key == key for s in sections):
        return f"section {key!r} appears twice", ""
    return None


def _order_problems(
    sections: list[Section], end_line: int, shown: str, problems: list[Problem]
) -> None:
    keys = [s.key for s in sections]
    for key in SECTION_KEYS:
        if key not in keys:
            hint = f"add '# {key}' with its text"
            problems.append(Problem(shown, end_line, f"missing section {key!r}", hint))
    if keys != [k for k in SECTION_KEYS if k in keys]:
        hint = "the order is " + ", ".join(SECTION_KEYS)
        problems.append(Problem(shown, sections[0].loc.line - 1, "sections are out of order", hint))


def load_text(path: Path, shown: str, lang: str, problems: list[Problem]) -> LangText | None:
    raw, found = yamlio.read(str(path), shown)
    problems += found
    if raw is None:
        return None
    text, found = yamlio.decode(raw, shown)
    problems += found
    if text is None:
        return None
    count = len(problems)
    front, body, body_line = split_front_matter(text, shown, problems)
    data, found = yamlio.parse(front, shown, first_line=2) if front.strip() else (YMap(), [])
    problems += found
    if data is None:
        return None
    if not isinstance(data, YMap):
        problems.append(Problem(shown, 2, "front matter must be a mapping of fields"))
        return None
    data.line = data.line or 1
    f = Fields(data, shown, problems, "front matter")
    f.unknown(FRONT_FIELDS)
    title, summary = f.string("title"), f.string("summary")
    subtitle = f.string("subtitle", required=False)
    recs = data.get("recommendations")
    recommendations: list[tuple[str, Loc]] = []
    if not isinstance(recs, YList) or not all(isinstance(r, str) and r.strip() for r in recs):
        f.bad(
            "recommendations" if "recommendations" in data else None,
            "front matter: 'recommendations' must be a list of texts",
        )
    else:
        recommendations = [(r.strip(), Loc(shown, recs.line_of(i))) for i, r in enumerate(recs)]
        if not 3 <= len(recommendations) <= 5:
            f.bad(
                "recommendations",
                f"front matter: {len(recommendations)} recommendations, expected 3 to 5",
            )
    sections = split_sections(body, body_line, shown, problems)
    if len(problems) > count and any(p.severity == "error" for p in problems[count:]):
        return None
    return LangText(
        lang,
        shown,
        title,
        subtitle,
        summary,
        Loc(shown, data.line_of("summary")),
        tuple(recommendations),
        sections,
    )


def load_brief(
    folder: Path, root: Path, problems: list[Problem], defaults: dict | None = None
) -> Brief | None:
    """One brief folder; ``defaults`` holds the project's ``audiences`` and ``languages``
    for a brief.yaml that leaves them out."""
    data, shown = _brief_yaml(folder, root, problems)
    if data is None:
        return None
    count = len(problems)
    f = Fields(data, shown, problems, "brief")
    f.unknown(BRIEF_FIELDS)
    date = f.date("date")
    topic = f.string("topic")
    authors = _authors(data, f, shown, problems)
    audiences = _defaulted(f, "audiences", defaults or {})
    languages = _defaulted(f, "languages", {"languages": DEFAULT, **(defaults or {})})
    known = tuple((defaults or {}).get("languages") or DEFAULT)  # the project's
    for lang in languages:
        if lang not in known:
            f.bad(
                "languages",
                f"brief: unknown language {lang!r}",
                f"use {alternatives(known)}, or declare it in [tool.policybrief] languages",
            )
    key_figures = _str_list(f, "key_figures", required=False)
    allow_digits = _str_list(f, "allow_digits", required=False)
    languages = tuple(lang for lang in languages if lang in known)
    texts = _texts(folder, root, languages, data.line_of("languages"), shown, problems)
    status = data.get("status", "final")
    if status not in STATUSES:
        f.bad("status", f"brief: unknown status {status!r}", "use final or draft")
    revision = _revision(data, shown, problems)
    templates = _own_templates(folder, root, f)
    if len(problems) > count or date is None:
        return None
    return Brief(
        folder.name,
        folder.relative_to(root).as_posix(),
        date,
        topic,
        tuple(authors),
        audiences,
        languages,
        key_figures,
        allow_digits,
        texts,
        Loc(shown, 1),
        batch=data.get("batch"),
        chart_spec=data.get("charts"),
        lines=_lines(data),
        parity=data.get("parity"),
        status=status,
        status_line=data.line_of("status") if "status" in data else 0,
        revision=revision,
        templates=templates,
        release=release.release(data, shown, problems),
        spokesperson=release.spokesperson(data, shown, problems),
    )


def _brief_yaml(folder: Path, root: Path, problems: list[Problem]) -> tuple[YMap | None, str]:
    """brief.yaml of ``folder``, parsed, and its path as shown; None after a problem."""
    shown = (folder / "brief.yaml").relative_to(root).as_posix()
    if not SLUG_RE.match(folder.name):
        message = f"brief folder name {folder.name!r} is not a valid slug"
        problems.append(Problem(shown, 1, message, "use lowercase letters, digits and hyphens"))
        return None, shown
    if not (folder / "brief.yaml").is_file():
        hint = "every brief folder needs one; see docs/authoring.md"
        problems.append(Problem(shown, 1, "missing brief.yaml", hint))
        return None, shown
    data, found = yamlio.load(str(folder / "brief.yaml"), shown)
    problems += found
    if data is not None and not isinstance(data, YMap):
        problems.append(Problem(shown, 1, "brief.yaml must be a mapping of fields"))
        return None, shown
    return data, shown


def _authors(data: YMap, f: Fields, shown: str, problems: list[Problem]) -> list[Text]:
    authors_raw = data.get("authors")
    if not isinstance(authors_raw, YList) or not authors_raw:
        f.bad(
            "authors" if "authors" in data else None,
            "brief: 'authors' must be a list",
            "e.g. - {zh: 政策研究室, en: Policy Research Office}",
        )
        return []
    authors: list[Text] = []
    for index, item in enumerate(authors_raw):
        if isinstance(item, YMap):
            authors.append(_author(item, shown, problems) or Text(()))
        else:
            line = authors_raw.line_of(index)
            problems.append(Problem(shown, line, "brief: each author must be {zh: ..., en: ...}"))
    return authors


def _defaulted(f: Fields, key: str, defaults: dict) -> tuple[str, ...]:
    """A list field of brief.yaml, or the project's default (``[tool.policybrief]``)."""
    if key not in f.data and defaults.get(key):
        return tuple(defaults[key])
    return _str_list(f, key)


def _texts(
    folder: Path,
    root: Path,
    languages: tuple[str, ...],
    line: int,
    shown: str,
    problems: list[Problem],
) -> dict[str, LangText]:
    texts: dict[str, LangText] = {}
    for lang in languages:  # the project's languages only: never a path (it could be "../x")
        path = folder / f"{lang}.md"
        text_shown = path.relative_to(root).as_posix()
        if not path.is_file():
            problems.append(
                Problem(
                    shown,
                    line or 1,
                    f"language {lang!r} is listed but {text_shown} is missing",
                    "write it, or remove the language",
                )
            )
            continue
        loaded = load_text(path, text_shown, lang, problems)
        if loaded:
            texts[lang] = loaded
    return texts


def _own_templates(folder: Path, root: Path, f: Fields) -> str:
    """``templates:``: the brief's own template folder, inside the brief's folder (so the
    brief moves as one folder, and its templates are watched, cached and scanned with it)."""
    if "templates" not in f.data:
        return ""
    name = f.data["templates"]
    hint = "name a folder inside the brief's folder, e.g. templates: templates"
    if not isinstance(name, str) or not name.strip():
        f.bad("templates", "brief: 'templates' must be a folder name", hint)
        return ""
    if Path(name).is_absolute() or ".." in Path(name).parts:
        f.bad("templates", f"brief: template folder {name!r} is outside the brief's folder", hint)
        return ""
    path = folder / name
    if not path.is_dir():
        where = folder.relative_to(root).as_posix()
        f.bad("templates", f"brief: template folder {name!r} not found in {where}/", hint)
        return ""
    if not path.resolve().is_relative_to(folder.resolve()):
        f.bad("templates", f"brief: template folder {name!r} leads outside the brief's folder")
        return ""
    return path.relative_to(root).as_posix()


def _lines(data: YMap) -> tuple[tuple[str, int], ...]:
    """The line of each field of brief.yaml, and of each item of its lists ("field/item"),
    so that later checks point at the line that names an unknown audience or fact."""
    lines = [(str(key), data.line_of(key)) for key in data]
    for key, value in data.items():
        if isinstance(value, YList):
            lines += [
                (f"{key}/{item}", value.line_of(i))
                for i, item in enumerate(value)
                if isinstance(item, str)
            ]
    return tuple(lines)


def _revision(data: YMap, shown: str, problems: list[Problem]) -> Revision | None:
    """``revision: {date, since, note: {zh, en}}``: the edition this one revises."""
    spec = data.get("revision")
    if spec is None:
        return None
    if not isinstance(spec, YMap):
        problems.append(
            Problem(
                shown,
                data.line_of("revision"),
                "brief: 'revision' must be a mapping",
                "e.g. revision: {date: 2026-12-01, since: yunqi-2026-11-20, "
                "note: {zh: ..., en: ...}}",
            )
        )
        return None
    f = Fields(spec, shown, problems, "revision")
    f.unknown(REVISION_FIELDS)
    date = f.date("date")
    since = f.string("since")
    note = f.text("note", required=False)
    if not date or not since:
        return None
    return Revision(date, since, note, Loc(shown, spec.line_of("since")))


def _author(item: YMap, shown: str, problems: list[Problem]) -> Text | None:
    pairs = []
    for lang, value in item.items():
        if not isinstance(lang, str) or not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(
                    shown,
                    item.line_of(lang),
                    f"brief: bad author entry {lang!r}",
                    "write {zh: ..., en: ...}",
                )
            )
            return None
        pairs.append((lang, value.strip()))
    # the languages it must and may hold are checked with the project's (load/languages.py)
    return Text(tuple(sorted(pairs)), TextSite(Loc(shown, item.line), "brief", "author"))


def load_briefs(
    root: Path, problems: list[Problem], defaults: dict | None = None
) -> dict[str, Brief]:
    briefs: dict[str, Brief] = {}
    folder = root / "briefs"
    if not folder.is_dir():
        problems.append(Problem("briefs", 0, "no briefs folder", "create briefs/<slug>/"))
        return briefs
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        brief = load_brief(sub, root, problems, defaults)
        if brief:
            briefs[brief.slug] = brief
    return briefs

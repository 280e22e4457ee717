"""Load stage for briefs: ``briefs/<slug>/brief.yaml`` plus one ``<lang>.md`` per language
(YAML front matter, then the four sections, each opened by ``# <key>``)."""

from __future__ import annotations

import re
from pathlib import Path

from . import yamlio
from .errors import Problem
from .facts import LANGS, Fields
from .model import SECTION_KEYS, Brief, LangText, Loc, Revision, Section, Text
from .yamlio import YList, YMap

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
    sections: list[Section] = []
    current: tuple[str, int] | None = None
    buffer: list[str] = []
    in_fence = False
    end_line = first_line

    def close() -> None:
        if current is None:
            return
        key, line = current
        text = "\n".join(buffer).strip("\n")
        if not text.strip():
            problems.append(
                Problem(shown, line, f"section {key!r} is empty", "write at least one paragraph")
            )
        sections.append(Section(key, "\n".join(buffer), Loc(shown, line + 1)))

    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        end_line = number
        if FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING_RE.match(line)
        if match:
            key = match.group(1)
            close()
            buffer = []
            if key not in SECTION_KEYS:
                problems.append(
                    Problem(
                        shown,
                        number,
                        f"unknown section {key!r}",
                        "sections are " + ", ".join(SECTION_KEYS),
                    )
                )
                current = None
                continue
            if any(s.key == key for s in sections):
                problems.append(Problem(shown, number, f"section {key!r} appears twice"))
                current = None
                continue
            current = (key, number)
        elif current is None:
            if line.strip() and not sections:
                problems.append(
                    Problem(
                        shown,
                        number,
                        "text before the first section",
                        "open it with '# background'",
                    )
                )
                # report once
                current = ("", number)
        else:
            buffer.append(line)
    close()
    sections = [s for s in sections if s.key]
    keys = [s.key for s in sections]
    for key in SECTION_KEYS:
        if key not in keys:
            problems.append(
                Problem(shown, end_line, f"missing section {key!r}", f"add '# {key}' with its text")
            )
    present = [k for k in SECTION_KEYS if k in keys]
    if keys == present or len(keys) != len(set(keys)):
        return tuple(sections)
    problems.append(
        Problem(
            shown,
            sections[0].loc.line - 1,
            "sections are out of order",
            "the order is " + ", ".join(SECTION_KEYS),
        )
    )
    return tuple(sections)


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


def load_brief(folder: Path, root: Path, problems: list[Problem]) -> Brief | None:
    slug = folder.name
    shown = (folder / "brief.yaml").relative_to(root).as_posix()
    if not SLUG_RE.match(slug):
        problems.append(
            Problem(
                shown,
                1,
                f"brief folder name {slug!r} is not a valid slug",
                "use lowercase letters, digits and hyphens",
            )
        )
        return None
    if not (folder / "brief.yaml").is_file():
        problems.append(
            Problem(
                shown,
                1,
                "missing brief.yaml",
                "every brief folder needs one; see docs/authoring.md",
            )
        )
        return None
    data, found = yamlio.load(str(folder / "brief.yaml"), shown)
    problems += found
    if data is None:
        return None
    if not isinstance(data, YMap):
        problems.append(Problem(shown, 1, "brief.yaml must be a mapping of fields"))
        return None
    count = len(problems)
    f = Fields(data, shown, problems, "brief")
    f.unknown(BRIEF_FIELDS)
    date = f.date("date")
    topic = f.string("topic")
    authors_raw = data.get("authors")
    authors: list[Text] = []
    if not isinstance(authors_raw, YList) or not authors_raw:
        f.bad(
            "authors" if "authors" in data else None,
            "brief: 'authors' must be a list",
            "e.g. - {zh: 政策研究室, en: Policy Research Office}",
        )
    else:
        for index, item in enumerate(authors_raw):
            if isinstance(item, YMap):
                authors.append(_author(item, shown, problems) or Text(()))
            else:
                problems.append(
                    Problem(
                        shown,
                        authors_raw.line_of(index),
                        "brief: each author must be {zh: ..., en: ...}",
                    )
                )
    audiences = _str_list(f, "audiences")
    languages = _str_list(f, "languages")
    for lang in languages:
        if lang not in LANGS:
            f.bad("languages", f"brief: unknown language {lang!r}", "use " + " or ".join(LANGS))
    key_figures = _str_list(f, "key_figures", required=False)
    allow_digits = _str_list(f, "allow_digits", required=False)
    texts: dict[str, LangText] = {}
    for lang in languages:
        if lang not in LANGS:  # reported above; never a path (it could be "../x" or "/x")
            continue
        path = folder / f"{lang}.md"
        text_shown = path.relative_to(root).as_posix()
        if not path.is_file():
            problems.append(
                Problem(
                    shown,
                    data.line_of("languages"),
                    f"language {lang!r} is listed but {text_shown} is missing",
                    "write it, or remove the language",
                )
            )
            continue
        loaded = load_text(path, text_shown, lang, problems)
        if loaded:
            texts[lang] = loaded
    status = data.get("status", "final")
    if status not in STATUSES:
        f.bad("status", f"brief: unknown status {status!r}", "use final or draft")
    revision = _revision(data, shown, problems)
    if len(problems) > count or date is None:
        return None
    return Brief(
        slug,
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
    )


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
        if lang not in LANGS or not isinstance(value, str) or not value.strip():
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
    return Text(tuple(sorted(pairs)))


def load_briefs(root: Path, problems: list[Problem]) -> dict[str, Brief]:
    briefs: dict[str, Brief] = {}
    folder = root / "briefs"
    if not folder.is_dir():
        problems.append(Problem("briefs", 0, "no briefs folder", "create briefs/<slug>/"))
        return briefs
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        brief = load_brief(sub, root, problems)
        if brief:
            briefs[brief.slug] = brief
    return briefs

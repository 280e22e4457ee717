"""Editions, the build's side: revision boxes and fact histories computed by
:mod:`policybrief.editions.changes`, drafts (watermark, banner) and publication folders, and the
snapshot each build leaves for a later ``changes OUT``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict

from policybrief.core.errors import Problem, UsageError
from policybrief.core.i18n import format_fact
from policybrief.core.languages import SOURCE
from policybrief.core.model import Brief, PartialDate, Project, Text
from policybrief.editions.changes import (
    SNAPSHOT,
    FactChange,
    LangChanges,
    NoHistory,
    compare,
    describe,
    load_revision,
    snapshot,
    snapshot_bytes,
)

# -- editions: the revision box and fact histories ----------------------------------------


@dataclass(frozen=True)
class Edition:
    """A brief's revision note with the changes computed against the edition it revises."""

    date: PartialDate
    since: str
    commit: str
    note: Text | None
    langs: tuple[tuple[str, LangChanges], ...]

    def get(self, lang: str) -> LangChanges | None:
        return dict(self.langs).get(lang)


def attach_editions(project: Project) -> tuple[Project, list[Problem]]:
    """Compute each ``revision:`` brief's changes (one old state per distinct ``since``)."""
    wanted = [b for b in project.briefs.values() if b.revision is not None]
    if not wanted:
        return project, []
    problems: list[Problem] = []
    states: dict[str, tuple[dict, str] | None] = {}
    current = snapshot(project)
    editions = {}
    for brief in wanted:
        revision = brief.revision
        assert revision is not None  # wanted holds only revised briefs
        since = revision.since
        if since not in states:
            try:
                old, _found, commit = load_revision(project.root, since)
                states[since] = (snapshot(old), commit)
            except NoHistory as exc:  # a copy outside git: build, without the box
                states[since] = None
                problems.append(
                    Problem(
                        revision.loc.path,
                        revision.loc.line,
                        f"revision.since: {exc}; the 'Changes in this edition' box is left out",
                        "build from a git checkout that has the revision",
                        "warning",
                    )
                )
            except UsageError as exc:
                states[since] = None
                problems.append(
                    Problem(revision.loc.path, revision.loc.line, f"revision.since: {exc}")
                )
        entry = states[since]
        if entry is None:
            continue
        state, commit = entry
        found = compare(state, project, current, since)
        langs = tuple((item.lang, item) for item in found.briefs if item.brief == brief.slug)
        editions[brief.slug] = Edition(revision.date, since, commit, revision.note, langs)
    return replace(project, editions=editions), problems


class Correction(TypedDict):
    """A figure corrected since the revised edition, as printed then and now."""

    id: str
    label: str
    old: str
    new: str
    fields: list[str]  # which of value, unit, qualifier, date, source changed


class FigureShown(TypedDict):
    """A figure this edition shows and the revised one did not, or the reverse."""

    id: str
    label: str
    value: str


class RevisionBox(TypedDict):
    """A page's "Changes in this edition" box, as its template receives it."""

    date: str
    date_iso: str
    since: str
    note: str
    corrections: list[Correction]
    added: list[FigureShown]
    removed: list[FigureShown]
    sections: list[str]


def _editions(project: Project) -> dict[str, Edition]:
    """The project's editions, as :func:`attach_editions` made them (the project types
    them only as far as core knows them)."""
    return {slug: e for slug, e in project.editions.items() if isinstance(e, Edition)}


def revision_context(project: Project, brief: Brief, lang: str) -> RevisionBox | None:
    """The revision box of one page: date, note, corrections (old → new), added figures,
    rewritten sections. None when the brief declares no revision."""
    edition = _editions(project).get(brief.slug)
    if edition is None:
        return None
    language = project.language(lang)
    found = edition.get(lang) or LangChanges(brief.slug, lang)
    return {
        "date": language.date(edition.date),
        "date_iso": str(edition.date),
        "since": edition.since,
        "note": edition.note.get(lang) if edition.note else "",
        "corrections": [
            {"id": c.id, "label": c.label, "old": c.old, "new": c.new, "fields": list(c.fields)}
            for c in found.facts
        ],
        "added": [{"id": f.id, "label": f.label, "value": f.printed} for f in found.added],
        "removed": [{"id": f.id, "label": f.label, "value": f.printed} for f in found.removed],
        "sections": [s.section for s in found.sections],
    }


def fact_history(project: Project) -> dict[str, list[dict[str, str]]]:
    """For the fact base page: each fact's known corrections, from the briefs' editions."""
    history: dict[str, list[dict[str, str]]] = {}
    seen = set()
    for edition in sorted(_editions(project).values(), key=lambda e: str(e.date)):
        for _lang, item in edition.langs:
            for change in item.facts:
                key = (change.id, edition.commit)
                if key in seen:
                    continue
                seen.add(key)
                history.setdefault(change.id, []).append(
                    {
                        "date": project.language(SOURCE).date(edition.date),
                        "since": edition.since,
                        "old": _as_en(project, change),
                        "new": _as_en(project, change, new=True),
                        "fields": ", ".join(change.fields),
                        "detail": describe(change),
                    }
                )
    return history


def _as_en(project: Project, change: FactChange, new: bool = False) -> str:
    """A change's figure as printed in English (the fact base page is in the engine's own
    language, English)."""
    if new:
        fact = project.facts.facts[change.id]
        return format_fact(fact, project.facts.units[fact.unit], project.language(SOURCE))
    return change.old_printed.get(SOURCE, change.old) if change.old_printed else change.old


# -- drafts and publication folders -------------------------------------------------------

PUBLISH_MARKER = ".publish"


def as_drafts(project: Project) -> Project:
    """``--draft``: every brief is built as a draft."""
    return replace(
        project, briefs={slug: replace(b, status="draft") for slug, b in project.briefs.items()}
    )


def publication_folder(out: Path) -> bool:
    return (out / PUBLISH_MARKER).is_file()


def guard_publication(
    project: Project, slugs: set[str], out: Path, draft_flag: bool, publish_flag: bool
) -> None:
    """A folder marked for publication (``.publish``, or ``--publish``) takes no drafts:
    raise InputError naming each draft brief's ``status:`` line, before anything is built."""
    from policybrief.core.errors import InputError

    if not (publish_flag or publication_folder(out)):
        return
    why = (
        f"{out} is marked for publication ({PUBLISH_MARKER})"
        if publication_folder(out)
        else "--publish was given"
    )
    if draft_flag:
        raise InputError(
            [
                Problem(
                    "--draft",
                    0,
                    f"drafts cannot be built into {out}: {why}",
                    "leave out --draft, or build into another folder with --out",
                )
            ]
        )
    drafts = [project.briefs[s] for s in sorted(slugs) if project.briefs[s].status == "draft"]
    seen: set[str] = set()
    problems = []
    for brief in drafts:
        if brief.loc.path in seen:
            continue
        seen.add(brief.loc.path)
        problems.append(
            Problem(
                brief.loc.path,
                brief.status_line or brief.loc.line,
                f"brief {brief.slug!r} is a draft (status: draft) and {why}",
                "remove `status: draft` from brief.yaml when it is ready, or "
                "build the draft into another folder with --out",
            )
        )
    if problems:
        raise InputError(problems)


def mark_for_publication(out: Path) -> None:
    from policybrief.core.files import atomic_write

    if not publication_folder(out):
        atomic_write(
            out / PUBLISH_MARKER,
            b"# policybrief: this folder is for publication; draft briefs are refused.\n",
        )


def record(
    project: Project, out: Path, publish: bool, put: Callable[[str, bytes], object] | None = None
) -> None:
    """What a build leaves for a later ``changes OUT``: the snapshot (rewritten only when
    it differs; staged with the build's other files when ``put`` is given) and, with
    ``--publish``, the publication marker."""
    from policybrief.core.files import atomic_write

    data = snapshot_bytes(project)
    path = out / SNAPSHOT
    try:
        same = path.read_bytes() == data
    except OSError:
        same = False
    if not same:
        if put is not None:
            put(SNAPSHOT, data)
        else:
            atomic_write(path, data)
    if publish:
        mark_for_publication(out)

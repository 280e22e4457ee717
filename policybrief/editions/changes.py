"""Editions: what changed between an earlier state of the project and now.

The earlier state is a git revision (its files are read with ``git archive`` into a
temporary folder and loaded by the ordinary loaders) or an earlier build's folder, which
holds the *snapshot* every build leaves (``<out>/.policybrief-snapshot.json``: each fact as
stored and as printed in each language, each brief's citations and section digests, the
conflicts). Both sides are reduced to a snapshot and compared; the comparison feeds
``build.py changes``, a brief's "Changes in this edition" box (``revision:`` in
brief.yaml) and the history on the fact base page.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from policybrief.check.parity import UNITS, digests, unit_line
from policybrief.core.errors import Problem, UsageError
from policybrief.core.i18n import format_fact
from policybrief.core.languages import SOURCE
from policybrief.core.model import Brief, Fact, PartialDate, Project, Range
from policybrief.load import selection
from policybrief.load.citations import citations, key_figures
from policybrief.load.markup import note_text

SNAPSHOT = ".policybrief-snapshot.json"
SNAPSHOT_VERSION = 1
FACT_FIELDS = ("value", "unit", "qualifier", "date", "source")
PROJECT_PARTS = ("facts", "briefs", "pyproject.toml")
_REV_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$")


# -- snapshots ---------------------------------------------------------------------------


def _value(value: object) -> str:
    if isinstance(value, Range):
        return f"{value.low.normalize():f}..{value.high.normalize():f}"
    if isinstance(value, PartialDate):
        return str(value)
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _fact_record(project: Project, fact: Fact) -> dict[str, Any]:
    unit = project.facts.units.get(fact.unit)
    printed = {
        code: format_fact(fact, unit, project.language(code)) if unit else _value(fact.value)
        for code in project.codes
    }
    return {
        "value": _value(fact.value),
        "unit": fact.unit,
        "qualifier": fact.qualifier,
        "date": str(fact.date) if fact.date else "",
        "source": fact.source
        or ("derived: " + ", ".join(fact.derived.inputs) if fact.derived else ""),
        "label": dict(fact.label.values),
        "printed": printed,
    }


def _cited(brief: Brief, lang: str) -> dict[str, dict[str, str]]:
    """Each id the text cites, with the part and line of its first citation."""
    found: dict[str, dict[str, str]] = {}
    for cite in citations(brief):
        if cite.lang == lang:
            found.setdefault(cite.item_id, {"part": cite.section, "where": str(cite.loc)})
    for fid in key_figures(brief):
        found.setdefault(fid, {"part": "key_figures", "where": str(brief.loc)})
    return found


def snapshot(project: Project) -> dict[str, Any]:
    """Everything a later comparison needs, as plain JSON data (deterministic)."""
    facts = project.facts
    briefs: dict[str, Any] = {}
    for brief in project.briefs.values():
        briefs[brief.slug] = {
            lang: {
                "path": text.path,
                "cited": _cited(brief, lang),
                "sections": {
                    unit: {"digest": "".join(digests(text, unit)), "line": unit_line(text, unit)}
                    for unit in UNITS
                },
            }
            for lang, text in brief.texts.items()
        }
    return {
        "version": SNAPSHOT_VERSION,
        "facts": {fid: _fact_record(project, fact) for fid, fact in sorted(facts.facts.items())},
        "claims": {
            cid: {
                "label": dict(c.label.values),
                "source": c.source,
                "quote": c.quote,
                "date": str(c.date) if c.date else "",
            }
            for cid, c in sorted(facts.claims.items())
        },
        "conflicts": {
            cid: {
                "facts": list(c.facts),
                "note": {
                    code: note_text(facts, c.note, project.language(code)) for code in project.codes
                },
            }
            for cid, c in sorted(facts.conflicts.items())
        },
        "briefs": briefs,
    }


def snapshot_bytes(project: Project) -> bytes:
    return json.dumps(snapshot(project), ensure_ascii=False, indent=1, sort_keys=True).encode(
        "utf-8"
    )


def read_build(folder: Path) -> dict[str, Any]:
    path = folder / SNAPSHOT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"{folder}: no {SNAPSHOT} in this folder (every build since "
            "editions were added leaves one; give a git revision instead)"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the snapshot: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        raise UsageError(f"{path}: not a snapshot this version can read")
    return data


def _git(root: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=not binary,
        timeout=120,
        check=False,
    )


class NoHistory(UsageError):
    """The project is not in a git repository (a tarball, a copy), or git cannot run."""


def resolve(root: Path, rev: str) -> str:
    """The commit a revision names; UsageError if it names none."""
    if not _REV_RE.match(rev) or ".." in rev:
        raise UsageError(f"{rev!r} is not a git revision (a tag, branch or commit id)")
    try:
        found = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NoHistory(f"cannot run git to read {rev!r}: {exc}") from None
    if found.returncode != 0:
        if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
            raise NoHistory(f"{rev!r}: {root} is not in a git repository")
        raise UsageError(
            f"{rev!r}: no such revision in this repository (fetch tags and "
            "history: git fetch --tags --unshallow)"
        )
    return found.stdout.strip()


def load_revision(root: Path, rev: str) -> tuple[Project, list[Problem], str]:
    """The project as it was at ``rev``: its files extracted with git archive into a
    temporary folder and read by the ordinary loaders. Returns (project, problems, commit)."""
    from policybrief.load.project import load_project

    commit = resolve(root, rev)
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    listed = _git(
        root, "ls-tree", "--name-only", commit, "--", *(prefix + p for p in PROJECT_PARTS)
    )
    present = [line for line in listed.stdout.splitlines() if line]
    if not present:
        raise UsageError(f"{rev!r}: the project's facts and briefs are not in that revision")
    archive = _git(root, "archive", "--format=tar", commit, "--", *present, binary=True)
    if archive.returncode != 0:
        raise UsageError(
            f"{rev!r}: git archive failed: {archive.stderr.decode('utf-8', 'replace').strip()}"
        )
    with tempfile.TemporaryDirectory(prefix="policybrief-old-") as temp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(temp, filter="data")
        old_root = Path(temp) / prefix
        project, problems = load_project(old_root)
        # Nothing of the temporary folder survives it: snapshots keep no paths but the
        # project-relative ones.
        project = replace(project, root=root)
    return project, problems, commit


def old_state(root: Path, old: str) -> tuple[dict[str, Any], str, list[Problem]]:
    """(snapshot, a description, problems) of an earlier build folder or git revision."""
    folder = Path(old)
    if folder.is_dir():  # a folder is an earlier build; anything else names a revision
        return read_build(folder), f"the build in {folder}", []
    project, problems, commit = load_revision(root, old)
    return snapshot(project), f"{old} ({commit[:12]})", problems


# -- comparison --------------------------------------------------------------------------


@dataclass(frozen=True)
class FactChange:
    id: str
    label: str
    fields: tuple[str, ...]  # which of value, unit, qualifier, date, source changed
    old: str  # as printed then
    new: str  # as printed now
    old_record: dict[str, str | None] = field(default_factory=dict)  # FACT_FIELDS, stored
    new_record: dict[str, str | None] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()  # output files that show it now
    old_printed: dict[str, str] = field(default_factory=dict)  # the old figure, by language
    where: str = ""  # path:line of its first citation in this language


@dataclass(frozen=True)
class FigureChange:
    """A figure a brief shows now and did not before (added), or showed and no longer does."""

    id: str
    label: str
    printed: str
    part: str
    where: str


@dataclass(frozen=True)
class SectionChange:
    section: str
    where: str  # path:line now


@dataclass(frozen=True)
class ConflictChange:
    id: str
    facts: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class LangChanges:
    brief: str
    lang: str
    facts: tuple[FactChange, ...] = ()
    added: tuple[FigureChange, ...] = ()
    removed: tuple[FigureChange, ...] = ()
    sections: tuple[SectionChange, ...] = ()
    opened: tuple[ConflictChange, ...] = ()
    resolved: tuple[ConflictChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.facts
            or self.added
            or self.removed
            or self.sections
            or self.opened
            or self.resolved
        )


@dataclass(frozen=True)
class Changes:
    old: str  # what was compared against
    briefs: tuple[LangChanges, ...]
    unshown: tuple[FactChange, ...] = ()  # changed facts no brief shows (English print)
    new_briefs: tuple[str, ...] = ()
    removed_briefs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def outputs_showing(project: Project, brief: Brief, lang: str) -> dict[str, tuple[str, ...]]:
    """For each id, the output files of this brief and language that show it (as
    :func:`~policybrief.load.selection.shows` says, for the renderer and the cache too)."""
    found: dict[str, list[str]] = {}
    for name in brief.audiences:
        audience = project.templates(brief.slug).audiences.get(name)
        if audience is None:
            continue
        for item in selection.shows(project, brief, lang, audience).items:
            found.setdefault(item, []).extend(
                f"{brief.slug}/{name}.{lang}.{fmt}" for fmt in ("html", "pdf")
            )
    return {k: tuple(v) for k, v in found.items()}


def _label(record: dict, lang: str) -> str:
    return record.get("label", {}).get(lang, "")


def _fact_change(fid: str, old: dict, new: dict, lang: str) -> FactChange | None:
    fields = tuple(f for f in FACT_FIELDS if old.get(f) != new.get(f))
    if not fields:
        return None
    return FactChange(
        fid,
        _label(new, lang) or _label(old, lang),
        fields,
        old["printed"].get(lang, old["value"]),
        new["printed"].get(lang, new["value"]),
        {k: old.get(k) for k in FACT_FIELDS},
        {k: new.get(k) for k in FACT_FIELDS},
        old_printed=dict(old["printed"]),
    )


def _printed(state: dict, item_id: str, lang: str) -> tuple[str, str]:
    if item_id in state["facts"]:
        record = state["facts"][item_id]
        return _label(record, lang), record["printed"].get(lang, "")
    record = state["claims"].get(item_id, {})
    return _label(record, lang), ""


def compare(old: dict, project: Project, new: dict | None = None, description: str = "") -> Changes:
    new = new or snapshot(project)
    old_facts, new_facts = old.get("facts", {}), new["facts"]
    changed = {
        fid: (old_facts[fid], new_facts[fid])
        for fid in new_facts
        if fid in old_facts
        and any(old_facts[fid].get(f) != new_facts[fid].get(f) for f in FACT_FIELDS)
    }
    result: list[LangChanges] = []
    shown_anywhere: set[str] = set()
    for slug, brief in project.briefs.items():
        for lang in brief.languages:
            if lang not in brief.texts:
                continue
            if old.get("briefs", {}).get(slug, {}).get(lang) is None:
                continue
            shows = outputs_showing(project, brief, lang)
            shown_anywhere |= set(shows)
            result.append(_lang_changes(slug, lang, shows, old, new, changed))
    unshown = tuple(
        change
        for fid in sorted(changed)
        if fid not in shown_anywhere
        # the command's report is in the engine's own language
        if (change := _fact_change(fid, *changed[fid], SOURCE)) is not None
    )
    old_briefs = set(old.get("briefs", {}))
    return Changes(
        description,
        tuple(result),
        unshown,
        tuple(sorted(set(project.briefs) - old_briefs)),
        tuple(sorted(old_briefs - set(project.briefs))),
    )


def _lang_changes(
    slug: str,
    lang: str,
    shows: dict[str, tuple[str, ...]],
    old: dict,
    new: dict,
    changed: dict[str, tuple[dict, dict]],
) -> LangChanges:
    """What changed in one brief's text in one language: its facts (``shows``: the outputs
    that show each), figures cited or no longer cited, sections, conflicts."""
    now = new["briefs"][slug][lang]
    then = old["briefs"][slug][lang]
    fact_changes = []
    for fid in sorted(changed):
        if fid not in shows and fid not in now["cited"]:
            continue
        change = _fact_change(fid, *changed[fid], lang)
        if change is None:
            continue
        where = now["cited"].get(fid, {}).get("where", "")
        fact_changes.append(replace(change, outputs=shows.get(fid, ()), where=where))
    added = [
        FigureChange(i, *_printed(new, i, lang), c["part"], c["where"])
        for i, c in sorted(now["cited"].items())
        if i not in then["cited"]
    ]
    removed = [
        FigureChange(i, *_printed(old, i, lang), c["part"], c["where"])
        for i, c in sorted(then["cited"].items())
        if i not in now["cited"]
    ]
    sections = [
        SectionChange(unit, f"{now['path']}:{now['sections'][unit]['line']}")
        for unit in UNITS
        if then["sections"].get(unit, {}).get("digest") != now["sections"][unit]["digest"]
    ]
    opened, resolved = _conflict_changes(old, new, lang, set(shows) | set(now["cited"]), then)
    return LangChanges(
        slug,
        lang,
        tuple(fact_changes),
        tuple(added),
        tuple(removed),
        tuple(sections),
        tuple(opened),
        tuple(resolved),
    )


def _conflict_changes(
    old: dict, new: dict, lang: str, mine_now: set[str], then: dict
) -> tuple[list[ConflictChange], list[ConflictChange]]:
    """Conflicts opened and resolved among the facts a text shows (now) or cited (then)."""
    mine_then = set(then["cited"])
    opened = [
        ConflictChange(cid, tuple(c["facts"]), c["note"].get(lang, ""))
        for cid, c in sorted(new["conflicts"].items())
        if set(c["facts"]) & mine_now
        and old.get("conflicts", {}).get(cid, {}).get("facts") != c["facts"]
    ]
    resolved = [
        ConflictChange(cid, tuple(c["facts"]), c["note"].get(lang, ""))
        for cid, c in sorted(old.get("conflicts", {}).items())
        if set(c["facts"]) & (mine_then | mine_now)
        and new["conflicts"].get(cid, {}).get("facts") != c["facts"]
    ]
    return opened, resolved


def changes_since(project: Project, old: str) -> tuple[Changes, list[Problem]]:
    state, description, problems = old_state(project.root, old)
    return compare(state, project, description=description), problems


# -- reports -----------------------------------------------------------------------------


def describe(change: FactChange) -> str:
    """What changed: a field the printed figures already show is named; another (a date, a
    source) is given old → new."""
    parts = []
    for name in change.fields:
        if name in ("value", "qualifier", "unit") and change.old != change.new:
            parts.append(name)
        else:
            parts.append(
                f"{name} {change.old_record.get(name) or '-'} → "
                f"{change.new_record.get(name) or '-'}"
            )
    return "; ".join(parts)


def _outputs(paths: tuple[str, ...]) -> str:
    return ", ".join(p.split("/", 1)[1] for p in paths) if paths else "no output"


def text_report(changes: Changes, briefs: tuple[str, ...] = ()) -> str:
    lines = [f"changes since {changes.old}"]
    for item in changes.briefs:
        if briefs and item.brief not in briefs:
            continue
        lines.append("")
        lines.append(f"{item.brief} · {item.lang}" + (": no changes" if item.empty else ""))
        lines += _text_lines(item)
    if changes.unshown:
        lines.append("")
        lines.append("fact base (shown by no brief)")
        for change in changes.unshown:
            lines.append(f"  changed  {change.id}: {change.old} → {change.new}")
    for slug in changes.new_briefs:
        lines.append(f"\nnew brief {slug}")
    for slug in changes.removed_briefs:
        lines.append(f"\nremoved brief {slug}")
    return "\n".join(lines)


def _text_lines(item: LangChanges) -> list[str]:
    """One brief's language in the text report, a line or two per change."""
    lines = []
    for change in item.facts:
        detail = describe(change)
        lines.append(
            f"  changed  {change.id}  {change.label}: {change.old} → {change.new}"
            + (f"  ({detail})" if detail else "")
        )
        lines.append(
            f"           shown in {_outputs(change.outputs)}"
            + (f"; cited at {change.where}" if change.where else "")
        )
    for figure in item.added:
        lines.append(
            f"  added    {figure.id}  {figure.label}"
            + (f": {figure.printed}" if figure.printed else "")
            + f"  ({figure.part}, {figure.where})"
        )
    for figure in item.removed:
        lines.append(
            f"  removed  {figure.id}  {figure.label}"
            + (f": {figure.printed}" if figure.printed else "")
            + f"  ({figure.part}, was at {figure.where})"
        )
    lines += [f"  rewritten  {s.section}  ({s.where})" for s in item.sections]
    lines += [f"  conflict opened    {c.id}: {', '.join(c.facts)}" for c in item.opened]
    lines += [f"  conflict resolved  {c.id}: {', '.join(c.facts)}" for c in item.resolved]
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_report(changes: Changes, briefs: tuple[str, ...] = ()) -> str:
    out = [f"# Changes since {_md(changes.old)}"]
    for item in changes.briefs:
        if briefs and item.brief not in briefs:
            continue
        out.append(f"\n## {item.brief} · {item.lang}\n")
        out += ["No changes."] if item.empty else _markdown_lines(item)
    if changes.unshown:
        out.append("\n## Fact base (shown by no brief)\n")
        for c in changes.unshown:
            out.append(f"- `{c.id}`: {_md(c.old)} → {_md(c.new)}")
    return "\n".join(out) + "\n"


def _markdown_lines(item: LangChanges) -> list[str]:
    """One brief's language in the Markdown report: a table of changed figures, then a
    list of the other changes."""
    out = []
    if item.facts:
        out += [
            "| figure | was | now | changed | shown in |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in item.facts:
            out.append(
                f"| `{c.id}` {_md(c.label)} | {_md(c.old)} | {_md(c.new)} | "
                f"{', '.join(c.fields)} | {_md(_outputs(c.outputs))} |"
            )
        out.append("")
    for figure in item.added:
        out.append(
            f"- added `{figure.id}` {_md(figure.label)} {_md(figure.printed)} "
            f"({figure.part}, `{figure.where}`)"
        )
    for figure in item.removed:
        out.append(
            f"- removed `{figure.id}` {_md(figure.label)} {_md(figure.printed)} "
            f"({figure.part}, was `{figure.where}`)"
        )
    out += [f"- rewritten: {s.section} (`{s.where}`)" for s in item.sections]
    out += [f"- conflict opened: `{c.id}` ({', '.join(c.facts)})" for c in item.opened]
    out += [f"- conflict resolved: `{c.id}` ({', '.join(c.facts)})" for c in item.resolved]
    return out


def json_report(changes: Changes, briefs: tuple[str, ...] = ()) -> str:
    data = changes.to_dict()
    if briefs:
        data["briefs"] = [b for b in data["briefs"] if b["brief"] in briefs]
    return json.dumps(data, ensure_ascii=False, indent=1)

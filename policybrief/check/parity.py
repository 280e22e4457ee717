"""Check stage, translations: the languages of a brief say the same things.

Two checks, both warnings, over however many languages a brief is written in:

* **Parity.** Per section (and the summary and the recommendations), every language's text
  cites the same facts and claims, in any order, and lists as many recommendations. Charts
  and key figures are declared once in ``brief.yaml``, so all languages share them by
  construction. With three or more languages no language is the reference: an id some
  language cites in a part is reported once in each language that lacks it (pointing at
  the first that has it), so a gap in one translation is one warning at its own file,
  whichever language it is; counts of recommendations are compared with the first of the
  brief's languages. A difference the brief means to keep is declared under ``parity:`` in
  ``brief.yaml`` (see docs/authoring.md, "Translations that stay in step").
* **Stale translations.** ``briefs/<slug>/sync.yaml``, written by ``build.py sync-stamp``
  and committed, records a short digest of each paragraph of each section in each language
  as they were when last brought in line. As in a gettext workflow, where a changed source
  string turns its translation fuzzy until a translator confirms it, a section that changed
  in some languages only leaves the others *stale*; one that changed in several waits for
  the translator to confirm it with ``sync-stamp``. Unlike gettext there is no source
  language: any side may lead.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from policybrief.core.errors import Problem
from policybrief.core.model import SECTION_KEYS, Brief, LangText
from policybrief.load import yamlio
from policybrief.load.citations import CALL_RE, line_at
from policybrief.load.yamlio import YList, YMap

STAMP_NAME = "sync.yaml"
FRONT = "front"  # title, subtitle, summary and recommendations, stamped as one unit
UNITS = (FRONT, *SECTION_KEYS)
CITING_PARTS = ("summary", "recommendations", *SECTION_KEYS)
PARITY_FIELDS = ("ignore", "sections", "recommendations")
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
STAMP_HEADER = """\
# Written by `python build.py sync-stamp`: do not edit by hand; commit it with the texts.
# For each section, a short digest of each paragraph in each language as they were when
# the languages were last brought in line. `check` reports a section that has changed
# in one language since then as stale in the other.
"""


# -- parity: the same citations on both sides -----------------------------------------------


@dataclass(frozen=True)
class Waiver:
    """Differences a brief declares deliberate (``parity:`` in brief.yaml)."""

    off: bool = False
    ignore: frozenset[str] = frozenset()
    sections: tuple[tuple[str, frozenset[str]], ...] = ()
    recommendations: bool = True  # compare the number of recommendations

    def ignored(self, part: str, item_id: str) -> bool:
        return item_id in self.ignore or item_id in dict(self.sections).get(part, frozenset())


def waiver(brief: Brief, problems: list[Problem]) -> Waiver:
    spec = brief.parity
    shown = brief.loc.path
    if spec is None:
        return Waiver()
    if spec is False:
        return Waiver(off=True)
    if not isinstance(spec, YMap):
        problems.append(
            Problem(
                shown,
                brief.loc.line,
                "brief: 'parity' must be false or a mapping",
                "e.g. parity: {ignore: [some.fact.id]}",
            )
        )
        return Waiver()
    for key in spec:
        if key not in PARITY_FIELDS:
            problems.append(
                Problem(
                    shown,
                    spec.line_of(key),
                    f"parity: unknown field {key!r}",
                    "allowed: " + ", ".join(PARITY_FIELDS),
                )
            )
    ignore = _ids(spec.get("ignore", []), shown, spec.line_of("ignore"), "'ignore'", problems)
    sections = _waived_sections(spec, shown, problems)
    recommendations = spec.get("recommendations", True)
    if not isinstance(recommendations, bool):
        problems.append(
            Problem(
                shown,
                spec.line_of("recommendations"),
                "parity: 'recommendations' must be true or false",
                "false: the two languages may list different numbers",
            )
        )
        recommendations = True
    return Waiver(False, ignore, tuple(sections), recommendations)


def _ids(
    value: object, shown: str, line: int, what: str, problems: list[Problem]
) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(Problem(shown, line, f"parity: {what} must be a list of fact or claim ids"))
        return frozenset()
    return frozenset(value)


def _waived_sections(
    spec: YMap, shown: str, problems: list[Problem]
) -> list[tuple[str, frozenset[str]]]:
    """``parity: {sections: {part: [ids]}}``: differences allowed in one part only."""
    sections: list[tuple[str, frozenset[str]]] = []
    per_section = spec.get("sections", YMap())
    if not isinstance(per_section, YMap):
        problems.append(
            Problem(
                shown,
                spec.line_of("sections"),
                "parity: 'sections' must map section names to lists of ids",
            )
        )
        return sections
    for part, value in per_section.items():
        line = per_section.line_of(part)
        if part not in CITING_PARTS:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"parity: unknown section {part!r}",
                    "use " + ", ".join(CITING_PARTS),
                )
            )
            continue
        sections.append((part, _ids(value, shown, line, f"sections.{part}", problems)))
    return sections


def _part_line(text: LangText, part: str) -> int:
    """Where a part of a language file starts: its heading, or the front matter field."""
    if part == "summary":
        return text.summary_loc.line
    if part == "recommendations":
        return text.recommendations[0][1].line - 1 if text.recommendations else 1
    for section in text.sections:
        if section.key == part:
            return section.loc.line - 1
    return 1


def _cited(text: LangText, part: str) -> dict[str, int]:
    """Ids cited in one part of one language, each with the line of its first citation."""
    if part == "summary":
        blocks = [(text.summary, text.summary_loc)]
    elif part == "recommendations":
        blocks = list(text.recommendations)
    else:
        blocks = [(s.markdown, s.loc) for s in text.sections if s.key == part]
    found: dict[str, int] = {}
    for body, loc in blocks:
        for match in CALL_RE.finditer(body):
            found.setdefault(match.group(3), line_at(body, match.start(), loc))
    return found


def written(brief: Brief) -> tuple[str, ...]:
    """The brief's languages that have a text, in the brief's order."""
    return tuple(lang for lang in brief.languages if lang in brief.texts)


def _several(count: int) -> str:
    return {2: "two", 3: "three"}.get(count, str(count))


def check_parity(brief: Brief) -> list[Problem]:
    """Warnings for every citation some language has in a part and another lacks, and for
    different numbers of recommendations; deliberate differences are skipped, and a
    declaration that no longer matches any difference is reported so it does not linger."""
    problems: list[Problem] = []
    langs = written(brief)
    if len(langs) < 2:
        return problems
    allowed = waiver(brief, problems)
    if allowed.off:
        return problems
    texts = {lang: brief.texts[lang] for lang in langs}
    used: set[tuple[str, str]] = set()
    differing: set[str] = set()
    for part in CITING_PARTS:
        problems += _uncited(texts, part, allowed, used, differing)
    first = texts[langs[0]]
    for lang in langs[1:] if allowed.recommendations else ():
        text = texts[lang]
        count, expected = len(text.recommendations), len(first.recommendations)
        if count != expected:
            problems.append(
                Problem(
                    text.path,
                    _part_line(text, "recommendations"),
                    f"{count} recommendations in {lang}, but {expected} in "
                    f"{first.path}:{_part_line(first, 'recommendations')}",
                    "make the lists match, or set parity: {recommendations: false} in brief.yaml",
                    "warning",
                )
            )
    return problems + _unused_waivers(brief, allowed, used, differing)


def _uncited(
    texts: dict[str, LangText],
    part: str,
    allowed: Waiver,
    used: set[tuple[str, str]],
    differing: set[str],
) -> list[Problem]:
    """A warning for each id some language cites in ``part`` and another does not (at the
    one that does not, naming the first that does), unless waived (noted in ``used``);
    every such id is noted in ``differing``."""
    problems = []
    cited = {lang: _cited(text, part) for lang, text in texts.items()}
    for item_id in dict.fromkeys(i for found in cited.values() for i in found):
        lacking = [lang for lang in texts if item_id not in cited[lang]]
        if not lacking:
            continue
        differing.add(item_id)
        if allowed.ignored(part, item_id):
            used.add((part, item_id))
            continue
        lang = next(code for code in texts if item_id in cited[code])
        for other in lacking:
            there = texts[other]
            problems.append(
                Problem(
                    there.path,
                    _part_line(there, part),
                    f"{_name(part)} in {other} does not cite {item_id!r}, which "
                    f"{texts[lang].path}:{cited[lang][item_id]} cites in {lang}",
                    f"cite it in {there.path} too, or declare the difference under parity: "
                    "in brief.yaml",
                    "warning",
                )
            )
    return problems


def _unused_waivers(
    brief: Brief, allowed: Waiver, used: set[tuple[str, str]], differing: set[str]
) -> list[Problem]:
    """A declared difference that no longer differs, so that it does not linger."""
    problems = []
    declared: set[tuple[str | None, str]] = {(None, i) for i in allowed.ignore} | {
        (part, i) for part, ids in allowed.sections for i in ids
    }
    for scope, item_id in sorted(declared, key=lambda d: (d[0] or "", d[1])):
        if (scope is None and item_id not in differing) or (scope and (scope, item_id) not in used):
            where = f"parity.sections.{scope}" if scope else "parity.ignore"
            problems.append(
                Problem(
                    brief.loc.path,
                    brief.loc.line,
                    f"{where} lists {item_id!r}, but {_all(len(brief.texts))} languages cite "
                    "it alike there",
                    "remove it from the list",
                    "warning",
                )
            )
    return problems


def _all(count: int) -> str:
    return "both" if count == 2 else "all"


def _name(part: str) -> str:
    return part if part in ("summary", "recommendations") else f"section {part!r}"


# -- stale translations: digests recorded by sync-stamp -------------------------------------


def _paragraphs(text: str) -> list[str]:
    """A unit's paragraphs, each with its lines' trailing spaces dropped: re-wrapping lines
    inside a paragraph is a change, but trailing spaces and blank-line runs are not."""
    body = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
    return [p.strip("\n") for p in _BLANK_LINES.split(body) if p.strip()]


def _short(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def unit_text(text: LangText, unit: str) -> str:
    if unit == FRONT:
        lines = [text.title, text.subtitle, text.summary, *(r for r, _ in text.recommendations)]
        return "\n\n".join(lines)
    return next((s.markdown for s in text.sections if s.key == unit), "")


def unit_line(text: LangText, unit: str) -> int:
    return 2 if unit == FRONT else _part_line(text, unit)


def digests(text: LangText, unit: str) -> list[str]:
    return [_short(p) for p in _paragraphs(unit_text(text, unit))]


def paragraph_lines(text: LangText, unit: str) -> list[int]:
    """The line each paragraph of a section starts on (the front matter: its first line)."""
    if unit == FRONT:
        return [2] * len(digests(text, unit))
    section = next(s for s in text.sections if s.key == unit)
    lines, line, in_para = [], section.loc.line, False
    for raw in section.markdown.split("\n"):
        if raw.strip() and not in_para:
            lines.append(line)
        in_para = bool(raw.strip())
        line += 1
    return lines


def stamp_path(root: Path, brief: Brief) -> Path:
    return root / brief.folder / STAMP_NAME


def read_stamp(root: Path, brief: Brief, problems: list[Problem]) -> dict | None:
    """{unit: {lang: [paragraph digests]}} from the brief's sync.yaml, or None if absent."""
    path = stamp_path(root, brief)
    if not path.is_file():
        return None
    shown = f"{brief.folder}/{STAMP_NAME}"
    data, found = yamlio.load(str(path), shown)
    # A broken stamp (a merge conflict, say) must not stop a build: the tool rewrites it.
    problems += [
        replace(
            p,
            severity="warning",
            hint="run python build.py sync-stamp once the two languages are in line",
        )
        for p in found
    ]
    if data is None:
        return None
    units = data.get("sections") if isinstance(data, YMap) else None
    stamp: dict[str, dict[str, list[str]]] = {}
    if not isinstance(units, YMap):
        problems.append(
            Problem(
                shown,
                1,
                "expected 'sections:' mapping each section to its digests",
                "run python build.py sync-stamp to write it again",
                "warning",
            )
        )
        return None
    for unit, langs in units.items():
        ok = (
            unit in UNITS
            and isinstance(langs, YMap)
            and all(
                lang in brief.texts
                and isinstance(value, YList)
                and all(isinstance(d, str) for d in value)
                for lang, value in langs.items()
            )
        )
        if not ok:
            problems.append(
                Problem(
                    shown,
                    units.line_of(unit),
                    f"bad entry {unit!r}",
                    "run python build.py sync-stamp to write it again",
                    "warning",
                )
            )
            continue
        stamp[unit] = {lang: list(value) for lang, value in langs.items()}
    return stamp


def check_stale(root: Path, brief: Brief) -> list[Problem]:
    """A section changed in some languages since the last sync-stamp is stale in the
    others; one changed in several waits for someone to confirm they say the same."""
    problems: list[Problem] = []
    langs = written(brief)
    if len(langs) < 2:
        return problems
    stamp = read_stamp(root, brief, problems)
    if stamp is None:
        return problems
    texts = {lang: brief.texts[lang] for lang in langs}
    rerun = f"python build.py sync-stamp --brief {brief.folder.split('/')[-1]}"
    for unit in UNITS:
        recorded = stamp.get(unit, {})
        now = {lang: digests(texts[lang], unit) for lang in langs}
        changed = [lang for lang in langs if recorded.get(lang) != now[lang]]
        name = "front matter" if unit == FRONT else f"section {unit!r}"
        if not changed:
            continue
        lang, edited = changed[0], texts[changed[0]]
        at = _first_changed(edited, unit, recorded.get(lang, []))
        for other in (o for o in langs if o not in changed):
            stale = texts[other]
            problems.append(
                Problem(
                    stale.path,
                    unit_line(stale, unit),
                    f"{name} in {other} is stale: {edited.path}:{at} changed it in {lang} since "
                    f"the {_several(len(langs))} were last in line",
                    f"bring {stale.path} in line, then run {rerun}",
                    "warning",
                )
            )
        if len(changed) > 1:
            last = texts[changed[-1]]
            where = ", ".join(
                f"{texts[c].path}:{_first_changed(texts[c], unit, recorded.get(c, []))}"
                for c in changed
            )
            several = _all(2) if len(changed) == 2 else _several(len(changed))
            problems.append(
                Problem(
                    last.path,
                    unit_line(last, unit),
                    f"{name} changed in {several} languages since the last sync-stamp ({where})",
                    f"once they say the same, run {rerun}",
                    "warning",
                )
            )
    return problems


def _first_changed(text: LangText, unit: str, recorded: list[str]) -> int:
    """The line of the first paragraph whose digest the stamp does not hold."""
    known = set(recorded)
    for digest, line in zip(digests(text, unit), paragraph_lines(text, unit), strict=False):
        if digest not in known:
            return line
    return unit_line(text, unit)  # a paragraph was removed or moved


def stamp_text(brief: Brief) -> str:
    """The sync.yaml recording that the brief's languages are in line now."""
    lines = [STAMP_HEADER.rstrip("\n"), "sections:"]
    for unit in UNITS:
        lines.append(f"  {unit}:")
        for lang in written(brief):
            # quoted: a digest of digits only would otherwise read as a number
            lines.append(f"    {lang}: {json.dumps(digests(brief.texts[lang], unit))}")
    return "\n".join(lines) + "\n"


def paired_briefs(briefs: dict[str, Brief]) -> list[Brief]:
    """One brief per folder (a batch template's rows share their texts) with texts in two
    languages or more."""
    seen: dict[str, Brief] = {}
    for brief in briefs.values():
        if len(written(brief)) >= 2:
            seen.setdefault(brief.folder, brief)
    return list(seen.values())


def check_translations(root: Path, briefs: dict[str, Brief]) -> list[Problem]:
    """The hook ``check`` calls: parity and staleness for every brief in two languages or
    more."""
    problems: list[Problem] = []
    for brief in paired_briefs(briefs):
        problems += check_parity(brief)
        problems += check_stale(root, brief)
    return problems


def sync_stamps(
    root: Path, briefs: dict[str, Brief], only: tuple[str, ...] = ()
) -> list[tuple[str, int]]:
    """Record that each selected brief's languages are in line now (``sync-stamp``).
    ``only``: brief slugs or folder names. Returns (stamp path, sections that were stale
    or changed since the previous stamp) per brief written."""
    from policybrief.core.errors import UsageError
    from policybrief.core.files import atomic_write

    chosen = paired_briefs(briefs)
    names = {b.folder.split("/")[-1] for b in chosen} | {b.slug for b in chosen}
    for name in only:
        if name not in names:
            raise UsageError(
                f"unknown brief {name!r}, or not written in two languages or more "
                f"(known: {', '.join(sorted(names))})"
            )
    written = []
    for brief in chosen:
        if only and brief.slug not in only and brief.folder.split("/")[-1] not in only:
            continue
        stale = [p for p in check_stale(root, brief) if p.path.endswith(".md")]
        path = stamp_path(root, brief)
        atomic_write(path, stamp_text(brief).encode("utf-8"))
        written.append((f"{brief.folder}/{STAMP_NAME}", len(stale)))
    return written

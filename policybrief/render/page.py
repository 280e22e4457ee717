"""Render stage, part two: a brief's prose into an audience's page (HTML string).

The page template is rendered twice: the first pass finds the order in which facts are
cited (the template decides the reading order), the second renders the endnotes in that
order; then each citation placeholder becomes a numbered link. Nothing here touches the
filesystem except the template loader.
"""

from __future__ import annotations

import collections
import errno
import os
import re
import stat
import threading
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment, SecurityError
from markupsafe import Markup

from policybrief import __version__
from policybrief.core.errors import Problem, RenderError
from policybrief.core.i18n import LANGUAGES, Language, format_fact
from policybrief.core.model import Audience, Brief, Fact, FactBase, PartialDate, Project, Text
from policybrief.core.patches import TooSlow, bounded, describe
from policybrief.editions.revisions import revision_context
from policybrief.load.catalogs import Translations
from policybrief.load.citations import key_figures
from policybrief.load.markup import note_text
from policybrief.load.project import audience_file
from policybrief.load.theme import asset_uri
from policybrief.render import chartsvg, factcheck
from policybrief.render.pagecheck import Finding, secure
from policybrief.render.prose import (
    CITE_RE,
    RenderedText,
    exhibit_list,
    exhibits,
    figure_html,
    html_text,
)
from policybrief.render.references import Reference
from policybrief.render.templatedata import (
    Alternate,
    ConflictEntry,
    ConflictingFigure,
    DerivedEntry,
    DerivedInput,
    ExhibitEntry,
    KeyFigure,
    LanguageEntry,
    Note,
    PageContext,
    ReferenceEntry,
    SectionEntry,
    SourceEntry,
)

# Bounds on what one template render may cost (templates are untrusted input).
MAX_SECONDS = 20  # wall clock per render; the largest real page takes well under a second
MAX_ITEMS = 1_000_000  # items over all range() calls of one render
MAX_LENGTH = 10_000_000  # characters or items a *, + or ** may produce
MAX_MEMORY = 1 << 30  # bytes a render may allocate beyond what the process had
MAX_PAGE_CHARS = 50_000_000  # a rendered page; the largest real one is under 1 MB


@dataclass(frozen=True)
class Page:
    """One rendered output page, ready for the writers."""

    html: str
    title: str
    lang: Language
    notes: int
    missing_translations: frozenset[str]
    cited: tuple[Note, ...] = ()  # each note (render.note), in citation order


def css_content(message: str) -> Markup:
    """Turn "Page %(page)s of %(pages)s" into a CSS ``content`` value with counters."""
    parts: list[str] = []
    rest = message
    while rest:
        cut = min((rest.find(m) for m in ("%(page)s", "%(pages)s") if m in rest), default=-1)
        if cut == -1:
            parts.append(css_string(rest))
            break
        if cut:
            parts.append(css_string(rest[:cut]))
        name = "pages" if rest.startswith("%(pages)s", cut) else "page"
        parts.append(f"counter({name})")
        rest = rest[cut + len(f"%({name})s") :]
    return Markup(" ".join(parts) or '""')


def css_string(text: str) -> Markup:
    """Any text as a CSS string literal; everything but letters, digits and spaces escaped."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')


class FolderLoader(FileSystemLoader):
    """A FileSystemLoader that serves only regular files lying inside their template folder:
    a symlink that leads out of the folder, a symlink loop, a named pipe or a device is an
    error naming the file, never read."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if not os.path.lexists(path):
                continue
            shown = os.path.join(os.path.basename(folder), *pieces)
            real = os.path.realpath(path)
            if os.path.commonpath([real, os.path.realpath(folder)]) != os.path.realpath(folder):
                raise SecurityError(f"{shown} leads outside its template folder")
            try:
                handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise SecurityError(f"{shown} is a symlink loop") from None
                raise TemplateError(f"{shown}: cannot read: {exc.strerror}") from None
            with os.fdopen(handle, "rb") as file:
                info = os.fstat(file.fileno())
                if stat.S_ISDIR(info.st_mode):
                    continue
                if not stat.S_ISREG(info.st_mode):
                    raise SecurityError(f"{shown} is not a regular file")
                contents = file.read().decode(self.encoding)
            mtime = info.st_mtime

            def uptodate(path: str = path, mtime: float = mtime) -> bool:
                try:
                    return os.path.getmtime(path) == mtime
                except OSError:
                    return False

            return contents, os.path.normpath(path), uptodate
        raise TemplateNotFound(template)


# What a template can raise while it renders: each becomes a RenderError with its line.
TEMPLATE_FAILURES = (
    TemplateError,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    OverflowError,
    RecursionError,
    MemoryError,
    TooSlow,
)


class PageTemplate(Template):
    """A page template: every render runs under the environment's bounds. :meth:`render`
    (``index.html``, ``facts.html``) checks the page and gives it its security policy;
    :meth:`render_fragment` leaves that to the caller (a brief's page is finished after its
    citations are numbered)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = cast("PageEnvironment", self.environment)
        try:
            html = self.render_fragment(*args, **kwargs)
        except TEMPLATE_FAILURES as exc:
            raise RenderError(env.failure(exc)) from None
        return env.secured(html, self.filename)

    def render_fragment(self, *args: Any, **kwargs: Any) -> str:
        env = cast("PageEnvironment", self.environment)
        if env.rendering:  # an include or macro renders inside an outer render
            return Template.render(self, *args, **kwargs)
        env.rendering, env.range_items = True, 0
        try:
            with bounded(MAX_SECONDS, MAX_MEMORY):
                html = Template.render(self, *args, **kwargs)
        finally:
            env.rendering = False
        if len(html) > MAX_PAGE_CHARS:
            raise RenderError(
                Problem(
                    env.shown(self.filename),
                    0,
                    f"template error: the page is {len(html):,} characters long; "
                    f"at most {MAX_PAGE_CHARS:,}",
                )
            )
        return html


class PageEnvironment(SandboxedEnvironment):
    """The sandbox for page templates, with bounds on time, loops and sizes."""

    template_class = PageTemplate
    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, *args: Any, root: Path | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.root = root
        self.builtin = (root / "templates").resolve() if root else None
        self.rendering = False
        self.range_items = 0
        self.globals["range"] = self.bounded_range
        self.globals["asset"] = self.asset

    def get_template(self, name: str | Template, *args: Any, **kwargs: Any) -> Template:
        try:
            return super().get_template(name, *args, **kwargs)
        except TemplateSyntaxError as exc:
            raise RenderError(self.syntax_error(exc)) from None

    def syntax_error(self, exc: TemplateSyntaxError) -> Problem:
        return Problem(
            self.shown(exc.filename), exc.lineno, f"template syntax error: {exc.message}"
        )

    def failure(self, exc: BaseException) -> Problem:
        """What a template raised while it rendered, at its template line."""
        return Problem(*self.where(exc), f"template error: {describe(exc, MAX_MEMORY)}")

    def secured(self, html: str, filename: str | None, links: bool = False) -> str:
        """The page with its security policy, or a RenderError for the first thing in it
        that would load from outside (or, with ``links``, an in-page link to nothing), at
        the template line that wrote it."""
        html, problems = secure(html, links)
        for problem in problems:
            raise RenderError(
                Problem(
                    *self.locate(filename, problem),
                    str(problem),
                    problem.hint
                    or "a page may load only what is inline or in its template folders",
                )
            )
        return html

    def asset(self, name: object) -> str:
        """``asset("seal.png")``: a file beside the templates as a data: URI (theme.py)."""
        return asset_uri(cast(FolderLoader, self.loader).searchpath, name)

    def bounded_range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise OverflowError(f"range() of {len(numbers)} items; at most {MAX_RANGE}")
        self.range_items += len(numbers)
        if self.range_items > MAX_ITEMS:
            raise OverflowError(f"loops over range() ran to more than {MAX_ITEMS} items")
        return numbers

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if (
            operator == "**"
            and _number(left)
            and _number(right)
            and abs(left) > 1
            and (abs(right) > 64 and abs(left) ** min(abs(right), 64) > 2**64 or abs(right) > 4096)
        ):
            raise OverflowError(f"{left!r} ** {right!r} is too large")
        sizes = [len(x) for x in (left, right) if isinstance(x, (str, list, tuple))]
        counts = [x for x in (left, right) if isinstance(x, int) and not isinstance(x, bool)]
        if operator == "*" and sizes and counts and sizes[0] * max(counts[0], 0) > MAX_LENGTH:
            raise OverflowError(
                f"a text or list of {sizes[0] * counts[0]} items; at most {MAX_LENGTH}"
            )
        if operator == "+" and len(sizes) == 2 and sum(sizes) > MAX_LENGTH:
            raise OverflowError(f"a text or list of {sum(sizes)} items; at most {MAX_LENGTH}")
        return super().call_binop(context, operator, left, right)

    def shown(self, filename: str | None) -> str:
        if not filename:
            return "<template>"
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.root).as_posix() if self.root else str(path)
        except ValueError:
            return str(path)

    def locate(self, filename: str | None, problem: Finding) -> tuple[str, int]:
        """Where a problem found in a rendered page was written: the first line holding its
        text in the page's template, else in any file of the template folders (user
        folders first), else the page's template without a line (the text was computed)."""
        needle = getattr(problem, "needle", "")
        files = [Path(filename)] if filename else []
        for folder in cast(FolderLoader, self.loader).searchpath:
            files += sorted(
                p
                for p in Path(folder).rglob("*")
                if p.suffix in (".html", ".css", ".j2") and p.is_file()
            )
        for path in files if needle else ():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if needle in text:
                return self.shown(str(path)), text.count(chr(10), 0, text.index(needle)) + 1
        return self.shown(filename), 0

    def where(self, exc: BaseException) -> tuple[str, int]:
        """The template line an error comes from: the innermost template frame or, for
        endless recursion, the innermost frame in a user's template folder (the built-in
        templates do not recurse by themselves)."""
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.endswith((".html", ".j2", ".css"))
        ]
        if not frames:
            return "<template>", 0
        if isinstance(exc, RecursionError):
            if self.builtin:
                frames = [
                    f for f in frames if not Path(f.filename).resolve().is_relative_to(self.builtin)
                ] or frames
            # The lines that repeat most (within one: the cycle is cut anywhere), outermost
            # first, so that the answer does not depend on how deep the stack was.
            counts = collections.Counter((f.filename, f.lineno) for f in frames)
            most = max(counts.values())
            frame = next(f for f in frames if counts[(f.filename, f.lineno)] >= most - 1)
            return self.shown(frame.filename), frame.lineno or 0
        return self.shown(frames[-1].filename), frames[-1].lineno or 0


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class CompiledTemplates(BytecodeCache):
    """Compiled page templates kept in memory for the life of the process, so that each
    language's environment, and each build, `check` and preview rebuild after the first,
    does not parse and compile the same templates again. Jinja keys an entry by template
    name and file and reuses it only while the source's checksum matches; the loader's
    checks on the file still run on every load. Every PageEnvironment is configured alike
    (the same class, options, extensions and filters), which is what makes sharing safe."""

    LIMIT = 512  # entries: a process that renders many projects keeps the latest

    def __init__(self) -> None:
        self._code: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
            if code is not None:
                self._code.move_to_end(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # (Jinja drops it if the checksum differs)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code
            self._code.move_to_end(bucket.key)
            while len(self._code) > self.LIMIT:
                self._code.popitem(last=False)


_COMPILED = CompiledTemplates()


class Renderer:
    """Keeps one sandboxed Jinja environment per language for the page templates."""

    def __init__(self, project: Project):
        self.project = project
        self._envs: dict[tuple, tuple[PageEnvironment, Translations]] = {}
        self._references: dict[tuple[tuple[str, ...], str, str], dict[str, Reference]] = {}

    def env(
        self, lang: str, dirs: tuple[Path, ...] | None = None
    ) -> tuple[PageEnvironment, Translations]:
        """The environment for ``lang`` over template folders ``dirs`` (the project's by
        default; a brief with its own folder has its own environment)."""
        dirs = dirs or self.project.template_dirs
        if (lang, dirs) not in self._envs:
            env = PageEnvironment(
                loader=FolderLoader([str(d) for d in dirs]),
                root=self.project.root,
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
                bytecode_cache=_COMPILED,
            )
            translations = Translations(dirs, lang)
            # installed on the environment by the jinja2.ext.i18n extension
            env.install_gettext_callables(  # type: ignore[attr-defined]
                translations.gettext, translations.ngettext, newstyle=False
            )
            env.filters["css_content"] = css_content
            env.filters["css_string"] = css_string
            self._envs[lang, dirs] = (env, translations)
        return self._envs[lang, dirs]

    def page(
        self,
        brief: Brief,
        audience: Audience,
        prose: RenderedText,
        medium: str = "screen",
        for_word: bool = False,
    ) -> Page:
        """Render one page; ``medium`` is "screen" for the HTML file, "print" for the PDF.
        ``for_word``: the page the Word converter reads, whose citation links become Word's
        own notes (so an audience printing footnotes needs no ``#note-N`` target there)."""
        lang = LANGUAGES[prose.lang]
        dirs = self.project.templates(brief.slug).dirs
        env, translations = self.env(prose.lang, dirs)
        translations.missing.clear()
        context = page_context(self.project, brief, audience, prose, lang)
        context["medium"] = medium
        try:
            template = cast(PageTemplate, env.get_template(audience.template))
            order = self._cite(template, context, brief, audience, lang)
            html = template.render_fragment(context)
        except TemplateNotFound as exc:
            raise RenderError(self._not_found(exc, audience, dirs)) from None
        except TemplateSyntaxError as exc:
            raise RenderError(env.syntax_error(exc)) from None
        except TEMPLATE_FAILURES as exc:
            raise RenderError(env.failure(exc)) from None
        numbers = {item: n for n, item in enumerate(order, 1)}
        html = number_citations(html, numbers, self._footnotes(env, audience, context))
        html = unlink_absent_exhibits(html)
        return Page(
            env.secured(html, template.filename, links=not for_word),
            prose.title,
            lang,
            len(order),
            frozenset(translations.missing),
            tuple(context["notes"]),
        )

    def _cite(
        self,
        template: PageTemplate,
        context: PageContext,
        brief: Brief,
        audience: Audience,
        lang: Language,
    ) -> list[str]:
        """The first pass: the order in which the page cites facts and claims; puts their
        endnotes (and fact-check rows) in the context for the second pass."""
        first = template.render_fragment(context)
        order = list(dict.fromkeys(CITE_RE.findall(first)))
        notes = [note(self.project.facts, item, n, lang) for n, item in enumerate(order, 1)]
        seen: set[str] = set()
        for made in notes:  # a source's own note is printed once, at its first endnote
            made["source_first"] = made["source"]["id"] not in seen
            seen.add(made["source"]["id"])
        context["notes"] = notes
        context["references"] = self.references(audience, notes, lang.code)
        if audience.fact_appendix:
            context["fact_check"] = [
                {**row, "number": n}
                for n, row in enumerate(factcheck.rows(self.project, order, brief.slug), 1)
            ]
        return order

    def _footnotes(
        self, env: PageEnvironment, audience: Audience, context: PageContext
    ) -> dict[str, str] | None:
        """Each note's footnote HTML, for an audience whose citations are footnotes."""
        if audience.citations != "footnotes":
            return None
        partial = cast(PageTemplate, env.get_template("_partials/footnote.html"))
        return {
            n["id"]: partial.render_fragment(note=n, lang=context["lang"]).strip()
            for n in context["notes"]
        }

    def _not_found(
        self, exc: TemplateNotFound, audience: Audience, dirs: tuple[Path, ...]
    ) -> Problem:
        folders = ", ".join(self._shown(d) for d in dirs)
        hint = f"looked in {folders}; names are relative to a template folder"
        message = f"template {exc.name!r} not found"
        if exc.name != audience.template:  # an include or extends inside the page
            return Problem(*self.env("en", dirs)[0].where(exc), message, hint)
        path, line = audience_file(dirs, audience.name, self.project.root)
        return Problem(path, line, f"audience {audience.name!r}: {message}", hint)

    def references(self, audience: Audience, notes: list[Note], lang: str) -> list[ReferenceEntry]:
        """Format the sources of ``notes`` in the audience's reference style (through CSL,
        see :mod:`references`); put each one's entry into the notes' source dicts and
        return the reference list, in the style's order."""
        from policybrief.load import refstyles
        from policybrief.render import references

        style = refstyles.style_for(lang, audience.reference_style, self.project.reference_style)
        ids = [sid for sid in _note_sources(notes) if sid]
        key = (tuple(ids), lang, style)
        if key not in self._references:
            self._references[key] = references.format_references(
                self.project.facts, ids, lang, style
            )
        formatted = self._references[key]
        for source in _note_source_dicts(notes):
            made = formatted.get(source["id"])
            source["reference"] = made.html if made else ""
        return [
            {"id": r.source, "label": r.label, "html": r.html, "text": r.text}
            for r in formatted.values()
        ]

    def _shown(self, filename: str | Path | None) -> str:
        if not filename:
            return "<template>"
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.project.root).as_posix()
        except ValueError:
            return str(path)


def _note_source_dicts(notes: list[Note]) -> list[SourceEntry]:
    """Every source dict in the notes, in reading order: each note's own, then those of a
    derived figure's inputs and of the other side of a conflict."""
    found = []
    for made in notes:
        found.append(made["source"])
        found += [i["source"] for i in (made["derived"] or {"inputs": []})["inputs"]]
        found += [o["source"] for c in made["conflicts"] for o in c["others"]]
    return found


def _note_sources(notes: list[Note]) -> list[str]:
    return list(dict.fromkeys(source["id"] for source in _note_source_dicts(notes)))


def external_references(html: str) -> list[Finding]:
    """Resources a page would fetch from outside, and attachments it asks for (see
    :mod:`policybrief.render.pagecheck`)."""
    return secure(html)[1]


FOOTNOTE_END = "<!--/fn-->"


def number_citations(
    html: str, numbers: dict[str, int], footnotes: dict[str, str] | None = None
) -> str:
    """Turn citation placeholders into numbered links to the endnotes or, when
    ``footnotes`` gives each note's HTML, into footnotes at the first citation (later
    citations of the same note repeat its number)."""
    seen: dict[str, int] = {}

    def mark(match: re.Match[str]) -> str:
        item = match.group(1)
        number = numbers[item]
        seen[item] = seen.get(item, 0) + 1
        anchor = f"cite-{number}" + (f"-{seen[item]}" if seen[item] > 1 else "")
        if footnotes is not None:
            if seen[item] == 1:
                return (
                    f'<span class="footnote" id="note-{number}" data-n="{number}" '
                    f'role="doc-footnote">{footnotes[item]}{FOOTNOTE_END}</span>'
                )
            return f'<sup class="cite cite-again" id="{anchor}">{number}</sup>'
        return (
            f'<sup class="cite"><a href="#note-{number}" id="{anchor}" '
            f'role="doc-noteref">{number}</a></sup>'
        )

    return CITE_RE.sub(mark, html)


_XREF_RE = re.compile(r'<a class="xref" href="#([^"<>]+)">([^<]*)</a>')
_ID_RE = re.compile(r'\sid="([^"]+)"')


def unlink_absent_exhibits(html: str) -> str:
    """A cross-reference (``ref()``) to an exhibit this edition does not print, as in a
    lead-only edition whose figure sits in a later paragraph, keeps its label (图2 /
    Figure 2, the brief's numbering) as text instead of a link that goes nowhere."""
    ids = set(_ID_RE.findall(html))
    return _XREF_RE.sub(
        lambda m: m.group(0) if m.group(1) in ids else f'<span class="xref">{m.group(2)}</span>',
        html,
    )


def _text(text: Text | None, lang: Language) -> str:
    return text.get(lang.code) if text else ""


def source_dict(facts: FactBase, source_id: str, lang: Language) -> SourceEntry:
    """A source for the templates; a derived fact's (empty id) has no source of its own."""
    source = facts.sources.get(source_id)
    if source is None:
        return {
            "id": "",
            "title": "",
            "author": "",
            "publication": "",
            "year": "",
            "file": "",
            "url": "",
            "accessed": "",
            "publisher": "",
            "kind": "",
            "language": "",
            "note": "",
            "container": "",
            "reference": "",
        }
    return {
        "id": source.id,
        "title": _text(source.title, lang),
        "author": _text(source.author, lang),
        "publication": _text(source.publication, lang),
        "year": source.year or "",
        "file": source.file,
        "url": source.url,
        "accessed": lang.date(source.accessed) if source.accessed else "",
        "publisher": _text(source.publisher, lang),
        "kind": source.kind,
        "language": source.language,
        "note": _text(source.note, lang),
        "container": source.container,
        "reference": "",  # the entry in the page's reference style, set by Renderer.references
    }


def derived_dict(facts: FactBase, fact: Fact, lang: Language) -> DerivedEntry | None:
    """What a derived fact is calculated from: each input's value, label and source."""
    if fact.derived is None:
        return None
    inputs: list[DerivedInput] = []
    for input_id in fact.derived.inputs:
        used = facts.facts[input_id]
        inputs.append(
            {
                "id": input_id,
                "value": format_fact(used, facts.units[used.unit], lang),
                "label": _text(used.label, lang),
                "source": source_dict(facts, used.source, lang),
            }
        )
    return {"op": fact.derived.op, "inputs": inputs}


def note(facts: FactBase, item_id: str, number: int, lang: Language) -> Note:
    """An endnote for one cited fact or claim: value, source, quote and any conflict."""
    if item_id in facts.facts:
        fact = facts.facts[item_id]
        unit = facts.units[fact.unit]
        value = format_fact(fact, unit, lang)
        conflicts: list[ConflictEntry] = []
        for conflict in facts.conflicts_of(item_id):
            others: list[ConflictingFigure] = [
                {
                    "id": other,
                    "value": format_fact(
                        facts.facts[other], facts.units[facts.facts[other].unit], lang
                    ),
                    "source": source_dict(facts, facts.facts[other].source, lang),
                    "quote": facts.facts[other].quote,
                }
                for other in conflict.facts
                if other != item_id and other in facts.facts
            ]
            conflicts.append(
                {"id": conflict.id, "note": note_text(facts, conflict.note, lang), "others": others}
            )
        return {
            "number": number,
            "id": item_id,
            "kind": "fact",
            "value": value,
            "label": _text(fact.label, lang),
            "quote": fact.quote,
            "note": note_text(facts, fact.note, lang),
            "date": lang.date(fact.date) if fact.date and fact.date != fact.value else "",
            "undated": fact.date is None,
            "derived": derived_dict(facts, fact, lang),
            "source": source_dict(facts, fact.source, lang),
            "conflicts": conflicts,
        }
    claim = facts.claims[item_id]
    return {
        "number": number,
        "id": item_id,
        "kind": "claim",
        "value": "",
        "label": _text(claim.label, lang),
        "quote": claim.quote,
        "note": "",
        "date": lang.date(claim.date) if claim.date else "",
        "undated": False,
        "derived": None,
        "source": source_dict(facts, claim.source, lang),
        "conflicts": [],
    }


def languages_context() -> list[LanguageEntry]:
    """Every language the engine knows (i18n.LANGUAGES), for tables that show all of them."""
    return [{"code": code, "tag": lang.tag, "name": lang.name} for code, lang in LANGUAGES.items()]


def _key_figures(facts: FactBase, brief: Brief, lang: Language) -> list[KeyFigure]:
    figures: list[KeyFigure] = []
    for fid in key_figures(brief):
        fact = facts.facts[fid]
        value = format_fact(fact, facts.units[fact.unit], lang)
        figures.append(
            {
                "id": fid,
                "value": Markup(figure_html(fid, value)),
                "text": value,
                "label": _text(fact.label, lang),
                "source": source_dict(facts, fact.source, lang),
                "date": lang.date(fact.date) if fact.date else "",
            }
        )
    return figures


def _sections(
    project: Project, brief: Brief, audience: Audience, prose: RenderedText, lang: Language
) -> list[SectionEntry]:
    """Each section as the audience prints it (whole, or its lead), with its charts."""
    theme = project.templates(brief.slug).theme
    drawn = [chart for chart in brief.charts or () if audience.charts]
    labels = exhibits(brief.texts[lang.code], brief.charts, lang)
    return [
        {
            "key": s.key,
            "id": f"sec-{s.key}",
            "html": s.lead if audience.section_text == "lead" else s.html,
            "charts": [
                {
                    **chartsvg.render(chart, project.facts, lang, n, theme),
                    "label": labels.get(chart.id, ("", ""))[0],
                    "anchor": labels.get(chart.id, ("", f"fig-{chart.id}"))[1],
                }
                for n, chart in enumerate(drawn, 1)
                if chart.section == s.key
            ],
        }
        for s in prose.sections
    ]


def _exhibits(brief: Brief, audience: Audience, lang: Language) -> list[ExhibitEntry]:
    """The brief's tables and figures that this page prints: none where only the sections'
    leads are printed, and no chart where the audience draws none."""
    if audience.section_text != "full":
        return []
    listed = exhibit_list(brief.texts[lang.code], brief.charts, lang)
    return [e for e in listed if audience.charts or not e["chart"]]


def build_date(brief: Brief) -> PartialDate:
    """The date printed as the build date: the brief's own date. Never the clock, nor
    ``SOURCE_DATE_EPOCH``, so that every build of a brief gives the same files."""
    return brief.date


def _alternates(brief: Brief, audience: Audience, lang: Language) -> list[Alternate]:
    """This page in each of the brief's languages, for the language switch."""
    return [
        {
            "code": code,
            "tag": LANGUAGES[code].tag,
            "name": LANGUAGES[code].name,
            "href": f"{audience.name}.{code}.html",
            "current": code == lang.code,
        }
        for code in brief.languages
    ]


def page_context(
    project: Project, brief: Brief, audience: Audience, prose: RenderedText, lang: Language
) -> PageContext:
    theme = project.templates(brief.slug).theme  # the brief's own house style, if any
    base = f"{audience.name}.{lang.code}"
    return {
        "lang": {"code": lang.code, "tag": lang.tag, "name": lang.name},
        "brief": {
            "slug": brief.slug,
            "title": prose.title,
            "subtitle": prose.subtitle,
            "summary": prose.summary,
            "topic": brief.topic,
            "summary_text": html_text(CITE_RE.sub("", str(prose.summary))),
            "date": lang.date(brief.date),
            "date_iso": str(brief.date),
            "authors": [_text(a, lang) for a in brief.authors],
        },
        "audience": {**asdict(audience), "label": _text(audience.label, lang)},
        "sections": _sections(project, brief, audience, prose, lang),
        "exhibits": _exhibits(brief, audience, lang),
        "key_figures": _key_figures(project.facts, brief, lang) if audience.key_figures else [],
        "recommendations": list(prose.recommendations) if audience.recommendations else [],
        "notes": [],
        "references": [],
        "fact_check": [],
        "alternates": _alternates(brief, audience, lang),
        "languages": languages_context(),
        "links": {
            "html": f"{base}.html",
            "pdf": f"{base}.pdf",
            "docx": f"{base}.docx",
            "index": "../index.html",
            # the brief's sources for reference managers (exports.EXPORTS), beside it
            "references": {
                "json": "references.json",
                "bib": "references.bib",
                "ris": "references.ris",
            },
        },
        "theme": {
            "css": Markup(theme.css()),
            "logo": theme.logo,
            "organisation": _text(theme.organisation, lang),
            "running_header": _text(theme.running_header, lang),
        },
        "generator": f"policybrief {__version__}",
        "build_date": lang.date(build_date(brief)),
        "draft": brief.status == "draft",
        "revision": revision_context(project, brief, lang.code),
    }

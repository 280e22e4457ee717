"""Render stage, the template sandbox: where page templates are read from and what they
may do. Templates are untrusted input: the loader serves only regular files inside their
template folder, ``range()``, ``*``, ``+`` and ``**`` are bounded, every error is placed at
its template line, and a finished page gets its security policy (:mod:`pagecheck`).
Compiled templates are kept for the life of the process (:class:`CompiledTemplates`).
"""

from __future__ import annotations

import collections
import errno
import functools
import os
import stat
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType
from typing import Any, cast

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemLoader,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
    nodes,
)
from jinja2.bccache import Bucket
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment, SecurityError
from markupsafe import Markup

from policybrief.core.builtin import BUILTIN
from policybrief.core.errors import Problem, RenderError
from policybrief.core.files import long_name
from policybrief.load.catalogs import catalog_path
from policybrief.load.theme import asset_uri
from policybrief.render.pagecheck import Finding, secure

MAX_ITEMS = 1_000_000  # items over all range() calls of one render
MAX_LENGTH = 10_000_000  # characters or items a *, + or ** may produce


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


class Sandbox(SandboxedEnvironment):
    """The sandbox page templates render in: bounds on loops and sizes, files only from
    the template folders, every error at its template line. (Each render's time and memory
    are bounded by the page's template class, :class:`~policybrief.render.page.PageTemplate`.)
    """

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, *args: Any, root: Path | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.root = root
        # the engine's templates, and a project's own templates/ beside them (often a
        # copy of them): frames there are passed over when naming a recursion's place
        self.builtin = (BUILTIN.resolve(), (root / "templates").resolve()) if root else ()
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
                    f
                    for f in frames
                    if not any(Path(f.filename).resolve().is_relative_to(b) for b in self.builtin)
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

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The entry for a template by its name and source, wherever its file is: a copy
        of a project (a test's, a CI checkout's) compiles nothing again. The code keeps
        the file it was compiled from as its own in tracebacks, which is how an error is
        located at its template line, so a loaded entry is given this file instead."""
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, self.get_cache_key(name, checksum), checksum)
        self.load_bytecode(bucket)
        if bucket.code is not None and filename:
            bucket.code = _refiled(bucket.code, filename)
        return bucket

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


def _refiled(code: CodeType, filename: str) -> CodeType:
    """``code`` and the functions (blocks, macros) inside it as if compiled from ``filename``."""
    consts = tuple(_refiled(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


COMPILED = CompiledTemplates()  # shared by every environment of the process


# -- what a page reads -------------------------------------------------------------------

_PARSER = Environment(extensions=["jinja2.ext.i18n"])  # parses templates, renders nothing


def template_files(
    dirs: tuple[Path, ...], names: Iterable[str], lang: str
) -> list[tuple[str, int, bytes | None]]:
    """Every file a page rendered from the templates ``names`` over the folders ``dirs``
    reads: those templates, each template they extend, include or import, each file they
    embed with ``asset()``, and the catalogs of ``lang``; each as (its name in the folders,
    the index of the folder it is read from, its bytes), None where no folder has it. Where
    a template names a template or an asset by a computed name, which could be any file,
    every file of the folders. Part of an output's cache key, so that editing a template
    rebuilds the outputs that read it and only those."""
    found: dict[str, tuple[int, bytes | None]] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        index, path = _lookup(dirs, name)
        data = path.read_bytes() if path else None
        found[name] = (index, data)
        if data is None or path is None or path.suffix not in (".html", ".css", ".j2"):
            continue
        named = _named(data.decode("utf-8", errors="replace"))
        if None in named:
            return _every_file(dirs)
        todo += [n for n in named if n is not None]
    catalogs = [(f"catalog:{i}", i, catalog_path(d, lang)) for i, d in enumerate(dirs)]
    return [
        *((name, index, data) for name, (index, data) in sorted(found.items())),
        *((name, i, p.read_bytes()) for name, i, p in catalogs if p.is_file()),
    ]


def _lookup(dirs: tuple[Path, ...], name: str) -> tuple[int, Path | None]:
    """The first template folder that has ``name`` (as the loader and ``asset()`` look)."""
    try:
        pieces = split_template_path(name)
    except TemplateNotFound:
        return -1, None
    if long_name(name):  # (the render says it is not found, at its line)
        return -1, None
    for index, folder in enumerate(dirs):
        path = folder.joinpath(*pieces)
        if path.is_file():
            return index, path
    return -1, None


@functools.lru_cache(maxsize=1024)
def _named(source: str) -> tuple[str | None, ...]:
    """The templates a template's text extends, includes or imports and the files it embeds
    with ``asset()``; None for each named by a computed name. Kept by text for the life of
    the process: a build, and each preview rebuild, parses only what changed."""
    try:
        tree = _PARSER.parse(source)
    except TemplateSyntaxError:
        return ()  # the render reports it; the file's bytes are in the key
    return (*meta.find_referenced_templates(tree), *_assets(tree))


def _assets(tree: nodes.Template) -> list[str | None]:
    """The names ``asset("…")`` calls embed; None for any other use of ``asset`` (a
    computed name, or the function passed on), whose file cannot be known before."""
    calls = [
        call
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name == "asset"
    ]
    uses = sum(1 for name in tree.find_all(nodes.Name) if name.name == "asset")
    named: list[str | None] = [
        c.args[0].value
        for c in calls
        if len(c.args) == 1
        and isinstance(c.args[0], nodes.Const)
        and isinstance(c.args[0].value, str)
    ]
    return named if len(named) == uses else [*named, None]


def _every_file(dirs: tuple[Path, ...]) -> list[tuple[str, int, bytes | None]]:
    return [
        (path.relative_to(folder).as_posix(), index, path.read_bytes())
        for index, folder in enumerate(dirs)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]

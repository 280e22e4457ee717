"""Every change this package makes to another library or to the interpreter for the whole
process, each in its own fence with its reason; and the private attributes of those
libraries that the package reads, each read here and nowhere else.

Each changes state that every thread and every caller in the process shares, for the
time of a block or for good, so each fence says why no narrower mechanism does the job,
and when the fence can go. Third-party libraries are imported inside the functions:
``core`` must stay cheap to import, and a build that writes no PDF never loads WeasyPrint.

1. :func:`load_weasyprint`: the C compiler kept out of WeasyPrint's library lookup
   (``ctypes.util.find_library`` swapped while WeasyPrint is imported).
2. :func:`justify_chinese`: two WeasyPrint 70 functions replaced, so that justified
   Chinese lines end flush.
3. :func:`repair_tinyhtml5`: tinyhtml5 2.1.0's pattern cache replaced by one that hits.
4. :func:`bounded`: a render's time (``SIGALRM``) and memory (``RLIMIT_AS``) bounded.
5. :func:`interrupts_deferred`: Ctrl+C (``SIGINT``) held while a build commits.
6. :func:`logger_level`: fontTools' warnings silenced while a font is subset.

Private attributes read here: ``ctypes.util._findSoname_ldconfig`` (1), WeasyPrint's
``Page._page_box`` (:func:`page_box`) and ``FontConfiguration._folder``
(:func:`keep_font_files_in`). Babel's and python-docx's are read in the one module that
uses each library (``load/catalogs.py``, ``output/docx/ooxml.py``);
``tests/test_code.py`` fails on a private attribute read anywhere else.

Replaced by a scoped mechanism: ``tempfile.tempdir`` was set to the build's staging
folder around every PDF render (``build/workers.py``), so that WeasyPrint's folder of
``@font-face`` files would be made there; that moved every temporary file of the process
made meanwhile (the preview server's logs, say, made in another thread), and into a folder
the build deletes. :func:`keep_font_files_in` now gives the folder to the one font
configuration that needs it.

Not here, being a process's own set-up rather than a change made inside a run: a PDF
worker ignores ``SIGINT`` and dies with its build (``build/workers.py``: the worker process
exists for that), ``serve`` stops on ``SIGTERM`` for as long as it serves
(``cli/serve.py``), and the command line configures logging (``cli/main.py``). The PDF
writer adds a handler to WeasyPrint's logger for each render (``output/pdf.py``) to read
its warnings; WeasyPrint logs as before.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # (Unix only: Windows has no address-space limit)
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]
from types import FrameType, ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # WeasyPrint ships no types: to mypy these are Any, to a reader what each object is.
    from weasyprint.css import Style
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.text.line_break import Layout

# -- 1. WeasyPrint loaded without the C compiler ------------------------------------------
#
# Why: WeasyPrint's ``text/ffi.py`` opens Pango, HarfBuzz and fontconfig by trying, for
# each, six names written for Linux, macOS and Windows in turn; cffi hands each name it
# cannot open to ``ctypes.util.find_library``, which on Linux asks ``ldconfig`` and then runs
# the C compiler and the linker to look (16 runs of gcc on Debian 12: 0.3 s of every process
# that renders a PDF, a build's workers included, and temporary files left in TMPDIR when a
# build is killed then). Scope: ``find_library`` is swapped for ``ldconfig``'s cache lookup
# (a private function of ``ctypes.util``, read here only) for the time of the import, and put
# back after it; another thread looking up a library meanwhile would get the same answer
# from the cache or none. The names that end in ``.so.0`` are still opened directly by cffi
# (``dlopen``, which honours ``LD_LIBRARY_PATH``), so every library WeasyPrint found before
# is found the same. Not scoped further: cffi offers no way to pass a lookup to WeasyPrint's
# import. Measure with ``python3 benchmarks/weasyprint_import.py``; ``tests/test_pdf.py``
# fails if gcc runs. Drop it when WeasyPrint opens its libraries by their sonames first.


def load_weasyprint() -> ModuleType:
    """``import weasyprint``, without the C compiler looking for libraries (see above)."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint

        return weasyprint
    import ctypes.util

    original = ctypes.util.find_library
    ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if ldconfig is not None:
        ctypes.util.find_library = ldconfig
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


# -- 2. Chinese justification in WeasyPrint -----------------------------------------------
#
# Why: WeasyPrint's ``text-align: justify`` stretches only spaces (U+0020, U+00A0), and
# Chinese text has none, so every full line of a Chinese paragraph stays ragged; print
# readers expect both margins straight. The text itself is untouched (it stays selectable
# and searchable); only where glyphs sit changes: for text boxes in a CJK language (zh,
# zh-Hant: ``Language.cjk``), every gap between characters becomes a justification
# opportunity, and the extra width is added as letter spacing inside the box.
#
# What: two functions of WeasyPrint 70 (pinned in pyproject.toml), for the whole process:
# ``layout.inline.count_expandable_spaces`` counts, for a Chinese text box, an opportunity
# between every two characters, and none in a ``nowrap``/``pre`` box, so figures are set
# solid; ``text.line_break.Layout.set_text`` turns the extra width WeasyPrint gives each
# opportunity into letter spacing for Chinese runs (it would add it to spaces). Not
# scoped: WeasyPrint takes no layout hooks, and the replacements fall through to the
# originals for everything that is not justified Chinese, so every document laid out in
# the process after :func:`justify_chinese` is as before but for those lines.
#
# Upstream: WeasyPrint follows CSS Text 3 for ``text-justify: auto`` only where words are
# spaced; it has no inter-character justification and no ``text-justify:
# inter-character``. No WeasyPrint issue asks for it (Kozea/WeasyPrint's tracker searched
# on 2026-12-01: the nearest, #2893 and #2928, are about spaces in justified Latin text).
# Drop both when WeasyPrint implements inter-character justification; a version other than
# 70 is refused by the pin, and ``tests/test_print.py`` measures the ragged lines
# (``output/typeset.py``) this removes.

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_justifying = False


def is_chinese(style: Style) -> bool:
    """Whether a WeasyPrint box's computed style sets it as Chinese: its ``lang`` is a CJK
    language (``Language.cjk``: zh, zh-Hant, ja)."""
    from policybrief.core.languages import tag_language

    found = tag_language(style["lang"]) if style["lang"] else None
    return bool(found and found.cjk)


def justify_chinese() -> None:
    """Idempotent; called by the PDF writer before it lays out a document."""
    global _justifying
    if _justifying:
        return
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    original_count = inline.count_expandable_spaces

    def count_expandable(box: Box) -> int:
        if isinstance(box, boxes.TextBox) and box.style["white_space"] in ("nowrap", "pre"):
            return 0  # figures are set solid; the text around them takes the space
        if isinstance(box, boxes.TextBox) and is_chinese(box.style) and CJK.search(box.text):
            # Pango adds letter spacing between the graphemes of a run, not at its ends.
            return max(len(box.text.rstrip(" ")) - 1, 0)
        if isinstance(box, boxes.LineBox | boxes.InlineBox):
            return sum(count_expandable(child) for child in box.children)
        return int(original_count(box))

    original_set_text = line_break.Layout.set_text

    def set_text(self: Layout, text: str, justify: bool = False) -> None:
        spacing = self.justification_spacing
        if not (justify and spacing and is_chinese(self.style) and CJK.search(text)):
            return original_set_text(self, text, justify)
        style = self.style
        stretched = style.copy()
        letter = style["letter_spacing"]
        stretched["letter_spacing"] = (0 if letter == "normal" else letter) + spacing
        self.style, self.justification_spacing = stretched, 0
        try:
            return original_set_text(self, text, justify)
        finally:
            self.style, self.justification_spacing = style, spacing

    inline.count_expandable_spaces = count_expandable
    line_break.Layout.set_text = set_text
    _justifying = True


# -- 3. tinyhtml5's pattern cache ----------------------------------------------------------
#
# Why: every page is parsed at least twice: by ``render/pagecheck.py``, which decides what
# the page may load, and by WeasyPrint when it lays out a PDF. Both use tinyhtml5 2.1.0
# (pinned in pyproject.toml), whose tokenizer scans runs of text, tag names and attribute
# values with compiled "characters until" patterns kept in a module-level cache. The cache
# never hits: ``chars_until`` stores with ``characters = cache[(characters, opposite)] =
# regex``, which binds ``characters`` to the new pattern before the key is made, so each
# pattern is filed under the pattern itself and looked for under the characters. Every scan
# builds its pattern's source again (about a third of a page's parse time).
#
# What: :func:`repair_tinyhtml5` swaps that module-level dict for one that builds a missing
# pattern itself, the same pattern tinyhtml5 would build, so tinyhtml5's own store is never
# reached. Not scoped: the cache is a global of tinyhtml5's, read by every parser, and
# WeasyPrint's parser is made inside WeasyPrint. The tree is the same
# (``tests/test_pagecheck.py`` compares it on every fixture page); a page of the fixture
# project parses in about half the time (``benchmarks/parse.py``). Drop it when a tinyhtml5
# release files the pattern under the right key: the pin keeps it from meeting another
# version unnoticed.


class _Patterns(dict[tuple[Iterable[str], bool], re.Pattern[str]]):
    """``(characters, opposite)`` -> the compiled pattern ``chars_until`` matches with
    (tinyhtml5 passes the characters as a string, a tuple or a frozenset)."""

    def __missing__(self, key: tuple[Iterable[str], bool]) -> re.Pattern[str]:
        characters, opposite = key
        listed = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = re.compile(f"[{listed}]+" if opposite else f"[^{listed}]+")
        self[key] = pattern
        return pattern


def repair_tinyhtml5() -> None:
    """Idempotent; called before anything here or in WeasyPrint parses a page."""
    import tinyhtml5.inputstream

    if not isinstance(tinyhtml5.inputstream.characters_until_regex, _Patterns):
        tinyhtml5.inputstream.characters_until_regex = _Patterns()


# -- 4. A template render's time and memory ------------------------------------------------
#
# Why: templates are untrusted input, and a loop need call nothing the sandbox can
# intercept (``{% for a in "x" * 5000 %}`` three deep): only a signal stops it. Memory the
# same: a render may build a structure in steps each under the sandbox's size checks.
# What: for the time of one render, a ``SIGALRM`` handler and timer (``TooSlow`` after
# ``seconds``) and an address-space limit (``RLIMIT_AS``: a ``MemoryError`` past what the
# process had plus ``memory``); both are put back after the render. Not scoped: Python has
# no per-thread deadline or allocation limit, so the limit holds for every thread of the
# process while a render runs (a preview server's other threads included), and signals
# reach the main thread only: :func:`bounded` does nothing in any other thread. Where
# there is no SIGALRM (Windows) a watchdog thread raises ``TooSlow`` in the rendering
# thread instead (an asynchronous exception; a render that ends just as the deadline
# passes may still see it), and where ``RLIMIT_AS`` or /proc is missing (Windows, macOS)
# time alone bounds a render. Keep it while templates come from outside the engine.


class TooSlow(Exception):
    """A template render ran past its deadline."""


@contextmanager
def bounded(seconds: float, memory: int) -> Iterator[None]:
    """Interrupt the block after ``seconds``, and let it allocate at most ``memory`` bytes
    more (a MemoryError past that). Main thread only: signals need it, and the address-space
    limit is the whole process's."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    message = f"rendering took longer than {seconds:g} s (a loop without end?)"
    if not hasattr(signal, "setitimer"):  # Windows: no SIGALRM
        with _watchdog(seconds, message):
            yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(message)

    previous = signal.signal(signal.SIGALRM, expire)
    limits = _limit_memory(memory)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if limits is not None and resource is not None:
            resource.setrlimit(resource.RLIMIT_AS, limits)


def _limit_memory(memory: int) -> tuple[int, int] | None:
    """Cap the address space at what the process has plus ``memory``; the limits to put
    back, or None where it cannot be done (no ``resource``, no /proc: macOS, Windows), and
    time alone bounds the render."""
    if resource is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
        cap = used + memory
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError):
        return None
    return soft, hard


@contextmanager
def _watchdog(seconds: float, message: str) -> Iterator[None]:
    """Where there is no SIGALRM (Windows): a timer thread that raises :class:`TooSlow` in
    this thread when ``seconds`` pass (an asynchronous exception, delivered between two
    bytecodes of the render: a template loop is stopped, as by the signal)."""
    import ctypes

    target = threading.get_ident()
    done = threading.Event()

    def expire() -> None:
        if not done.wait(seconds):
            set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
            set_async(ctypes.c_ulong(target), ctypes.py_object(_TooSlowHere))

    class _TooSlowHere(TooSlow):
        def __init__(self) -> None:
            super().__init__(message)

    timer = threading.Thread(target=expire, daemon=True)
    timer.start()
    try:
        yield
    finally:
        done.set()
        timer.join()


def describe(exc: BaseException, memory: int) -> str:
    """What a bounded template render raised, in words for the person who wrote the
    template; ``memory``: the bytes :func:`bounded` allowed."""
    if isinstance(exc, RecursionError):
        return (
            "templates nest too deeply (a template that extends or includes itself, or a "
            "macro that calls itself without end)"
        )
    if isinstance(exc, MemoryError):
        return f"out of memory (a page may use at most {memory // 2**20} MiB more while it renders)"
    return str(exc)


# -- WeasyPrint's private attributes ----------------------------------------------------------
#
# WeasyPrint 70 (pinned) has no public way to reach either; each is read here only.


def page_box(page: Page) -> PageBox:
    """The laid-out box tree of one page of a rendered document (``Page._page_box``):
    what the footnote repair and the justification measure read."""
    return page._page_box


def keep_font_files_in(font_config: FontConfiguration, folder: Path | None) -> None:
    """Make ``font_config`` copy its ``@font-face`` files into a new ``weasyprint-*``
    folder inside ``folder`` (the build's staging folder, which goes when the build does),
    not in the system's temporary folder: WeasyPrint removes its folder only when the
    process ends normally, so a build killed while rendering left it there for good.
    WeasyPrint 70 makes that folder with ``mkdtemp()`` the first time a face is added, and
    takes no folder from its callers; it removes whatever ``_folder`` names when the font
    configuration goes. ``None``: WeasyPrint's own choice (TMPDIR)."""
    if folder is None or font_config._folder is not None:
        return
    import tempfile

    font_config._folder = Path(tempfile.mkdtemp(prefix="weasyprint-", dir=folder))


# -- 5. Ctrl+C while a build commits ------------------------------------------------------------
#
# Why: once a build has begun to swap its staged files into the output folder the swap
# goes to its end (all or nothing), and a build that has committed is done, so an interrupt
# then is too late to undo it and is dropped rather than reported as "unchanged". What: a
# ``SIGINT`` handler that records the signal, for the time of the commit; the previous
# handler is put back after. Not scoped further: signal handlers are the process's, and
# reach the main thread only, so :func:`interrupts_deferred` does nothing in another thread.


@contextmanager
def interrupts_deferred() -> Iterator[list[int]]:
    """Hold Ctrl+C for the block; the list yielded records the signals held."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


# -- 6. fontTools' warnings while subsetting ---------------------------------------------------
#
# Why: moving glyphs to the front of a subset face (output/fonts.py) leaves some coverage
# tables in range form with unsorted indices, which fontTools writes correctly and reports
# as a warning on every build. What: the ``fontTools`` logger (and so its children) at
# ERROR for the block, then back to its level. Not scoped further: a logger's level is the
# process's, and a filter would not reach the children's records; another thread's
# fontTools warnings in that time are lost too (the build subsets fonts in worker
# processes or alone).


@contextmanager
def logger_level(name: str, level: int) -> Iterator[None]:
    """Logger ``name`` at ``level`` for the block, then at its own level again."""
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)

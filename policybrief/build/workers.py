"""Write stage, PDFs in parallel: a pool of worker processes, each keeping one warm
WeasyPrint (font configuration, fetcher) across the documents it renders.

The parent process renders HTML (fast) and sends each page's HTML to a worker; WeasyPrint
is imported only inside workers, or in-process when one worker is enough.

Either way WeasyPrint's temporary files (every @font-face font is copied into a
``weasyprint-*`` folder, about 3 MB) go to the folder the caller names, the build's own
under its staging folder (see :mod:`write`), not to the system's temporary folder:
WeasyPrint removes its folder only when the process ends normally, so a build killed while
rendering (SIGKILL, out of memory, power loss) left it there for good.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.util
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.core.starts import start_context
from policybrief.output.fonts import FontSet
from policybrief.output.pdf import Attachment, PdfResult, PdfWriter

if TYPE_CHECKING:
    from policybrief.build.plan import Output
    from policybrief.output.printshop import PrintSpec


@dataclass(frozen=True)
class PdfJob:
    key: Output  # the output this PDF is for
    html: str
    target: Path  # where the worker writes the PDF (a staging file)
    label: str  # what progress reports show
    weight: int = 1  # bigger jobs start first
    variant: str | None = None
    attachments: tuple[Attachment, ...] = ()
    printing: PrintSpec | None = None  # a pdf/x-4 output's marks, slug and colours
    one_page: bool = False  # its audience's limit is one page


@dataclass(frozen=True)
class PdfDone:
    key: Output
    result: PdfResult
    seconds: float
    pid: int


_writer: PdfWriter | None = None
_roots: tuple[Path, ...] = ()
_fonts: FontSet | None = None
_temp: Path | None = None  # where WeasyPrint's temporary files go (None: TMPDIR)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _init(roots: tuple[Path, ...], fonts: FontSet | None = None, temp: Path | None = None) -> None:
    global _roots, _writer, _fonts, _temp
    _roots, _writer, _fonts, _temp = roots, None, fonts, temp
    parent = multiprocessing.parent_process()
    if parent is not None:  # Ctrl+C is the parent's to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with(parent.pid)
        # A worker leaves by os._exit(), which skips the finalizer of WeasyPrint's font
        # configuration: its temporary folder of @font-face files (about 3 MB) stayed
        # behind until the build's end. Drop the writer while the worker exits.
        multiprocessing.util.Finalize(None, _drop_writer, exitpriority=10)


def _die_with(parent: int | None) -> None:
    """End this worker when the build that started it is killed outright (SIGKILL, out of
    memory): it would otherwise wait for work forever, holding the build's staging folder
    (see :mod:`write`), which no later build could then remove. Linux (prctl) only."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the worker stays, as before
        return
    if prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0 and os.getppid() != parent:
        os._exit(1)  # the build was killed before the call above


def _drop_writer() -> None:
    global _writer
    _writer = None
    gc.collect()  # (in case the font configuration is held in a cycle)


def _render(job: PdfJob, base_url: Path) -> tuple[PdfResult, float, int]:
    """Render one PDF into ``job.target``; the bytes stay out of the pipe to the parent."""
    global _writer
    started = time.perf_counter()
    if _writer is None:
        _writer = PdfWriter(_roots, _fonts, _temp)
    result = _writer.render(
        job.html, base_url, job.variant, job.attachments, job.printing, job.one_page
    )
    with open(job.target, "wb") as out:
        out.write(result.data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(job.target, 0o644)
    return replace(result, data=b""), time.perf_counter() - started, os.getpid()


def default_jobs() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def _alongside(pool: ProcessPoolExecutor, meanwhile: Callable[[], None] | None) -> None:
    """``meanwhile`` in this process while the pool renders; its error (or Ctrl+C) ends
    the build, and the queued PDFs are dropped."""
    if meanwhile is None:
        return
    try:
        meanwhile()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def render_all(
    jobs: list[PdfJob],
    roots: tuple[Path, ...],
    base_url: Path,
    workers: int,
    progress: Callable[[int, int, str], None] | None = None,
    fonts: FontSet | None = None,
    temp: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[PdfDone]:
    """Render every job, yielding each as it completes (largest jobs start first);
    ``fonts``: the subset faces every worker serves (see :mod:`fonts`); ``temp``: the
    folder for WeasyPrint's temporary files, which goes when the build does;
    ``meanwhile``: work for this process while the workers render (the Word editions),
    called once, before the first PDF is yielded (first of all when there are no workers)."""
    ordered = sorted(jobs, key=lambda j: -j.weight)
    total = len(ordered)
    workers = max(1, min(workers, total))
    if workers == 1:  # no workers to overlap with: this process's work first
        if meanwhile is not None:
            meanwhile()
        _init(roots, fonts, temp)
        for done, job in enumerate(ordered, 1):
            result, seconds, pid = _render(job, base_url)
            if progress:
                progress(done, total, job.label)
            yield PdfDone(job.key, result, seconds, pid)
        return
    context = start_context()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(roots, fonts, temp)
    ) as pool:
        pending = {pool.submit(_render, job, base_url): job for job in ordered}
        _alongside(pool, meanwhile)
        done = 0
        while pending:
            try:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            except BaseException:  # Ctrl+C: drop the queued PDFs, let running ones end
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            for future in finished:
                job = pending.pop(future)
                result, seconds, pid = future.result()
                done += 1
                if progress:
                    progress(done, total, job.label)
                yield PdfDone(job.key, result, seconds, pid)

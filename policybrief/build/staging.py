"""Write stage: a build replaces all of its files or none of them.

A build stages every file it makes in its own folder under ``<out>/.staging/`` (so memory
stays flat however many outputs there are). Only when everything has rendered does it move
them into place, under a lock shared by all builds into that output folder: first a
journal listing every file is written, the files being replaced are hard-linked aside, then
each staged file is renamed over its target. If a rename fails (a full disk, a read-only
folder, Ctrl+C) the files already swapped are put back and the build fails with the output
folder as it was. If the build is killed in the middle, the journal stays behind and the
next build into that folder rolls the half-done swap back before it does anything else.

The build's other temporary files (the PDF workers' copies of @font-face fonts) live in
the staging folder too, under ``.tmp/``: they go with it, when the build ends or, after a
build was killed, when the next build into that folder sweeps it away, never in the
system's temporary folder, where nothing would ever remove them.

Only files and folders this module names are ever removed: ``.staging/<pid>-*`` folders
holding a ``.held`` marker and ``.policybrief-*.tmp`` files.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import filelock

from policybrief.core.errors import UsageError
from policybrief.core.files import fail, sync_folder, write_file

LOCK_NAME = ".policybrief.lock"
STAGING = ".staging"
_HELD = ".held"
_JOURNAL = ".journal.json"
_OLD = ".old"
_TMP = ".tmp"
_TEMP = re.compile(r"\.policybrief-.*\.tmp\Z")
_STAGED = re.compile(r"\d+-[a-z0-9_]+\Z")


def check_output_folder(out: Path, root: Path, inputs: list[Path]) -> None:
    """The output folder may not be a file, the project itself or a folder holding it, nor
    be, hold or lie inside an input folder (facts, briefs, templates, source texts), nor
    hold an input file (the theme file the settings name): a build there would overwrite or
    sweep the inputs."""
    target = out.resolve()
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    root = root.resolve()
    if target == root or root.is_relative_to(target):
        raise UsageError(
            f"--out {out}: the output folder may not be the project folder or "
            "hold it (use a new folder such as dist/)"
        )
    for folder in inputs:
        folder = folder.resolve()
        if target == folder or target.is_relative_to(folder) or folder.is_relative_to(target):
            shown = (
                folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
            )
            what = f"file {shown}" if folder.is_file() else f"folder {shown}/"
            raise UsageError(
                f"--out {out}: the output folder overlaps the input {what} "
                "(use a new folder such as dist/)"
            )


class Staging:
    """A build's private folder for finished files, moved into place by :meth:`commit`."""

    def __init__(self, out: Path):
        self.out = out
        self.files: dict[str, Path] = {}
        try:
            root = out / STAGING
            root.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
            # Held for this build's life: the lock tells other builds this folder is in use.
            self._held = file_lock(self.folder / _HELD)
            self._held.acquire()
        except OSError as exc:
            raise fail(out, exc) from None

    def path(self, relative: str) -> Path:
        """Where to stage ``relative`` (workers write PDFs there directly)."""
        staged = self.folder / relative.replace("/", "__")
        self.files[relative] = staged
        return staged

    def temporary(self) -> Path:
        """A folder for this build's temporary files, removed with the staging folder."""
        folder = self.folder / _TMP
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise fail(self.out, exc) from None
        return folder

    def put(self, relative: str, data: bytes) -> None:
        try:
            write_file(self.path(relative), data)
        except OSError as exc:
            raise fail(self.out / relative, exc) from None

    def commit(self) -> None:
        """Swap every staged file in, all or nothing; raises OutputError if it cannot."""
        journal = self.folder / _JOURNAL
        old = self.folder / _OLD
        entries: list[dict[str, str]] = []  # target, staged, backup ("" when none)
        try:
            old.mkdir()
            for n, (relative, staged) in enumerate(sorted(self.files.items())):
                target = self.out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                backup = None
                if target.is_file():
                    backup = old / str(n)
                    try:
                        os.link(target, backup)  # a second name, no data: cannot fill a disk
                    except OSError as exc:
                        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
                            raise
                        shutil.copy2(target, backup)  # a file system without hard links
                entries.append(
                    {
                        "target": relative,
                        "staged": staged.name,
                        "backup": backup.name if backup else "",
                    }
                )
            write_file(journal, json.dumps(entries).encode("utf-8"))
        except OSError as exc:
            raise fail(self.out, exc) from None
        done = 0
        try:
            for entry in entries:
                os.replace(self.folder / entry["staged"], self.out / entry["target"])
                done += 1
        except BaseException as exc:
            _roll_back(self.out, self.folder, entries[:done])
            journal.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise fail(self.out / entries[done]["target"], exc) from None
            raise
        journal.unlink()
        for folder in {(self.out / e["target"]).parent for e in entries}:
            sync_folder(folder)
        self.files.clear()

    def close(self) -> None:
        self._held.release()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _roll_back(out: Path, folder: Path, entries: list[dict[str, str]]) -> None:
    """Put back what a commit had already replaced (newest first)."""
    for entry in reversed(entries):
        target = out / entry["target"]
        with contextlib.suppress(FileNotFoundError):  # already put back by an earlier try
            if entry["backup"]:
                os.replace(folder / _OLD / entry["backup"], target)
            else:
                target.unlink()


def sweep(out: Path) -> None:
    """Finish what builds that are no longer running left behind: roll back a half-done
    commit, remove their staging folders and this tool's temporary files. Nothing else."""
    root = out / STAGING
    if root.is_dir() and not root.is_symlink():
        for folder in sorted(root.iterdir()):
            if _abandoned(folder):
                _finish(out, folder)
    for here, dirs, files in os.walk(out):  # does not follow symlinked folders
        dirs[:] = [d for d in dirs if d != STAGING]
        for name in files:
            if _TEMP.match(name):
                (Path(here) / name).unlink(missing_ok=True)


def file_lock(path: Path, timeout: float = -1) -> filelock.BaseFileLock:
    """An exclusive lock on ``path`` between processes, on every system (filelock: flock
    on Linux and macOS, LockFileEx on Windows), released when the process ends however it
    ends. The file stays after release (a staging folder's marker is its lock file), and a
    file system without locks is an error, never a lock by the file's mere existence."""
    return filelock.FileLock(path, timeout=timeout, preserve_lock_file=True, fallback_to_soft=False)


def _abandoned(folder: Path) -> bool:
    """A staging folder of this tool's (named so, holding its marker) that no running build
    holds."""
    if not _STAGED.match(folder.name) or folder.is_symlink() or not (folder / _HELD).is_file():
        return False  # not ours
    held = file_lock(folder / _HELD, timeout=0)
    try:
        held.acquire()
    except (filelock.Timeout, OSError):  # a running build holds it
        return False
    held.release()
    return True


def _finish(out: Path, folder: Path) -> None:
    """Roll back the half-done commit an abandoned staging folder's journal records, then
    remove the folder."""
    journal = folder / _JOURNAL
    if journal.is_file():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = []
        # Only the entries whose staged file is gone had been swapped in.
        _roll_back(out, folder, [e for e in entries if not (folder / e["staged"]).exists()])
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Serialize the commit phase of builds that share an output folder."""
    lock = file_lock(out / LOCK_NAME)
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError as exc:
        raise fail(out, exc) from None
    try:
        sweep(out)
        yield
    finally:
        lock.release()

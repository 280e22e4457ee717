"""Write stage: files land whole or not at all, and a failed build replaces nothing.

A build stages every file it makes in its own folder under ``<out>/.staging/`` (so memory
stays flat however many outputs there are) and, only when everything has rendered, moves
them into place with ``os.replace`` under a lock shared by all builds into that output
folder. A killed build leaves its staging folder behind; the next build removes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

LOCK_NAME = ".policybrief.lock"
STAGING = ".staging"
_HELD = ".held"


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o644)


def atomic_write(path: Path, data: bytes) -> None:
    """Write one file by way of a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        _write(Path(temp), data)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class Staging:
    """A build's private folder for finished files, moved into place by :meth:`commit`."""

    def __init__(self, out: Path):
        self.out = out
        root = out / STAGING
        root.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
        # Held for this build's life: the lock tells other builds this folder is in use.
        self._held = open(self.folder / _HELD, "wb")  # noqa: SIM115 - closed in close()
        fcntl.flock(self._held.fileno(), fcntl.LOCK_EX)
        self.files: dict[str, Path] = {}

    def path(self, relative: str) -> Path:
        """Where to stage ``relative`` (workers write PDFs there directly)."""
        staged = self.folder / relative.replace("/", "__")
        self.files[relative] = staged
        return staged

    def put(self, relative: str, data: bytes) -> None:
        try:
            _write(self.path(relative), data)
        except OSError as exc:
            raise OutputError(f"{self.out / relative}: cannot write: {exc.strerror}") from None

    def commit(self) -> None:
        for relative, staged in self.files.items():
            target = self.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        self.files.clear()

    def close(self) -> None:
        self._held.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sweep(out: Path) -> None:
    """Remove staging folders and temporary files left by builds that are no longer running."""
    root = out / STAGING
    if root.is_dir():
        for folder in root.iterdir():
            try:
                with open(folder / _HELD, "ab") as held:
                    fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a running build
            except OSError:
                pass
            shutil.rmtree(folder, ignore_errors=True)
    for stale in out.glob("**/.*.tmp"):
        stale.unlink(missing_ok=True)


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Serialize the commit phase of builds that share an output folder."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            sweep(out)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

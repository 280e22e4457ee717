"""Writing one file safely: by way of a temporary file in the same folder, synced, then
renamed over the old one, so a reader (or a crash) sees the old bytes or the new, never
half. The build's staging folder (:mod:`policybrief.build.staging`) writes every output
this way; the editions' snapshots and the translation sync file use it alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from policybrief.core.errors import OutputError

TEMP_PREFIX = ".policybrief-"


def fail(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += " (free some space and build again)"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += " (choose a writable folder with --out)"
    return OutputError(f"{path}: cannot write: {reason}")


def write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o644)


def sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def atomic_write(path: Path, data: bytes) -> None:
    """Write one file by way of a temporary file in the same folder and a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise fail(path, exc) from None
    os.close(handle)
    try:
        write_file(Path(temp), data)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise fail(path, exc) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


MAX_NAME_BYTES = 255  # a file name's length on every common file system (ext4, APFS, NTFS)


def long_name(name: str) -> str | None:
    """Why ``name`` (a path relative to some folder) cannot name a file: a part of it longer
    than :data:`MAX_NAME_BYTES` bytes in UTF-8 (the system would refuse it with "File name
    too long" when it is looked up); or None."""
    for part in name.replace("\\", "/").split("/"):
        size = len(part.encode("utf-8", errors="surrogatepass"))
        if size > MAX_NAME_BYTES:
            return (
                f"the file name {part[:24] + '…'!r} is {size:,} bytes long; a name may "
                f"have at most {MAX_NAME_BYTES}"
            )
    return None

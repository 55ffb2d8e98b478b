"""Files leadpipe writes hold personal data: only the user running leadpipe may read them.

Every entry point (the `leadpipe` command, the Prefect flows, the intake service, which starts
through the command) calls `restrict_umask()` once, so whatever a library creates (DuckDB's
WAL, SQLite's journal, a temporary list copy) is 0600 and every directory 0700. The helpers
below also set the modes explicitly where leadpipe itself creates files, and tighten what an
older version created 0644.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_umask() -> None:
    """New files 0600, new directories 0700, for this process and the children it starts."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) 0700; an existing leadpipe directory is tightened."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path)
    return path


def tighten(path: Path) -> None:
    """Take group and other bits off a file or directory we own (e.g. one made 0644 before).

    A file owned by someone else (a reader opening a shared warehouse) is left alone.
    """
    with contextlib.suppress(FileNotFoundError, PermissionError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """`os.open` with mode 0600, whatever the umask; the caller wraps the descriptor."""
    return os.open(path, flags, FILE_MODE)


def write_private_text(path: Path, text: str) -> None:
    """Write a small text file created 0600 (an existing one is tightened too)."""
    with os.fdopen(open_private(path), "w", encoding="utf-8") as fh:
        fh.write(text)
    tighten(path)


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write through a temporary file (created with `mode`), fsync'd and renamed, the folder
    fsync'd too: a reader sees the old file or the new one, never half, even after a crash."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)

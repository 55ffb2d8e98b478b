"""Cross-process locking around the DuckDB file.

DuckDB lets one process hold a database file for writing, and while it does no other process
can even open it. A second flow that simply opened the file would crash with a raw lock error.
So every leadpipe process takes an advisory lock on `<db>.lock` first: writers exclusively,
readers shared. Writers wait (up to a timeout, with a message naming who holds the lock);
readers wait briefly and then fall back to the published snapshot (see `warehouse.db`).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from foundation.private import DIR_MODE, open_private, write_private_text


class WarehouseBusy(RuntimeError):
    """The warehouse stayed locked by another leadpipe process for longer than allowed."""


@dataclass
class LockHolder:
    pid: int | None
    host: str | None
    purpose: str | None
    since: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "another leadpipe process"
        return f"pid {self.pid} on {self.host} ({self.purpose}, since {self.since})"


def _holder_path(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + ".holder")


def read_holder(lock_path: Path) -> LockHolder:
    """Who holds the write lock, as far as the holder wrote it down."""
    try:
        info = json.loads(_holder_path(lock_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return LockHolder(None, None, None, None)
    return LockHolder(info.get("pid"), info.get("host"), info.get("purpose"), info.get("since"))


class FileLock:
    """An flock(2) lock; `exclusive` for writers, shared for readers."""

    def __init__(self, lock_path: Path, *, exclusive: bool, purpose: str) -> None:
        self.lock_path = lock_path
        self.exclusive = exclusive
        self.purpose = purpose
        self._fh: IO[str] | None = None

    def try_acquire(self) -> bool:
        self.lock_path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = open_private(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
        fh = os.fdopen(fd, "a+", encoding="utf-8")  # held until release
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fh.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        self._fh = fh
        if self.exclusive:
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "purpose": self.purpose,
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            write_private_text(_holder_path(self.lock_path), json.dumps(holder))
        return True

    def acquire(
        self,
        timeout_s: float,
        *,
        on_wait: Callable[[LockHolder], None] | None = None,
        poll_s: float = 0.2,
    ) -> bool:
        """Wait up to `timeout_s` for the lock; report the holder once via `on_wait`."""
        deadline = time.monotonic() + timeout_s
        told = False
        while True:
            if self.try_acquire():
                return True
            if not told and on_wait is not None:
                on_wait(read_holder(self.lock_path))
                told = True
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll_s)

    def release(self) -> None:
        if self._fh is None:
            return
        if self.exclusive:
            _holder_path(self.lock_path).unlink(missing_ok=True)
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None


def print_waiting(holder: LockHolder) -> None:
    print(f"leadpipe: warehouse is in use by {holder.describe()}; waiting…", file=sys.stderr)

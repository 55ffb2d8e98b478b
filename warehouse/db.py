"""Opening the warehouse: the only place a DuckDB connection is made.

`open_warehouse(settings, write=True)` waits for the cross-process write lock, opens the file,
applies pending migrations, builds the views (`warehouse.views`) and hands out a `Warehouse`.
With `write=False` it waits briefly for running writers and, if they take longer, reads the
snapshot that the last successful run published, so a sales export during the nightly run
still works.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from foundation.private import DIR_MODE, open_private, tighten
from foundation.settings import Settings
from warehouse.compact import CompactResult, copy_live, swap_in
from warehouse.export_log import fold_journal, journal_dir
from warehouse.lock import FileLock, WarehouseBusy, print_waiting
from warehouse.migrate import (
    apply_migrations,
    current_version,
    latest_version,
    pending_versions,
)
from warehouse.views import build_views
from warehouse.workspace_journal import (
    fold_workspace_journal,
    folded_entries,
    forget_folded,
)


class WarehouseMissing(RuntimeError):
    """There is no warehouse file yet, so there is nothing to read."""


class Warehouse:
    """A DuckDB connection with the few helpers the warehouse modules share."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, *, snapshot: bool,
                 home: Path | None = None) -> None:
        self.con = con
        self.path = path
        self.is_snapshot = snapshot
        self.home = home or path
        """The warehouse file this session belongs to (a snapshot's is the live file): its
        journals lie beside it."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement whose result is not needed (fetched, so the connection is free)."""
        self.con.execute(sql, params or []).fetchall()

    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.fetchone(sql, params)
        return None if row is None else row[0]

    def dicts(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        rows = cur.fetchall()
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def insert_columns(self, table: str, columns: Mapping[str, Sequence[Any]]) -> int:
        """Insert many rows given column-wise (name → values), far faster than executemany.

        DuckDB scans a dict of NumPy arrays directly; the column names must exist in `table`.
        """
        if not columns:
            return 0
        _bulk = {name: np.asarray(values, dtype=object) for name, values in columns.items()}
        names = ", ".join(f'"{name}"' for name in _bulk)
        self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _bulk").fetchall()
        return len(next(iter(_bulk.values())))

    def id_table(self, name: str, column: str, ids: Sequence[str]) -> str:
        """A temporary one-column table of these ids to join against (a long list parameter
        would be compared row by row); returns its name."""
        self.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({column} VARCHAR)")
        self.insert_columns(name, {column: list(ids)} if ids else {})
        return name

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """All-or-nothing: commit when the block ends, roll back when it raises."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")


def _connect(path: Path, *, read_only: bool, deadline: float,
             sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while a process outside leadpipe (e.g. the duckdb CLI) holds the file.

    `sandboxed` (with `read_only`) turns off every file and network access but the warehouse's
    own file, and locks the configuration so a query cannot `SET` it back.
    """
    config: dict[str, str | bool | int | float | list[str]] = (
        {"enable_external_access": False} if sandboxed else {})
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"cannot open {path}: another program holds the DuckDB file "
                    f"({exc}). Close it (e.g. a duckdb shell) and try again."
                ) from exc
            time.sleep(0.5)
            continue
        con.execute("SET enable_progress_bar = false")
        if sandboxed:
            con.execute("SET lock_configuration = true")
        return con


_INSTANCE: duckdb.DuckDBPyConnection | None = None
_INSTANCE_LOCK = threading.Lock()
_ALIASES = itertools.count()


@contextlib.contextmanager
def _attached(path: Path, *, deadline: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on this process's in-memory DuckDB with `path` attached read-only for the
    block (and made its default database, so `marts.x` means the warehouse's).

    Starting a DuckDB instance per connection costs 20-80 ms (threads, buffer manager);
    attaching a file to a running one a few. The file's lock is held only while attached,
    exactly as with a connection of its own, so a writer is never kept out between blocks.
    """
    global _INSTANCE
    with _INSTANCE_LOCK:  # a connection is not thread-safe; its cursors are, one a thread
        if _INSTANCE is None:
            _INSTANCE = duckdb.connect(":memory:")
        cur = _INSTANCE.cursor()
    alias = f"warehouse_{next(_ALIASES)}"
    literal = "'" + str(path).replace("'", "''") + "'"
    try:
        while True:
            try:
                cur.execute(f"ATTACH {literal} AS {alias} (READ_ONLY)")
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"cannot open {path}: another program holds the DuckDB file "
                        f"({exc}). Close it (e.g. a duckdb shell) and try again.") from exc
                time.sleep(0.5)
        cur.execute("SET enable_progress_bar = false")
        cur.execute(f"USE {alias}")
        try:
            yield cur
        finally:
            cur.execute("USE memory")
            cur.execute(f"DETACH {alias}")
    finally:
        cur.close()


@contextlib.contextmanager
def _reader(path: Path, *, deadline: float, sandboxed: bool,
            reuse_instance: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for the block: attached to the process's instance when asked
    (and not sandboxed: a sandbox locks its own instance's configuration), else its own."""
    if reuse_instance and not sandboxed:
        with _attached(path, deadline=deadline) as cur:
            yield cur
        return
    con = _connect(path, read_only=True, deadline=deadline, sandboxed=sandboxed)
    try:
        yield con
    finally:
        con.close()


def publish_snapshot(settings: Settings) -> Path | None:
    """Copy the committed warehouse to the snapshot readers use while a writer runs.

    Call only while holding the write lock with the connection closed (or checkpointed).
    """
    src = settings.db_path
    if not src.exists():
        return None
    dst = settings.snapshot_path
    tmp = dst.with_name(dst.name + f".tmp-{os.getpid()}")
    folded = folded_entries(src)
    with open(src, "rb") as fh, os.fdopen(open_private(tmp), "wb") as out:
        shutil.copyfileobj(fh, out, 1 << 20)
    tmp.replace(dst)
    forget_folded(src, folded)  # the snapshot holds them now
    return dst


def compact_warehouse(settings: Settings, purpose: str = "compact") -> CompactResult:
    """Rewrite the warehouse so freed blocks (erased rows) leave the file; re-publish.

    Takes the write lock like any writer; see `warehouse.compact` for why.
    """
    started = time.monotonic()
    lock = FileLock(_lock_path(settings), exclusive=True, purpose=purpose)
    if not lock.acquire(settings.lock_timeout_s, on_wait=print_waiting):
        raise WarehouseBusy(f"the warehouse {settings.db_path} stayed in use for more than "
                            f"{settings.lock_timeout_s:.0f} s; it was not rewritten. Try again "
                            "when the other run has finished.")
    try:
        con = _connect(settings.db_path, read_only=False,
                       deadline=time.monotonic() + settings.lock_timeout_s)
        try:
            fresh = copy_live(con, settings.db_path)
        finally:
            con.close()
        result = swap_in(fresh, settings.db_path, started)
        publish_snapshot(settings)
    finally:
        lock.release()
    return result


def log_pending_exports(settings: Settings) -> None:
    """Fold journaled export-log entries in now, unless another run is writing (then its
    next session does, see `warehouse.export_log`). Nothing journaled: no write session (the
    export log page calls this on every view)."""
    if not any(journal_dir(settings.db_path).glob("*.json")):
        return
    try:
        with open_warehouse(replace(settings, lock_timeout_s=0.0), write=True,
                            purpose="export log"):
            pass  # opening for writing folds the journal
    except WarehouseBusy:
        pass


def tighten_files(settings: Settings) -> None:
    """Make the data directory 0700 and leadpipe's files 0600, also when made 0644 earlier."""
    tighten(settings.data_dir)
    wal = settings.db_path.with_name(settings.db_path.name + ".wal")
    lock = _lock_path(settings)
    for path in (settings.db_path, wal, settings.snapshot_path, lock,
                 lock.with_name(lock.name + ".holder"), settings.secret_path):
        tighten(path)


def _lock_path(settings: Settings) -> Path:
    return settings.db_path.with_name(settings.db_path.name + ".lock")


@contextlib.contextmanager
def open_warehouse(
    settings: Settings, *, write: bool, purpose: str = "leadpipe", publish: bool = False,
    create: bool = False, sandboxed: bool = False, reuse_instance: bool = False,
) -> Iterator[Warehouse]:
    """Open the warehouse for writing (exclusive, migrated) or reading (shared or snapshot).

    `create=True` (the commands that bring data in) makes a new warehouse where none exists;
    every other command says that there is none instead of answering from an empty one.
    `publish=True` copies the file to the read snapshot after a successful write session.
    `sandboxed=True` (reads only) is for queries a user typed: no file or network access.
    `reuse_instance=True` (reads only) is for a server that opens the warehouse per request:
    the file is attached to one DuckDB instance the process keeps instead of starting a new
    instance each time (`_attached`); the file is held only inside the block all the same.
    """
    if write and not create and not settings.db_path.exists():
        raise WarehouseMissing(_missing_message(settings))
    settings.db_path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten_files(settings)
    lock = FileLock(_lock_path(settings), exclusive=write, purpose=purpose)
    if write:
        waiting = print_waiting if settings.lock_timeout_s > 0 else None
        if not lock.acquire(settings.lock_timeout_s, on_wait=waiting):
            raise WarehouseBusy(
                f"the warehouse {settings.db_path} stayed in use for more than "
                f"{settings.lock_timeout_s:.0f} s; nothing was changed. Try again when the "
                "other run has finished (or raise LEADPIPE_LOCK_TIMEOUT)."
            )
        try:
            con = _connect(
                settings.db_path, read_only=False,
                deadline=time.monotonic() + settings.lock_timeout_s,
            )
            tighten(settings.db_path)  # DuckDB creates it by the umask
            wh = Warehouse(con, settings.db_path, snapshot=False)
            try:
                build_views(wh, force=bool(apply_migrations(wh)))
                fold_journal(wh, settings.db_path)
                fold_workspace_journal(wh, settings.db_path)
                yield wh
                con.execute("CHECKPOINT")
            finally:
                con.close()
            if publish:
                publish_snapshot(settings)
        finally:
            lock.release()
        return

    if lock.acquire(settings.read_wait_s):
        try:
            if not settings.db_path.exists():
                raise WarehouseMissing(_missing_message(settings))
            with _reader(settings.db_path, deadline=time.monotonic() + 5, sandboxed=sandboxed,
                         reuse_instance=reuse_instance) as con:
                _check_version(Warehouse(con, settings.db_path, snapshot=False))
                yield Warehouse(con, settings.db_path, snapshot=False)
        finally:
            lock.release()
        return

    snapshot = settings.snapshot_path
    if not snapshot.exists():
        raise WarehouseBusy(
            f"the warehouse {settings.db_path} is being written by another run and no "
            "published snapshot exists yet; try again when that run has finished"
        )
    print(
        f"leadpipe: a run is writing the warehouse; reading the snapshot published at "
        f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(snapshot.stat().st_mtime))}",
        file=sys.stderr,
    )
    with _reader(snapshot, deadline=time.monotonic() + 5, sandboxed=sandboxed,
                 reuse_instance=reuse_instance) as con:
        yield Warehouse(con, snapshot, snapshot=True, home=settings.db_path)


def _missing_message(settings: Settings) -> str:
    return (f"no warehouse at {settings.db_path} yet. Load a first list to create it "
            "(`leadpipe ingest list FILE --vendor V --acquired-on 2026-11-20`, or put lists "
            "into data/inbox/lists/ and run `leadpipe run nightly`), try `make demo`, or "
            "point --db / LEADPIPE_DB at an existing warehouse")


_CURRENT_FILES: set[tuple[str, int, int, int]] = set()
"""Warehouse files (path, inode, mtime, size) this process found migrated: a web server
reads per request, and five version queries a request are a tenth of a page's time. A
writer that migrates changes the file, so the check runs again."""


def _check_version(wh: Warehouse) -> None:
    stat = wh.path.stat()
    key = (str(wh.path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key in _CURRENT_FILES:
        return
    have, want = current_version(wh), latest_version()
    if pending_versions(wh):
        raise WarehouseMissing(
            f"the warehouse {wh.path} is at schema version {have}, this leadpipe needs {want}: "
            "run any writing command (e.g. `leadpipe run nightly`) to migrate it"
        )
    _CURRENT_FILES.add(key)

"""Temporary files of a run carry its process id, so the next run can sweep a killed one's.

A run killed with SIGKILL leaves its temporary list copies (`<data>/tmp/ingest-<pid>-…`), its
crawl output (`<data>/crawl/crawl-<time>-<pid>.jsonl`, pages with names of people outside
the warehouse's erasure), its partition and shard files (`<partitions>/enrich-<run>-<pid>/`,
`<partitions>/match-<run>-<pid>/`, `<partitions>/crawl-<time>-<pid>/`, named by the writer's
process, docs/scaling.md) and a half-copied snapshot. Whatever belongs to a process that no
longer runs is removed at the next start, and the removal is reported.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from foundation.children import stop_orphans
from foundation.private import private_dir
from foundation.settings import Settings
from warehouse.runs import pid_alive

_PID = re.compile(r"-(\d+)(?:-|\.jsonl$|$)")
"""The process id in `ingest-<pid>-x1y2`, `.crawl-<pid>-x1y2`, `crawl-<time>-<pid>.jsonl`,
`<snapshot>.tmp-<pid>`."""


@contextlib.contextmanager
def scratch_dir(settings: Settings, purpose: str) -> Iterator[Path]:
    """A private temporary directory under `<data>/tmp`, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix=f"{purpose}-{os.getpid()}-",
                                     dir=private_dir(settings.work_dir)) as tmp:
        yield Path(tmp)


def crawl_output(settings: Settings, stamp: str) -> Path:
    """Where a crawl writes its JSONL until it is loaded."""
    return private_dir(settings.data_dir / "crawl") / f"crawl-{stamp}-{os.getpid()}.jsonl"


def partitions_run_folder(partitions: Path, stage: str, run: str) -> Path:
    """Where one run of a stage keeps its partition (or shard) files, named with the writer's
    host and process id: the folder may be shared by machines, and workers anywhere write
    into it."""
    return partitions / f"{stage}-{run}-{socket.gethostname()}-{os.getpid()}"


_WRITER_PID = re.compile(r"-(\d+)$")


def _stale_partitions(path: Path) -> bool:
    """A partitions run folder of a writer on this machine that no longer runs (or of a
    version that did not name it); anything else in a shared folder is left alone."""
    if not path.name.startswith(("enrich-", "match-", "crawl-")):
        return False
    found = _WRITER_PID.search(path.name)
    if found is None:
        return True
    if not path.name[:found.start()].endswith(f"-{socket.gethostname()}"):
        return False
    return not pid_alive(int(found.group(1)))


def _stale(path: Path) -> bool:
    """Left by a process that no longer runs (or by a version that did not name the pid)."""
    found = _PID.search(path.name)
    return found is None or not pid_alive(int(found.group(1)))


def sweep(settings: Settings, partitions: Path | None = None) -> list[str]:
    """Remove what killed runs left behind, stop their orphaned children; say what went.

    `partitions` is the configured partitions folder (flows/parallel.yaml); None: the
    default `<data dir>/partitions`.
    """
    cleaned = stop_orphans()
    snapshot = settings.snapshot_path
    partitions = partitions or settings.data_dir / "partitions"
    candidates = [*_children(settings.work_dir), *_children(settings.data_dir / "crawl"),
                  *_children(partitions, _stale_partitions),
                  *filter(_stale, snapshot.parent.glob(f"{snapshot.name}.tmp-*"))]
    for path in candidates:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        cleaned.append(f"removed {path}, left by a run that was killed")
    return cleaned


def _children(folder: Path, stale: Callable[[Path], bool] = _stale) -> list[Path]:
    return [p for p in sorted(folder.iterdir()) if stale(p)] if folder.is_dir() else []

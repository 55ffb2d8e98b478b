"""Child processes end with the run that started them, also when that run is killed.

A nightly run killed with SIGKILL cannot clean up: its crawl (`scrapy`, a subprocess) and
the temporary Prefect server (uvicorn, started by Prefect when PREFECT_API_URL is unset)
would run on as orphans. On Linux each child asks the kernel for SIGKILL when its parent
dies (`prctl(PR_SET_PDEATHSIG)`); `stop_orphans` removes those an older version left.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
from pathlib import Path
from unittest import mock

PR_SET_PDEATHSIG = 1
ORPHAN_MARKERS = (("prefect.server.api.server:create_app", "temporary Prefect server"),
                  ("company_site", "crawl"))
"""A command-line fragment of a child leadpipe starts, and what to call it in the report."""


def die_with_parent() -> None:
    """`preexec_fn` for a child: the kernel kills it when the thread that started it ends.

    The starting thread must live as long as the child (the main thread, or a thread that
    waits for the child), which holds for the crawl and the temporary server.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def start_temporary_prefect_server() -> None:
    """Start Prefect's temporary server now, from this thread, so it dies with this process.

    Prefect starts it lazily (from whichever thread first needs the API) without such a
    guard; started here first, Prefect reuses it. Nothing happens when PREFECT_API_URL
    names a real server.
    """
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    prefect = get_current_settings()
    if prefect.api.url or not prefect.server.ephemeral.enabled:
        return
    tied = functools.partial(subprocess.Popen, preexec_fn=die_with_parent)
    with mock.patch.object(subprocess, "Popen", tied):
        SubprocessASGIServer().start()


def _proc(pid: str, name: str) -> bytes:
    try:
        return (Path("/proc") / pid / name).read_bytes()
    except OSError:
        return b""


def _ancestry() -> set[str]:
    """This process's pid and its ancestors' (read from /proc)."""
    found, pid = set(), str(os.getpid())
    while pid not in ("", "0") and pid not in found:
        found.add(pid)
        status = _proc(pid, "status")
        pid = next((line.split(b":", 1)[1].strip().decode() for line in status.splitlines()
                    if line.startswith(b"PPid:")), "")
    return found


def stop_orphans() -> list[str]:
    """Kill this user's leftover crawls and temporary Prefect servers whose parent died.

    An orphan has been handed to init (or a subreaper), which is not a Python process;
    the same children of a live leadpipe run still have it as their parent and are kept.
    """
    stopped = []
    uid = str(os.getuid()).encode()
    mine = _ancestry()
    for entry in Path("/proc").glob("[0-9]*"):
        pid = entry.name
        if pid in mine:  # never this process or what started it (a command line may match)
            continue
        status = _proc(pid, "status")
        fields = dict(line.split(b":", 1) for line in status.splitlines() if b":" in line)
        if not fields or fields.get(b"Uid", b"").split()[:1] != [uid]:
            continue
        cmdline = _proc(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace")
        what = next((name for marker, name in ORPHAN_MARKERS if marker in cmdline), None)
        if what is None or "python" not in cmdline:
            continue
        ppid = fields.get(b"PPid", b"").strip().decode()
        if ppid != "1" and b"python" in _proc(ppid, "cmdline"):
            continue
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            continue
        stopped.append(f"stopped a leftover {what} (pid {pid})")
    return stopped

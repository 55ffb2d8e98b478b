"""Worker processes for pure work (evaluating a batch of leads), the same way in every stage.

Forked, so workers start with the parent's configuration and modules already loaded; each
restores the default SIGTERM action, because a handler inherited from the parent (Prefect's
raises TerminationSignal) would print a traceback into the run's log when the pool ends,
and collects garbage less often (`relaxed_gc`).
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


GC_THRESHOLD = (100_000, 50, 100)
"""Stages that walk a million records allocate millions of small acyclic objects; at the
default threshold (700) the cyclic collector ran every few records, and each full collection
rescanned every row held: half the time of an enrichment batch, a third of decide's reading."""


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Collect garbage rarely while a stage walks its rows."""
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def quiet_exit() -> None:
    """Initializer of a worker process: end silently when the pool terminates it; collect
    garbage rarely, never scanning the modules and configuration it started with."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


class _InProcess(Executor):
    """One worker: run each call at once, here (no process to start, nothing to pickle)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor]:
    """`workers` forked processes, or this process alone when `workers` is 1."""
    if workers <= 1:
        yield _InProcess()
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=quiet_exit) as pool:
        yield pool



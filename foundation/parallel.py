"""Worker processes for pure work (evaluating a batch of leads), the same way in every stage.

Forked, so workers start with the parent's configuration and modules already loaded; each
restores the default SIGTERM action, because a handler inherited from the parent (Prefect's
raises TerminationSignal) would print a traceback into the run's log when the pool ends.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def quiet_exit() -> None:
    """Initializer of a worker process: end silently when the pool terminates it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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



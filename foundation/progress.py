"""Progress of long stages, told to whoever watches: a terminal bar, a log line, or no one.

Stages take a `Progress` and report through it; they do not know whether a person watches
a terminal (`leadpipe.cli.progress.TerminalProgress`), Prefect collects logs
(`LogProgress`), or a test runs them (`SILENT`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

T = TypeVar("T")


class Step(Protocol):
    """One tracked piece of work: `advance` as units finish."""

    def advance(self, units: int = 1) -> None: ...


class Progress(Protocol):
    def track(self, what: str, total: int | None = None,
              unit: str = "") -> AbstractContextManager[Step]:
        """A step named `what` with `total` units (None: unknown), ended when the block ends."""
        ...


def counted(items: Iterable[T], step: Step) -> Iterator[T]:
    """Pass `items` through, advancing `step` by one for each."""
    for item in items:
        yield item
        step.advance()


class _Quiet:
    def advance(self, units: int = 1) -> None:
        """Nobody watches."""

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Silent:
    """Progress for tests and library use: reports nothing."""

    def track(self, what: str, total: int | None = None, unit: str = "") -> _Quiet:
        return _Quiet()


SILENT = Silent()


def amount(count: int, unit: str) -> str:
    """`12,345 records`: counts with thousands separators everywhere a person reads them."""
    return amount_text(f"{count:,}", unit)


def amount_text(count: str, unit: str) -> str:
    return f"{count} {unit}" if unit else count


QUIET_S = 3.0
"""Work that ends within this many seconds logs only its end."""


class _LoggedStep:
    def __init__(self, log: logging.Logger | logging.LoggerAdapter[logging.Logger], what: str,
                 total: int | None, unit: str, every_s: float) -> None:
        self.log, self.what, self.total, self.unit = log, what, total, unit
        self.every_s = every_s
        self.done = 0
        self.started = self.last = time.monotonic()
        self.next_share = 0.1

    def advance(self, units: int = 1) -> None:
        self.done += units
        now = time.monotonic()
        share = self.done / self.total if self.total else 0.0
        if now - self.started < QUIET_S:  # short work needs no progress, only its end
            return
        if share >= self.next_share or now - self.last >= self.every_s:
            self._say(now)
            while self.next_share <= share:
                self.next_share += 0.1

    def _say(self, now: float) -> None:
        self.last = now
        count = f"{self.done:,} of {self.total:,}" if self.total else f"{self.done:,}"
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        self.log.info("%s: %s%s", self.what, amount_text(count, self.unit), share)

    def __enter__(self) -> _LoggedStep:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.log.info("%s: %s done in %.1f s", self.what, amount(self.done, self.unit),
                          time.monotonic() - self.started)


class LogProgress:
    """Progress as log lines (Prefect's run log): every tenth of the way, or every `every_s`."""

    def __init__(self, log: logging.Logger | logging.LoggerAdapter[logging.Logger],
                 every_s: float = 30.0) -> None:
        self.log = log
        self.every_s = every_s

    def track(self, what: str, total: int | None = None, unit: str = "") -> _LoggedStep:
        return _LoggedStep(self.log, what, total, unit, self.every_s)

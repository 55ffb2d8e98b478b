"""Progress bars on the terminal for long stages (`foundation.progress.Progress`).

Bars go to stderr and only when it is a terminal, so pipes, files and `--json` output stay
clean; elsewhere the stages run silently.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from foundation.progress import SILENT
from foundation.progress import Progress as ProgressProtocol
from leadpipe.cli.common import err_console, plain


class _Count(ProgressColumn):
    """`12,000/120,000`: the same thousands separators as every other count we print."""

    def render(self, task: Task) -> Text:
        done = f"{int(task.completed):,}"
        return Text(done if task.total is None else f"{done}/{int(task.total):,}")


class _Bar:
    def __init__(self, bars: Progress, task: TaskID) -> None:
        self.bars, self.task = bars, task

    def advance(self, units: int = 1) -> None:
        self.bars.advance(self.task, units)


class TerminalProgress:
    """One rich bar per tracked step, with counts (`12,000/120,000 records`) and time."""

    def __init__(self) -> None:
        self.bars = Progress(TextColumn("{task.description:<8}"), BarColumn(),
                             _Count(), TextColumn("{task.fields[unit]}"),
                             TimeElapsedColumn(), console=err_console, transient=False)

    @contextlib.contextmanager
    def track(self, what: str, total: int | None = None, unit: str = "") -> Iterator[_Bar]:
        with self.bars:
            task = self.bars.add_task(plain(what), total=total, unit=plain(unit))
            yield _Bar(self.bars, task)
            if total is not None:
                self.bars.update(task, completed=total)


def terminal_progress(quiet: bool = False) -> ProgressProtocol:
    """Bars when a person watches stderr, else silence."""
    return TerminalProgress() if err_console.is_terminal and not quiet else SILENT

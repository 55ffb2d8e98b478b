"""How a flow run ends when a person has to act: Failed, with the fix as its message.

A rejected file or a missing acquisition date is the user's to fix, not a bug, so the run
ends Failed (the operator notices, automations fire) with a message that says what to do.
Prefect's engine logs every Failed run "with unexpected exception" and a traceback, and every
failed task with one; for a `NeedsAttention` or a user's mistake (`USER_ERRORS`: a bad file,
a bad configuration, no warehouse) the filter below keeps only the message, so the log shows
the fix, not engine internals.
"""

import logging
from typing import Any

from prefect.states import Failed, State

from foundation.outputs import OutputPathRefused
from stages.ingest import USER_ERRORS as FILE_ERRORS
from warehouse.db import WarehouseMissing
from warehouse.lock import WarehouseBusy

USER_ERRORS = (*FILE_ERRORS, WarehouseMissing, WarehouseBusy, OutputPathRefused)
"""What a person fixes from the message alone (a bad file or configuration, no or a busy
warehouse, an export file name that is not allowed); a traceback would only hide it."""


class NeedsAttention(Exception):
    """The run did its work but left something for a person; `detail` is the run's report."""

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.detail = detail


def needs_attention(message: str, detail: Any = None) -> State[Any]:
    """The final state of a run that must be looked at: Failed, message = the fix."""
    return Failed(message=message, data=NeedsAttention(message, detail))


class _WithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (NeedsAttention, *USER_ERRORS)):
            record.msg, record.args = "Stopped with something to fix: %s", (error,)
            record.exc_info = record.exc_text = None
        return True


_QUIET = _WithoutTraceback()
for _name in ("prefect.flow_runs", "prefect.task_runs", "prefect.engine"):
    if _QUIET not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_QUIET)

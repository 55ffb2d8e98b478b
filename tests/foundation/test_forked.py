"""`foundation.parallel.forked`: a call in a forked process sees this process's memory and
hands back its result or its exception; a process that dies says so."""

from __future__ import annotations

import os

import pytest

from foundation.parallel import forked


def test_the_forked_call_sees_memory_and_returns_its_result() -> None:
    rows = [{"id": k} for k in range(1000)]  # not pickled on the way in
    with forked(lambda: (os.getpid(), sum(r["id"] for r in rows))) as call:
        rows.clear()  # the forked process has its own copy
        pid, total = call.result()
    assert pid != os.getpid()
    assert total == sum(range(1000))


def test_its_exception_is_raised_here() -> None:
    def fail() -> None:
        raise ValueError("level 'consumer' has no id column")

    with forked(fail) as call, pytest.raises(ValueError, match="no id column"):
        call.result()


def test_a_process_that_dies_without_a_result_is_an_error() -> None:
    with forked(lambda: os._exit(3)) as call, pytest.raises(RuntimeError, match="exit code 3"):
        call.result()

"""The warning a nightly summary carries when two setups both schedule the nightly run."""

from __future__ import annotations

from flows.schedules import twice_scheduled_note


def test_one_schedule_is_fine_two_are_named_with_the_fix() -> None:
    assert twice_scheduled_note([]) is None
    assert twice_scheduled_note(["nightly/nightly"]) is None
    note = twice_scheduled_note(["nightly/nightly", "nightly/serve"])
    assert note is not None
    assert "nightly/nightly, nightly/serve" in note
    assert "prefect deployment delete nightly/serve" in note

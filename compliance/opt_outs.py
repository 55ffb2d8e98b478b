"""The last check before a lead leaves the warehouse: opt-outs that arrived after its decision.

Decisions are computed by the nightly run; an objection (Art. 21(3) GDPR), a withdrawal or a
"do not call" note must act at once (UWG §7 allows no window either). So every export asks
this module again, with the ledger events and suppression hits of exactly the leads it is
about to write, and drops the ones a newer opt-out blocks, whatever their stored decision.
The rules follow the engine's (C6 and the objection rules of the eligibility spec).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

OPT_OUT_KINDS = ("objection_art21", "consent_withdrawn", "consent_given")
"""The ledger kinds this check reads: opt-outs, and the consents that may come after them."""


@dataclass(frozen=True)
class LedgerEvent:
    """One ledger event as far as the export check needs it."""

    seq: int
    kind: str
    """A ledger kind, or `suppression_objection` / `suppression_erasure` for a hit on the
    suppression list (its seq is 0, its time the entry's)."""
    channels: tuple[str, ...]
    occurred_at: datetime

    def names(self, channel: str) -> bool:
        return channel in self.channels or "all" in self.channels


def blocking_reason(events: Iterable[LedgerEvent], channel: str) -> str | None:
    """The opt-out that blocks this channel now, or None when the stored decision stands.

    An objection (also a suppression hit, filed as an `objection_art21`-like event by the
    caller) or a withdrawal naming post or all channels ("keine Werbung") blocks every channel;
    a withdrawal for this channel blocks it. Only a consent for this channel given after the
    latest opt-out reopens it, as in the engine's rule G2a.
    """
    blocking: LedgerEvent | None = None
    consent_after = False
    for event in sorted(events, key=lambda e: (e.occurred_at, e.seq)):
        everything = event.kind == "objection_art21" or event.kind.startswith("suppression_") \
            or (event.kind == "consent_withdrawn" and event.names("post"))
        if everything or (event.kind == "consent_withdrawn" and event.names(channel)):
            blocking, consent_after = event, False
        elif event.kind == "consent_given" and event.names(channel) and blocking is not None:
            consent_after = True
    if blocking is None or consent_after:
        return None
    return blocking.kind

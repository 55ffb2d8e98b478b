"""Which consent a decision rests on: the evidence a CRM note names next to the legal basis.

A decision whose reason is a consent (E3, P2, P5, S2, F2, the third-party review C5, the
dormancy review C7, a Robinson hit the consent outweighs G5) rests on the latest consent the
engine saw for that channel: the latest `consent_given` naming it (or all channels) up to the
decision's as-of date, in ledger order, as `compliance.engine` picks it. Other decisions
(presumed consent, §7(3), post under Art. 6(1)(f)) rest on no consent, and name none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

CONSENT_REASONS = frozenset({
    "consent_valid_doi", "consent_phone_documented", "consent_express_b2b",
    "consent_valid_sms_verified", "consent_fax_express", "third_party_consent_review",
    "consent_stale_review", "robinson_conflicts_with_consent",
})
"""Reason codes of allowed or review decisions that rest on a consent."""


@dataclass(frozen=True)
class ConsentEvent:
    """A `consent_given` ledger event, as far as finding the one a decision rests on needs."""

    event_id: str
    seq: int
    channels: tuple[str, ...]
    occurred_on: date


def consent_evidence_id(reason: str | None, channel: str, as_of: date | None,
                        consents: Iterable[ConsentEvent]) -> str | None:
    """The ledger event id of the consent the decision rests on, or None."""
    if reason not in CONSENT_REASONS:
        return None
    naming = [c for c in consents if (channel in c.channels or "all" in c.channels)
              and (as_of is None or c.occurred_on <= as_of)]
    if not naming:
        return None
    return max(naming, key=lambda c: (c.occurred_on, c.seq)).event_id

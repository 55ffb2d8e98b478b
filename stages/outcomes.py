"""Sales outcomes and objections from the workspace: never lost, effective at once.

A rep marks a lead contacted, reached, not interested, appointment, won or lost, or records
that it wants no more advertising (an Art. 21 objection, rule G2: every channel). Both are
written to the workspace journal first (`warehouse.workspace_journal`: synced to disk before
the call returns), then folded into the warehouse at once when no run is writing; while the
nightly run holds the lock, its next writer folds them. An objection acts before that: the
export check (`stages.export.select_rows`) and `objected_leads` read the journal too.

An objection on a person (contact, consumer) puts an `objection_art21` event on each of the
lead's records and the person's identifiers on the suppression list, as `leadpipe gdpr
object` does; one on a company lead is filed for the company (`scope: company`): it blocks
the company lead, and its person-less contact points go on the suppression list, but the
people named in its records keep their own decisions.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from compliance.opt_outs import blocking_reason
from compliance.suppression import SuppressionList, entry_hashes, keyed_hash
from foundation.settings import Settings, suppression_secret
from foundation.vocabulary import CHANNELS, OUTCOMES, Outcome
from warehouse.db import Warehouse, open_warehouse
from warehouse.ledger import event_id_for
from warehouse.lock import WarehouseBusy
from warehouse.opt_outs import opt_out_events
from warehouse.outcomes import (
    lead_entity,
    member_records,
    open_decisions,
    overtaken_leads,
    recent_opt_outs,
)
from warehouse.suppression import suppression_entries
from warehouse.workspace_journal import (
    ObjectionEntry,
    OutcomeEntry,
    is_folded,
    journal_entries,
    pending_objections,
    write_entry,
)

READ_WAIT_S = 1.0
"""How long recording waits for a running writer before it reads the published snapshot."""
NOTE_MAX = 2000
"""Characters a note may have."""
Status = Literal["stored", "pending"]
BLOCKING_KINDS = ("objection_art21", "consent_withdrawn")
"""Ledger kinds that can overtake an allowed decision (a later consent only reopens)."""


class UnknownLead(ValueError):
    """No lead with this id; the message says where lead ids are shown."""


class BadOutcome(ValueError):
    """An outcome, note, value or name the workspace cannot store; the message names it."""


@dataclass(frozen=True)
class OutcomeReceipt:
    """What was recorded, and whether it is in the warehouse already."""

    outcome_id: str
    lead_id: str
    outcome: Outcome
    recorded_by: str
    recorded_at: datetime
    note: str | None
    value_eur: Decimal | None
    status: Status
    """`stored`: in `core.lead_outcomes`; `pending`: a run is writing, its next writer
    stores it (nothing is lost: the journal entry is on disk)."""


@dataclass(frozen=True)
class ObjectionReceipt:
    """The objection as recorded: in force on every channel from now on, whatever `status`."""

    request_id: str
    lead_id: str
    entity_type: str
    recorded_by: str
    recorded_at: datetime
    records: int
    events: int
    """Ledger events (`objection_art21`, channels all): one per record of the lead."""
    suppression_entries: int
    status: Status


def _who(by: str) -> str:
    who = (by or "").strip()
    if not who:
        raise BadOutcome("say who records this (by): a user name, e.g. the signed-in user")
    return who


def _note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise BadOutcome(f"the note has {len(text):,} characters; at most {NOTE_MAX:,} fit")
    return text or None


def _value(value_eur: Decimal | float | str | None) -> Decimal | None:
    if value_eur is None or value_eur == "":
        return None
    text = str(value_eur).strip()
    try:
        value = Decimal(text.replace(",", ".") if isinstance(value_eur, str) else text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise BadOutcome(f"the deal value {value_eur!r} is not an amount in euros; write "
                         "e.g. 1500 or 1500,50")
    if value < 0 or value >= Decimal("1e12"):
        raise BadOutcome(f"the deal value {value_eur} must be between 0 and "
                         "999,999,999,999.99 euros")
    return value.quantize(Decimal("0.01"))


@contextlib.contextmanager
def _reader(settings: Settings) -> Iterator[Warehouse]:
    """A read session that does not keep a rep waiting: the snapshot while a run writes."""
    quick = settings.waiting_at_most(READ_WAIT_S)
    with open_warehouse(quick, write=False, reuse_instance=True) as wh:
        yield wh


def _unknown(lead_id: str) -> UnknownLead:
    return UnknownLead(f"no lead {lead_id!r} in the warehouse; copy the id from the lead "
                       "list or an export (column lead_id)")


def _fold_now(settings: Settings, entry_id: str) -> Status:
    """Fold the journal in now unless another run holds the lock (then its next writer does)."""
    with contextlib.suppress(WarehouseBusy):
        with open_warehouse(replace(settings, lock_timeout_s=0.0), write=True,
                            purpose="workspace outcome"):
            pass  # opening for writing folds the journal
    return "stored" if is_folded(settings.db_path, entry_id) else "pending"


def _new_id(kind: str, at: datetime) -> str:
    return f"{kind}-{at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def record_outcome(settings: Settings, lead_id: str, outcome: str, *, by: str,
                   note: str | None = None, value_eur: Decimal | float | str | None = None
                   ) -> OutcomeReceipt:
    """Record what sales achieved with a lead; the latest outcome of a lead counts."""
    if outcome not in OUTCOMES:
        raise BadOutcome(f"unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}")
    who, text, value = _who(by), _note(note), _value(value_eur)
    with _reader(settings) as wh:
        if lead_entity(wh, lead_id) is None:
            raise _unknown(lead_id)
    now = datetime.now(UTC)
    entry = OutcomeEntry(_new_id("outcome", now), lead_id, outcome, now, who, text,
                         None if value is None else str(value))
    write_entry(settings.db_path, entry)
    status = _fold_now(settings, entry.outcome_id)
    return OutcomeReceipt(entry.outcome_id, lead_id, outcome,
                          who, now, text, value, status)


def objection_entry(secret: bytes, lead_id: str, entity_type: str,
                    records: list[dict[str, Any]], *, by: str, note: str | None,
                    received: datetime, request_id: str | None = None,
                    received_via: str = "leadpipe workspace") -> ObjectionEntry:
    """Everything an objection stores, computed now so the fold only inserts rows.

    `request_id` is given by an import, whose objections must keep their id when the same
    file is read again; the workspace's get a new one each time.
    """
    request_id = request_id or _new_id("objection", received)
    company = entity_type == "company"
    pairs: set[tuple[str, str]] = set()
    events = []
    for record in records:
        personless = not record["last_name"]
        if not company or personless:  # a company's people are not the company
            pairs.update(entry_hashes(secret, record))
        own_keys = not company or personless
        event: dict[str, Any] = {
            "record_id": record["record_id"],
            "subject_email": record["email"] if own_keys else None,
            "subject_phone": (record["phone"] or record["mobile"]) if own_keys else None,
            "kind": "objection_art21", "channels": ["all"], "occurred_at": received,
            "attributes": {"request_id": request_id, "lead_id": lead_id,
                           **({"scope": "company"} if company else {})},
            "evidence": {"received_via": received_via, "recorded_by": by,
                         **({"note": note} if note else {})},
        }
        event["event_id"] = event_id_for(event)
        events.append(event)
    first = next((r for r in records if r["email"] or r["phone"] or r["mobile"]), None)
    key = (first["email"] or first["phone"] or first["mobile"]) if first else f"lead:{lead_id}"
    return ObjectionEntry(request_id, lead_id, received, by,
                          keyed_hash(secret, "subject", key), len(records), events,
                          sorted(pairs))


def record_objection(settings: Settings, lead_id: str, *, by: str, note: str | None = None
                     ) -> ObjectionReceipt:
    """Record "keine Werbung mehr" for a lead (Art. 21): every channel blocked from now on.

    In force on return: the next export and `objected_leads` see it even while a run holds
    the lock; the ledger and suppression list get it at once or from the next writer, and
    the next decide run blocks every channel (G2).
    """
    who, text = _who(by), _note(note)
    secret = suppression_secret(settings)
    with _reader(settings) as wh:
        entity = lead_entity(wh, lead_id)
        if entity is None:
            raise _unknown(lead_id)
        records = member_records(wh, lead_id)
    if not records:
        raise BadOutcome(f"lead {lead_id!r} has no records left (erased?); record the "
                         "objection by the person's e-mail or phone: leadpipe gdpr object")
    entry = objection_entry(secret, lead_id, entity, records, by=who, note=text,
                            received=datetime.now(UTC))
    write_entry(settings.db_path, entry)
    status = _fold_now(settings, entry.request_id)
    return ObjectionReceipt(entry.request_id, lead_id, entity, who, entry.received_at,
                            entry.records, len(entry.events), len(entry.suppression), status)


def journaled_outcomes(settings: Settings, lead_id: str) -> tuple[OutcomeReceipt, ...]:
    """The lead's outcomes that a reader of the published snapshot may not see yet (recorded
    while a run wrote, or since the last publish), newest first; the lead page shows them
    with the stored ones (same `outcome_id`: the stored one)."""
    found = [e for e in journal_entries(settings.db_path)
             if isinstance(e, OutcomeEntry) and e.lead_id == lead_id]
    return tuple(OutcomeReceipt(
        e.outcome_id, e.lead_id, e.outcome, e.recorded_by,  # type: ignore[arg-type]
        e.recorded_at, e.note, None if e.value_eur is None else Decimal(e.value_eur),
        "stored" if is_folded(settings.db_path, e.outcome_id) else "pending")
        for e in sorted(found, key=lambda e: e.recorded_at, reverse=True))


@dataclass(frozen=True)
class ObjectedLeads:
    """Leads whose stored decision a newer opt-out overrides, per channel.

    The nightly decide run will block them; until it has, every list and export must leave
    them out. `on(channel)` is what a channel's lead list excludes.
    """

    by_channel: Mapping[str, frozenset[str]] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()
    """Leads with an objection still in the journal (recorded while a run held the lock)."""

    def on(self, channel: str) -> frozenset[str]:
        return self.by_channel.get(channel, frozenset()) | self.pending

    @property
    def anywhere(self) -> frozenset[str]:
        """Leads overridden on at least one channel."""
        return frozenset().union(*self.by_channel.values()) | self.pending


_STORED: dict[tuple[Any, ...], dict[str, frozenset[str]]] = {}
"""The stored part of the answer per warehouse state (`recent_opt_outs`): a list page asks
on every view, the answer changes only with a new opt-out or a decide run."""


def objected_leads_in(wh: Warehouse, secret: bytes) -> ObjectedLeads:
    """`objected_leads` within a read session the caller holds (a lead list page)."""
    journal = pending_objections(wh.home)
    pending = frozenset(e.lead_id for e in journal)
    # an objection from the journal is known by its lead already: only the others are looked up
    state = (str(wh.path), *recent_opt_outs(wh, BLOCKING_KINDS,
                                           sorted(e.request_id for e in journal)))
    stored = _STORED.get(state)
    if stored is None:
        candidates = overtaken_leads(wh)
        events = opt_out_events(wh, candidates,
                                SuppressionList(suppression_entries(wh), secret))
        by_channel: dict[str, set[str]] = {c: set() for c in CHANNELS}
        for lead, channels in open_decisions(wh, candidates).items():
            for channel in channels:
                if blocking_reason(events.get(lead, []), channel):
                    by_channel[channel].add(lead)
        stored = {c: frozenset(leads) for c, leads in by_channel.items()}
        _STORED.clear()  # one warehouse state is enough to keep
        _STORED[state] = stored
    return ObjectedLeads(stored, pending)


def objected_leads(settings: Settings) -> ObjectedLeads:
    """Leads whose current decision predates an objection, withdrawal or opt-out (also one
    still in the journal), per channel: what lists must leave out until the next decide."""
    with _reader(settings) as wh:
        return objected_leads_in(wh, suppression_secret(settings))

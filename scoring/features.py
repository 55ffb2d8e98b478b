"""A lead's scoring features from the summary the warehouse computes for it.

The warehouse model `core.lead_features` (warehouse/models/core/lead_features.sql) summarises
each lead in SQL — golden values first, then what its member records' enriched rows say
(contacts fall back to their company), the company names a crawled Impressum gives, and its
web-form requests — because doing that per lead in Python is too slow for a million leads;
`warehouse.marts.stage_features` adds the region and whether the Impressum confirms the
name. This module turns one such row into `LeadFeatures` for `scoring.rules.score_lead`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from scoring.rules import LeadFeatures, Request


def requests_from(kinds: Sequence[str | None] | None, times: Sequence[Any] | None
                  ) -> tuple[Request, ...]:
    """Pair request types with their dates (a missing type counts as `other`), oldest first."""
    found = []
    for kind, when in zip(kinds or (), times or (), strict=True):
        if when is None:
            continue
        on: date = when.date() if isinstance(when, datetime) else when
        found.append(Request((kind or "").strip().lower() or "other", on))
    return tuple(sorted(found, key=lambda r: (r.on, r.kind)))


def lead_features(row: Mapping[str, Any], lead_id: str | None = None,
                  postcode: str | None = None) -> LeadFeatures:
    """Features of one summary row; `postcode` overrides the row's (a region stands in)."""
    return LeadFeatures(
        lead_id=lead_id if lead_id is not None else row.get("lead_id", ""),
        wz_code=row.get("wz_code"),
        size_class=row.get("size_class") or "unknown",
        postcode=postcode if postcode is not None else row.get("postcode"),
        country=row.get("country") or "DE",
        legal_form=row.get("legal_form"),
        decision_maker=bool(row.get("decision_maker")),
        audience=row.get("audience") or "unknown",
        email_status=row.get("email_status"),
        phone_e164=bool(row.get("phone_e164")),
        address_complete=bool(row.get("address_complete")),
        impressum_confirms=bool(row.get("impressum_confirms")),
        requests=requests_from(row.get("request_kinds"), row.get("request_times")),
    )

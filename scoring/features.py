"""A lead's scoring features from its golden record, its members' enriched rows and its forms.

The warehouse summarises each lead in one row (`warehouse.marts.lead_summaries`): the golden
values, what its member records agree on, the company names its crawled Impressum pages and
its other records carry, and its web-form requests. This module turns that row into
`LeadFeatures`, preferring the golden value and falling back to the members' values, and
says what an input hash covers so unchanged leads need not be scored again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from scoring.rules import LeadFeatures, Request

_NOT_NAME = re.compile(r"[^0-9a-zäöüß]+")


def _name_key(name: str | None) -> str:
    return _NOT_NAME.sub("", (name or "").casefold())


def impressum_confirms(crawl_companies: Iterable[str | None],
                       other_companies: Iterable[str | None]) -> bool:
    """A crawled Impressum names the same company as the lead's golden or other records."""
    others = {k for k in map(_name_key, other_companies) if k}
    return any(_name_key(name) in others for name in crawl_companies if _name_key(name))


def _requests(kinds: Sequence[str | None] | None, times: Sequence[Any] | None
              ) -> tuple[Request, ...]:
    found = []
    for kind, when in zip(kinds or (), times or (), strict=True):
        if when is None:
            continue
        on = when.date() if isinstance(when, datetime) else when
        found.append(Request((kind or "other").strip().lower() or "other", on))
    return tuple(sorted(found, key=lambda r: (r.on, r.kind)))


def lead_features(row: Mapping[str, Any]) -> LeadFeatures:
    """Features of one lead from its summary row (keys as `lead_summaries` returns them)."""
    golden_company = row.get("company_name")
    return LeadFeatures(
        lead_id=row["lead_id"],
        wz_code=row.get("wz_code"),
        size_class=row.get("size_class") or "unknown",
        postcode=row.get("postcode"),
        country=row.get("country") or "DE",
        legal_form=row.get("legal_form"),
        decision_maker=bool(row.get("decision_maker")),
        audience=row.get("audience") or "unknown",
        email_status=row.get("email_status"),
        phone_e164=bool(row.get("phone_e164")),
        address_complete=bool(row.get("address_complete")),
        impressum_confirms=impressum_confirms(
            row.get("crawl_companies") or (),
            [golden_company, *(row.get("other_companies") or ())]),
        requests=_requests(row.get("request_kinds"), row.get("request_times")),
    )


def inputs_hash(features: LeadFeatures, as_of: date) -> str:
    """Digest of everything the score depends on.

    Engagement decays with the as-of date, so the date is part of the hash only for leads
    with requests: those are rescored once per day, the rest only when their data changes.
    """
    parts = [features.wz_code, features.size_class, features.postcode, features.country,
             features.legal_form, features.decision_maker, features.audience,
             features.email_status, features.phone_e164, features.address_complete,
             features.impressum_confirms,
             [(r.kind, r.on.isoformat()) for r in features.requests],
             as_of.isoformat() if features.requests else None]
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()

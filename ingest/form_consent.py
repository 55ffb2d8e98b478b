"""Consent facts: the channels a submission consents to and its evidence events.

Events are in the vocabulary of section 10 of the eligibility rules: `consent_given` (double
opt-in for the e-mail address a DOI click confirmed, single opt-in for the rest),
`inquiry_received` and `presumed_consent_reason` for the request types configured for them.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from zoneinfo import ZoneInfo

from foundation.vocabulary import CHANNELS
from ingest.columns import normalise_header
from ingest.form_config import FormsConfig
from ingest.form_fields import Found
from ingest.form_values import RowProblem, flag_value, text_value, timestamp_value


class ConsentReader:
    """The consent events of one submission, from its record and its mapped keys."""

    def __init__(self, forms: FormsConfig) -> None:
        self.forms = forms
        self.zone = ZoneInfo(forms.naive_timezone)
        self.channel_words = {normalise_header(w): ch for ch, words in forms.channel_names.items()
                              for w in words}

    def timestamp(self, name: str, value: Any) -> str | None:
        return timestamp_value(name, value, self.zone)

    def channels(self, found: Found) -> list[str]:
        named: set[str] = set()
        hit = found.get(("consent", "channels"))
        if hit is not None and hit[1] is not None:
            key, value = hit
            words = value if isinstance(value, list) else re.split(r"[,;|/]", str(value))
            for word in words:
                norm = normalise_header(str(word))
                if not norm:
                    continue
                channel = self.channel_words.get(norm)
                if channel is None:
                    raise RowProblem(key, f"unknown consent channel {word!r}; known: "
                                     f"{', '.join(CHANNELS)}")
                named.add(channel)
        for channel in CHANNELS:
            flag = found.get(("flag", channel))
            if flag is not None and flag_value(flag[0], flag[1]):
                named.add(channel)
        return [c for c in CHANNELS if c in named]

    def names_controller(self, stated: bool | None, text: str | None) -> bool | None:
        """What the export states, else whether the consent text names us (when we know
        our names), else unknown — which the rules treat as not naming us."""
        if stated is not None or not text or not self.forms.controller_names:
            return stated
        folded = text.casefold()
        return any(name.casefold() in folded for name in self.forms.controller_names)

    def events(self, record: dict[str, str | None], found: Found) -> list[dict[str, Any]]:
        def consent(name: str) -> tuple[str, Any]:
            return found.get(("consent", name), (name, None))

        def evidence(extra: dict[str, Any]) -> dict[str, Any]:
            base = {"ip": record["ip"], "user_agent": record["user_agent"],
                    "form_id": record["form_id"], "page_url": record["page_url"], **extra}
            return {k: v for k, v in base.items() if v is not None}

        submitted = record["submitted_at"]
        events: list[dict[str, Any]] = []
        channels = self.channels(found)
        if channels:
            text = text_value(consent("text")[1])
            version = text_value(consent("text_version")[1])
            at = self.timestamp(*consent("given_at")) or submitted
            confirmed = self.timestamp(*consent("doi_confirmed_at"))
            complete = bool((text or version) and at and (record["ip"] or record["user_agent"]))
            common = {
                "at": at,
                "kind": "consent_given",
                "pre_ticked": flag_value(*consent("pre_ticked")),
                "names_controller": self.names_controller(
                    flag_value(*consent("names_controller")), text),
                "evidence_complete": complete,
                "phone_verified": bool(flag_value(*consent("phone_verified"))),
                **evidence({
                    "consent_text": text,
                    "consent_text_version": version,
                    "consent_text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()
                    if text else None,
                    "privacy_notice_version": text_value(consent("privacy_notice_version")[1]),
                    "doi_requested_at": self.timestamp(*consent("doi_requested_at")),
                    "doi_ip": text_value(consent("doi_ip")[1]),
                    "doi_user_agent": text_value(consent("doi_user_agent")[1]),
                }),
            }
            # A DOI click confirms the e-mail address only; it proves nothing about a phone
            # number or fax entered in the same form, so those get their own single opt-in.
            doi = ["email"] if confirmed and "email" in channels else []
            single = [c for c in channels if c not in doi]
            if doi:
                events.append({**common, "channels": doi, "method": "double_opt_in",
                               "confirmed_at": confirmed})
            if single:
                events.append({**common, "channels": single,
                               "method": "checkbox_single_opt_in", "confirmed_at": None})
        kind = record["request_type"]
        if kind in self.forms.inquiry_request_types:
            events.append({"at": submitted, "kind": "inquiry_received", "channels": ["all"],
                           "request_type": kind, **evidence({})})
        presumed = self.forms.presumed_consent.get(kind or "")
        if presumed is not None:
            events.append({"at": submitted, "kind": "presumed_consent_reason",
                           "channels": list(presumed.channels), "category": presumed.category,
                           "request_type": kind, **evidence({})})
        return events

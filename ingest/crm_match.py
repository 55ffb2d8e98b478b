"""Which lead a row of a CRM or newsletter export concerns.

First the `leadpipe_id` every leadpipe export carries; else the e-mail address and phone
number normalised by enrichment (`enrich_email`, `enrich_phone`), else last name and company
folded as the matcher compares them (`enrichment.text.fold`, the company's match name from
`enrichment.company.match_name`). A person's row goes to the person's lead (contact or
consumer), a row naming only a company to the company's lead; a key that fits two people
(a shared switchboard without a name) is not guessed: the row is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from enrichment.company import match_name
from enrichment.text import fold

MatchedBy = Literal["leadpipe_id", "email", "phone", "name_company"]
PERSON_LEVELS = ("contact", "consumer")


@dataclass(frozen=True)
class Who:
    """Whom a row names (normalised keys, raw names)."""

    leadpipe_id: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None


@dataclass(frozen=True)
class Match:
    lead_id: str
    """Where an outcome goes: the person's contact lead at the row's company, else its
    contact or consumer lead."""
    lead_ids: tuple[str, ...]
    """Every lead of that person (a form's consumer lead beside a list's contact lead): an
    objection reaches them all."""
    record_ids: tuple[str, ...]
    """The records that matched (none for a leadpipe_id)."""
    by: MatchedBy


@dataclass(frozen=True)
class NoMatch:
    field: str
    reason: str


def company_key(company: str | None) -> str | None:
    return (match_name(company) or None) if company else None


def _named(records: Sequence[Mapping[str, Any]], who: Who) -> list[Mapping[str, Any]]:
    """Records whose person fits the row's name (all of them when the row names nobody)."""
    if not who.last_name:
        return list(records)
    last = fold(who.last_name)
    first = fold(who.first_name or "")
    return [r for r in records if fold(r.get("last_name") or "") == last
            and (not first or not r.get("first_name")
                 or fold(r["first_name"]).startswith(first[:1]))]


def _pick(records: Sequence[Mapping[str, Any]], who: Who, by: MatchedBy
          ) -> Match | str | None:
    """The match when the records are one person's (or, for a row naming no person, one
    company's), None when there are none, "ambiguous" when they are several people's."""
    named = _named(records, who)
    people = [r for r in named if r["entity_type"] in PERSON_LEVELS]
    if not people and not who.last_name:
        people = [r for r in named if r["entity_type"] == "company"]
        if len({r["lead_id"] for r in people}) > 1:
            return "ambiguous"
    if not people:
        return None
    if len({fold(r.get("last_name") or "") for r in people}) > 1:
        return "ambiguous"
    company = company_key(who.company)
    ranked = sorted(people, key=lambda r: (r["entity_type"] != "contact",
                                           r["company_match_name"] != company, r["lead_id"]))
    leads = tuple(dict.fromkeys(r["lead_id"] for r in ranked))
    return Match(leads[0], leads, tuple(sorted({r["record_id"] for r in people})), by)


def find_lead(who: Who, known_ids: set[str], records: Sequence[Mapping[str, Any]]
              ) -> Match | NoMatch:
    """The lead of a row, from the lead ids that exist and the candidate records
    (`warehouse.crm_outcomes.candidate_records`)."""
    if who.leadpipe_id and who.leadpipe_id in known_ids:
        return Match(who.leadpipe_id, (who.leadpipe_id,), (), "leadpipe_id")
    ambiguous = None
    steps: list[tuple[MatchedBy, list[Mapping[str, Any]]]] = [
        ("email", [r for r in records
                   if who.email and (r["email"] or "").lower() == who.email.lower()]),
        ("phone", [r for r in records if who.phone and who.phone in (r["phone"], r["mobile"])]),
    ]
    company = company_key(who.company)
    if company:
        steps.append(("name_company", [r for r in records
                                       if r["company_match_name"] == company]))
    for by, hits in steps:
        if not hits:
            continue
        found = _pick(hits, who, by)
        if isinstance(found, Match):
            return found
        if found == "ambiguous":
            ambiguous = by
    if ambiguous:
        return NoMatch(ambiguous, f"the {ambiguous.replace('_', ' and ')} fits several "
                                  "leads; add a leadpipe_id or the person's name to the row")
    if who.leadpipe_id:
        return NoMatch("leadpipe_id", f"no lead {who.leadpipe_id!r} (erased or merged?) and "
                                      "no lead with the row's e-mail, phone or name and company")
    return NoMatch("email", "no lead with the row's e-mail, phone or name and company; "
                            "export the list from leadpipe again so it carries leadpipe_id")

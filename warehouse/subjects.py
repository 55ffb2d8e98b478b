"""Finding everything the warehouse holds on one person, for GDPR access, erasure, objection.

A person is named by an e-mail address or a phone number. SQL narrows the candidates cheaply
(lower-cased e-mail, digits of the phone), then the same normalisation as everywhere else
(`compliance.subjects`) decides. Colleagues and household members share phone numbers, so
the records found are grouped by person name; when an identifier belongs to several people,
the caller must say which (`name`), rather than handing one person's data to another.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from compliance.subjects import email_key, phone_key
from enrichment.text import compact
from warehouse.db import Warehouse

STAGING_TABLES = ("staging.stg_purchased_list__records", "staging.stg_web_form__submissions")
RECORD_TABLES = (*STAGING_TABLES, "staging.stg_crawl__pages", "raw.records",
                 "core.enriched_records", "core.field_provenance", "core.lead_members")
"""Every table whose rows belong to one input record (`record_id`): erasure deletes there.
A table added later that holds personal data per record must be listed here."""
_FIELDS = ("record_id", "first_name", "last_name", "full_name", "email", "phone", "mobile",
           "country", "street", "street_full", "house_number", "postcode", "city")


@dataclass
class SubjectRecords:
    """The staging rows of one person, plus records known only from raw or quarantine."""

    email: str | None
    phone: str | None
    records: list[dict[str, Any]] = field(default_factory=list)
    raw_only_record_ids: list[str] = field(default_factory=list)
    quarantine_rowids: list[int] = field(default_factory=list)

    @property
    def record_ids(self) -> list[str]:
        return [r["record_id"] for r in self.records] + self.raw_only_record_ids


class AmbiguousSubject(ValueError):
    """The identifier belongs to several people; the message lists them (names only)."""


def _fold(text: str | None) -> str:
    return compact(text or "")


def person_name(record: dict[str, Any]) -> str:
    if record.get("last_name"):
        return f"{record.get('first_name') or ''} {record['last_name']}".strip()
    return str(record.get("full_name") or "")


def _national_digits(phone: str) -> str:
    return str(phonenumbers.parse(phone).national_number)


def _candidates(wh: Warehouse, email: str | None, phone: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    digits = _national_digits(phone) if phone else None
    for table in STAGING_TABLES:
        rows.extend(wh.dicts(
            f"SELECT {', '.join(_FIELDS)} FROM {table} WHERE "
            "(? IS NOT NULL AND lower(trim(email)) = ?) OR (? IS NOT NULL AND "
            "regexp_replace(coalesce(phone, '') || '|' || coalesce(mobile, ''), '[^0-9|]', '', "
            "'g') LIKE '%' || ? || '%')",
            [email, email, digits, digits],
        ))
    return rows


def _matches(record: dict[str, Any], email: str | None, phone: str | None) -> bool:
    if email and email_key(record.get("email")) == email:
        return True
    if phone:
        country = (record.get("country") or "DE").upper()
        region = country if len(country) == 2 else "DE"
        return phone in (phone_key(record.get("phone"), region),
                         phone_key(record.get("mobile"), region))
    return False


def find_subject(wh: Warehouse, identifier: str, name: str | None = None) -> SubjectRecords:
    """All records of the person with this e-mail or phone (and name, when given)."""
    email = email_key(identifier) if "@" in identifier else None
    phone = None if email else phone_key(identifier)
    if not email and not phone:
        raise ValueError(f"{identifier!r} is neither an e-mail address nor a phone number")
    found = [r for r in _candidates(wh, email, phone) if _matches(r, email, phone)]
    if name:
        wanted = _fold(name)
        found = [r for r in found if _fold(person_name(r)) == wanted
                 or _fold(r.get("last_name")) == wanted]
    people = {_fold(person_name(r)) for r in found if person_name(r)}
    if len(people) > 1:
        names = sorted({person_name(r) for r in found if person_name(r)})
        raise AmbiguousSubject(
            f"{identifier} belongs to {len(people)} different people ({', '.join(names)}); "
            "say whose request this is with --name"
        )
    subject = SubjectRecords(email, phone, found)
    known = set(subject.record_ids)
    needle = email or (_national_digits(phone) if phone else "")
    in_staging = " UNION ALL ".join(f"SELECT record_id FROM {t}" for t in STAGING_TABLES)
    for record_id, payload in wh.fetchall(
        "SELECT record_id, payload::VARCHAR FROM raw.records WHERE "
        f"record_id NOT IN ({in_staging}) AND (contains(lower(payload::VARCHAR), ?) OR "
        "contains(regexp_replace(payload::VARCHAR, '[^0-9]', '', 'g'), ?))",
        [needle, needle],
    ):
        values = [v for v in json.loads(payload).values() if isinstance(v, str)]
        named = not name or any(_fold(name).endswith(_fold(v)) for v in values if v.strip())
        if record_id not in known and named and _mentions(values, email, phone):
            subject.raw_only_record_ids.append(record_id)
    subject.quarantine_rowids = [
        rowid for rowid, content in wh.fetchall(
            "SELECT rowid, raw_content FROM ops.quarantine WHERE raw_content IS NOT NULL AND ("
            "contains(lower(raw_content), ?) OR "
            "contains(regexp_replace(raw_content, '[^0-9]', '', 'g'), ?))",
            [needle, needle],
        )
        if _mentions(re.split(r"[,;\t\"{}:]+", content), email, phone)
    ]
    return subject


def _mentions(values: Iterable[Any], email: str | None, phone: str | None) -> bool:
    """Whether one of the values is this e-mail or phone (not merely contains its digits)."""
    for value in values:
        if not isinstance(value, str):
            continue
        if email and email_key(value) == email:
            return True
        if phone and phone_key(value) == phone:
            return True
    return False


def ledger_rows_for(wh: Warehouse, subject: SubjectRecords) -> list[int]:
    """Sequence numbers of ledger events about this person."""
    ids = subject.record_ids
    rows = wh.fetchall(
        "SELECT seq FROM core.consent_events WHERE list_contains(?, record_id) OR "
        "(? IS NOT NULL AND subject_email = ?) OR (? IS NOT NULL AND subject_phone = ? AND "
        "record_id IS NULL)",
        [ids, subject.email, subject.email, subject.phone, subject.phone],
    )
    return [r[0] for r in rows]


def records_payloads(wh: Warehouse, record_ids: Iterable[str]) -> list[dict[str, Any]]:
    return wh.dicts(
        "SELECT r.record_id, r.source_kind, r.row_number, r.submission_id, r.ingested_at, "
        "r.payload, b.file_name, b.vendor, b.acquired_on FROM raw.records r "
        "JOIN raw.batches b USING (batch_id) WHERE list_contains(?, r.record_id) "
        "ORDER BY r.ingested_at",
        [list(record_ids)],
    )


def _scrub_crawled_names(wh: Warehouse, subject: SubjectRecords) -> None:
    """Remove the person's name from crawled pages that list them (e.g. as a director)."""
    names = {_fold(person_name(r)) for r in subject.records if person_name(r)}
    last_names = {str(r["last_name"]) for r in subject.records if r.get("last_name")}
    for last in last_names:
        for record_id, payload in wh.fetchall(
            "SELECT record_id, payload::VARCHAR FROM raw.records WHERE source_kind = 'crawl' "
            "AND contains(payload::VARCHAR, ?)", [last]):
            data = json.loads(payload)
            found = data.get("extracted") or {}
            for key in ("managing_directors", "responsible_persons"):
                if isinstance(found.get(key), list):
                    found[key] = [n for n in found[key] if _fold(str(n)) not in names]
            wh.execute("UPDATE raw.records SET payload = ? WHERE record_id = ?",
                       [json.dumps(data, ensure_ascii=False), record_id])


def erase_records(wh: Warehouse, subject: SubjectRecords, reference: str) -> tuple[int, int]:
    """Delete the person's rows and redact their ledger events; (records, events) affected."""
    _scrub_crawled_names(wh, subject)
    ids = subject.record_ids
    seqs = ledger_rows_for(wh, subject)
    for table in RECORD_TABLES:
        wh.execute(f"DELETE FROM {table} WHERE list_contains(?, record_id)", [ids])
    wh.execute("DELETE FROM ops.quarantine WHERE list_contains(?, record_id) "
               "OR list_contains(?, rowid)", [ids, subject.quarantine_rowids])
    wh.execute("DELETE FROM core.golden_records WHERE list_contains(?, source_record_id)",
               [ids])
    wh.execute("DELETE FROM core.match_pairs WHERE list_contains(?, left_id) OR "
               "list_contains(?, right_id)", [ids, ids])
    wh.execute("DELETE FROM core.leads WHERE lead_id NOT IN (SELECT lead_id FROM "
               "core.lead_members)")
    wh.execute(
        "UPDATE core.consent_events SET subject_email = NULL, subject_phone = NULL, "
        "record_id = NULL, attributes = '{}', evidence = '{}', redacted_at = now(), "
        "redaction_ref = ? WHERE list_contains(?, seq)",
        [reference, seqs],
    )
    return len(ids), len(seqs)


def record_request(
    wh: Warehouse, request_id: str, kind: str, subject_hash: str, received_at: Any,
    records: int, events: int, files: int = 0,
) -> None:
    wh.execute(
        "INSERT INTO ops.gdpr_requests VALUES (?, ?, ?, ?, now(), ?, ?, ?)",
        [request_id, kind, subject_hash, received_at, records, events, files],
    )


def exports_with(wh: Warehouse, record_ids: list[str]) -> tuple[list[str], list[str]]:
    """(lead ids of these records, paths of the export files that list those leads)."""
    leads = [r[0] for r in wh.fetchall(
        "SELECT DISTINCT lead_id FROM core.lead_members WHERE list_contains(?, record_id)",
        [record_ids])]
    paths = [r[0] for r in wh.fetchall(
        "SELECT DISTINCT e.path FROM ops.exports e JOIN ops.export_leads x USING (export_id) "
        "WHERE list_contains(?, x.lead_id)", [leads])]
    return leads, paths

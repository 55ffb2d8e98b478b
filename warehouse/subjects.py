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

from compliance.erasure import Mentions, scrub
from compliance.subjects import email_key, person_key, phone_key
from enrichment.text import compact
from warehouse.db import Warehouse

LEAD_RECORDS = "staging.stg_lead_records"
"""Every staged input record (purchased lists, web forms, crawled pages, customer exports)
in one shape."""
RECORD_TABLES = ("staging.stg_purchased_list__records", "staging.stg_web_form__submissions",
                 "staging.stg_crawl__pages", "staging.stg_customer__records",
                 "staging.stg_customer__export_rows", "core.customer_purchases", "raw.records",
                 "core.enriched_records", "core.field_provenance", "core.lead_members",
                 "core.engagement_events")
"""Every table whose rows belong to one input record (`record_id`): erasure deletes there.
A table added later that holds personal data per record must be listed here."""
_FIELDS = ("record_id", "source_kind", "batch_id", "company", "first_name", "last_name",
           "full_name", "email", "phone", "mobile", "country", "street", "street_full",
           "house_number", "postcode", "city")


@dataclass
class SubjectRecords:
    """The staging rows of one person, plus records known only from raw or quarantine."""

    email: str | None
    phone: str | None
    records: list[dict[str, Any]] = field(default_factory=list)
    raw_only_record_ids: list[str] = field(default_factory=list)
    quarantine_rowids: list[int] = field(default_factory=list)
    found_by: dict[str, str] = field(default_factory=dict)
    """record id → how it was found: identifier, match_cluster, same_name_and_<field>,
    or confirmed (named by the operator with --include)."""
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    """Records with the person's name and nothing else in common: the operator decides."""
    contact_point_ids: list[str] = field(default_factory=list)
    """Records without a person (a company's Impressum, a company-only list row) that give
    the person's e-mail or phone: the identifiers are removed, the company stays."""

    @property
    def record_ids(self) -> list[str]:
        return [r["record_id"] for r in self.records] + self.raw_only_record_ids

    @property
    def name_keys(self) -> set[str]:
        return {k for k in (_person_key(r) for r in self.records) if k}


class AmbiguousSubject(ValueError):
    """The identifier belongs to several people; the message lists them (names only)."""


def _fold(text: str | None) -> str:
    return compact(text or "")


def person_name(record: dict[str, Any]) -> str:
    if record.get("last_name"):
        return f"{record.get('first_name') or ''} {record['last_name']}".strip()
    return str(record.get("full_name") or "")


def _person_key(record: dict[str, Any]) -> str | None:
    return person_key(record.get("first_name"), record.get("last_name"), record.get("full_name"))


def _national_digits(phone: str) -> str:
    return str(phonenumbers.parse(phone).national_number)


def _candidates(wh: Warehouse, email: str | None, phone: str | None) -> list[dict[str, Any]]:
    digits = _national_digits(phone) if phone else None
    return wh.dicts(
        f"SELECT {', '.join(_FIELDS)} FROM {LEAD_RECORDS} WHERE "
        "(? IS NOT NULL AND lower(trim(email)) = ?) OR (? IS NOT NULL AND "
        "regexp_replace(coalesce(phone, '') || '|' || coalesce(mobile, ''), '[^0-9|]', '', "
        "'g') LIKE '%' || ? || '%')",
        [email, email, digits, digits],
    )


def _matches(record: dict[str, Any], email: str | None, phone: str | None) -> bool:
    if email and email_key(record.get("email")) == email:
        return True
    if phone:
        country = (record.get("country") or "DE").upper()
        region = country if len(country) == 2 else "DE"
        return phone in (phone_key(record.get("phone"), region),
                         phone_key(record.get("mobile"), region))
    return False


def _rows(wh: Warehouse, record_ids: Iterable[str]) -> list[dict[str, Any]]:
    return wh.dicts(f"SELECT {', '.join(_FIELDS)} FROM {LEAD_RECORDS} "
                    "WHERE list_contains(?, record_id)", [sorted(set(record_ids))])


def _cluster_mates(wh: Warehouse, record_ids: list[str]) -> list[str]:
    """Other records the matcher put into the same person (contact or consumer lead)."""
    return [r[0] for r in wh.fetchall(
        "SELECT DISTINCT m2.record_id FROM core.lead_members m1 JOIN core.leads l USING "
        "(lead_id) JOIN core.lead_members m2 USING (lead_id) WHERE l.entity_type IN "
        "('contact', 'consumer') AND list_contains(?, m1.record_id) AND NOT "
        "list_contains(?, m2.record_id)", [record_ids, record_ids])]


def _sql_fold(expr: str) -> str:
    """SQL for a rough `person_key` fold, to narrow candidates before Python decides."""
    return (f"replace(replace(replace(replace(strip_accents(lower({expr})), 'ß', 'ss'), "
            "'ae', 'a'), 'oe', 'o'), 'ue', 'u')")


_SQL_NAME_FOLD = _sql_fold("coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' "
                           "|| coalesce(full_name, '')")


def _same_name(wh: Warehouse, keys: set[str], known: set[str]) -> list[dict[str, Any]]:
    """Records spelled another way with the same name key ("Dippel, Matteo", "Dr. M. …")."""
    found: list[dict[str, Any]] = []
    for key in keys:
        longest = max(key.split(), key=len)
        rows = wh.dicts(f"SELECT {', '.join(_FIELDS)} FROM {LEAD_RECORDS} WHERE "
                        f"contains({_SQL_NAME_FOLD}, ?)", [longest])
        found.extend(r for r in rows if r["record_id"] not in known and _person_key(r) == key)
    return found


def _shared_field(record: dict[str, Any], records: list[dict[str, Any]]) -> str | None:
    """The field besides the name that ties the record to the person's known records."""
    for name in ("postcode", "company", "street"):
        value = _fold(record.get(name))
        if value and any(_fold(r.get(name)) == value for r in records):
            return name
    return None


def find_subject(wh: Warehouse, identifier: str, name: str | None = None,
                 include: Iterable[str] = ()) -> SubjectRecords:
    """All records of the person with this e-mail or phone (and name, when given).

    Found by the identifier, then widened to the person's match cluster and to records with
    the same name key that share a postcode, company or street with them. A record with the
    same name and nothing else in common is only listed (`ambiguous`), unless the operator
    names it in `include`.
    """
    email = email_key(identifier) if "@" in identifier else None
    phone = None if email else phone_key(identifier)
    if not email and not phone:
        raise ValueError(f"{identifier!r} is neither an e-mail address nor a phone number")
    found = [r for r in _candidates(wh, email, phone) if _matches(r, email, phone)]
    if name:
        wanted = person_key(None, None, name) or _fold(name)
        found = [r for r in found if _person_key(r) == wanted
                 or _fold(r.get("last_name")) == _fold(name)]
    people = {_person_key(r) or _fold(person_name(r)) for r in found if person_name(r)}
    if len(people) > 1:
        names = sorted({person_name(r) for r in found if person_name(r)})
        raise AmbiguousSubject(
            f"{identifier} belongs to {len(people)} different people ({', '.join(names)}); "
            "say whose request this is with --name"
        )
    named = [r for r in found if person_name(r)]
    subject = SubjectRecords(email, phone, named, found_by={
        r["record_id"]: "identifier" for r in named})
    subject.contact_point_ids = [r["record_id"] for r in found if not person_name(r)]
    _widen(wh, subject, set(include))
    _raw_and_quarantine(wh, subject, email, phone, name)
    return subject


def _widen(wh: Warehouse, subject: SubjectRecords, include: set[str]) -> None:
    keys = subject.name_keys
    for row in _rows(wh, _cluster_mates(wh, subject.record_ids)):
        key = _person_key(row)
        if key is None or key in keys or row["record_id"] in include:
            subject.records.append(row)
            subject.found_by[row["record_id"]] = "match_cluster"
        else:
            subject.ambiguous.append({**row, "why": "same match cluster, other name"})
    known = set(subject.record_ids) | {r["record_id"] for r in subject.ambiguous}
    for row in _same_name(wh, keys, known):
        shared = _shared_field(row, subject.records)
        if shared or row["record_id"] in include:
            subject.records.append(row)
            subject.found_by[row["record_id"]] = (f"same_name_and_{shared}" if shared
                                                  else "confirmed")
        else:
            subject.ambiguous.append({**row, "why": "same name, nothing else in common"})
    for row in subject.ambiguous:
        if row["record_id"] in include:
            subject.records.append(row)
            subject.found_by[row["record_id"]] = "confirmed"
    subject.ambiguous = [r for r in subject.ambiguous if r["record_id"] not in include]


def _raw_and_quarantine(wh: Warehouse, subject: SubjectRecords, email: str | None,
                        phone: str | None, name: str | None) -> None:
    known = set(subject.record_ids)
    needle = email or (_national_digits(phone) if phone else "")
    in_staging = f"SELECT record_id FROM {LEAD_RECORDS}"
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
            subject.found_by[record_id] = "identifier"
    subject.quarantine_rowids = [
        rowid for rowid, content in wh.fetchall(
            "SELECT rowid, raw_content FROM ops.quarantine WHERE raw_content IS NOT NULL AND ("
            "contains(lower(raw_content), ?) OR "
            "contains(regexp_replace(raw_content, '[^0-9]', '', 'g'), ?))",
            [needle, needle],
        )
        if _mentions(re.split(r"[,;\t\"{}:]+", content), email, phone)
    ]


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


def _personal_phones(wh: Warehouse, subject: SubjectRecords) -> set[str]:
    """The person's phone numbers that no one else in the warehouse gives (not a switchboard)."""
    phones = {p for r in subject.records for p in (
        phone_key(r.get("phone")), phone_key(r.get("mobile"))) if p}
    if subject.phone:
        phones.add(subject.phone)
    keys, own = subject.name_keys, set(subject.record_ids)
    return {p for p in phones if all(
        r["record_id"] in own or _person_key(r) in keys for r in _candidates(wh, None, p))}


def mentions_of(wh: Warehouse, subject: SubjectRecords) -> Mentions:
    """What marks a copy of the person's data: e-mails, personal phones, name keys."""
    emails = {e for e in (email_key(r.get("email")) for r in subject.records) if e}
    if subject.email:
        emails.add(subject.email)
    return Mentions(frozenset(emails),
                    frozenset(_national_digits(p) for p in _personal_phones(wh, subject)),
                    frozenset(subject.name_keys))


def _scrub_payloads(wh: Warehouse, mentions: Mentions) -> int:
    """Remove the person from raw payloads of other records: crawled pages that list them
    (Impressum, team page, JSON-LD), company rows that give their e-mail or phone."""
    needles = [*mentions.emails, *(max(k.split(), key=len) for k in mentions.names)]
    scrubbed = 0
    for record_id, payload in wh.fetchall(
            "SELECT record_id, payload::VARCHAR FROM raw.records WHERE "
            f"(list_bool_or([contains({_sql_fold('payload::VARCHAR')}, {_sql_fold('x')}) "
            "FOR x IN ?]) OR list_bool_or([contains(regexp_replace(payload::VARCHAR, '[^0-9]', "
            "'', 'g'), d) FOR d IN ?]))",
            [needles, list(mentions.phone_digits)]):
        data = json.loads(payload)
        clean = scrub(data, mentions)
        if clean != data:
            scrubbed += 1
            wh.execute("UPDATE raw.records SET payload = ? WHERE record_id = ?",
                       [json.dumps(clean, ensure_ascii=False), record_id])
    return scrubbed


_IDENTIFIER_COLUMNS = {
    "staging.stg_purchased_list__records": ("email", "phone", "mobile"),
    "staging.stg_web_form__submissions": ("email", "phone", "mobile"),
    "staging.stg_crawl__pages": ("email", "phone"),
    "staging.stg_customer__records": ("email", "phone", "mobile"),
    "core.enriched_records": ("email_normalized", "phone_original", "phone_e164",
                              "mobile_original", "mobile_e164"),
}


def _drop_identifiers(wh: Warehouse, mentions: Mentions) -> None:
    """Blank the person's e-mail and personal phone where other records still give them."""
    emails, digits = sorted(mentions.emails), sorted(mentions.phone_digits)
    hit = ("(lower(trim({c})) IN (SELECT unnest(?::VARCHAR[])) OR list_bool_or([contains("
           "regexp_replace(coalesce({c}, ''), '[^0-9]', '', 'g'), d) FOR d IN ?::VARCHAR[]]))")
    for table, columns in _IDENTIFIER_COLUMNS.items():
        for column in columns:
            wh.execute(f"UPDATE {table} SET {column} = NULL WHERE {hit.format(c=column)}",
                       [emails, digits])
    for table in ("core.field_provenance", "core.golden_records"):
        wh.execute(f"DELETE FROM {table} WHERE {hit.format(c='value')}", [emails, digits])


def erase_records(wh: Warehouse, subject: SubjectRecords, reference: str) -> tuple[int, int]:
    """Delete the person's rows and redact their ledger events; (records, events) affected."""
    mentions = mentions_of(wh, subject)
    _scrub_payloads(wh, mentions)
    _drop_identifiers(wh, mentions)
    ids = subject.record_ids
    seqs = ledger_rows_for(wh, subject)
    leads = [r[0] for r in wh.fetchall(
        "SELECT DISTINCT lead_id FROM core.lead_members WHERE list_contains(?, record_id)", [ids])]
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
    # a sales note on the person's lead may name them: the lead's outcomes go with it
    wh.execute("DELETE FROM core.lead_outcomes WHERE list_contains(?, lead_id) AND lead_id "
               "NOT IN (SELECT lead_id FROM core.leads)", [leads])
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


def logged_files(wh: Warehouse, exclude: Iterable[str] = ()) -> list[str]:
    """Paths of every file the export log knows (lead exports, review-queue exports)."""
    skip = set(exclude)
    return [r[0] for r in wh.fetchall("SELECT DISTINCT path FROM ops.exports ORDER BY path")
            if r[0] not in skip]

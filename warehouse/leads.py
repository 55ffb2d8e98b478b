"""Storing what matching decided: leads, their member records, golden records, review pairs.

Matching itself is pure (`matching/`); this module reads its inputs from the enriched records
and writes its results, keeping lead ids stable (the caller maps new clusters onto the ids of
the previous run) and human merge/split decisions in `core.match_decisions`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from matching.cluster import Constraints
from warehouse.db import Warehouse

ENTITY_FILTERS = {
    "company": "e.company_name IS NOT NULL",
    "contact": "e.company_name IS NOT NULL AND e.last_name IS NOT NULL",
    "consumer": "e.company_name IS NULL AND e.last_name IS NOT NULL",
}
"""Which enriched records take part in matching at each entity level. A record names a
company when it has a company name at all (its match name may be empty: "Firma GmbH")."""


_DERIVED = {
    "website_domain": "coalesce(e.website_domain, CASE WHEN e.email_kind IN "
                      "('personal_business', 'role') THEN e.email_registrable_domain END)",
    "source": "e.source_kind",
    "updated_at": "o.activity_at::VARCHAR",
}
"""Match inputs that are not an enriched column as it stands. A company's domain is its
website's, or else that of a business e-mail address (never a freemail domain): a web form
rarely asks for the website, but the address tells."""


def _inputs(columns: Sequence[str] | None) -> str:
    if columns is None:
        select = ("e.* REPLACE ({website_domain} AS website_domain), {source} AS source, "
                  "{updated_at} AS updated_at").format(**_DERIVED)
    else:
        select = ", ".join(f"{_DERIVED.get(c, f'e.{c}')} AS {c}"
                           for c in dict.fromkeys(["record_id", *columns]))
    return (f"SELECT {select} FROM core.enriched_records e "
            "JOIN staging.stg_record_origins o USING (record_id) ")


def match_inputs(wh: Warehouse, entity_type: str, columns: Sequence[str] | None = None
                 ) -> list[dict[str, Any]]:
    """Enriched records of one level, with `source` and `updated_at` for survivorship; only
    `columns` when given (matching reads a third of them, and reading all of a million
    records was a fifth of a level's time)."""
    return wh.dicts(_inputs(columns) + f"WHERE {ENTITY_FILTERS[entity_type]} "
                    "ORDER BY e.record_id")


def member_inputs(wh: Warehouse, entity_type: str, lead_ids: list[str],
                  columns: Sequence[str] | None = None
                  ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The `match_inputs` of these leads' member records, and record id → lead id."""
    _lead_table(wh, lead_ids)
    wh.execute("CREATE OR REPLACE TEMP TABLE _golden_members AS SELECT record_id, lead_id "
               "FROM core.lead_members WHERE entity_type = ? AND lead_id IN "
               "(SELECT lead_id FROM _golden_leads)", [entity_type])
    records = wh.dicts(_inputs(columns) + f"WHERE {ENTITY_FILTERS[entity_type]} AND "
                       "e.record_id IN (SELECT record_id FROM _golden_members) "
                       "ORDER BY e.record_id")
    members = dict(wh.fetchall("SELECT record_id, lead_id FROM _golden_members"))
    wh.execute("DROP TABLE _golden_members")
    wh.execute("DROP TABLE _golden_leads")
    return records, members


def _lead_table(wh: Warehouse, lead_ids: list[str]) -> None:
    """Temp table `_golden_leads` of these ids."""
    wh.id_table("_golden_leads", "lead_id", lead_ids)


def replace_golden(wh: Warehouse, lead_ids: list[str],
                   golden: Mapping[str, Mapping[str, Any]]) -> int:
    """Put `golden` (lead id → field → chosen value) in place of these leads' golden records."""
    _lead_table(wh, lead_ids)
    wh.execute("DELETE FROM core.golden_records WHERE lead_id IN "
               "(SELECT lead_id FROM _golden_leads)")
    wh.execute("DROP TABLE _golden_leads")
    columns = _golden_columns(golden, datetime.now(UTC))
    wh.insert_columns("core.golden_records", columns if columns["lead_id"] else {})
    return len(columns["lead_id"])


def _golden_columns(golden: Mapping[str, Mapping[str, Any]],
                    now: datetime) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {k: [] for k in ("lead_id", "field", "value",
                                                     "source_record_id", "rule", "updated_at")}
    for lead, fields in golden.items():
        for field, chosen in fields.items():
            columns["lead_id"].append(lead)
            columns["field"].append(field)
            columns["value"].append(None if chosen["value"] is None else str(chosen["value"]))
            columns["source_record_id"].append(chosen["source_record_id"])
            columns["rule"].append(chosen["rule"])
            columns["updated_at"].append(now)
    return columns


def assignments(wh: Warehouse, entity_type: str) -> dict[str, str]:
    """record id → lead id from the previous run."""
    return dict(wh.fetchall(
        "SELECT record_id, lead_id FROM core.lead_members WHERE entity_type = ?",
        [entity_type]))


def stored_params(wh: Warehouse, entity_type: str, version: str) -> dict[str, Any] | None:
    value = wh.scalar("SELECT params FROM core.match_params WHERE entity_type = ? AND "
                      "settings_version = ?", [entity_type, version])
    return None if value is None else dict(json.loads(value))


def save_params(wh: Warehouse, entity_type: str, version: str, params: dict[str, Any]) -> None:
    wh.execute("INSERT OR REPLACE INTO core.match_params VALUES (?, ?, ?, ?)",
               [entity_type, version, json.dumps(params, default=float), datetime.now(UTC)])


def constraints(wh: Warehouse, entity_type: str) -> Constraints:
    """Every human merge (must-link) and split (cannot-link) of this level; the latest wins."""
    rows = wh.fetchall(
        "SELECT left_id, right_id, decision FROM core.match_decisions WHERE entity_type = ? "
        "QUALIFY row_number() OVER (PARTITION BY least(left_id, right_id), "
        "greatest(left_id, right_id) ORDER BY decided_at DESC) = 1", [entity_type])
    return Constraints(
        must_link=[(a, b) for a, b, d in rows if d == "merge"],
        cannot_link=[(a, b) for a, b, d in rows if d == "split"],
    )


def record_decision(wh: Warehouse, entity_type: str, left_id: str, right_id: str,
                    decision: str, decided_by: str, note: str | None = None) -> None:
    wh.execute("INSERT INTO core.match_decisions VALUES (?, ?, ?, ?, ?, ?, ?)",
               [entity_type, left_id, right_id, decision, decided_by, datetime.now(UTC), note])


def store_level(
    wh: Warehouse,
    entity_type: str,
    members: Mapping[str, str],
    golden: Mapping[str, Mapping[str, Any]],
    pairs: list[dict[str, Any]],
    company_of: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Replace one level's memberships, golden records and pairs; keep lead rows stable."""
    now = datetime.now(UTC)
    before = set(assignments(wh, entity_type).items())
    after = set(members.items())
    touched = {lead for _, lead in before ^ after}
    wh.execute("DELETE FROM core.lead_members WHERE entity_type = ?", [entity_type])
    wh.insert_columns("core.lead_members", {
        "lead_id": list(members.values()), "entity_type": [entity_type] * len(members),
        "record_id": list(members.keys()), "assigned_at": [now] * len(members),
    } if members else {})
    known = {r[0] for r in wh.fetchall("SELECT lead_id FROM core.leads WHERE entity_type = ?",
                                       [entity_type])}
    leads = set(members.values())
    new = sorted(leads - known)
    company_of = company_of or {}
    wh.insert_columns("core.leads", {
        "lead_id": new, "entity_type": [entity_type] * len(new),
        "company_lead_id": [company_of.get(lead) for lead in new],
        "created_at": [now] * len(new), "updated_at": [now] * len(new),
    } if new else {})
    gone = sorted(known - leads)
    if gone:
        wh.execute("DELETE FROM core.leads WHERE list_contains(?, lead_id)", [gone])
    changed = sorted(touched & leads)
    if changed:
        wh.execute("UPDATE core.leads SET updated_at = ? WHERE list_contains(?, lead_id)",
                   [now, changed])
    for lead, company in company_of.items():
        wh.execute("UPDATE core.leads SET company_lead_id = ? WHERE lead_id = ? AND "
                   "company_lead_id IS DISTINCT FROM ?", [company, lead, company])
    wh.execute("DELETE FROM core.golden_records WHERE lead_id IN (SELECT lead_id FROM "
               "core.leads WHERE entity_type = ?) OR list_contains(?, lead_id)",
               [entity_type, gone])
    columns = _golden_columns(golden, now)
    wh.insert_columns("core.golden_records", columns if columns["lead_id"] else {})
    wh.execute("DELETE FROM core.match_pairs WHERE entity_type = ?", [entity_type])
    wh.insert_columns("core.match_pairs", {
        "entity_type": [entity_type] * len(pairs),
        **{k: [p[k] for p in pairs] for k in ("left_id", "right_id", "match_weight",
                                              "match_probability", "band", "strong_key",
                                              "guarded")},
        "scored_at": [now] * len(pairs),
    } if pairs else {})
    return {"leads": len(leads), "new_leads": len(new), "merged_away": len(gone),
            "review_pairs": sum(1 for p in pairs if p["band"] == "review")}

"""SQL behind the workspace's lead lists: building `marts.lead_list` and reading pages of it.

The build runs inside a writer's session (decide, score, erase, undo); a page is two
queries against the built table (count and rows), every value bound as a parameter. Only the
shape of the WHERE clause follows the filter (how many prefixes, how many search terms), and
the ORDER BY is a rank column named from `SORT_KEYS`, a fixed mapping.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warehouse.db import Warehouse

_FOLD = ("strip_accents(replace(replace(replace(replace(lower({x}), 'ä', 'ae'), 'ö', 'oe'), "
         "'ü', 'ue'), 'ß', 'ss'))")
"""Search text and search terms alike: lower case, umlauts spelt out, other accents dropped,
so `Müller`, `MUELLER` and `müller` find each other."""


def fold(expr: str) -> str:
    return _FOLD.format(x=expr)


SORT_KEYS = {
    "score": "score",
    "company": fold("company"),
    "name": fold("nullif(concat_ws(' ', last_name, first_name), '')"),
    "postcode": "postcode",
    "city": fold("city"),
    "first_seen": "first_seen",
}
"""Sort key → the value it orders by; each becomes two rank columns at build time
(`<key>_asc`, `<key>_desc`), and a page orders by one of those: the only way a sort reaches
the SQL. Names sort by last name, text with umlauts spelt out (Ä with Ae)."""


LIST_COLUMNS = ("lead_id", "channel", "decision", "reason_code", "legal_basis", "entity_type",
                "company", "person_name", "contact", "postcode", "city", "bundesland",
                "country", "grade", "score", "sources", "vendors", "audience", "wz_code",
                "wz_section", "first_seen")
"""What a page returns per row (all but the search text)."""


def rebuild_lead_list(wh: Warehouse, ranges: Sequence[tuple[str, str, str]], trigger: str,
                      built_at: datetime) -> int:
    """Replace `marts.lead_list` (and its facets) with the current qualified leads.

    Call inside a transaction (the list is never half built). `ranges` are (first postcode,
    last postcode, Land) from `enrichment.bundesland`. Returns the rows written.
    """
    started = time.monotonic()
    inputs = _inputs(wh, ranges)
    last = wh.fetchone("SELECT inputs, rows FROM ops.lead_list_builds "
                       "ORDER BY built_at DESC LIMIT 1")
    if last is not None and last[0] == inputs:
        return int(last[1])  # nothing it reads has changed since: the list stands
    rows = _rebuild(wh, ranges)
    wh.execute("INSERT INTO ops.lead_list_builds (built_at, trigger, rows, seconds, inputs) "
               "VALUES (?, ?, ?, ?, ?)",
               [built_at, trigger, rows, round(time.monotonic() - started, 3), inputs])
    return rows


_INPUTS = {
    # table → what says that its rows changed, besides their count (which catches deletions):
    # the latest change time where a run writes only what changed; a hash of the content
    # where matching rewrites every row with a new time although nothing changed
    "core.eligibility_decisions": "max(decided_at)", "core.lead_scores": "max(scored_at)",
    "core.enriched_records": "max(enriched_at)", "raw.batches": "max(ingested_at)",
    "raw.records": "NULL",
    "core.golden_records": "bit_xor(hash(lead_id, field, value, source_record_id))",
    "core.leads": "bit_xor(hash(lead_id, entity_type, company_lead_id))",
    "core.lead_members": "bit_xor(hash(lead_id, record_id))",
}


def _inputs(wh: Warehouse, ranges: Sequence[tuple[str, str, str]]) -> str:
    """A fingerprint of what the list is built from: each input table's row count and
    change mark, and the postcode ranges. Cheap (one scan of a few columns), unlike the
    build (the qualified-leads view groups every lead's records)."""
    parts = [f"{table}:" + "/".join(str(v) for v in wh.fetchone(
        f"SELECT count(*), {mark} FROM {table}") or ())
        for table, mark in _INPUTS.items()]
    parts.append(hashlib.sha256(repr(sorted(ranges)).encode()).hexdigest()[:16])
    return "|".join(parts)


def _rebuild(wh: Warehouse, ranges: Sequence[tuple[str, str, str]]) -> int:
    wh.execute("CREATE OR REPLACE TEMP TABLE _plz_lands (first VARCHAR, last VARCHAR, "
               "land VARCHAR)")
    if ranges:
        wh.insert_columns("_plz_lands", {"first": [r[0] for r in ranges],
                                         "last": [r[1] for r in ranges],
                                         "land": [r[2] for r in ranges]})
    wh.execute(f"""
        CREATE OR REPLACE TEMP TABLE _list AS
        WITH q AS (
            SELECT q.*, f.audience
            FROM marts.qualified_leads q
            LEFT JOIN core.lead_features f USING (lead_id)
        ),
        plz AS (
            SELECT DISTINCT trim(postcode) AS postcode FROM q
            WHERE regexp_full_match(trim(postcode), '[0-9]{{5}}')
              AND upper(coalesce(country, 'DE')) = 'DE'
        ),
        lands AS (
            SELECT p.postcode, r.land FROM plz p
            ASOF JOIN _plz_lands r ON p.postcode >= r.first
            WHERE p.postcode <= r.last
        )
        SELECT q.lead_id, q.channel, q.decision, q.reason_code, q.legal_basis, q.entity_type,
               q.company_name AS company, q.person_name, q.contact, q.postcode, q.city,
               l.land AS bundesland,
               upper(coalesce(q.country, CASE WHEN l.land IS NOT NULL THEN 'DE' END))
                   AS country,
               q.grade, q.score, coalesce(q.sources, []) AS sources,
               coalesce(q.vendors, []) AS vendors, q.audience, q.wz_code, q.wz_section,
               q.first_seen,
               {fold("concat_ws(' ', q.company_name, q.person_name, q.email, q.city, "
                     "q.contact, q.postcode)")} AS search,
               chr(31) || array_to_string(list_concat(coalesce(q.sources, []),
                   coalesce(q.vendors, [])), chr(31)) || chr(31) AS source_keys,
               q.first_name, q.last_name
        FROM q LEFT JOIN lands l ON l.postcode = trim(q.postcode)
    """)
    # The window sorts see only the keys (a sort carries every column it is given along):
    # with the whole row, the six sorts took 75 s at a million leads.
    keys = ", ".join(f"{expr} AS k_{key}" for key, expr in SORT_KEYS.items())
    ranks = []
    for key in SORT_KEYS:
        asc = (f"row_number() OVER (PARTITION BY channel ORDER BY k_{key} ASC NULLS LAST, "
               "lead_id ASC)")
        ranks.append(f"CAST({asc} AS INTEGER) AS {key}_asc")
        ranks.append(f"CAST(CASE WHEN k_{key} IS NULL THEN {asc} ELSE count(k_{key}) OVER "
                     f"(PARTITION BY channel) + 1 - {asc} END AS INTEGER) AS {key}_desc")
    wh.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ranks AS
        SELECT channel, lead_id, {', '.join(ranks)}
        FROM (SELECT channel, lead_id, {keys} FROM _list)
    """)
    wh.execute("DELETE FROM marts.lead_list")
    wh.execute("""
        INSERT INTO marts.lead_list BY NAME
        SELECT l.* EXCLUDE (first_name, last_name), r.* EXCLUDE (channel, lead_id)
        FROM _list l JOIN _ranks r USING (channel, lead_id)
        ORDER BY l.channel, r.score_desc
    """)
    wh.execute("DROP TABLE _ranks")
    wh.execute("DROP TABLE _list")
    wh.execute("DELETE FROM marts.lead_list_facets")
    wh.execute("""
        INSERT INTO marts.lead_list_facets
        SELECT channel, facet, value, count(*) FROM (
            SELECT channel, 'vendor' AS facet, unnest(vendors) AS value FROM marts.lead_list
            UNION ALL SELECT channel, 'source', unnest(sources) FROM marts.lead_list
            UNION ALL SELECT channel, 'bundesland', bundesland FROM marts.lead_list
            UNION ALL SELECT channel, 'audience', audience FROM marts.lead_list
            UNION ALL SELECT channel, 'wz_section', wz_section FROM marts.lead_list
            UNION ALL SELECT channel, 'grade', grade FROM marts.lead_list
        ) WHERE value IS NOT NULL GROUP BY ALL ORDER BY ALL""")
    wh.execute("DROP TABLE _plz_lands")
    return int(wh.scalar("SELECT count(*) FROM marts.lead_list") or 0)


@dataclass(frozen=True)
class ListBuild:
    built_at: datetime
    trigger: str
    rows: int
    changed_since: tuple[str, ...]
    """Runs that finished after the build and change what the list would show (ingest,
    match, enrich...): the list catches up with them at the next decide or score."""


_CHANGING_FLOWS = ("ingest", "enrich", "match", "crawl", "consent", "gdpr", "review", "undo")


def latest_build(wh: Warehouse) -> ListBuild | None:
    """The last build of the list, None when it was never built."""
    row = wh.fetchone("SELECT built_at, trigger, rows FROM ops.lead_list_builds "
                      "ORDER BY built_at DESC LIMIT 1")
    if row is None:
        return None
    flows = [f for (f,) in wh.fetchall(
        "SELECT DISTINCT flow FROM ops.runs WHERE status = 'succeeded' AND finished_at > ? "
        "AND list_bool_or([starts_with(flow, p) FOR p IN ?]) ORDER BY 1",
        [row[0], list(_CHANGING_FLOWS)])]
    return ListBuild(row[0], row[1], int(row[2]), tuple(flows))


@dataclass(frozen=True)
class ListQuery:
    """A page request in the warehouse's terms: every value is bound, never formatted."""

    channel: str
    decisions: Sequence[str]
    grades: Sequence[str] = ()
    min_score: float | None = None
    postcode_prefixes: Sequence[str] = ()
    bundeslaender: Sequence[str] = ()
    sources: Sequence[str] = ()
    audiences: Sequence[str] = ()
    wz_prefixes: Sequence[str] = ()
    """WZ code prefixes without dots (62, 6201)."""
    wz_sections: Sequence[str] = ()
    terms: Sequence[str] = ()
    """Search words: each must occur in the folded search text (no wildcards)."""
    exclude: Sequence[str] = ()
    sort: str = "score"
    descending: bool = True
    limit: int = 50
    offset: int = 0


def _where(q: ListQuery) -> tuple[str, list[Any]]:
    where = ["channel = ?", "list_contains(?, decision)"]
    params: list[Any] = [q.channel, list(q.decisions)]
    if q.grades:
        where.append("list_contains(?, grade)")
        params.append(list(q.grades))
    if q.min_score is not None:
        where.append("score >= ?")
        params.append(q.min_score)
    if q.postcode_prefixes:
        where.append("coalesce(country, 'DE') = 'DE' AND (" + " OR ".join(
            ["starts_with(postcode, ?)"] * len(q.postcode_prefixes)) + ")")
        params += list(q.postcode_prefixes)
    if q.bundeslaender:
        where.append("list_contains(?, bundesland)")
        params.append(list(q.bundeslaender))
    if q.sources:
        where.append("(" + " OR ".join(["contains(source_keys, chr(31) || ? || chr(31))"]
                                       * len(q.sources)) + ")")
        params += list(q.sources)
    if q.audiences:
        where.append("list_contains(?, audience)")
        params.append(list(q.audiences))
    if q.wz_prefixes or q.wz_sections:
        parts = ["starts_with(replace(wz_code, '.', ''), ?)"] * len(q.wz_prefixes)
        params += list(q.wz_prefixes)
        if q.wz_sections:
            parts.append("list_contains(?, wz_section)")
            params.append(list(q.wz_sections))
        where.append("(" + " OR ".join(parts) + ")")
    for term in q.terms:
        where.append(f"contains(search, {fold('?')})")
        params.append(term)
    if q.exclude:
        where.append("lead_id NOT IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(q.exclude))
    return " AND ".join(where), params


_BUCKET = 4096
"""Ranks per bucket when a deep page is found by counting (`list_page`)."""
_DEEP = 2000
"""From this offset on, a page is found by bucket counts instead of skipping rows."""


def list_page(wh: Warehouse, q: ListQuery) -> tuple[list[dict[str, Any]], int]:
    """(rows of the page, rows matching the filter in all).

    A page is found on the integer rank of its sort, never on the text: the ranks of the
    page's rows first, then those rows. To skip a few thousand rows DuckDB keeps them in a
    top-N heap; deeper, the count is taken per bucket of ranks, and the page is looked for
    only in the bucket where it starts (a page 5,000 deep: 60-110 ms of skipping before).
    """
    if q.sort not in SORT_KEYS:
        raise KeyError(f"unknown sort {q.sort!r}")
    rank = f"{q.sort}_{'desc' if q.descending else 'asc'}"
    where, params = _where(q)
    skip, floor = q.offset, 0
    if q.offset < _DEEP:
        total = int(wh.scalar(f"SELECT count(*) FROM marts.lead_list WHERE {where}", params)
                    or 0)
    else:
        buckets = wh.fetchall(f"SELECT {rank} // {_BUCKET} AS b, count(*) FROM "
                              f"marts.lead_list WHERE {where} GROUP BY b ORDER BY b", params)
        total = sum(int(n) for _, n in buckets)
        for bucket, n in buckets:
            if skip < n:
                floor = int(bucket) * _BUCKET
                break
            skip -= int(n)
    if total == 0 or q.offset >= total:
        return [], total
    ranks = [r for (r,) in wh.fetchall(
        f"SELECT {rank} FROM marts.lead_list WHERE {where} AND {rank} >= ? "
        f"ORDER BY {rank} LIMIT ? OFFSET ?", [*params, floor, q.limit, skip])]
    rows = wh.dicts(
        f"SELECT {', '.join(LIST_COLUMNS)} FROM marts.lead_list WHERE channel = ? AND "
        f"{rank} BETWEEN ? AND ? AND list_contains(?, {rank}) ORDER BY {rank}",
        [q.channel, min(ranks), max(ranks), ranks])
    return rows, total


def facet_values(wh: Warehouse, channel: str | None = None) -> list[tuple[str, str, int]]:
    """(facet, value, rows) present in the list, for one channel or all."""
    return [(f, v, int(n)) for f, v, n in wh.fetchall(
        "SELECT facet, value, sum(rows) FROM marts.lead_list_facets "
        "WHERE ? IS NULL OR channel = ? GROUP BY ALL ORDER BY 1, 2", [channel, channel])]


def list_ids(wh: Warehouse, q: ListQuery) -> list[str]:
    """Every lead id matching the filter in the page's order (for exporting the list)."""
    where, params = _where(q)
    if q.sort not in SORT_KEYS:
        raise KeyError(f"unknown sort {q.sort!r}")
    rank = f"{q.sort}_{'desc' if q.descending else 'asc'}"
    return [r[0] for r in wh.fetchall(
        f"SELECT lead_id FROM marts.lead_list WHERE {where} ORDER BY {rank}", params)]

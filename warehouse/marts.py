"""SQL behind scoring, the qualified lead lists for sales, the export log and the funnel.

Aggregations run in DuckDB (one summary row per lead, one count per source and stage); the
stages in `stages/` do the Python part. Bulk writes go column-wise through
`Warehouse.insert_columns`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from foundation.vocabulary import OUTCOME_LEVELS
from warehouse.db import Warehouse
from warehouse.decisions import wanted_leads

_SEP = "\x1f"
"""Joins top reasons into one text value for bulk loading (split again in SQL)."""

_KEY_COLUMNS = ("wz_code", "size_class", "region", "country", "legal_form", "decision_maker",
                "audience", "email_status", "phone_e164", "address_complete",
                "impressum_confirms", "request_kinds", "request_times")
"""What a score depends on: leads equal in these score the same (apart from the postcode
text, which `store_scores` puts back)."""


def _digest(columns: Sequence[str]) -> str:
    return "md5(concat_ws('|', " + ", ".join(
        f"coalesce(CAST({c} AS VARCHAR), '~')" for c in columns) + "))"


def stage_features(wh: Warehouse, *, as_of: date, region_prefixes: Sequence[str],
                   config_version: str) -> int:
    """Fill the temp table `_score_todo` with the features of leads whose score is stale.

    Features are computed in SQL for every lead (`core.lead_features`: the golden value
    first, then the members', and for contacts their company's). `region` is the most
    specific configured postcode prefix the lead's German postcode starts with;
    `impressum_confirms` compares crawled company names with the others after lower-casing
    and dropping all but letters and digits. `inputs_hash` covers every feature, plus the
    as-of date for leads with requests (their engagement decays daily). Returns how many
    leads are stale.
    """
    wh.execute("CREATE OR REPLACE TEMP MACRO _name_key(x) AS "
               "regexp_replace(lower(x), '[^0-9a-zäöüß]+', '', 'g')")
    pc = "replace(upper(trim(s.postcode)), '.', '')"
    region = ("CASE WHEN upper(coalesce(s.country, 'DE')) <> 'DE' THEN NULL "
              + " ".join(f"WHEN list_contains($prefixes, left({pc}, {n})) THEN left({pc}, {n})"
                         for n in range(5, 0, -1)) + " END")
    wh.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _features AS
        SELECT s.lead_id, s.wz_code, coalesce(s.size_class, 'unknown') AS size_class,
               s.postcode, coalesce(s.country, 'DE') AS country, s.legal_form,
               s.decision_maker, coalesce(s.audience, 'unknown') AS audience, s.email_status,
               s.phone_e164, s.address_complete,
               coalesce(list_has_any(
                   list_filter(list_transform(s.crawl_companies, lambda x: _name_key(x)),
                               lambda x: x <> ''),
                   list_filter(list_transform(list_append(s.other_companies, s.company_name),
                                              lambda x: _name_key(x)), lambda x: x <> '')), false)
                   AS impressum_confirms,
               coalesce(s.request_kinds, []) AS request_kinds,
               coalesce(s.request_times, []) AS request_times,
               {region} AS region
        FROM core.lead_features s
    """.replace("$prefixes", "$1"), [list(region_prefixes)]).fetchall()
    hashed = [c for c in _KEY_COLUMNS if c != "region"] + ["postcode"]
    wh.execute(f"""
        CREATE OR REPLACE TEMP TABLE _score_todo AS
        SELECT f.*, {_digest(_KEY_COLUMNS)} AS set_key,
               md5({_digest(hashed)} || CASE WHEN len(f.request_kinds) > 0
                   THEN CAST(?::DATE AS VARCHAR) ELSE '' END) AS inputs_hash
        FROM _features f""", [as_of])
    wh.execute("DROP TABLE _features")
    wh.execute("""
        DELETE FROM _score_todo t USING core.lead_scores s
        WHERE s.lead_id = t.lead_id AND s.is_current AND s.inputs_hash = t.inputs_hash
          AND s.config_version = ?""", [config_version])
    return int(wh.scalar("SELECT count(*) FROM _score_todo"))


def feature_sets(wh: Warehouse) -> list[dict[str, Any]]:
    """One row per distinct feature set among the stale leads (`set_key` + the features)."""
    cols = ", ".join(_KEY_COLUMNS)
    return wh.dicts(f"SELECT DISTINCT ON (set_key) set_key, {cols}, count(*) OVER "
                    "(PARTITION BY set_key) AS leads FROM _score_todo")


def store_scores(wh: Warehouse, sets: Mapping[str, Sequence[Any]], config_version: str,
                 scored_at: datetime) -> dict[str, int]:
    """Give every stale lead the score of its feature set; retire the scores replaced.

    `sets` holds set_key, fit, engagement, quality, total, grade, explanation (JSON text)
    and top_reasons (list of text), scored with the region prefix standing in for the
    postcode; the lead's own postcode is put back into the explanation text here. Scores of
    leads that no longer exist stop being current.
    """
    wh.execute("CREATE OR REPLACE TEMP TABLE _sets (set_key VARCHAR, fit DOUBLE, "
               "engagement DOUBLE, quality DOUBLE, total DOUBLE, grade VARCHAR, "
               "explanation VARCHAR, top_reasons VARCHAR)")
    if sets.get("set_key"):
        bulk = dict(sets)
        bulk["top_reasons"] = [_SEP.join(r) for r in sets["top_reasons"]]
        wh.insert_columns("_sets", bulk)
    wh.execute("UPDATE core.lead_scores s SET is_current = false FROM _score_todo t "
               "WHERE s.is_current AND s.lead_id = t.lead_id")
    fix = ("CASE WHEN t.region IS NULL THEN {col} ELSE replace({col}, 'postcode ' || t.region "
           "|| ' in region ', 'postcode ' || t.postcode || ' in region ') END")
    wh.execute(f"""
        INSERT INTO core.lead_scores
        SELECT t.lead_id, s.fit, s.engagement, s.quality, s.total, s.grade,
               CAST({fix.format(col="s.explanation")} AS JSON),
               CASE WHEN s.top_reasons = '' THEN []::VARCHAR[]
                    ELSE string_split({fix.format(col="s.top_reasons")}, '{_SEP}') END,
               ?, t.inputs_hash, ?, true
        FROM _score_todo t JOIN _sets s USING (set_key)""", [config_version, scored_at])
    inserted = int(wh.scalar("SELECT count(*) FROM _score_todo"))
    gone = ("FROM core.lead_scores s WHERE s.is_current AND NOT EXISTS "
            "(SELECT 1 FROM core.leads l WHERE l.lead_id = s.lead_id)")
    retired = int(wh.scalar(f"SELECT count(*) {gone}") or 0)
    if retired:
        wh.execute("UPDATE core.lead_scores SET is_current = false WHERE is_current AND "
                   f"lead_id IN (SELECT s.lead_id {gone})")
    for table in ("_sets", "_score_todo"):
        wh.execute(f"DROP TABLE {table}")
    return {"inserted": inserted, "retired": retired}


def current_model(wh: Warehouse) -> tuple[str, dict[str, Any]] | None:
    """(model_id, model dict) of the learned model in use, if one was trained."""
    row = wh.fetchone("SELECT model_id, model FROM core.scoring_models WHERE is_current "
                      "ORDER BY trained_at DESC LIMIT 1")
    return None if row is None else (row[0], json.loads(row[1]))


def store_model(wh: Warehouse, *, model_id: str, trained_at: datetime, trained_by: str,
                config_version: str, model: dict[str, Any], source_file: str | None) -> None:
    wh.execute("UPDATE core.scoring_models SET is_current = false WHERE is_current")
    wh.execute(
        "INSERT INTO core.scoring_models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)",
        [model_id, trained_at, trained_by, config_version, model["leads"], model["wins"],
         model["cv_auc"], model["brier"], json.dumps(model), source_file])


def resolve_leads(wh: Warehouse, keys: Sequence[str]) -> dict[str, str]:
    """Map lead ids and e-mail addresses (golden, case-insensitive) to lead ids."""
    rows = wh.fetchall(
        "SELECT k, coalesce(l.lead_id, g.lead_id) FROM unnest(?) t(k) "
        "LEFT JOIN core.leads l ON l.lead_id = k "
        "LEFT JOIN core.golden_leads g ON lower(g.email_normalized) = lower(trim(k)) "
        "AND l.lead_id IS NULL", [list(keys)])
    return {k: lead for k, lead in rows if lead is not None}


def store_outcomes(wh: Warehouse, outcomes: Mapping[str, str], recorded_at: datetime,
                   source_file: str, recorded_by: str | None = None) -> int:
    """Outcomes read from a CRM file (source: its name); one new row per lead."""
    if not outcomes:
        return 0
    n = len(outcomes)
    return wh.insert_columns("core.lead_outcomes", {
        "outcome_id": [f"file-{uuid.uuid4().hex}" for _ in range(n)],
        "lead_id": list(outcomes), "outcome": list(outcomes.values()),
        "recorded_at": [recorded_at.isoformat()] * n, "recorded_by": [recorded_by] * n,
        "source": [source_file] * n})


def stored_explanations(wh: Warehouse, lead_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The current rule explanation of each lead (for training on the features as scored)."""
    return {lead: json.loads(expl) for lead, expl in wh.fetchall(
        "SELECT lead_id, explanation FROM core.lead_scores WHERE is_current "
        "AND list_contains(?, lead_id)", [list(lead_ids)])}


# --- qualified lead lists -------------------------------------------------------------------

def known_vendors(wh: Warehouse) -> list[str]:
    return [r[0] for r in wh.fetchall(
        "SELECT DISTINCT vendor FROM staging.stg_batches WHERE vendor IS NOT NULL ORDER BY 1")]


def qualified_rows(
    wh: Warehouse, *, channel: str, grades: Sequence[str], regions: Sequence[str] = (),
    industries: Sequence[str] = (), sources: Sequence[str] = (), since: date | None = None,
    limit: int | None = None, include_review: bool = False,
    lead_ids: Sequence[str] | None = None, rules: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Rows of `marts.qualified_leads` for one channel, best score first (only `lead_ids`,
    when given: the list a workspace page showed). With `rules`, also the rows whose current
    decision, blocked too, was taken by one of them (`marts.lead_channels`): a campaign
    decides §7(3) again for its product."""
    where = ["channel = ?", "list_contains(?, grade)",
             "(list_contains(?, decision) OR list_contains(?, rule))"]
    params: list[Any] = [channel, list(grades),
                         ["allowed", "review"] if include_review else ["allowed"], list(rules)]
    if regions:
        where.append("list_has_any(?, [left(postcode, n) FOR n IN range(1, 6)])")
        params.append(list(regions))
    if industries:
        digits = [i.replace(".", "") for i in industries if not i.isalpha()]
        letters = [i.upper() for i in industries if i.isalpha()]
        where.append("(list_has_any(?, [left(replace(wz_code, '.', ''), n) FOR n IN "
                     "range(1, 6)]) OR list_contains(?, wz_section))")
        params += [digits, letters]
    if sources:
        where.append("(list_has_any(sources, ?) OR list_has_any(vendors, ?))")
        params += [list(sources), list(sources)]
    if since is not None:
        where.append("first_seen >= ?")
        params.append(since)
    if lead_ids is not None:
        where.append("lead_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(lead_ids))
    view = "marts.lead_channels" if rules else "marts.qualified_leads"
    sql = (f"SELECT * FROM {view} WHERE {' AND '.join(where)} "
           "ORDER BY score DESC NULLS LAST, lead_id")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return wh.dicts(sql, params)


def allowed_channels(wh: Warehouse, lead_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """lead id → the channels its current decision allows: a call list shows a lead's e-mail
    address only where e-mail is allowed too."""
    if not lead_ids:
        return {}
    rows = wh.fetchall(
        "SELECT lead_id, list(DISTINCT channel) FROM core.eligibility_decisions "
        "WHERE is_current AND decision = 'allowed' AND lead_id IN "
        f"(SELECT lead_id FROM {wanted_leads(wh, lead_ids)}) GROUP BY lead_id")
    return {lead_id: frozenset(channels) for lead_id, channels in rows}


# --- funnel ---------------------------------------------------------------------------------

def funnel_counts(wh: Warehouse, qualified_grades: Sequence[str]) -> list[dict[str, Any]]:
    """Counts per (source_kind, vendor) and stage; source_kind 'all' counts each lead once.

    Stages: ingested (records), unique, enriched, eligible:<channel>, qualified:<channel>,
    exported:<channel>, then from the sales outcomes contacted (any outcome), reached and
    appointment (the furthest step a lead's outcomes got to, `OUTCOME_LEVELS`), and won,
    lost, not_interested (the latest outcome). Each lead stage
    counts within the one its rate is relative to (`scoring.funnel.stage_order`), so no rate
    exceeds 100 %: exported counts qualified leads that were exported, not every export.
    """
    return wh.dicts("""
        WITH rec AS (
            SELECT record_id, source_kind, coalesce(vendor, '') AS vendor
            FROM staging.stg_record_origins
        ),
        grp AS (
            SELECT source_kind, vendor, record_id FROM rec
            UNION ALL SELECT 'all', '', record_id FROM rec
        ),
        lead_grp AS (
            SELECT DISTINCT g.source_kind, g.vendor, m.lead_id,
                   bool_or(e.record_id IS NOT NULL) OVER (
                       PARTITION BY g.source_kind, g.vendor, m.lead_id) AS enriched
            FROM grp g JOIN core.lead_members m ON m.record_id = g.record_id
            LEFT JOIN core.enriched_records e ON e.record_id = g.record_id
        ),
        enriched_leads AS (SELECT source_kind, vendor, lead_id FROM lead_grp WHERE enriched),
        allowed AS (
            SELECT d.lead_id, d.channel, s.grade
            FROM core.eligibility_decisions d
            LEFT JOIN core.lead_scores s ON s.lead_id = d.lead_id AND s.is_current
            WHERE d.is_current AND d.decision = 'allowed'
        ),
        qualified AS (SELECT lead_id, channel FROM allowed WHERE list_contains(?, grade)),
        exported AS (
            SELECT q.lead_id, q.channel FROM qualified q
            SEMI JOIN ops.export_leads x ON x.lead_id = q.lead_id AND x.channel = q.channel
        ),
        outcome AS (
            SELECT lead_id, outcome AS latest, max(CASE outcome {levels} END) OVER
                   (PARTITION BY lead_id) AS level
            FROM core.lead_outcomes
            QUALIFY row_number() OVER (PARTITION BY lead_id
                                       ORDER BY recorded_at DESC, outcome_id DESC) = 1
        ),
        outcome_stage AS (
            SELECT lead_id, 'contacted' AS stage FROM outcome
            UNION ALL SELECT lead_id, 'reached' FROM outcome WHERE level >= 2
            UNION ALL SELECT lead_id, 'appointment' FROM outcome WHERE level >= 3
            UNION ALL SELECT lead_id, latest FROM outcome
            WHERE latest IN ('won', 'lost', 'not_interested')
        )
        SELECT source_kind, vendor, 'ingested' AS stage, count(*) AS n FROM grp GROUP BY ALL
        UNION ALL SELECT source_kind, vendor, 'unique', count(DISTINCT lead_id)
            FROM lead_grp GROUP BY ALL
        UNION ALL SELECT source_kind, vendor, 'enriched', count(*) FILTER (WHERE enriched)
            FROM lead_grp GROUP BY ALL
        UNION ALL SELECT g.source_kind, g.vendor, 'eligible:' || a.channel, count(*)
            FROM enriched_leads g JOIN allowed a USING (lead_id) GROUP BY ALL
        UNION ALL SELECT g.source_kind, g.vendor, 'qualified:' || q.channel, count(*)
            FROM enriched_leads g JOIN qualified q USING (lead_id) GROUP BY ALL
        UNION ALL SELECT g.source_kind, g.vendor, 'exported:' || x.channel, count(*)
            FROM enriched_leads g JOIN exported x USING (lead_id) GROUP BY ALL
        UNION ALL SELECT g.source_kind, g.vendor, o.stage, count(*)
            FROM enriched_leads g JOIN outcome_stage o USING (lead_id) GROUP BY ALL
        ORDER BY 1, 2, 3
    """.replace("{levels}", " ".join(f"WHEN '{o}' THEN {n}" for o, n in OUTCOME_LEVELS.items())),
        [list(qualified_grades)])


def current_grades(wh: Warehouse) -> dict[str, int]:
    """Leads per grade of their current score (all leads, not only those scored this run)."""
    return {str(g): int(n) for g, n in wh.fetchall(
        "SELECT grade, count(*) FROM core.lead_scores WHERE is_current GROUP BY ALL ORDER BY 1")}

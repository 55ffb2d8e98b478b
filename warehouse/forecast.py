"""What the revenue forecast reads: the qualified leads and their recorded outcomes.

Read only. A lead is in the forecast's population when its current decision allows at least
one channel (`marts.lead_profile` gives its sources, vendors, industry and first sighting,
`core.lead_features` its audience and size class, `core.lead_scores` its rule explanation);
which of them are still open at a given day is decided from their outcomes in
`scoring.forecast`, so that the backtest can look at the pipeline as it was.
"""

from __future__ import annotations

from typing import Any

from warehouse.db import Warehouse


def pipeline_leads(wh: Warehouse) -> list[dict[str, Any]]:
    """One row per lead allowed on a channel: lead_id, first_seen, sources, vendors,
    wz_section, audience, size_class, explanation (JSON text or None)."""
    return wh.dicts("""
        WITH allowed AS (
            SELECT DISTINCT lead_id FROM core.eligibility_decisions
            WHERE is_current AND decision = 'allowed'
        )
        SELECT p.lead_id, p.first_seen, p.sources, p.vendors, p.wz_section, f.audience,
               f.size_class, CAST(s.explanation AS VARCHAR) AS explanation
        FROM allowed a
        JOIN marts.lead_profile p USING (lead_id)
        LEFT JOIN core.lead_features f USING (lead_id)
        LEFT JOIN core.lead_scores s ON s.lead_id = a.lead_id AND s.is_current
        ORDER BY p.lead_id""")


def pipeline_outcomes(wh: Warehouse) -> list[dict[str, Any]]:
    """Every outcome of a lead allowed on a channel, oldest first per lead: lead_id,
    outcome, recorded_at, value_eur."""
    return wh.dicts("""
        SELECT o.lead_id, o.outcome, o.recorded_at, CAST(o.value_eur AS DOUBLE) AS value_eur
        FROM core.lead_outcomes o
        WHERE o.lead_id IN (SELECT lead_id FROM core.eligibility_decisions
                            WHERE is_current AND decision = 'allowed')
        ORDER BY o.lead_id, o.recorded_at, o.outcome_id""")

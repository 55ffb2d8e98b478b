"""Printing a nightly run's result for a person at a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def print_ingest(reports: list[dict[str, Any]], console: Console) -> None:
    table = Table(title="Ingest")
    for column in ("file", "status", "in", "loaded", "quarantined", "skipped", "note"):
        table.add_column(column, justify="right" if column in
                         ("in", "loaded", "quarantined", "skipped") else "left")
    for r in reports:
        table.add_row(r["file"], r["status"], str(r["in"]), str(r["loaded"]),
                      str(r["quarantined"]), str(r["skipped"]), r.get("note") or "")
    console.print(table)
    total = {k: sum(int(r[k]) for r in reports) for k in ("in", "loaded", "quarantined", "skipped")}
    console.print(
        f"rows in = loaded + quarantined + skipped: {total['in']} = {total['loaded']} + "
        f"{total['quarantined']} + {total['skipped']}"
    )


def print_decisions(decided: dict[str, Any], console: Console) -> None:
    table = Table(title=f"Eligibility of {decided['leads']} lead(s)")
    for column in ("channel", "allowed", "review", "blocked"):
        table.add_column(column, justify="left" if column == "channel" else "right")
    for channel, counts in decided["by_channel"].items():
        table.add_row(channel, *(str(counts.get(k, 0)) for k in ("allowed", "review",
                                                               "blocked")))
    console.print(table)


def print_run_summary(result: dict[str, Any], console: Console) -> None:
    """One section per stage that ran."""
    if "ingest" in result:
        print_ingest(result["ingest"], console)
    for e in result.get("consent_events", []):
        if "error" in e:
            console.print(f"Consent events {e['file']}: not imported — {e['error']}")
        else:
            console.print(f"Consent events {e['file']}: {e['imported']} new, "
                          f"{len(e['problems'])} problem line(s)")
    if result.get("crawl", {}).get("targets"):
        c = result["crawl"]
        batch = c["batch"]
        console.print(f"Crawl: {c['targets']} site(s), {c['pages']} page(s); {batch['loaded']} "
                      f"with company data loaded, {batch['skipped']} other page(s); skipped "
                      f"requests: {c['skipped'] or 'none'}")
    if "enrich" in result:
        e = result["enrich"]
        console.print(f"Enrich: {e['records_enriched']} record(s) enriched, {e['values']} "
                      f"value(s) with provenance, {e['dns_lookups']} DNS lookup(s).")
    if "match" in result:
        m = result["match"]
        parts = [f"{m[level]['leads']} {level} lead(s)" for level in ("company", "contact",
                                                                       "consumer")]
        console.print("Match: " + ", ".join(parts) + f"; {m['company'].get('review_pairs', 0)}"
                      " company pair(s) to review.")
    if "decide" in result:
        print_decisions(result["decide"], console)
    if "score" in result:
        s = result["score"]
        grades = ", ".join(f"{g}: {n}" for g, n in s["grades"].items())
        console.print(f"Score: {s['leads_scored']} lead(s) scored ({grades}).")

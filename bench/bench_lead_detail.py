"""Benchmark: the workspace's lead page data (`stages.lead_detail.lead_detail`) for random
leads of a warehouse with N leads, one request after the other as the web server answers
them (each opens the warehouse read-only, as a request does).

    .venv/bin/python bench/bench_lead_detail.py --n 1000000 --report bench/report_lead_detail.md
    .venv/bin/python bench/bench_lead_detail.py --n 100000

The warehouse is the score benchmark's (`bench_score_export.populate`: N leads, a list record
each, a form submission for every tenth, golden fields, two decisions per lead), plus two
ledger events per form submission (a consent with its evidence and an inquiry), so that the
ledger lookup runs against N / 5 events, and a current score per lead.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_score_export import NOW, populate
from foundation.settings import Settings
from stages.lead_detail import lead_detail
from warehouse.db import open_warehouse

REQUESTS = 200
EVIDENCE = '{"form_id": "demo-de", "page_url": "https://example.de/demo", "ip": "203.0.113.9"}'
EXPLANATION = ('[{"part": "fit", "factor": "industry", "detail": "industry WZ 62.01 matches 62", '
               '"points": 14.3}]')


def add_ledger_and_scores(settings: Settings, n: int) -> None:
    with open_warehouse(settings, write=True) as wh:
        wh.execute(f"""
            INSERT INTO core.consent_events (seq, event_id, record_id, subject_email,
                subject_phone, kind, channels, occurred_at, attributes, evidence, recorded_at,
                content_hash, prev_hash, hash)
            SELECT row_number() OVER (), 'ev-' || i || '-' || k, 'f' || i, NULL, NULL,
                CASE k WHEN 0 THEN 'consent_given' ELSE 'inquiry_received' END,
                CASE k WHEN 0 THEN ['email'] ELSE ['all'] END, TIMESTAMPTZ '{NOW}',
                CASE k WHEN 0 THEN '{{"method": "double_opt_in", "confirmed_at": "2026-11-20"}}'
                     ELSE '{{"request_type": "demo"}}' END,
                '{EVIDENCE}',
                TIMESTAMPTZ '{NOW}', 'c', 'p', 'h'
            FROM range(0, {n}, 10) t(i), range(2) k(k)""")
        wh.execute(f"""
            INSERT INTO core.lead_scores SELECT 'L' || i, 50, 40, 60, 50, 'B',
                '{EXPLANATION}',
                ['industry WZ 62.01 matches 62 (+14)'], 'v', 'h', TIMESTAMPTZ '{NOW}', true
            FROM range({n}) t(i)""")


def run(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                            config_dir=data / "cfg")
        populate(settings, n)
        add_ledger_and_scores(settings, n)
        rnd = random.Random(7)
        # every tenth lead has a form submission and ledger events: ask for both kinds
        ids = [f"L{rnd.randrange(n) // 10 * 10 if k % 2 else rnd.randrange(n)}"
               for k in range(REQUESTS)]
        assert lead_detail(settings, ids[0]) is not None  # the first open pays for the cache
        times = []
        for lead_id in ids:
            start = time.perf_counter()
            detail = lead_detail(settings, lead_id)
            times.append((time.perf_counter() - start) * 1000)
            assert detail is not None
        times.sort()
        return {"p50": statistics.median(times), "p95": times[int(0.95 * len(times)) - 1],
                "max": times[-1]}


def report(n: int, ms: dict[str, float]) -> str:
    return (f"## Lead detail: one lead of {n:,} for the lead page\n\n"
            f"`stages.lead_detail.lead_detail`, {REQUESTS} random leads one after the other "
            "(half with a form submission and ledger events), each opening the warehouse "
            "read-only as a web request does.\n\n"
            "| | p50 | p95 | max |\n|---|---:|---:|---:|\n"
            f"| per lead | {ms['p50']:.0f} ms | {ms['p95']:.0f} ms | {ms['max']:.0f} ms |\n")


NOTES = "Measured on"
"""Where the hand-written notes of the report begin."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    text = report(args.n, run(args.n))
    print(text)
    if args.report:  # the hand-written notes below the table stay
        old = args.report.read_text(encoding="utf-8") if args.report.exists() else ""
        at = old.find(NOTES)
        args.report.write_text(text + ("\n" + old[at:] if at >= 0 else ""), encoding="utf-8")


if __name__ == "__main__":
    main()

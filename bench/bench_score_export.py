"""Benchmark: score N leads from scratch, rescore with nothing changed, export the top 10,000
for the phone channel; wall time and peak memory of each step in a fresh process.

    .venv/bin/python bench/bench_score_export.py --n 1000000 --report bench/report_score_export.md
    .venv/bin/python bench/bench_score_export.py --n 100000

The warehouse is filled with SQL `range()` generation (not Python loops): N leads with one
purchased record each, a web-form submission for every tenth lead (a second member record
with a request), five golden fields per lead, enriched rows with realistic variety (about
90,000 postcodes, 40 WZ codes, five size classes, six legal forms) and a phone and an e-mail
decision per lead. Identical feature sets score once (`stages.score.CACHE_LIMIT`),
so the variety decides how much scoring work there is.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import Measurement, measure
from foundation.settings import Settings
from warehouse.db import open_warehouse

NOW = "2026-11-20 10:00:00+00"
WZ = ["62.01", "62.02", "63.11", "28.11", "28.41", "47.11", "46.90", "70.22", "69.10", "43.21",
      "10.71", "25.62", "56.10", "86.21", "41.20", "71.12", "73.11", "49.41", "85.59", "96.02"]


def populate(settings: Settings, n: int) -> None:
    """N leads with records, enrichment, golden fields, submissions and decisions."""
    with open_warehouse(settings, write=True, create=True) as wh:
        wh.execute("CREATE TEMP MACRO h(x) AS CAST(hash(x) % 1000003 AS BIGINT)")
        wh.execute("INSERT INTO raw.batches (batch_id, run_id, source_kind, file_name, "
                   "file_sha256, vendor, rows_in, rows_loaded, rows_quarantined, rows_skipped, "
                   f"ingested_at) VALUES ('b-list', 'r', 'purchased_list', 'l.csv', 'x', "
                   f"'acme', {n}, {n}, 0, 0, '{NOW}'), ('b-form', 'r', 'web_form', 'f.json', "
                   f"'y', NULL, {n // 10}, {n // 10}, 0, 0, '{NOW}')")
        wh.execute(f"""
            CREATE TEMP TABLE g AS SELECT i,
                CASE WHEN i % 4 = 0 THEN 'consumer' ELSE 'company' END AS entity_type,
                lpad(CAST(10000 + h(i) % 89000 AS VARCHAR), 5, '0') AS postcode,
                {WZ}[1 + h(i * 7) % {len(WZ)}] AS wz_code,
                ['micro', 'small', 'medium', 'large', 'unknown'][1 + h(i * 3) % 5]
                    AS size_class,
                ['GmbH', 'AG', 'e.K.', 'UG (haftungsbeschränkt)', 'KG', 'GmbH & Co. KG']
                    [1 + h(i * 5) % 6] AS legal_form,
                ['valid', 'unknown', 'invalid', 'valid'][1 + h(i * 11) % 4] AS email_status,
                h(i * 13) % 3 > 0 AS phone_valid
            FROM range({n}) t(i)""")
        wh.execute(f"INSERT INTO raw.records (record_id, batch_id, source_kind, payload, "
                   f"ingested_at) SELECT 'r' || i, 'b-list', 'purchased_list', '{{}}', '{NOW}' "
                   f"FROM g UNION ALL SELECT 'f' || i, 'b-form', 'web_form', '{{}}', '{NOW}' "
                   "FROM g WHERE i % 10 = 0")
        wh.execute(f"INSERT INTO core.leads SELECT 'L' || i, entity_type, NULL, '{NOW}', "
                   f"'{NOW}' FROM g")
        wh.execute(f"INSERT INTO core.lead_members SELECT 'L' || i, entity_type, 'r' || i, "
                   f"'{NOW}' FROM g UNION ALL SELECT 'L' || i, entity_type, 'f' || i, '{NOW}' "
                   "FROM g WHERE i % 10 = 0")
        wh.execute(f"""
            INSERT INTO core.enriched_records (record_id, source_kind, origin, enriched_at,
                config_version, reasons, wz_code, size_class, legal_form, email_status,
                phone_e164, phone_valid, street, postcode, city, audience, company_name,
                decision_maker)
            SELECT 'r' || i, 'purchased_list', 'bench', '{NOW}', 'v', '[]', wz_code,
                size_class, legal_form, email_status, '+49891' || i, phone_valid,
                'Hauptstr.', postcode, 'Stadt', CASE WHEN entity_type = 'company'
                THEN 'b2b' ELSE 'b2c' END, 'Firma ' || i, i % 7 = 0
            FROM g""")
        wh.execute(f"""
            INSERT INTO staging.stg_web_form__submissions (record_id, batch_id,
                submission_id, request_type, submitted_at)
            SELECT 'f' || i, 'b-form', 's' || i,
                ['demo', 'callback', 'brochure', 'newsletter'][1 + h(i) % 4],
                TIMESTAMPTZ '{NOW}' - to_days(CAST(h(i * 17) % 120 AS INTEGER))
            FROM g WHERE i % 10 = 0""")
        wh.execute(f"""
            INSERT INTO core.golden_records
            SELECT 'L' || i, f.field, f.value, 'r' || i, 'trust', '{NOW}'
            FROM g, LATERAL (VALUES ('company_name', 'Firma ' || i), ('postcode', postcode),
                 ('phone_e164', '+49891' || i), ('street', 'Hauptstr.'), ('city', 'Stadt'))
                 f(field, value)""")
        wh.execute(f"""
            INSERT INTO core.eligibility_decisions
            SELECT 'L' || i, c.channel,
                CASE WHEN h(i * 19 + c.k) % 5 = 0 THEN 'blocked'
                     WHEN h(i * 19 + c.k) % 5 = 1 THEN 'review' ELSE 'allowed' END,
                'bench_reason', 'R1', 'UWG §7', 'rules-1', DATE '2026-11-20', 'h', '{{}}',
                '{NOW}', true
            FROM g, (VALUES ('phone', 1), ('email', 2)) c(channel, k)""")
        wh.execute("DROP TABLE g")


SCORE = """
from datetime import date
from foundation.settings import Settings
from stages.score import score_all
from pathlib import Path
data = Path({data!r})
settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb", config_dir=data / "cfg")
result = score_all(settings, date(2026, 11, 20))
"""

EXPORT = """
from foundation.settings import Settings
from stages.export import ExportRequest, export_leads
from pathlib import Path
data = Path({data!r})
settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb", config_dir=data / "cfg")
result = export_leads(settings, ExportRequest(channel="phone", out=data.parent / "top.csv",
                      min_grade="D", limit=10_000, force=True, by="bench"))
"""


def run(n: int) -> dict[str, Measurement]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        settings = Settings(data_dir=data, db_path=data / "leadpipe.duckdb",
                            config_dir=data / "cfg")
        populate(settings, n)
        return {
            "score all (first run)": measure(SCORE.format(data=str(data))),
            "rescore, nothing changed": measure(SCORE.format(data=str(data))),
            "export top 10,000 (phone)": measure(EXPORT.format(data=str(data))),
        }


def report(n: int, steps: dict[str, Measurement]) -> str:
    lines = [f"# Score and export benchmark ({n:,} leads)", "",
             "`.venv/bin/python bench/bench_score_export.py --n "
             f"{n} --report bench/report_score_export.md` on the shared 2-core machine; each "
             "step in a fresh process (bench/measure.py). Target: under 60 s and 4 GB.", "",
             "| step | seconds | peak MB | result |", "|---|---:|---:|---|"]
    for name, m in steps.items():
        result = m.result if isinstance(m.result, dict) else {}
        summary = {k: result[k] for k in ("leads_scored", "unchanged", "leads", "review")
                   if k in result}
        lines.append(f"| {name} | {m.seconds:.1f} | {m.peak_mb:.0f} | {summary} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    steps = run(args.n)
    text = report(args.n, steps)
    print(text)
    if args.report:
        existing = args.report.read_text(encoding="utf-8") if args.report.exists() else ""
        args.report.write_text(existing + ("\n" if existing else "") + text, encoding="utf-8")


if __name__ == "__main__":
    main()

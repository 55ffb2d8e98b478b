"""Benchmark: the cost of an Art. 17 erasure on a large warehouse, and of its rewrite.

Builds a warehouse from a generated purchased list (ingest, enrich, match: one lead per
person), then erases one person through the stage the CLI calls and times its parts: finding
the person and deleting in one transaction, cleaning files, and the rewrite of the DuckDB
file that leaves no freed block with their bytes (`warehouse.compact`). Also checks that
the person's e-mail is in no file under the data directory afterwards.

    python bench/bench_erasure.py [--rows 1000000] [--report bench/report_erasure.md]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import REPO, measure

BUILD = """
from datetime import date
from pathlib import Path
from foundation.settings import Settings
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_list_file
from stages.match import match_all
settings = Settings(data_dir=Path({data!r}), db_path=Path({db!r}))
ingest_list_file(settings, Path({csv!r}), ListOptions(vendor="bench",
                 acquired_on=date(2026, 11, 1)))
enrich_new(settings)
match_all(settings)
result = None
"""

ERASE = """
from pathlib import Path
from foundation.settings import Settings
from stages.gdpr import erase
settings = Settings(data_dir=Path({data!r}), db_path=Path({db!r}))
done = erase(settings, {email!r})
result = {{"records": done.records_erased, "events": done.events_redacted,
          "files_cleaned": len(done.files_cleaned), "rewrite_s": done.compaction.seconds,
          "mb_before": round(done.compaction.bytes_before / 1e6),
          "mb_after": round(done.compaction.bytes_after / 1e6)}}
"""


def _someone(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            email = row.get("E-Mail") or row.get("email") or ""
            if "@" in email:
                return email
    raise SystemExit("no e-mail address in the generated list")


def _files_with(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadpipe-bench-") as tmp:
        data = Path(tmp) / "data"
        db = data / "lp.duckdb"
        source = Path(tmp) / f"leads_{args.rows}.csv"
        subprocess.run([sys.executable, str(REPO / "bench" / "generate_leads.py"),
                        "--rows", str(args.rows), "--out", str(source)], check=True, cwd=REPO)
        started = time.monotonic()
        measure(BUILD.format(data=str(data), db=str(db), csv=str(source)))
        built = time.monotonic() - started
        email = _someone(source)
        source.unlink()
        done = measure(ERASE.format(data=str(data), db=str(db), email=email))
        residue = _files_with(data, email.lower().encode())
        leads = subprocess.run(
            [sys.executable, "-c", "import duckdb,sys; print(duckdb.connect(sys.argv[1], "
             "read_only=True).execute('SELECT count(*) FROM core.leads').fetchone()[0])",
             str(db)], capture_output=True, text=True, check=True).stdout.strip()
    result = done.result
    assert isinstance(result, dict)
    lines = [
        f"## GDPR erasure on a warehouse of {args.rows:,} list rows ({int(leads):,} leads)",
        "",
        "| | wall time | peak memory |",
        "|---|---:|---:|",
        f"| build (ingest, enrich, match) | {built:.0f} s | |",
        f"| `leadpipe gdpr erase` of one person, in all | {done.seconds:.1f} s | "
        f"{done.peak_mb:.0f} MB |",
        f"| of which the rewrite of the DuckDB file | {result['rewrite_s']:.1f} s | |",
        "",
        f"File {result['mb_before']} MB before, {result['mb_after']} MB after the rewrite; "
        f"{result['records']} records erased, {result['events']} ledger events redacted. "
        f"Files under the data directory that still contain the e-mail address: "
        f"{len(residue)}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

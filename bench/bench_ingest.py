"""Benchmark: ingest a 1,000,000-row purchased list into an empty warehouse.

Side by side with the floor, DuckDB's own `read_csv` of the same file into a table.
Target (issues 2 and 15): leadpipe at most 2.5x the floor, peak memory under 2 GB.

    python bench/bench_ingest.py [--rows 1000000] [--report bench/report_ingest.md]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import REPO, measure

FLOOR = """
import duckdb
con = duckdb.connect({db!r})
con.execute("CREATE TABLE t AS SELECT * FROM read_csv({csv!r}, all_varchar=true)")
result = con.execute("SELECT count(*) FROM t").fetchone()[0]
con.close()
"""

LEADPIPE = """
from datetime import date
from pathlib import Path
from foundation.settings import Settings
from stages.ingest import ListOptions, ingest_list_file
settings = Settings(data_dir=Path({data!r}), db_path=Path({db!r}))
report = ingest_list_file(settings, Path({csv!r}),
                          ListOptions(vendor="bench", acquired_on=date(2026, 11, 1)))
result = report.as_dict()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadpipe-bench-") as tmp:
        csv = Path(tmp) / f"leads_{args.rows}.csv"
        subprocess.run([sys.executable, str(REPO / "bench" / "generate_leads.py"),
                        "--rows", str(args.rows), "--out", str(csv)], check=True, cwd=REPO)
        size_mb = csv.stat().st_size / 1e6
        floor = measure(FLOOR.format(db=str(Path(tmp) / "floor.duckdb"), csv=str(csv)))
        ours = measure(LEADPIPE.format(data=str(Path(tmp) / "data"),
                                       db=str(Path(tmp) / "data" / "lp.duckdb"), csv=str(csv)))
    ratio = ours.seconds / floor.seconds
    lines = [
        f"## Ingest: {args.rows:,} rows purchased-list CSV ({size_mb:.0f} MB)",
        "",
        "| | wall time | peak memory |",
        "|---|---:|---:|",
        f"| DuckDB `read_csv` into a table (floor) | {floor.seconds:.2f} s | "
        f"{floor.peak_mb:.0f} MB |",
        f"| `leadpipe ingest list` (raw + staging + quarantine + batch) | {ours.seconds:.2f} s "
        f"| {ours.peak_mb:.0f} MB |",
        "",
        f"Ratio: **{ratio:.2f}×** the floor (target ≤ 2.5×); peak memory target < 2048 MB. "
        f"Report: `{ours.result}`.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

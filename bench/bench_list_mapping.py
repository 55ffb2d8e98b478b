"""Benchmark: how much of twelve real address lists lands in the right columns (issue #15).

Loads each list of ../shared/real-world/lists through `leadpipe ingest list` into a fresh
warehouse and scores the spot rows of tests/ingest/real_lists.py: per file whether it loaded,
rows in against the true count, spot fields right; overall the share of fields right (the
test suite asks for at least 90 %). --verbose shows each wrong field and where its value
went instead (values of files naming persons are not shown).

    python bench/bench_list_mapping.py [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.ingest.real_lists import LISTS, LISTS_DIR, check_spots, describe, load_list


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every wrong field")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if not LISTS_DIR.is_dir():
        print(f"real lists not found at {LISTS_DIR}", file=sys.stderr)
        return 2

    files: list[dict[str, Any]] = []
    right = total = 0
    with tempfile.TemporaryDirectory(prefix="bench-lists-") as tmp:
        for real in LISTS:
            load = load_list(real, Path(tmp) / real.file[:2])
            checks = check_spots(real, load)
            ok = sum(c.ok for c in checks)
            right, total = right + ok, total + len(checks)
            files.append({
                "file": real.file, "loaded": load.exit_code == 0,
                "error": "" if load.exit_code == 0 else load.output.strip()[:300],
                "rows_in": load.report.get("in"), "rows_true": real.rows,
                "quarantined": load.report.get("quarantined"),
                "fields_right": ok, "fields_checked": len(checks),
                "wrong": [describe(real, c) for c in checks if not c.ok],
            })
    share = right / total
    if args.json:
        print(json.dumps({"files": files, "fields_right": right, "fields_checked": total,
                          "share": round(share, 4)}, ensure_ascii=False, indent=2))
        return 0
    for f in files:
        status = "loaded" if f["loaded"] else f"NOT LOADED: {f['error']}"
        print(f"{f['file']:<36} rows {f['rows_in']!s:>5}/{f['rows_true']:<5} "
              f"fields {f['fields_right']:>2}/{f['fields_checked']:<2} {status}")
        if args.verbose and f["loaded"]:
            for line in f["wrong"]:
                print(f"    {line}")
    loaded = sum(f["loaded"] for f in files)
    print(f"\n{loaded}/{len(files)} files loaded; spot fields right {right}/{total} "
          f"= {share:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

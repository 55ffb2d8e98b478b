"""Dump every table and view of a warehouse as sorted CSV, or compare two such dumps.

Refactors of the warehouse (issue #19) must leave its contents as they were. Run the demo
before and after, snapshot each warehouse, and compare:

    python bench/snapshot_warehouse.py dump data/leadpipe.duckdb /tmp/before
    python bench/snapshot_warehouse.py compare /tmp/before /tmp/after

Tests compare two warehouse files directly with `differing_relations` (the same rules, run
inside DuckDB: a second for the demo's warehouse where the CSV dump takes ten).

Columns that differ between any two runs by nature (timestamps, run ids, durations) are
left out of the dump; relations are compared by name, so one that moved or was renamed
shows as missing on one side.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import duckdb

VOLATILE = re.compile(
    r"(_at|_on_ts|_ts|^at|_time|_s|_ms|^run_id|_run_id|^batch_id|_batch_id|^version|"
    r"config_version|^path|_path|^when|^started|^finished|^duration|^seconds|^snapshot_id|^export_id|"
    r"^file_sha256|^request_id|^event_id|^created|^updated|hash)$"
)
# Values that carry a run's identity or time: batch ids inside record ids, lead ids derived
# from them, timestamps. They are replaced by a placeholder so that two runs compare equal.
RUN_VALUES = [
    # a crawl's rows arrive in the order the pages answered: their row numbers differ too
    (re.compile(r"\bC[0-9a-f]{15}:\d+"), "<crawl-row>"),
    (re.compile(r"\b[A-Z][0-9a-f]{15}(?=:)"), "<batch>"),
    (re.compile(r"crawl-\d{8}T\d{6}-\d+"), "crawl-<run>"),
    # EM estimates move in the last digits with the order of the pairs
    (re.compile(r"(\d\.\d{6})\d+"), r"\1"),
    (re.compile(r"\b(company|contact|consumer|person)-[0-9a-f]{12}\b"), r"\1-<id>"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?"),
     "<time>"),
]


def _stable(value: object) -> str:
    text = "" if value is None else str(value)
    for pattern, placeholder in RUN_VALUES:
        text = pattern.sub(placeholder, text)
    return text


def dump(db: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    relations = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('information_schema', 'pg_catalog', 'main') "
        "AND NOT (table_schema = 'ops' AND table_name = 'runs') "
        "ORDER BY 1, 2").fetchall()
    for schema, name in relations:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()]
        kept = [c for c in columns if not VOLATILE.search(c)]
        if not kept:
            continue
        select = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in kept)
        rows = con.execute(f'SELECT {select} FROM "{schema}"."{name}"').fetchall()
        stable = sorted(tuple(_stable(v) for v in row) for row in rows)
        with (out / f"{schema}.{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(kept)
            writer.writerows(stable)
    con.close()


def _sql_rule(pattern: re.Pattern[str], placeholder: str) -> tuple[str, str]:
    """A RUN_VALUES rule for DuckDB's regexp_replace (RE2 has no look-ahead)."""
    if pattern.pattern.endswith("(?=:)"):
        return pattern.pattern.removesuffix("(?=:)") + ":", placeholder + ":"
    return pattern.pattern, placeholder


def differing_relations(db_a: Path, db_b: Path) -> list[str]:
    """Relations (tables and views) of `db_a` whose rows `db_b` does not hold alike, by the
    rules of `dump`: volatile columns left out, run values replaced, order ignored."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH '{db_a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{db_b}' AS b (READ_ONLY)")
    relations = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = 'a' AND table_schema NOT IN ('information_schema', "
        "'pg_catalog', 'main') AND NOT (table_schema = 'ops' AND table_name = 'runs') "
        "ORDER BY 1, 2").fetchall()
    rules = [_sql_rule(pattern, placeholder) for pattern, placeholder in RUN_VALUES]
    differ = []
    for schema, name in relations:
        kept = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'a' "
            "AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name]).fetchall() if not VOLATILE.search(c)]
        if not kept:
            continue
        stable = []
        for column in kept:
            expr = f'coalesce(CAST("{column}" AS VARCHAR), \'\')'
            for pattern, placeholder in rules:
                expr = f"regexp_replace({expr}, '{pattern}', '{placeholder}', 'g')"
            stable.append(expr)
        select = ", ".join(stable)
        for side in ("a", "b"):  # each relation read once: views can be costly
            con.execute(f'CREATE OR REPLACE TEMP TABLE side_{side} AS SELECT {select} '
                        f'FROM {side}."{schema}"."{name}"')
        rows = con.execute("SELECT count(*) FROM ((FROM side_a EXCEPT ALL FROM side_b) "
                           "UNION ALL (FROM side_b EXCEPT ALL FROM side_a))").fetchone()
        if rows and rows[0]:
            differ.append(f"{schema}.{name}")
    con.close()
    return differ


def compare(before: Path, after: Path) -> int:
    names_before = {p.name for p in before.glob("*.csv")}
    names_after = {p.name for p in after.glob("*.csv")}
    problems = 0
    for name in sorted(names_before - names_after):
        print(f"only before: {name}")
        problems += 1
    for name in sorted(names_after - names_before):
        print(f"only after:  {name}")
    for name in sorted(names_before & names_after):
        a = (before / name).read_text(encoding="utf-8").splitlines()
        b = (after / name).read_text(encoding="utf-8").splitlines()
        if a != b:
            problems += 1
            print(f"differs: {name} ({len(a) - 1} rows before, {len(b) - 1} after; "
                  f"{len(set(a) ^ set(b))} lines differ)")
    print(f"{len(names_before & names_after)} relations compared, {problems} differ or are missing")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("db", type=Path)
    d.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.db, args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())

"""The phone column per value and a whole column at once, on one list (issue #18).

dedupe-file's wall time at 1M rows is the matching enrichment's, each value in Python. This
reads one list's phone column and derives `phone_e164` twice: per value with
`enrichment.phone.enrich_phone`, and with `enrichment.phone.e164_column`, which matching uses:
pyarrow's RE2 settles the common case (a plain written German number dialled in Germany,
valid or not) for the whole column, the rest goes per value. It
prints both times, how many values the columns settle, and every value where the two differ
(there must be none; run it on every real list you get).

    PYTHONPATH=. /tmp/wbench/venv/bin/python bench/phone_column.py LIST.csv \
        [--column Telefon] [--delimiter ';']
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from enrichment import phone


def per_value(values: list[str | None]) -> list[str | None]:
    """`phone_e164` as the enrichment derives it (an empty cell has none)."""
    return [phone.enrich_phone(v.strip(), "DE").e164 if v and v.strip() else None
            for v in values]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("list", type=Path)
    parser.add_argument("--column", default="Telefon")
    parser.add_argument("--delimiter", default=",")
    args = parser.parse_args()
    table = pcsv.read_csv(args.list, parse_options=pcsv.ParseOptions(
        delimiter=args.delimiter), convert_options=pcsv.ConvertOptions(
        include_columns=[args.column], column_types={args.column: pa.string()}))
    column = table.column(args.column).combine_chunks()
    values = column.to_pylist()

    clock = time.perf_counter()
    expected = per_value(values)
    python_s = time.perf_counter() - clock
    cells = [v.strip() if v and v.strip() else None for v in values]
    clock = time.perf_counter()
    settled, _ = phone._plain_german(pa.array(cells, pa.string()),
                                     pa.array(["DE"] * len(cells), pa.string()))
    columns_s = time.perf_counter() - clock
    clock = time.perf_counter()
    got = phone.e164_column(cells, ["DE"] * len(cells))
    together_s = time.perf_counter() - clock
    differ = [(v, a, b) for v, a, b in zip(values, got, expected, strict=True) if a != b]
    print(f"{len(values):,} values; per value {python_s:.1f} s")
    print(f"columns settle {pc.sum(settled).as_py():,} in {columns_s:.1f} s; "
          f"e164_column (columns, the rest per value) {together_s:.1f} s")
    print(f"values where the two differ: {len(differ)}")
    for value, column_value, want in differ[:20]:
        print(f"  {value!r}: columns {column_value}, per value {want}")

if __name__ == "__main__":
    main()

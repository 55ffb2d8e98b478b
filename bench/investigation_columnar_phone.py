"""Can the phone column be enriched column-wise? A measurement for issue #18, not product code.

dedupe-file's wall time at 1M rows is the matching enrichment's, each value in Python. This
reads one list's phone column and derives `phone_e164` twice: per value with
`enrichment.phone.enrich_phone` (what the product does), and through pyarrow's RE2 regular
expressions for the common case — a plain written number (digits, spaces, `()/.-–`, one
leading `+`) that is a valid German number by phonenumbers' own DE metadata (general
description, then the special, fixed-line and mobile patterns with their possible lengths,
as `enrichment.phone._german_type` applies them) — with the rest per value again. It prints
both times, how many values the columns settle, and every value where the two differ (the
column-wise path may only be used if there are none).

    PYTHONPATH=. /tmp/wbench/venv/bin/python bench/investigation_columnar_phone.py LIST.csv \
        [--column Telefon] [--delimiter ';']
"""

from __future__ import annotations

import argparse
import re
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


def _fits(national: pa.Array, desc: phone._Desc) -> pa.Array:
    """Whether each national number has one of the description's lengths and its pattern."""
    if desc is None:
        return pa.array([False] * len(national))
    lengths, pattern = desc
    hit = pc.match_substring_regex(national, f"^(?:{pattern.pattern})$")
    if lengths:
        hit = pc.and_(hit, pc.is_in(pc.utf8_length(national),
                                    pa.array(sorted(lengths), pa.int32())))
    return hit


def _whole(pattern: re.Pattern[str]) -> str:
    """The product's pattern for RE2, anchored as its `fullmatch` is."""
    return f"^(?:{pattern.pattern})$"


def columnar(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(E.164, settled) for a whole column: settled where the number is plain and a valid
    German number, which `enrich_phone` reads as `+49` and the national number."""
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(column, r"\s+", " "))
    plain = pc.match_substring_regex(text, _whole(phone._PLAIN))
    spreadsheet = pc.or_(pc.match_substring_regex(text, _whole(phone._DECIMAL_CELL)),
                         pc.match_substring_regex(text, _whole(phone._SCIENTIFIC_CELL)))
    digits = pc.replace_substring_regex(text, r"[^0-9]", "")
    written = pc.if_else(pc.match_substring_regex(text, r"^[( ]*\+"),
                         pc.binary_join_element_wise("+", digits, ""), digits)
    german = pc.match_substring_regex(written, _whole(phone._GERMAN))
    national = pc.if_else(german, pc.replace_substring_regex(
        written, _whole(phone._GERMAN), r"\1"), pa.scalar(None, pa.string()))
    candidate = pc.and_(pc.and_(plain, pc.invert(spreadsheet)), german)
    national = pc.fill_null(national, "")
    general, special, fixed, mobile, _same = phone._german_descs()
    typed = pc.or_(_fits(national, fixed), _fits(national, mobile))
    for desc, _code in special:
        typed = pc.or_(typed, _fits(national, desc))
    settled = pc.fill_null(pc.and_(candidate, pc.and_(_fits(national, general), typed)), False)
    e164 = pc.if_else(settled, pc.binary_join_element_wise("+49", national, ""),
                      pa.scalar(None, pa.string()))
    return e164, settled


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
    clock = time.perf_counter()
    e164, settled = columnar(column)
    columns_s = time.perf_counter() - clock
    settled_list = settled.to_pylist()
    clock = time.perf_counter()
    per_value([None if done else v for v, done in zip(values, settled_list, strict=True)])
    rest_s = time.perf_counter() - clock
    differ = [(v, a, b) for v, a, b, done in zip(values, e164.to_pylist(), expected,
                                                  settled_list, strict=True) if done and a != b]
    print(f"{len(values):,} values; per value {python_s:.1f} s")
    print(f"columns {columns_s:.1f} s settle {sum(settled_list):,}; the rest per value "
          f"{rest_s:.1f} s; together {columns_s + rest_s:.1f} s")
    print(f"values where the two differ: {len(differ)}")
    for value, got, want in differ[:20]:
        print(f"  {value!r}: columns {got}, per value {want}")


if __name__ == "__main__":
    main()

"""Measure: what share of postcodes and phone numbers in real lists enrichment normalises.

    .venv/bin/python bench/measure_real_values.py [../shared/real-world/lists]

Reads each file on its own (encoding by BOM, else UTF-8, else cp1252; `sep=` and `#` lines
above the header skipped; XLSX number cells as Excel shows them), picks the postcode and
phone columns by header words, joins a separate area-code column the way the column mapping
does (`0234 9388231`), and runs every row through `enrich_record` (with the e-mail and website
columns, so country inference sees the TLD). A postcode counts as normalised when enrichment
keeps it without a `postcode_invalid` reason, a phone when its E.164 form is valid. Runs with
any checkout's code on PYTHONPATH, so before/after compare the same way.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections import Counter
from pathlib import Path

if "PYTHONPATH" not in os.environ:  # else the checkout on PYTHONPATH is the one measured
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrichment.record import enrich_record

_WORD = re.compile(r"[^a-z0-9]+")


def _key(header: str) -> str:
    return _WORD.sub("", header.lower().replace("ß", "ss"))


def _text_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    lines = text.splitlines(keepends=True)
    while lines and (lines[0].lower().startswith("sep=") or lines[0].startswith("#")):
        lines.pop(0)
    body = "".join(lines)
    delimiter = max(";,\t", key=lambda d: lines[0].count(d) if lines else 0)
    return [row for row in csv.reader(io.StringIO(body), delimiter=delimiter) if any(row)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = []
    for cells in sheet.iter_rows(values_only=True):
        row = ["" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer()
               else str(v) for v in cells]
        if any(row):
            rows.append(row)
    return rows


def _column(header: list[str], *words: str, avoid: tuple[str, ...] = ()) -> int | None:
    keys = [_key(h) for h in header]
    for word in words:
        for i, key in enumerate(keys):
            if key == word:
                return i
    for word in words:
        for i, key in enumerate(keys):
            if word in key and not any(a in key for a in avoid):
                return i
    return None


def measure(path: Path) -> dict[str, object]:
    rows = _xlsx_rows(path) if path.suffix == ".xlsx" else _text_rows(path)
    header, data = rows[0], rows[1:]
    plz = _column(header, "plz", "postleitzahl", "zip", "postcode", "plzort",
                  avoid=("postanschrift", "postfach"))
    phone = _column(header, "telefon", "telefonnummer", "phone", "phonenumber1",
                    avoid=("vorwahl", "fax", "mobil", "code", "identifier"))
    area = _column(header, "telefonvorwahl", "vorwahl", "phonecode1")
    mail = _column(header, "email", "mail")
    web = _column(header, "internet", "website", "homepage", "web", "url", avoid=("quell",))

    def cell(row: list[str], i: int | None) -> str | None:
        return row[i] if i is not None and i < len(row) and row[i].strip() else None

    counts: Counter[str] = Counter()
    for n, row in enumerate(data):
        postcode = cell(row, plz)
        if postcode and plz is not None and _key(header[plz]) == "plzort":
            postcode = postcode.split()[0]
        number = cell(row, phone)
        if number and cell(row, area):
            number = f"{cell(row, area)} {number}"
        record = {"record_id": str(n), "company": "X", "postcode": postcode, "phone": number,
                  "email": cell(row, mail), "website": cell(row, web)}
        enriched = enrich_record(record, record_id=str(n), source_kind="purchased_list")
        if postcode:
            counts["postcodes"] += 1
            reasons = enriched.reasons.get("address", [])
            if enriched.value("postcode") and not any(
                    r.startswith("postcode_invalid") for r in reasons):
                counts["postcodes_ok"] += 1
            if "postcode_padded" in reasons:
                counts["padded"] += 1
            counts["country_" + str(enriched.value("country"))] += 1
        if number:
            counts["phones"] += 1
            counts["phones_ok"] += enriched.value("phone_valid") is True
            counts["phones_guessed"] += enriched.value("phone_valid") is True and \
                "area_code_without_trunk_prefix" in enriched.reasons.get("phone", [])
    return {"file": path.name, **counts}


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/real-world/lists")
    total: Counter[str] = Counter()
    print("| file | postcodes | normalised | padded | phones | valid E.164 | of which area code "
          "without 0 | countries |")
    print("|---|---|---|---|---|---|---|---|")
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".csv", ".txt", ".xlsx"):
            continue
        m = measure(path)
        for k, v in m.items():
            if isinstance(v, int):
                total[k] += v
        countries = ", ".join(f"{k[8:]} {v}" for k, v in m.items()
                              if k.startswith("country_"))
        print(f"| {m['file']} | {m.get('postcodes', 0)} | {_share(m, 'postcodes')} | "
              f"{m.get('padded', 0)} | {m.get('phones', 0)} | {_share(m, 'phones')} | "
              f"{m.get('phones_guessed', 0)} | {countries} |")
    print(f"| **all** | {total['postcodes']} | {_share(total, 'postcodes')} | "
          f"{total['padded']} | {total['phones']} | {_share(total, 'phones')} | "
          f"{total['phones_guessed']} | |")


def _share(m: dict[str, object] | Counter[str], name: str) -> str:
    n, ok = int(m.get(name, 0) or 0), int(m.get(name + "_ok", 0) or 0)  # type: ignore[call-overload]
    return f"{ok} ({ok / n:.1%})" if n else "–"


if __name__ == "__main__":
    main()

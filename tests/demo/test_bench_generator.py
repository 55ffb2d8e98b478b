"""The benchmark generator: requested row count, known truth, deterministic, both encodings."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from bench import generate_leads


@pytest.fixture
def gen() -> ModuleType:
    return generate_leads


def test_generate_yields_rows_with_known_clusters(gen: ModuleType) -> None:
    items = list(gen.generate(2000, seed=3, dup_rate=0.3))
    assert len(items) == 2000
    clusters = Counter(item.cluster_id for item in items)
    assert len(clusters) == 1400
    assert [i.row for i in items] == [i.row for i in gen.generate(2000, seed=3, dup_rate=0.3)]
    # colleagues: distinct people with the same company, address and phone
    by_company: dict[str, set[str]] = {}
    for item in items:
        if item.company_id and item.row["phone"]:
            by_company.setdefault(item.company_id, set()).add(item.cluster_id)
    assert any(len(people) > 1 for people in by_company.values())
    assert any(not item.company_id for item in items)  # consumers


def test_duplicates_are_corrupted(gen: ModuleType) -> None:
    items = list(gen.generate(3000, seed=4, dup_rate=0.5))
    first: dict[str, dict[str, str]] = {}
    changed = 0
    for item in items:
        row = {k: v for k, v in item.row.items() if k not in ("record_id", "phone")}
        if item.cluster_id in first and first[item.cluster_id] != row:
            changed += 1
        first.setdefault(item.cluster_id, row)
    assert changed > 500


def test_cli_writes_csv_and_truth(gen: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "leads.csv"
    assert gen.main(["--rows", "500", "--out", str(out), "--seed", "2"]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with out.with_suffix(".truth.csv").open(encoding="utf-8", newline="") as handle:
        truth = list(csv.DictReader(handle))
    assert len(rows) == len(truth) == 500
    assert [r["record_id"] for r in rows] == [t["record_id"] for t in truth]
    semi = tmp_path / "leads_cp1252.csv"
    gen.main(["--rows", "300", "--out", str(semi), "--truth", str(tmp_path / "t.csv"),
              "--cp1252"])
    header = semi.read_bytes().split(b"\r\n", 1)[0].decode("cp1252")
    assert header.split(";") == list(gen.COLUMNS)
    assert len(semi.read_bytes().decode("cp1252").splitlines()) == 301


def test_realistic_names_are_skewed_and_a_mailbox_has_one_owner(gen: ModuleType) -> None:
    items = list(gen.generate(3000, seed=2, dup_rate=0.0, names="realistic"))
    lasts = Counter(item.row["last_name"] for item in items)
    assert lasts.most_common(1)[0][0] in {"Müller", "Schmidt", "Schneider"}
    assert lasts["Müller"] > 20  # about 1 %, where a uniform draw from ~1,000 names gives 3
    assert Counter(item.row["street"] for item in items)["Hauptstraße"] > 30
    owners: dict[str, set[str]] = {}
    for item in items:
        owners.setdefault(item.row["email"], set()).add(item.cluster_id)
    assert all(len(people) == 1 for people in owners.values())
    again = [i.row for i in gen.generate(300, seed=2, dup_rate=0.3, names="realistic")]
    assert again == [i.row for i in gen.generate(300, seed=2, dup_rate=0.3, names="realistic")]

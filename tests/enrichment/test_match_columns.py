"""The matching-only enrichment (`match_columns`) gives exactly the values of the full one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate_leads import generate, write
from enrichment.record import (
    AREA_FIELDS,
    MATCH_ONLY,
    PHONE_COLUMNS,
    enrich_record,
    match_columns,
)
from foundation.settings import Settings
from leadpipe.demo import generate_demo
from stages.review import read_list_rows

ODD = [
    {"company": "Müller G.m.b.H. HRB 1234 Amtsgericht München", "phone": "Tel.: 089 1234560",
     "email": "INFO@Mueller.DE", "website": "https://www.mueller.de/impressum",
     "full_name": "Frau Dr. Erika Beispiel", "street_full": "Hauptstr. 12a, 80331 München"},
    {"phone": "4930901838210", "mobile": "0171/1234567 x12", "fax": "#WERT!",
     "email": "anna.privat@gmx.de", "last_name": "Privat", "postcode": "1067"},
    {"phone": "+49 (0) 89 / 123 456-0", "email": "h.meier@meier-bau.de", "last_name": "Meier",
     "postcode": "8010", "city": "Graz", "country": "AT", "legal_form": "KG"},
    {"phone": "030 671289-14, 030 671289-15", "email": "not an address", "company": "x",
     "register": "HRB 5678 B", "vat_id": "DE123456789", "position": "Geschäftsführer"},
    {"phone": "0163-7017691 (Anruf, SMS)", "email": "jan@jan-schmidt.de", "last_name": "Schmidt",
     "first_name": "Jan"},
]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    root = tmp_path_factory.mktemp("match-columns")
    settings = Settings(data_dir=root / "data", db_path=root / "data" / "db.duckdb",
                        config_dir=root / "config")
    demo = generate_demo(root / "demo", seed=42).out_dir
    out: list[dict[str, Any]] = list(ODD)
    for path in sorted(Path(demo, "lists").iterdir()):
        with read_list_rows(settings, path, None) as rows:
            out += rows.records()
    generated = root / "generated.csv"
    write(generated, generate(800, seed=3, dup_rate=0.3), root / "generated.truth.csv")
    with read_list_rows(settings, generated, None) as rows:
        out += rows.records()
    return out


def test_every_area_field_equals_the_full_enrichment(records: list[dict[str, Any]]) -> None:
    full = [enrich_record(r, record_id="r", source_kind="purchased_list").to_row()
            for r in records]
    columns = match_columns(records, AREA_FIELDS, source_kind="purchased_list", workers=1)
    assert len(records) > 1400
    for field in AREA_FIELDS:
        assert columns[field].tolist() == [row[field] for row in full], field


def test_a_chunk_at_a_time_equals_the_full_enrichment(records: list[dict[str, Any]]) -> None:
    """Without the fields only a record on its own gives, a chunk is enriched at once
    (country, phone numbers, names field by field); the values stay those of
    `enrich_record`, an Austrian address still dials its numbers from AT."""
    fields = [f for f in AREA_FIELDS if f not in MATCH_ONLY]
    assert {*PHONE_COLUMNS, "first_name", "last_name", "email_kind"} <= set(fields)
    full = [enrich_record(r, record_id="r", source_kind="purchased_list").to_row()
            for r in records]
    columns = match_columns(records, fields, source_kind="purchased_list", workers=1)
    assert "AT" in columns["country"]
    for field in fields:
        assert columns[field].tolist() == [row[field] for row in full], field


def test_two_workers_keep_order_and_values(records: list[dict[str, Any]]) -> None:
    fields = ["phone_e164", "email_kind", "last_name"]
    one = match_columns(records, fields, source_kind="purchased_list", workers=1)
    two = match_columns(records, fields, source_kind="purchased_list", workers=2,
                        chunk_size=700)
    assert {k: v.tolist() for k, v in two.items()} == {k: v.tolist() for k, v in one.items()}
    assert match_columns(records, ["postcode"], source_kind="purchased_list",
                         workers=1)["postcode"].tolist() == [
        enrich_record(r, record_id="r", source_kind="purchased_list").value("postcode")
        for r in records]


def test_a_field_it_does_not_derive_is_refused() -> None:
    with pytest.raises(ValueError, match="audience"):
        match_columns([{"email": "a@b.de"}], ["audience"], source_kind="purchased_list")


NAME_PIECES = {
    "full_name": [None, "Frau Dr. Erika Beispiel", "Schmidt, Dr. Anna", "HANS VON DER HEIDE",
                  "Notar Dr. Klaus Meier", "", "#WERT!"],
    "first_name": [None, "anna", "ANNA-LENA", "Jörg 🙂", "  Max  ", "0", "n/a", "J.", "Ana3"],
    "last_name": [None, "VON DER HEIDE", "müller-lüdenscheidt", "McAllister", "-", "Beispiel 🎉",
                  "O'Neill", "Meier2"],
    "salutation": [None, "Herrn Dr.", "Frau", "Divers", "Familie", "Sehr geehrte Damen und Herren"],
    "title": [None, "Prof. Dr.", "Dipl.-Ing.", "Chefärztin"],
    "position": [None, "Geschäftsführerin", "Leiter Einkauf", "Praktikant"],
    "email": [None, "anna@heide.de", "info@heide.de", "a.b@gmx.de"],
    "company": [None, "Heide GmbH"],
}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in NAME_PIECES.items()}),
                min_size=1, max_size=12))
def test_names_field_by_field_as_the_person_enrichment_reads_them(
        records: list[dict[str, Any]]) -> None:
    fields = ["first_name", "last_name", "email_kind", "company_name"]
    full = [enrich_record(r, record_id="r", source_kind="purchased_list").to_row()
            for r in records]
    columns = match_columns(records, fields, source_kind="purchased_list", workers=1)
    for field in fields:
        assert columns[field].tolist() == [row[field] for row in full], field

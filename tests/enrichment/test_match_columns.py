"""The matching-only enrichment (`match_columns`) gives exactly the values of the full one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.generate_leads import generate, write
from enrichment.record import AREA_FIELDS, PHONE_COLUMNS, enrich_record, match_columns
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
        assert columns[field] == [row[field] for row in full], field


def test_phone_numbers_read_a_column_at_a_time_equal_the_full_enrichment(
        records: list[dict[str, Any]]) -> None:
    """What matching asks for (E.164 only) takes the whole-column path; each record's own
    region (an Austrian address dials its numbers from AT) still applies."""
    fields = [*PHONE_COLUMNS, "country", "phone_original"]
    full = [enrich_record(r, record_id="r", source_kind="purchased_list").to_row()
            for r in records]
    columns = match_columns(records, fields, source_kind="purchased_list", workers=1)
    assert "AT" in columns["country"]
    for field in fields:
        assert columns[field] == [row[field] for row in full], field


def test_two_workers_keep_order_and_values(records: list[dict[str, Any]]) -> None:
    fields = ["phone_e164", "email_kind", "last_name"]
    one = match_columns(records, fields, source_kind="purchased_list", workers=1)
    assert match_columns(records, fields, source_kind="purchased_list", workers=2,
                         chunk_size=700) == one
    assert match_columns(records, ["postcode"], source_kind="purchased_list",
                         workers=1)["postcode"] == [
        enrich_record(r, record_id="r", source_kind="purchased_list").value("postcode")
        for r in records]


def test_a_field_it_does_not_derive_is_refused() -> None:
    with pytest.raises(ValueError, match="audience"):
        match_columns([{"email": "a@b.de"}], ["audience"], source_kind="purchased_list")

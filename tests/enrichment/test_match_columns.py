"""The matching-only enrichment (`match_columns`) gives exactly the values of the full one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate_leads import generate, write
from enrichment.address import AddressKey, address_key, enrich_address
from enrichment.email import EmailKey, email_key, enrich_email
from enrichment.record import (
    AREA_FIELDS,
    CHUNK_FIELDS,
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
    {"street": "Hauptstr. 12 a", "city": "  Köln ", "postcode": "50667.0", "country": "Mars",
     "email": " mailto:Vertrieb@Firma.Koeln "},
    {"street": "Postfach 12 34", "postcode": "1067", "email": "x@localhost"},
    {"street": "Straße des 17. Juni", "house_number": "135", "country": "Österreich",
     "postcode": "1010", "email": "\u200binfo@firma.de"},
    {"street": "n/a", "house_number": "0", "city": "#NV", "country": "DE", "email": ""},
    {"country": "CH", "phone": "044 668 18 00"},
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
    (country, phone numbers, names field by field, addresses part by part, e-mail without its
    result); the values stay those of `enrich_record`, an Austrian address still dials its
    numbers from AT."""
    fields = [*CHUNK_FIELDS, *PHONE_COLUMNS]
    assert set(fields) < set(AREA_FIELDS)
    full = [enrich_record(r, record_id="r", source_kind="purchased_list").to_row()
            for r in records]
    columns = match_columns(records, fields, source_kind="purchased_list", workers=1)
    assert "AT" in columns["country"]
    for field in fields:
        assert columns[field].tolist() == [row[field] for row in full], field


def test_workers_reading_a_shared_table_give_the_same_columns(tmp_path: Path) -> None:
    """Given the list as Arrow columns (`MappedTable`), each worker reads its own rows: the
    columns are those of the records handed over one by one."""
    settings = Settings(data_dir=tmp_path / "data", db_path=tmp_path / "data" / "db.duckdb",
                        config_dir=tmp_path / "config")
    generated = tmp_path / "generated.csv"
    write(generated, generate(900, seed=4, dup_rate=0.3), tmp_path / "generated.truth.csv")
    fields = [*CHUNK_FIELDS, *PHONE_COLUMNS]
    with read_list_rows(settings, generated, None) as rows:
        table = rows.table()
        records = list(rows.records())
    assert table is not None
    one = match_columns(records, fields, source_kind="purchased_list", workers=1)
    for workers in (1, 2):
        shared = match_columns(table, fields, source_kind="purchased_list", workers=workers,
                               chunk_size=250)
        assert {k: v.tolist() for k, v in shared.items()} == \
            {k: v.tolist() for k, v in one.items()}


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


ADDRESS_PIECES = {
    "street_full": [None, "Hauptstr. 12a, 80331 München", "Postfach 1234", ""],
    "street": [None, "Hauptstr.", "Hauptstr. 12 a", "Am Markt 3-5", "Postfach 12 34", " ",
               "n/a", "Straße des 17. Juni", "c/o Firma X, Bahnhofstr. 5", "Berliner Str.7"],
    "house_number": [None, "12a", "0", " 3 - 5 ", "#WERT!"],
    "postcode": [None, "1067", "01067", "8010", "50667.0", "123", " 80331 ", "D-80331"],
    "city": [None, "Graz", " Köln ", "#NV", "Hamburg/Germany"],
    "country": [None, "DE", "AT", "Österreich", "Mars", "", "deutschland"],
}


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ADDRESS_PIECES.items()}),
       st.sampled_from([None, "DE", "AT"]))
def test_an_address_part_by_part_is_the_whole_address(parts: dict[str, Any],
                                                      default: str | None) -> None:
    whole = enrich_address(parts["street_full"], street=parts["street"],
                           house_number=parts["house_number"], postcode=parts["postcode"],
                           city=parts["city"], country=parts["country"],
                           default_country=default)
    key = address_key(parts["street_full"], parts["street"], parts["house_number"],
                      parts["postcode"], parts["city"], parts["country"], default)
    assert key == AddressKey(whole.street, whole.house_number, whole.postcode, whole.city,
                             whole.country, whole.match_street, whole.po_box)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.none(),
    st.sampled_from([" mailto:Info@Firma.DE ", "", "  ", "a@b", "Anna.Privat@GMX.de", "x@localhost",
                     "vertrieb-nord@firma.de", "Jürgen@müller.de", "\u200binfo@firma.de",
                     "a..b@firma.de", "postmaster@firma.de", "a@wegwerfmail.de"]),
    st.builds(lambda local, domain: f"{local}@{domain}",
              st.text("aBz.-+_0", min_size=0, max_size=6),
              st.text("abü.-0", min_size=0, max_size=8))))
def test_an_email_key_is_the_enriched_address(value: str | None) -> None:
    full = enrich_email(value)
    assert email_key(value) == EmailKey(full.normalized, full.registrable_domain, full.kind)

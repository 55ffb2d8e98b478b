"""enrich_record: all modules over one canonical record, provenance, rows, batches."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from enrichment.dns import DomainChecker
from enrichment.record import (
    FIELDS,
    PROVENANCE_COLUMNS,
    ROW_FIELDS,
    _by_company,
    _company_keys,
    enrich_many,
    enrich_record,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
GMBH = {
    "record_id": "b1:1", "company": "Müller Maschinenbau GmbH", "first_name": "ANNA",
    "last_name": "MÜLLER", "position": "Geschäftsführerin", "street_full": "Hauptstr. 12a",
    "postcode": "80331", "city": "München", "country": "Deutschland", "phone": "089 1234560",
    "mobile": "0171 1234567", "email": "a.mueller@mueller-maschinenbau.de",
    "website": "www.mueller-maschinenbau.de", "wz_code": "28.41", "employees": "50-99",
    "register": "Amtsgericht München HRB 123456", "vat_id": "DE136695976",
}
SOLE = {
    "record_id": "b1:2", "company": "Fotografie Petra Weber", "first_name": "Petra",
    "last_name": "Weber", "phone": "0171 2345678", "email": "petra.weber@gmx.de",
    "street_full": "Lindenweg 3", "postcode": "12345", "city": "Berlin",
}


def test_full_record() -> None:
    row = enrich_record(GMBH, record_id="b1:1", source_kind="purchased_list", now=NOW).to_row()
    assert row["origin"] == "vendor_list"
    assert row["enriched_at"] == NOW
    expected = {
        "email_normalized": "a.mueller@mueller-maschinenbau.de", "email_status": "unknown",
        "email_kind": "personal_business", "phone_e164": "+49891234560", "phone_type": "fixed",
        "mobile_type": "mobile", "legal_form": "GmbH", "company_match_name":
        "mueller maschinenbau", "register_court": "Amtsgericht München",
        "register_number": "HRB 123456", "vat_id": "DE136695976", "website_domain":
        "mueller-maschinenbau.de", "email_website_agree": True, "wz_section": "C",
        "size_class": "medium", "salutation": "Frau", "first_name": "Anna",
        "last_name": "Müller", "role": "Geschäftsführung", "decision_maker": True,
        "street": "Hauptstr.", "house_number": "12a", "country": "DE", "audience": "b2b",
        "sole_trader": False, "email_channel_kind": "business_personal",
        "phone_channel_kind": "business_line", "postal_kind": "business",
    }
    assert {k: row[k] for k in expected} == expected
    assert set(ROW_FIELDS) <= set(row)
    assert "legal_form: corporation" in json.loads(row["reasons"])["audience"]


def test_table_layout_holds_every_enriched_field_once() -> None:
    # FIELDS is the derivation order, ROW_FIELDS the table's: the same fields, each once.
    assert sorted(ROW_FIELDS) == sorted(FIELDS)
    assert len(set(FIELDS)) == len(FIELDS)


def test_provenance_names_source_method_and_time() -> None:
    enriched = enrich_record(GMBH, record_id="b1:1", source_kind="crawled", now=NOW)
    prov = {row[1]: dict(zip(PROVENANCE_COLUMNS, row, strict=True))
            for row in enriched.provenance()}
    assert prov["phone_e164"]["method"] == "phonenumbers"
    assert prov["phone_e164"]["source_field"] == "phone"
    assert prov["email_normalized"]["method"] == "email_validator"
    assert prov["vat_id"]["method"] == "stdnum"
    assert prov["vat_id"]["source_field"] == "vat_id"
    assert prov["register_court"]["source_field"] == "register"
    assert prov["website_domain"]["method"] == "tldextract"
    assert prov["salutation"]["source_field"] == "position"
    assert all(p["origin"] == "impressum_crawl" and p["derived_at"] == NOW and
               p["source_record_id"] == "b1:1" for p in prov.values())
    assert all(p["value"] is not None for p in prov.values())


def test_method_hint_overrides_origin() -> None:
    enriched = enrich_record(SOLE, record_id="b1:2", source_kind="purchased_list",
                             method_hint="impressum_crawl", now=NOW)
    assert enriched.origin == "impressum_crawl"
    assert enriched.value("email_channel_kind") == "freemail_business"


def test_sole_trader_from_list_vs_crawl() -> None:
    listed = enrich_record(SOLE, record_id="b1:2", source_kind="purchased_list", now=NOW)
    crawled = enrich_record(SOLE, record_id="b1:2", source_kind="crawled", now=NOW)
    assert listed.value("sole_trader") is crawled.value("sole_trader") is True
    assert listed.value("phone_channel_kind") == "mobile_unknown_use"
    assert crawled.value("phone_channel_kind") == "business_line"


def test_private_own_domain() -> None:
    rec = {"first_name": "Max", "last_name": "Mustermann", "email": "max@mustermann.de"}
    enriched = enrich_record(rec, record_id="x", source_kind="web_form", now=NOW)
    assert enriched.value("email_kind") == "private"
    assert enriched.value("audience") == "b2c"


def test_phone_region_from_record_country() -> None:
    rec = {"phone": "01 234567", "country": "Österreich"}
    assert enrich_record(rec, record_id="x", source_kind="web_form",
                         now=NOW).value("phone_e164") == "+431234567"


BAD = [
    {},
    dict.fromkeys(GMBH, ""),
    dict.fromkeys(GMBH),
    {"email": "a\u200b@x.de", "phone": "0 89-ABC", "full_name": "😀😀", "company": "🚀",
     "street_full": ",,,", "postcode": "ABCDE", "employees": "viele", "wz_code": "xx",
     "vat_id": "DE1", "register": "HRB", "website": "http://[::1", "country": "Atlantis"},
    {"email": "a" * 300 + "@x.de", "full_name": "ANNA SCHMIDT", "salutation": "Mx."},
    {"email": 42, "phone": 8912345},  # non-strings from a careless reader
]


@pytest.mark.parametrize("record", BAD)
def test_bad_records_never_raise(record: dict[str, object]) -> None:
    row = enrich_record(record, record_id="bad", source_kind="purchased_list",  # type: ignore[arg-type]
                        now=NOW).to_row()
    assert row["record_id"] == "bad"
    assert row["audience"] in ("b2b", "b2c", "unknown")
    json.loads(row["reasons"])


def test_bad_values_have_reasons() -> None:
    row = enrich_record(BAD[3], record_id="bad", source_kind="purchased_list",  # type: ignore[arg-type]
                        now=NOW).to_row()
    reasons = json.loads(row["reasons"])
    assert row["email_status"] == "invalid_syntax"
    assert reasons["phone"] == ["letters_in_number"]
    assert any(r.startswith("vat_invalid") for r in reasons["company"])
    assert "country_unknown: Atlantis" in reasons["address"]


def test_enrich_many_in_two_processes_keeps_order_and_matches_single() -> None:
    records = [dict(GMBH, record_id=f"b:{i}") if i % 2 else dict(SOLE, record_id=f"b:{i}")
               for i in range(50)]
    parallel = [e.to_row() for e in enrich_many(records, source_kind="purchased_list",
                                                workers=2, chunk_size=7, now=NOW)]
    single = [enrich_record(r, record_id=str(r["record_id"]), source_kind="purchased_list",
                            now=NOW).to_row() for r in records]
    assert parallel == single


def test_enrich_many_with_dns_looks_up_each_domain_once() -> None:
    calls: list[tuple[str, str]] = []

    def resolver(domain: str, rdtype: str, timeout_s: float) -> list[str]:
        calls.append((domain, rdtype))
        return ["10 mx.example."] if rdtype == "MX" else []

    records = [dict(GMBH, record_id=f"b:{i}") for i in range(20)] + \
              [dict(SOLE, record_id=f"s:{i}") for i in range(20)]
    checker = DomainChecker(resolver)
    rows = [e.to_row() for e in enrich_many(records, source_kind="purchased_list", workers=2,
                                            chunk_size=5, dns=checker, now=NOW)]
    assert sorted(calls) == [("gmx.de", "MX"), ("mueller-maschinenbau.de", "MX")]
    assert {r["email_status"] for r in rows} == {"valid"}


def test_field_accessor_and_pickle_round_trip() -> None:
    import pickle

    enriched = enrich_record(GMBH, record_id="b1:1", source_kind="purchased_list", now=NOW)
    found = enriched.field("vat_id")
    assert found is not None
    assert (found.value, found.method, found.source_field) == ("DE136695976", "stdnum", "vat_id")
    assert enriched.field("no_such_field") is None
    copy = pickle.loads(pickle.dumps(enriched))
    assert copy.to_row() == enriched.to_row()
    assert copy.provenance() == enriched.provenance()


def test_by_company_keeps_a_company_on_one_worker_and_spills_a_dominant_one() -> None:
    small = [{"record_id": f"c{c}:{i}", "company": f"Firma {c} GmbH"}
             for c in range(40) for i in range(3)]
    order, parts = _by_company(_company_keys(small), 2)
    assert sorted(k for part in parts for k in part) == list(range(len(small)))
    for shard, record in zip(order, small, strict=True):
        home = hash(record["company"]) % 2  # only a full home shard sends a record elsewhere
        assert shard == home or len(parts[home]) > len(small) // 2
    one = [{"record_id": f"x:{i}", "company": "Konzern AG"} for i in range(100)]
    _, parts = _by_company(_company_keys(one), 2)
    assert sorted(map(len, parts)) == [44, 56]  # both workers busy


def test_enrich_many_single_company_batch_matches_single_process() -> None:
    records = [dict(GMBH, record_id=f"g:{i}", phone=f"089 12345{i:02d}") for i in range(30)]
    parallel = [e.to_row() for e in enrich_many(records, source_kind="purchased_list",
                                                workers=2, chunk_size=8, now=NOW)]
    single = [e.to_row() for e in enrich_many(records, source_kind="purchased_list",
                                              workers=1, now=NOW)]
    assert parallel == single
    assert [r["record_id"] for r in parallel] == [r["record_id"] for r in records]


def _country(record: dict[str, str | None]) -> tuple[object, object, object]:
    enriched = enrich_record(record, record_id="r", source_kind="purchased_list", now=NOW)
    field = enriched.field("country")
    assert field is not None
    return enriched.value("postcode"), field.value, (field.method, field.source_field)


def test_country_from_the_column_is_kept_and_says_so() -> None:
    assert _country({"company": "A GmbH", "postcode": "1010", "country": "Österreich"}) == \
        ("1010", "AT", ("rules", "country"))


def test_austrian_and_swiss_rows_without_a_country_column_are_not_german() -> None:
    at = {"company": "Almhof GmbH", "postcode": "1010", "city": "Wien",
          "phone": "+43 1 5320000", "email": "office@almhof.at"}
    assert _country(at) == ("1010", "AT", ("inferred", "postcode+phone+tld+city"))
    ch = {"company": "Bärn AG", "postcode": "3011", "email": "info@baern.ch"}
    assert _country(ch) == ("3011", "CH", ("inferred", "postcode+tld"))
    phone = enrich_record(at, record_id="r", source_kind="purchased_list", now=NOW)
    assert phone.value("phone_region") == "AT"


def test_dresden_without_its_zero_is_padded_and_defaults_to_germany() -> None:
    assert _country({"company": "Elbe GmbH", "postcode": "1067", "city": "Dresden"}) == \
        ("01067", "DE", ("default", "country"))


def test_a_national_number_follows_the_inferred_country() -> None:
    record = {"company": "Almhof GmbH", "postcode": "5020", "email": "office@almhof.at",
              "phone": "0662 123456"}
    enriched = enrich_record(record, record_id="r", source_kind="purchased_list", now=NOW)
    assert enriched.value("phone_e164") == "+43662123456"


def test_spreadsheet_errors_and_zero_placeholders_derive_nothing() -> None:
    record = {"company": "Elbe GmbH", "street_full": "0", "postcode": "01067", "city": "#WERT!",
              "email": "0", "phone": "#NV", "mobile": "n/a", "first_name": "null",
              "last_name": "Berger", "employees": "0"}
    enriched = enrich_record(record, record_id="r", source_kind="purchased_list", now=NOW)
    for name in ("street", "city", "email_normalized", "phone_e164", "phone_original",
                 "mobile_e164", "first_name"):
        assert enriched.value(name) is None, name
    assert enriched.value("last_name") == "Berger"
    assert "phone" not in enriched.reasons  # no phone was given, none was rejected


def test_workers_end_quietly_under_an_inherited_sigterm_handler(capfd):
    """Prefect installs a SIGTERM handler that raises; the pool's workers must not inherit it,
    or every nightly log shows a traceback when the pool shuts its workers down."""
    import signal

    class Raised(Exception):
        pass

    def raising(signum, frame):
        raise Raised

    previous = signal.signal(signal.SIGTERM, raising)
    try:
        rows = list(enrich_many([{"record_id": str(i), "company": f"Firma {i} GmbH"}
                                 for i in range(20)], source_kind="purchased_list",
                                workers=2, chunk_size=5))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(rows) == 20
    assert "Traceback" not in capfd.readouterr().err

"""A crawl's output lines become pages and canonical records before the warehouse sees them."""

from __future__ import annotations

from ingest.crawled_pages import crawled_pages

IMPRESSUM = {
    "record_type": "page", "domain": "beispiel-gmbh.de", "url": "https://beispiel-gmbh.de/impressum",
    "page_kind": "impressum", "fetched_at": "2026-12-01T10:00:00+00:00", "status": 200,
    "extracted": {"company_name": "Beispiel GmbH", "legal_form": "GmbH", "street": "Hauptstr. 5",
                  "postcode": "10115", "city": "Berlin", "phones": ["+49 30 123456"],
                  "emails": ["info@beispiel-gmbh.de"], "register_court": "Amtsgericht Berlin",
                  "register_number": "HRB 12345",
                  "managing_directors": ["Dr. Anna Maria Schulz", "Jörg Weber"]},
}
HOME = {"record_type": "page", "domain": "beispiel-gmbh.de", "url": "https://beispiel-gmbh.de/",
        "page_kind": "home", "extracted": {}}
SITE_LOG = {"record_type": "site", "domain": "beispiel-gmbh.de"}


def test_an_impressum_yields_the_company_and_one_record_per_managing_director() -> None:
    (page,) = crawled_pages([IMPRESSUM])
    company, first, second = page.records
    assert (company.suffix, company.director) == ("", None)
    assert company.values["company"] == "Beispiel GmbH"
    assert company.values["register"] == "Amtsgericht Berlin HRB 12345"
    assert company.values["phone"] == "+49 30 123456"
    assert company.values["website"] == "beispiel-gmbh.de"
    assert (first.suffix, first.director) == ("#md1", "Dr. Anna Maria Schulz")
    assert (first.values["first_name"], first.values["last_name"]) == ("Dr. Anna Maria", "Schulz")
    assert first.values["position"] == "Geschäftsführer"
    assert first.values["email"] is None  # the company's address is not the director's
    assert second.values["last_name"] == "Weber"
    assert page.payload["extracted"]["company_name"] == "Beispiel GmbH"


def test_pages_without_company_data_yield_no_records_and_rows_count_every_line() -> None:
    pages = crawled_pages([SITE_LOG, HOME, IMPRESSUM])
    assert [(p.row, p.url, len(p.records)) for p in pages] == [
        (2, "https://beispiel-gmbh.de/", 0), (3, "https://beispiel-gmbh.de/impressum", 3)]

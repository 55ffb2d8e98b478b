"""The lead page's data on a small warehouse built by the real stages: a purchased list, a
web-form submission with consent and a demo request, and a crawled Impressum, ingested,
enriched, matched, decided and scored. Each value names the file and row, the submission or
the page it came from; each decision reads as a German sentence."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from foundation.settings import Settings
from leadpipe.demo.site_server import DemoSites
from stages.crawl import crawl_and_load
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_form_file, ingest_list_file
from stages.lead_detail import LeadDetail, lead_detail
from stages.match import match_all
from stages.score import score_all, train_from_outcomes
from warehouse.db import open_warehouse
from warehouse.decisions import lead_events
from warehouse.lead_detail import ledger_rows, member_records

AS_OF = date(2026, 11, 26)
LIST = (
    "Firma;Anrede;Vorname;Nachname;Position;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    "Müller Maschinenbau GmbH;Frau;Erika;Beispiel;Leiterin Einkauf;Hauptstraße;12;80331;"
    "München;089 1234560;erika.beispiel@mueller-maschinenbau.de\n"
    "Müller Maschinenbau GmbH;Herr;Hans;Kollege;Vertrieb;Hauptstraße;12;80331;München;"
    "089 1234560;hans.kollege@mueller-maschinenbau.de\n"
)
FORM = {
    "submission_id": "s-1", "form_id": "demo-de", "page_url": "https://example.de/demo",
    "submitted_at": "2026-11-10T10:00:00+01:00", "ip": "203.0.113.9", "user_agent": "Firefox",
    "request_type": "demo", "company": "Müller Maschinenbau GmbH", "first_name": "Erika",
    "last_name": "Beispiel", "phone": "089 1234560",
    "email": "erika.beispiel@mueller-maschinenbau.de",
    "consent": {"channels": ["email"], "consent_text": "Ja, die Leadpipe GmbH darf mir "
                "E-Mails senden.", "consent_text_version": "v1", "pre_ticked": False,
                "names_controller": True, "doi_confirmed_at": "2026-11-10T10:05:00+01:00"},
}
IMPRESSUM = """<html><body><h1>Impressum</h1>
<p>Angaben gemäß § 5 DDG</p>
<p>Acme Anlagenbau GmbH<br>Hafenstraße 5<br>20457 Hamburg</p>
<p>Vertreten durch den Geschäftsführer: Hanna Weber</p>
<p>Telefon: 040 1234567<br>E-Mail: info@acme-anlagenbau.de</p>
</body></html>"""
SITE = "acme-anlagenbau.de"


def _crawl(settings: Settings, root: Path) -> None:
    site = root / "sites" / SITE
    site.mkdir(parents=True)
    (site / "index.html").write_text(
        '<html><body><a href="/impressum.html">Impressum</a></body></html>', encoding="utf-8")
    (site / "impressum.html").write_text(IMPRESSUM, encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ("http_proxy", "https_proxy", "no_proxy")}
    with DemoSites(root / "sites") as proxy:
        os.environ.update(http_proxy=proxy, https_proxy=proxy, no_proxy="127.0.0.1,localhost")
        try:
            crawl_and_load(replace(settings, crawl_allowlist=(SITE,)), targets=[SITE])
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("lead_detail")
    settings = Settings(data_dir=root / "data", db_path=root / "data" / "leadpipe.duckdb",
                        config_dir=root / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    lst = root / "liste.csv"
    lst.write_bytes(LIST.encode("cp1252"))
    form = root / "forms.ndjson"
    form.write_text(json.dumps(FORM) + "\n", encoding="utf-8")
    ingest_list_file(settings, lst, ListOptions(vendor="Adressverlag Nord",
                                                acquired_on=date(2026, 11, 15),
                                                provenance_documented=True))
    ingest_form_file(settings, form)
    _crawl(settings, root)
    enrich_new(settings)
    match_all(settings)
    decide_all(settings, AS_OF)
    score_all(settings, AS_OF)
    return settings


def _lead(settings: Settings, entity_type: str, field: str, value: str) -> LeadDetail:
    with open_warehouse(settings, write=False) as wh:
        lead_id = wh.scalar(
            "SELECT l.lead_id FROM core.leads l JOIN core.golden_records g USING (lead_id) "
            "WHERE l.entity_type = ? AND g.field = ? AND g.value = ?",
            [entity_type, field, value])
    assert lead_id is not None, (entity_type, field, value)
    detail = lead_detail(settings, str(lead_id))
    assert detail is not None
    return detail


def test_a_list_lead_shows_its_file_and_row(warehouse: Settings) -> None:
    hans = _lead(warehouse, "contact", "last_name", "Kollege")
    assert hans.name == "Hans Kollege"
    assert hans.entity_label == "Ansprechpartner"
    email = next(f for f in hans.fields if f.field == "email_normalized")
    assert email.label == "E-Mail"
    assert email.value == "hans.kollege@mueller-maschinenbau.de"
    (source,) = email.sources
    assert (source.kind, source.file, source.vendor) == ("list", "liste.csv", "Adressverlag Nord")
    assert source.row == 3  # the line in the file, as a spreadsheet numbers it (header: 1)
    assert source.acquired_on == date(2026, 11, 15)
    assert source.label == ("Liste liste.csv, Zeile 3, von Adressverlag Nord, "
                            "gekauft am 15.11.2026")
    assert [r.position for r in hans.records] == ["Vertrieb"]
    assert hans.consent == ()  # a colleague never sees Erika's consent
    phone = next(d for d in hans.decisions if d.channel == "phone")
    assert phone.decision == "blocked"
    assert phone.text.startswith("Anruf gesperrt: ")


def test_a_form_lead_shows_its_submission_and_consent_evidence(warehouse: Settings) -> None:
    erika = _lead(warehouse, "contact", "last_name", "Beispiel")
    kinds = sorted(r.source.kind for r in erika.records)
    assert kinds == ["form", "list"]
    email = next(f for f in erika.fields if f.field == "email_normalized")
    assert email.rule == "source_trust"
    assert email.rule_label == "vertrauenswürdigste Quelle"
    form, listed = email.sources  # the form won; the list row states the same address
    assert (form.kind, form.submission_id, form.form) == ("form", "s-1", "demo-de")
    assert form.received_at is not None
    assert form.received_at.date() == date(2026, 11, 10)
    assert form.label == "Webformular demo-de, Eingang s-1 vom 10.11.2026"
    assert (listed.kind, listed.row) == ("list", 2)
    consent = next(e for e in erika.consent if e.kind == "consent_given")
    assert consent.kind_label == "Einwilligung erteilt"
    assert consent.channel_labels == ("E-Mail",)
    assert consent.source == form
    assert "Formular demo-de" in consent.summary
    assert "Seite https://example.de/demo" in consent.summary
    assert "Verfahren Double-Opt-in" in consent.summary
    assert ("Wortlaut", "Ja, die Leadpipe GmbH darf mir E-Mails senden.") in consent.evidence
    assert {e.kind for e in erika.consent} >= {"inquiry_received", "presumed_consent_reason"}


def test_decisions_read_as_german_sentences_with_basis_and_date(warehouse: Settings) -> None:
    erika = _lead(warehouse, "contact", "last_name", "Beispiel")
    by_channel = {d.channel: d for d in erika.decisions}
    assert [d.channel for d in erika.decisions] == ["email", "phone", "post", "sms", "fax"]
    phone = by_channel["phone"]
    assert (phone.decision, phone.rule) == ("allowed", "P6")
    assert phone.decision_label == "erlaubt"
    assert phone.text == ("Anruf erlaubt: mutmaßliche Einwilligung (§ 7 Abs. 2 Nr. 1 UWG), "
                          "Anfrage vom 10.11.2026")
    assert phone.legal_basis_de is not None
    assert phone.legal_basis_de.startswith("mutmaßliche Einwilligung (§ 7 Abs. 2 Nr. 1 Alt. 2")
    email = by_channel["email"]
    assert email.text == ("E-Mail erlaubt: Einwilligung per Double-Opt-in (§ 7 Abs. 2 Nr. 2 "
                          "UWG), bestätigt am 10.11.2026, Formular demo-de")
    assert by_channel["fax"].text == "Fax gesperrt: keine Faxnummer"


def test_a_crawled_lead_shows_its_page(warehouse: Settings) -> None:
    acme = _lead(warehouse, "company", "postcode", "20457")
    assert acme.name.startswith("Acme Anlagenbau")
    name = next(f for f in acme.fields if f.field == "company_name")
    assert name.sources
    assert {s.kind for s in name.sources} == {"crawl"}
    assert any(s.page_url and s.page_url.endswith("/impressum.html") for s in name.sources)
    assert all(s.label.startswith("Webseite http") for s in name.sources)
    assert any(c.name == "Hanna Weber" and c.position == "Geschäftsführer"
               for c in acme.contacts)
    hanna = lead_detail(warehouse, next(c.lead_id for c in acme.contacts
                                        if c.name == "Hanna Weber"))
    assert hanna is not None
    assert hanna.company is not None
    assert hanna.company.lead_id == acme.lead_id


def test_the_company_and_the_other_contacts(warehouse: Settings) -> None:
    erika = _lead(warehouse, "contact", "last_name", "Beispiel")
    assert erika.company is not None
    assert erika.company.name == "Müller Maschinenbau GmbH"
    assert [(c.name, c.position) for c in erika.contacts] == [("Hans Kollege", "Vertrieb")]
    company = lead_detail(warehouse, erika.company.lead_id)
    assert company is not None
    assert company.company is None
    assert sorted(c.name for c in company.contacts) == ["Erika Beispiel", "Hans Kollege"]
    assert company.consent == ()  # a person's consent never reaches the company


def test_the_score_explains_itself_in_german(warehouse: Settings) -> None:
    erika = _lead(warehouse, "contact", "last_name", "Beispiel")
    score = erika.score
    assert score is not None
    assert score.grade in score.grade_label
    assert score.model_id is None
    assert any(r.startswith("Anfrage (Demo) vor 16 Tagen (+") for r in score.reasons)
    assert {e.part_label for e in score.explanation} >= {"Passung", "Interesse"}
    total = sum(e.points for e in score.explanation)
    assert abs(total - score.total) < 1


def test_outcomes_latest_first(warehouse: Settings, tmp_path: Path) -> None:
    erika = _lead(warehouse, "contact", "last_name", "Beispiel")
    assert erika.outcomes == ()
    for name, outcome in (("crm-1.csv", "lost"), ("crm-2.csv", "won")):
        path = tmp_path / name
        path.write_text(f"lead_id,outcome\n{erika.lead_id},{outcome}\n", encoding="utf-8")
        train_from_outcomes(warehouse, path, by="test")
    again = lead_detail(warehouse, erika.lead_id)
    assert again is not None
    assert [(o.outcome, o.label, o.source) for o in again.outcomes] == [
        ("won", "gewonnen", "crm-2.csv"), ("lost", "verloren", "crm-1.csv")]


def test_an_unknown_lead_is_none(warehouse: Settings) -> None:
    assert lead_detail(warehouse, "contact-does-not-exist") is None


def test_sales_sees_no_contact_data_of_blocked_channels(warehouse: Settings) -> None:
    hans = _lead(warehouse, "contact", "last_name", "Kollege")
    assert {d.channel for d in hans.decisions if d.decision == "allowed"} <= {"post"}
    shown = hans.for_sales()
    email = next(f for f in shown.fields if f.field == "email_normalized")
    assert (email.value, email.hidden) == (None, True)
    assert email.sources == next(f for f in hans.fields if f.field == "email_normalized").sources
    assert [r.email for r in shown.records] == [None]
    assert [r.phone for r in shown.records] == [None]
    assert next(f for f in shown.fields if f.field == "last_name").value == "Kollege"
    erika = _lead(warehouse, "contact", "last_name", "Beispiel").for_sales()
    assert next(f for f in erika.fields if f.field == "email_normalized").value == (
        "erika.beispiel@mueller-maschinenbau.de")
    assert next(f for f in erika.fields if f.field == "phone_e164").hidden is False


def test_an_inquiry_names_its_request_in_german(warehouse: Settings) -> None:
    erika = _lead(warehouse, "contact", "last_name", "Beispiel")
    inquiry = next(e for e in erika.consent if e.kind == "inquiry_received")
    assert inquiry.kind_label == "Anfrage eingegangen"
    assert inquiry.channel_labels == ("alle Kanäle",)
    assert "Anfrage Demo" in inquiry.summary


def test_the_consent_shown_is_what_the_rules_saw(warehouse: Settings) -> None:
    """The lead page's ledger scope is the decide stage's, for every lead."""
    with open_warehouse(warehouse, write=False) as wh:
        leads = wh.fetchall("SELECT lead_id, entity_type FROM core.leads ORDER BY lead_id")
        expected = {lead: [e["seq"] for e in events]
                    for lead, events in lead_events(wh).items()}
        shown = {lead: [e["seq"] for e in ledger_rows(wh, kind, member_records(wh, lead))]
                 for lead, kind in leads}
    assert {lead: seqs for lead, seqs in shown.items() if seqs} == expected
    assert any(expected.values())

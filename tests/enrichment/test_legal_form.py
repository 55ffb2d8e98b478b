"""Legal form from a list column, the name, the register and the Impressum (#15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrichment.company import choose_legal_form, normalize_legal_form, split_legal_form
from enrichment.record import enrich_record
from ingest.forms import read_form_export


@pytest.mark.parametrize(
    ("value", "canonical", "cls"),
    [
        ("GmbH", "GmbH", "corporation"),
        ("mbH", "GmbH", "corporation"),
        ("m.b.H.", "GmbH", "corporation"),
        ("G.m.b.H.", "GmbH", "corporation"),
        ("gmbh", "GmbH", "corporation"),
        ("Gesellschaft mit beschränkter Haftung", "GmbH", "corporation"),
        ("GmbH & Co. KG", "GmbH & Co. KG", "partnership"),
        ("GMBH & CO KG", "GmbH & Co. KG", "partnership"),
        ("GmbH & Co Kommanditgesellschaft", "GmbH & Co. KG", "partnership"),
        ("& Co Kommanditgesellschaft", "KG", "partnership"),
        ("Kommanditgesellschaft", "KG", "partnership"),
        ("gemeinnützige GmbH", "gGmbH", "corporation"),
        ("gGmbH", "gGmbH", "corporation"),
        ("UG (haftungsbeschränkt)", "UG (haftungsbeschränkt)", "corporation"),
        ("Aktiengesellschaft", "AG", "corporation"),
        ("AG", "AG", "corporation"),
        ("OHG", "OHG", "partnership"),
        ("Gbr", "GbR", "partnership"),
        ("PartG mbB", "PartG mbB", "partnership"),
        ("e.G.", "eG", "association"),
        ("eG", "eG", "association"),
        ("eingetragener Verein", "e.V.", "association"),
        ("e.V.", "e.V.", "association"),
        ("e.K.", "e.K.", "sole_trader"),
        ("eingetragener Kaufmann", "e.K.", "sole_trader"),
        ("Einzelunternehmen", "Einzelunternehmen", "sole_trader"),
        ("Einzelkaufmann", "Einzelunternehmen", "sole_trader"),
        ("Körperschaft des öffentlichen Rechts", "KdöR", "public"),
        ("Ltd.", "Ltd.", "corporation"),
        ("S.à r.l.", "Sàrl", "corporation"),
        ("GesmbH", "GesmbH", "corporation"),
        ("Rechtsform: GmbH", "GmbH", "corporation"),
    ],
)
def test_a_column_value_in_any_spelling_gives_the_canonical_form(
        value: str, canonical: str, cls: str) -> None:
    found = normalize_legal_form(value)
    assert found is not None, value
    assert (found.canonical, found.entity) == (canonical, cls)


@pytest.mark.parametrize("value", ["2", "öffentlich-rechtlich", "Handwerksbetrieb", "", "  ",
                                   "-", None, "GmbH Müller Handel"])
def test_a_value_that_is_no_legal_form_gives_none(value: str | None) -> None:
    assert normalize_legal_form(value) is None


def test_name_suffixes_with_mbh_and_eg_spellings() -> None:
    assert split_legal_form("Datenverarbeitung Nord mbH")[1].canonical == "GmbH"  # type: ignore[union-attr]
    assert split_legal_form("Volksbank Mitte e.G.")[1].canonical == "eG"  # type: ignore[union-attr]


def test_precedence_column_then_name_then_register_then_impressum() -> None:
    gmbh = split_legal_form("Müller GmbH")[1]
    both = choose_legal_form("KG", gmbh, "HRB 1234", "AG")
    assert (both.legal_form, both.source) == ("KG", "legal_form")
    assert any(r.startswith("legal_form_conflict") for r in both.reasons)
    assert choose_legal_form(None, gmbh, "VR 12", "AG").source == "company"
    hrb = choose_legal_form("2", None, "HRB 1234", "AG")
    assert (hrb.legal_form, hrb.legal_class, hrb.source) == (None, "corporation", "register")
    assert "legal_form_unreadable: 2" in hrb.reasons
    assert choose_legal_form(None, None, "VR 99", None).legal_form == "e.V."
    assert choose_legal_form(None, None, "GnR 7", None).legal_form == "eG"
    assert choose_legal_form(None, None, "PR 3", None).legal_class == "partnership"
    # HRA holds partnerships and registered merchants alike: no class from it alone.
    assert choose_legal_form(None, None, "HRA 5", "AG").source == "impressum"
    assert choose_legal_form(None, None, "HRA 5", None).legal_class is None


LIST_ROW = {"company": "Müller Metallbau", "first_name": "Thomas", "last_name": "Müller",
            "phone": "02331 123450", "email": "t.mueller@mueller-metallbau.de",
            "website": "www.mueller-metallbau.de"}


def test_a_company_named_after_its_director_is_no_sole_trader_with_its_legal_form() -> None:
    without = enrich_record(LIST_ROW, record_id="a", source_kind="purchased_list")
    assert without.value("sole_trader") is True  # only the name to go by: cautious
    with_form = enrich_record({**LIST_ROW, "legal_form": "GmbH & Co. KG"}, record_id="b",
                              source_kind="purchased_list")
    assert with_form.value("legal_form") == "GmbH & Co. KG"
    assert with_form.value("legal_entity") == "partnership"
    assert with_form.value("sole_trader") is False
    assert with_form.value("phone_channel_kind") == "business_line"
    assert with_form.field("legal_form").source_field == "legal_form"  # type: ignore[union-attr]


def test_a_register_entry_in_the_company_text_gives_the_class() -> None:
    e = enrich_record({**LIST_ROW, "register": "HRB 1234 Amtsgericht Köln"}, record_id="c",
                      source_kind="purchased_list")
    assert (e.value("legal_form"), e.value("legal_entity"), e.value("sole_trader")) == \
        (None, "corporation", False)


def test_a_crawled_records_form_ranks_below_the_name() -> None:
    e = enrich_record({"company": "Huber Bau GmbH", "legal_form": "Einzelunternehmen"},
                      record_id="d", source_kind="crawl")
    assert e.value("legal_form") == "GmbH"
    e = enrich_record({"company": "Huber Bau", "legal_form": "Einzelunternehmen"},
                      record_id="e", source_kind="crawl")
    assert (e.value("legal_form"), e.value("sole_trader")) == ("Einzelunternehmen", True)


def test_a_web_form_field_named_rechtsform_is_the_legal_form(tmp_path: Path) -> None:
    form = tmp_path / "forms.ndjson"
    form.write_text(json.dumps({
        "submission_id": "s-1", "form_id": "demo", "submitted_at": "2026-11-20T10:00:00+01:00",
        "company": "Schneider Druck", "rechtsform": "GmbH", "last_name": "Schneider",
        "email": "a.schneider@schneider-druck.de"}) + "\n", encoding="utf-8")
    (submission,) = read_form_export(form).submissions
    assert submission.record["legal_form"] == "GmbH"

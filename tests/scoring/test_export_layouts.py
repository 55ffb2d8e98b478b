"""Export layouts as data: columns, German headers, letter fields, one row per address."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from foundation.config import ConfigError
from scoring.export_files import remove_rows, write_rows
from scoring.export_layouts import (
    address_key,
    columns_for,
    group_by_address,
    load_exports_config,
    sheet_row,
)

CFG = load_exports_config().value


def _row(lead_id: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "lead_id": lead_id, "company_name": "Elbe Software GmbH", "person_name": None,
        "salutation": None, "title": None, "first_name": None, "last_name": None,
        "position": None, "street": "Schloßstraße", "house_number": "3", "postcode": "01067",
        "city": "Dresden", "country": "DE", "email": None, "phone_e164": None,
        "mobile_e164": None, "fax_e164": None, "score": 50.0, "grade": "C", "top_reasons": [],
        "decision": "allowed", "reason_code": "r", "legal_basis": "Art. 6(1)(f)",
        "sources": ["purchased_list"], "vendors": [], "legal_form": "GmbH",
    }
    return base | values


def test_german_layouts_put_the_lead_id_last_and_keep_the_english_csv() -> None:
    standard = columns_for(CFG, "standard", "post", german=True, include_review=False,
                           per_address=False)
    assert standard.headers == (
        "Firma", "Rechtsform", "Anrede", "Titel", "Vorname", "Nachname", "Position", "Straße",
        "PLZ", "Ort", "Land", "Score", "Klasse", "Gründe", "Rechtsgrundlage", "Quellen",
        "Lead-ID")
    letter = columns_for(CFG, "serienbrief", "post", german=True, include_review=False,
                         per_address=True)
    assert letter.headers[:10] == ("Anrede", "Titel", "Vorname", "Nachname", "Position",
                                   "Firma", "Straße", "PLZ", "Ort", "Land")
    assert "Kontakte an der Adresse" in letter.headers
    calls = columns_for(CFG, "anrufliste", "phone", german=True, include_review=True,
                        per_address=False)
    assert calls.headers[:9] == ("Firma", "Anrede", "Titel", "Vorname", "Nachname", "Position",
                                 "Telefon", "Mobil", "E-Mail")
    assert "Entscheidung" in calls.headers
    # scripts read today's CSV: the plain standard file keeps its English names
    plain = columns_for(CFG, "standard", "phone", german=False, include_review=False,
                        per_address=False)
    assert plain.headers == ("lead_id", "company", "name", "phone", "score", "grade",
                             "top_reasons", "reason_code", "legal_basis", "sources")


def test_standard_shows_only_the_channels_own_contact_columns() -> None:
    email = columns_for(CFG, "standard", "email", german=True, include_review=False,
                        per_address=False).fields
    assert "email" in email
    assert not {"phone", "mobile", "fax", "street", "postcode"} & set(email)
    assert "city" in email  # a town is no contact data


def test_a_call_list_shows_another_channels_contact_only_where_allowed() -> None:
    row = _row("c1", email="anna@elbe.de", phone_e164="+4935112345",
               mobile_e164="+4915112345")
    assert sheet_row(row, "phone", CFG)["email"] is None
    assert sheet_row(row, "phone", CFG, frozenset({"email"}))["email"] == "anna@elbe.de"
    assert sheet_row(row, "phone", CFG)["mobile"] == "+4915112345"  # a call to a mobile
    assert sheet_row(row, "phone", CFG)["phone"] == "+4935112345"


def test_letter_fields() -> None:
    dr = _row("c1", salutation="Frau", title="Dr.", first_name="Anna", last_name="Schmidt",
              person_name="Anna Schmidt")
    shaped = sheet_row(dr, "post", CFG)
    assert shaped["addressee"] == "Frau Dr. Anna Schmidt"
    assert shaped["letter_salutation"] == "Sehr geehrte Frau Dr. Schmidt,"
    herr = sheet_row(_row("c2", salutation="Herr", first_name="Max", last_name="Berg",
                          person_name="Max Berg"), "post", CFG)
    assert herr["addressee"] == "Herrn Max Berg"
    assert herr["letter_salutation"] == "Sehr geehrter Herr Berg,"
    neutral = sheet_row(_row("c3", first_name="Alex", last_name="Kim", person_name="Alex Kim"),
                        "post", CFG)
    assert neutral["letter_salutation"] == "Guten Tag Alex Kim,"
    company = sheet_row(_row("k1"), "post", CFG)
    assert company["addressee"] == "z. Hd. der Geschäftsführung"
    assert company["letter_salutation"] == "Sehr geehrte Damen und Herren,"
    assert company["country"] == "Deutschland"
    assert sheet_row(_row("k1"), "post", CFG, german=False)["country"] == "DE"


def test_address_key_ignores_spelling_but_not_the_house() -> None:
    a = address_key(_row("a", street="Schloßstraße", house_number="3"))
    assert a == address_key(_row("b", street="Schlossstr.", house_number=" 3 "))
    assert a == address_key(_row("c", street="SCHLOSS-STRASSE", house_number="3"))
    assert a != address_key(_row("d", street="Schloßstraße", house_number="3a"))
    assert address_key(_row("e", street=None)) is None


def test_one_row_per_address_goes_to_the_best_scored_person() -> None:
    rows = [_row("k1", score=70.0),                                        # the company
            _row("c1", first_name="Anna", last_name="Schmidt", person_name="Anna Schmidt",
                 score=55.0),
            _row("c2", first_name="Max", last_name="Berg", person_name="Max Berg",
                 score=61.0, street="Schlossstr."),
            _row("k2", company_name="Other AG", street="Ring", house_number="1",
                 postcode="10115", city="Berlin", score=40.0),
            _row("x1", street=None, score=30.0),                           # no address
            _row("k3", company_name="Nachbar KG", score=20.0)]     # same building, other firm
    groups = group_by_address(rows)
    assert [len(g.rows) for g in groups] == [3, 1, 1, 1]
    assert groups[-1].company == "Nachbar KG"
    first = groups[0]
    assert first.addressed is not None
    assert first.addressed["lead_id"] == "c2"
    assert first.company == "Elbe Software GmbH"
    assert groups[1].addressed is None  # a company alone: to the management
    shaped = sheet_row(first.representative, "post", CFG, company=first.company,
                       addressed=first.addressed, leads_at_address=len(first.rows))
    assert (shaped["last_name"], shaped["leads_at_address"], shaped["lead_id"]) == (
        "Berg", 3, "c2")


def test_with_review_leads_the_letter_goes_to_an_allowed_person() -> None:
    rows = [_row("c1", first_name="Anna", last_name="Schmidt", person_name="Anna Schmidt",
                 score=90.0, decision="review"),
            _row("c2", first_name="Max", last_name="Berg", person_name="Max Berg", score=40.0)]
    (group,) = group_by_address(rows)
    assert group.addressed is not None
    assert group.addressed["lead_id"] == "c2"


def test_excel_de_csv_keeps_leading_zero_postcodes_and_erasure_keeps_them(
        tmp_path: Path) -> None:
    out = tmp_path / "brief.csv"
    rows = [{"PLZ": "01067", "Lead-ID": "a"}, {"PLZ": "80331", "Lead-ID": "b"},
            {"PLZ": "01069", "Lead-ID": "c"}]
    write_rows(out, ["PLZ", "Lead-ID"], rows, fmt="csv", excel_de=True, text_columns=["PLZ"])
    text = out.read_text(encoding="utf-8-sig")
    assert '"=""01067"""' in text  # Excel's text spelling, quoted for CSV
    assert "\n80331;b" in text       # a postcode without a leading zero stays plain
    assert remove_rows(out, ("lead_id", "Lead-ID"), {"c"}) == 1
    with open(out, encoding="utf-8-sig", newline="") as fh:
        kept = list(csv.DictReader(fh, delimiter=";"))
    assert [r["PLZ"] for r in kept] == ['="01067"', "80331"]  # still text, not '="…


@pytest.mark.parametrize(("yaml", "message"), [
    ("layouts: {serienbrief: {columns: [salutation, shoe_size]}}",
     "layouts.serienbrief.*unknown column shoe_size"),
    ("headers: {postcode: ''}", "no German header for postcode"),
    ("headers: {city: PLZ}", "share the header 'PLZ'"),
    ("layouts: {anrufliste: {channels: [pigeon]}}", "layouts.anrufliste.channels"),
    ("layouts: {faxliste: {description: x, channels: [fax], other_channels: omit, "
     "columns: [fax]}}", "layouts.faxliste"),
])
def test_invalid_layouts_name_the_key(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "scoring").mkdir(parents=True, exist_ok=True)
    (tmp_path / "scoring" / "exports.yaml").write_text(yaml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_exports_config(tmp_path)
    assert "exports.yaml" in str(info.value)

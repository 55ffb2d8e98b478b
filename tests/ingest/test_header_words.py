"""Compound headers read word by word, and the header row found below title lines.

The headers are spellings seen in real exports (school registers, chamber and vendor lists,
open-data portals); none of them is an alias of its own.
"""

from __future__ import annotations

import pytest

from ingest.columns import load_columns_config
from ingest.header_words import Vocabulary, compound_words, read_header
from ingest.sniff import fitting_delimiter, header_row


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_columns_config().value.vocabulary


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Schulleitung Vorname", "first_name"),
        ("headmaster_lastname", "last_name"),
        ("contact_first_name", "first_name"),
        ("E-Mail Schulleitung", "email"),
        ("ansprechpartner_name", "full_name"),
        ("ansprechpartner_rolle", "position"),
        ("Hochschulname", "company"),
        ("Schulbezeichnung", "company"),
        ("Name der Einrichtung", "company"),
        ("plz_ort", "postcode_city"),
        ("PLZOrt", "postcode_city"),
        ("str_hausnr", "street_full"),
        ("Straße/Hausnr", "street_full"),
        ("Telefon Vorwahl", "phone_area_code"),
        ("Vorwahl Fax", "fax_area_code"),
        ("Telefon Nr.", "phone"),
        ("Hotel Adresse/Postal Code and City/City", "city"),  # a path header: its leaf
        ("Büro", "phone"),
    ],
)
def test_compound_headers_name_their_field(vocabulary, header, field):
    assert read_header(header, vocabulary) == field


@pytest.mark.parametrize(
    "header",
    [
        "Hochschulkurzname",  # a short name, not the name
        "Kurzbezeichnung",
        "Schulnummer",  # an identifier of the organisation
        "Hs-Nr.",
        "Traegernummer",
        "Gemeindeschluessel",
        "Geburtsort",  # another subject's place
        "PLZ_Postanschrift",  # two fields of the PO-box address
        "WohnortLandAbk",
        "Bundesland",
        "Sport",  # 'ort' inside a word is no city
        "Gruppenname",
        "Abschlüsse vor Ort",  # two unknown words: about something else
        "Kreis/kreisfreie Stadt",
        "Privat",  # not 'pri|vat'
        "CTA Button/CTA Button URL",
    ],
)
def test_headers_about_something_else_stay_unmapped(vocabulary, header):
    assert read_header(header, vocabulary) is None


def test_compounds_split_from_their_head(vocabulary):
    assert compound_words("schulleitungvorname", vocabulary) == ["schulleitung", "vorname"]
    assert compound_words("telefonvorwahl", vocabulary) == ["telefonvorwahl"]


@pytest.mark.parametrize(
    ("rows", "index"),
    [
        ([["sep="], ["Firma", "PLZ", "Ort"], ["A GmbH", "1", "X"]], 1),
        ([["# (c) Amt", "", ""], ["# Stand:", "27.08.2021", ""], ["Firma", "PLZ", "Ort"],
          ["A GmbH", "1", "X"]], 2),
        ([["Adressliste Kunden"], [], ["Stand: 01.11.2026"], ["Firma", "PLZ", "Ort", "Tel"],
          ["A GmbH", "1", "X", "2"], ["B AG", "3", "Y", "4"]], 3),
        ([["Firma", "PLZ"], ["A GmbH", "1"]], 0),
        ([["Firma", "", "Ort"], ["A GmbH", "x", "X"]], 0),
    ],
)
def test_header_row_is_found_below_title_and_comment_lines(rows, index):
    assert header_row(rows) == index


def test_excel_sep_line_declares_the_delimiter():
    sample = "sep=;\nFirma;Ort\nA, B & C GmbH;Köln\n"
    assert fitting_delimiter(sample, truncated=False) == ";"


def test_delimiter_is_found_below_a_title_block():
    sample = ("Kundenliste\nStand 01.11.2026\n\nFirma;PLZ;Ort\nA GmbH;10115;Berlin\n"
              "B AG;20095;Hamburg\n")
    assert fitting_delimiter(sample, truncated=False) == ";"

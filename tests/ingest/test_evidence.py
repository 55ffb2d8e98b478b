"""Values as evidence for the column mapping: a plain `Name`, columns no header rule knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.columns import ColumnsConfig, load_columns_config, map_columns
from ingest.errors import InputFileError
from ingest.evidence import looks_like_person, organisation_matcher, profile_column

FILE = Path("list.csv")
SCHOOLS = ["Berlin-Kolleg", "Grundschule am Park", "OSZ Bürowirtschaft", "Lessing-Gymnasium",
           "Kita Sonnenschein", "Musikschule Mitte"]
PEOPLE = ["Erika Mustermann", "Hans Peter Schmidt", "Dr. Anna Weiß", "Jens von Bülow",
          "Maria Müller-Lüdenscheidt", "Tim Kaya"]


@pytest.fixture(scope="module")
def config() -> ColumnsConfig:
    return load_columns_config().value


def _rows(*columns: list[str]) -> list[list[str]]:
    return [list(row) for row in zip(*columns, strict=True)]


def test_organisation_words_and_legal_forms_mark_organisations(config):
    is_organisation = organisation_matcher(config.organisation_words)
    assert is_organisation("Müller Maschinenbau GmbH")
    assert is_organisation("Grundschule am Park")
    assert is_organisation("Sportverein Grün-Weiß e.V.")
    assert not is_organisation("Erika Mustermann")
    assert looks_like_person("Dr. Erika Mustermann-Schulz")
    assert not looks_like_person("OSZ Banken, Immobilien und Versicherungen")


def test_shares_count_only_filled_values(config):
    profile = profile_column(["a@b.de", "", "c@d.de", "x"],
                             organisation_matcher(config.organisation_words))
    assert profile.filled == 3
    assert profile.share("email") == pytest.approx(2 / 3)


def test_a_plain_name_of_organisations_is_the_company(config):
    mapping = map_columns(FILE, ["Name", "PLZ"], config,
                          rows=_rows(SCHOOLS, ["10115"] * 6)).mapping
    assert mapping["Name"] == "company"


def test_a_plain_name_of_people_is_the_full_name(config):
    mapping = map_columns(FILE, ["Name", "PLZ"], config,
                          rows=_rows(PEOPLE, ["10115"] * 6)).mapping
    assert mapping["Name"] == "full_name"


def test_name_beside_a_contact_person_column_is_the_company(config):
    names = ["Jatzke Hartchrom", "Ade Metallveredlung", "Kaya & Co", "Brandt Oberflächen",
             "Nord Beschichtung", "Weber Lacke"]
    mapping = map_columns(FILE, ["name", "ansprechpartner_name"], config,
                          rows=_rows(names, PEOPLE)).mapping
    assert mapping == {"name": "company", "ansprechpartner_name": "full_name"}


def test_values_map_columns_whose_headers_say_nothing(config):
    rows = _rows(SCHOOLS, [f"info{i}@schule{i}.de" for i in range(6)],
                 [f"{10115 + i} Berlin" for i in range(6)], [f"www.s{i}.de" for i in range(6)])
    result = map_columns(FILE, ["Firma", "Feld 2", "Feld 3", "Feld 4"], config, rows=rows)
    assert result.mapping == {"Firma": "company", "Feld 2": "email", "Feld 3": "postcode_city",
                              "Feld 4": "website"}
    assert {c.header: c.how for c in result.columns}["Feld 2"] == "values"


def test_a_postcode_column_holding_the_city_too_is_split(config):
    rows = _rows(SCHOOLS, [f"{44780 + i} Bochum" for i in range(6)])
    assert map_columns(FILE, ["Firma", "PLZ"], config, rows=rows).mapping["PLZ"] == \
        "postcode_city"


def test_a_header_its_values_contradict_is_flagged(config):
    rows = _rows(SCHOOLS, ["ja", "nein", "ja", "ja", "nein", "ja"],
                 ["Schule", "Schule", "Kita", "Schule", "Kita", "Schule"])
    result = map_columns(FILE, ["Firma", "E-Mail", "Branche"], config, rows=rows)
    assert "E-Mail" not in result.mapping  # a clearly shaped field: no value has the shape
    assert any("'E-Mail'" in w and "look like" in w for w in result.warnings)
    rows = _rows(SCHOOLS, ["12", "7", "3", "45", "1", "9"])
    result = map_columns(FILE, ["Firma", "Branche"], config, rows=rows)
    choice = {c.header: c for c in result.columns}["Branche"]
    assert choice.confidence <= 0.4  # words expected: kept, but doubted
    assert any("'Branche'" in w and "look like" in w for w in result.warnings)


def test_numbered_name_columns_continue_the_company(config):
    rows = _rows(["Studienkolleg des", "Gymnasium"] * 3, ["Studienwerks e.V.", ""] * 3)
    mapping = map_columns(FILE, ["Schulbezeichnung_1", "Schulbezeichnung_2"], config,
                          rows=rows).mapping
    assert mapping == {"Schulbezeichnung_1": "company",
                       "Schulbezeichnung_2": "company_continued"}


def test_a_list_nobody_can_be_identified_in_is_refused_with_the_key_to_write(config):
    rows = _rows(["1", "2", "3", "4", "5", "6"], ["rot", "grün", "blau", "gelb", "weiß", "lila"])
    with pytest.raises(InputFileError) as info:
        map_columns(FILE, ["Spalte1", "Spalte2"], config, rows=rows)
    message = str(info.value)
    assert "columns:" in message
    assert "'Spalte2': company" in message


def test_every_mapping_reports_missing_key_fields(config):
    result = map_columns(FILE, ["Firma", "Ort"], config)
    missing = " ".join(result.warnings)
    for field in ("street", "postcode", "e-mail", "phone"):
        assert f"no column for the {field}" in missing


def test_titles_and_degrees_do_not_hide_a_person(config):
    doctors = ["Dr. med. Anna Weiß", "Dipl.-Psych. Jens Kaya", "Maria Lüders M. A.",
               "Prof. Dr. Tim Brandt", "Dr.rer.nat. Eva Ost", "Ute Falk"]
    mapping = map_columns(FILE, ["Name", "PLZ"], config, rows=_rows(doctors, ["1"] * 6)).mapping
    assert mapping["Name"] == "full_name"


def test_courts_and_offices_are_organisations(config):
    courts = ["Amtsgericht Aachen", "Landgericht Bonn", "Finanzamt Köln-Mitte",
              "Handwerkskammer Trier", "Jugendamt Essen", "Amtsgericht Düren"]
    mapping = map_columns(FILE, ["Name", "PLZ"], config, rows=_rows(courts, ["1"] * 6)).mapping
    assert mapping["Name"] == "company"


def test_street_postcode_and_city_in_one_cell_are_an_address(config):
    cells = ["Rudower Straße 7, 12439 Berlin", "Turmstr. 75\n10551 Berlin",
             "Am Markt 1, 50667 Köln", "Parkweg 3, D-01067 Dresden", "Seeweg 2, 8001 Zürich",
             "Hauptstr. 12a, 80331 München"]
    mapping = map_columns(FILE, ["Schule", "Adresse"], config,
                          rows=_rows(SCHOOLS, cells)).mapping
    assert mapping == {"Schule": "company", "Adresse": "address"}


def test_a_column_whose_values_contradict_its_compound_header_is_dropped(config):
    rows = _rows(SCHOOLS, ["Broken website"] * 3 + ["OK"] * 3,
                 [f"https://s{i}.de" for i in range(6)])
    result = map_columns(FILE, ["Firma", "Website Status", "Source URL"], config, rows=rows)
    assert result.mapping == {"Firma": "company", "Source URL": "website"}
    note = {c.header: c.note for c in result.columns}["Website Status"]
    assert "0%" in note


def test_a_category_gives_way_to_the_name_column(config):
    rows = _rows(SCHOOLS, ["staatlich", "staatlich", "privat", "staatlich", "staatlich",
                           "staatlich"])
    assert map_columns(FILE, ["Schule", "Träger"], config, rows=rows).mapping == \
        {"Schule": "company"}


def test_a_first_row_of_values_is_no_header(config):
    from ingest.columns import header_is_data

    assert header_is_data(["Dr. med. Anna Weiß", "Elisenstraße 28", "63739", "Aschaffenburg"],
                          config)
    assert header_is_data(["Christoph Knote", "L'oréal", "https://de.linkedin.com/in/ck"],
                          config)
    assert not header_is_data(["Firma", "PLZ", "2024", "2025"], config)
    assert not header_is_data(["Spalte1", "Spalte2"], config)


def test_placeholders_and_labels_do_not_hide_what_values_are(config):
    is_organisation = organisation_matcher(config.organisation_words)
    profile = profile_column(["Tel: 044 863 22 11", "Tel.: 0221 123456", "NULL", "N/A",
                              "Telefon: 030 1234567"], is_organisation)
    assert profile.filled == 3
    assert profile.share("phone") == 1.0


def test_a_name_of_something_is_decided_by_its_values(config):
    libraries = ["Stadtbibliothek Mitte", "Stadtteilbibliothek Pasing", "Musikbibliothek",
                 "Kinderbibliothek Nord", "Bibliothek am Gasteig", "Stadtbibliothek Giesing"]
    mapping = map_columns(FILE, ["bib_type", "bib_name", "email"], config,
                          rows=_rows(["Filiale"] * 6, libraries,
                                     [f"b{i}@muenchen.de" for i in range(6)])).mapping
    assert mapping == {"bib_name": "company", "email": "email"}


def test_article_links_are_no_website_and_links_no_names(config):
    articles = [f"https://www.heise.de/news/Rechenzentrum-GmbH-eroeffnet-{i}.html"
                for i in range(6)]
    rows = _rows(SCHOOLS, articles)
    result = map_columns(FILE, ["Firma", "Quelle"], config, rows=rows)
    assert result.mapping == {"Firma": "company"}


def test_salutations_mark_a_list_of_people(config):
    rows = _rows(["Herr", "Frau", "Herr", "Frau", "Herr", "Frau"],
                 ["Schruth", "Hofer", "Wüste", "Kaya", "Brandt", "Ost"],
                 [f"p{i}@mail.de" for i in range(6)])
    mapping = map_columns(FILE, ["column_1", "column_2", "column_3"], config,
                          rows=rows).mapping
    assert mapping == {"column_1": "salutation", "column_2": "full_name",
                       "column_3": "email"}

"""Column mapping: header normalisation, aliases, contextual headers, vendor overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from foundation.config import ConfigError
from ingest.columns import ColumnsConfig, load_columns_config, map_columns, normalise_header
from ingest.errors import InputFileError
from ingest.vendor_mapping import VendorMapping, load_vendor_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
FILE = Path("purchased.csv")


@pytest.fixture(scope="module")
def config() -> ColumnsConfig:
    return load_columns_config().value


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Straße", "strasse"),
        ("STRASSE ", "strasse"),
        ("E-Mail", "email"),
        ("e_mail", "email"),
        ("USt-IdNr.", "ustidnr"),
        ("Straße und Hausnummer", "strasseundhausnummer"),
        ("Größe", "groesse"),
        ("Télé-phone", "telephone"),
        ("Bu\u0308ro", "buero"),  # decomposed umlaut
    ],
)
def test_normalise_header_folds_case_umlauts_accents_and_punctuation(header, expected):
    assert normalise_header(header) == expected


def test_german_headers_map_automatically(config):
    headers = ["Firma", "Anrede", "Titel", "Vorname", "Nachname", "Funktion", "Straße",
               "Hausnr.", "PLZ", "Ort", "Land", "Tel.", "Handy", "Fax", "E-Mail-Adresse",
               "Homepage", "Branche", "WZ-Code", "Mitarbeiter", "Umsatz", "HRB", "USt-IdNr."]
    result = map_columns(FILE, headers, config)
    assert result.mapping == {
        "Firma": "company", "Anrede": "salutation", "Titel": "title", "Vorname": "first_name",
        "Nachname": "last_name", "Funktion": "position", "Straße": "street",
        "Hausnr.": "house_number", "PLZ": "postcode", "Ort": "city", "Land": "country",
        "Tel.": "phone", "Handy": "mobile", "Fax": "fax", "E-Mail-Adresse": "email",
        "Homepage": "website", "Branche": "industry", "WZ-Code": "wz_code",
        "Mitarbeiter": "employees", "Umsatz": "revenue", "HRB": "register",
        "USt-IdNr.": "vat_id",
    }
    assert result.unmapped == ()


def test_english_headers_map_and_extras_are_reported_not_dropped(config):
    headers = ["Company name", "Last name", "Job title", "Zip code", "City", "Phone",
               "Mobile", "E-mail", "URL", "Industry", "Employees", "Revenue", "VAT ID",
               "Lead score", ""]
    result = map_columns(FILE, headers, config)
    assert result.mapping["Company name"] == "company"
    assert result.mapping["URL"] == "website"
    assert result.mapping["VAT ID"] == "vat_id"
    assert result.unmapped == ("Lead score",)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Vorname", "Name"], {"Vorname": "first_name", "Name": "last_name"}),
        (["Name", "Firma"], {"Name": "full_name", "Firma": "company"}),
        (["Firma", "Straße", "Hausnummer"], {"Firma": "company", "Straße": "street",
                                              "Hausnummer": "house_number"}),
        (["Firma", "Strasse"], {"Firma": "company", "Strasse": "street_full"}),
        (["Firma", "Straße und Hausnummer"], {"Firma": "company",
                                             "Straße und Hausnummer": "street_full"}),
    ],
)
def test_ambiguous_headers_depend_on_their_neighbours(config, headers, expected):
    assert map_columns(FILE, headers, config).mapping == expected


def test_several_columns_may_feed_one_field(config):
    result = map_columns(FILE, ["Firma", "Telefon", "Tel."], config)
    assert result.mapping == {"Firma": "company", "Telefon": "phone", "Tel.": "phone"}


def test_missing_identity_column_names_file_row_and_fields(config):
    with pytest.raises(InputFileError) as info:
        map_columns(FILE, ["PLZ", "Ort", "Telefon"], config)
    err = info.value
    assert (err.file, err.row, err.field) == ("purchased.csv", 1, "company/last_name/full_name")
    text = str(err)
    assert text.startswith("purchased.csv, row 1, field 'company/last_name/full_name': ")
    assert "'PLZ'" in text


def test_duplicate_headers_name_both_columns(config):
    with pytest.raises(InputFileError) as info:
        map_columns(FILE, ["Firma", "Telefon", "Ort", "Telefon"], config)
    assert info.value.field == "Telefon"
    assert info.value.row == 1
    assert "columns 2 and 4" in str(info.value)


def test_blank_headers_may_repeat(config):
    result = map_columns(FILE, ["Firma", "", ""], config)
    assert result.mapping == {"Firma": "company"}


def test_vendor_mapping_overrides_aliases_and_ignores_columns(config):
    vendor = VendorMapping(
        vendor="Broker",
        columns={"Name 1": "company", "Ort": "street_full", "Interne Nr": None},
        ignore=["Kampagne", "Gibt es nicht"],
    )
    headers = ["Name 1", "Ort", "Stadt", "Interne Nr", "Kampagne", "Notiz"]
    result = map_columns(FILE, headers, config, vendor)
    assert result.mapping == {"Name 1": "company", "Ort": "street_full", "Stadt": "city"}
    assert result.how == {"Name 1": "vendor", "Ort": "vendor", "Stadt": "alias"}
    assert result.ignored == ("Interne Nr", "Kampagne")
    assert result.unmapped == ("Notiz",)
    assert any("Gibt es nicht" in w for w in result.warnings)


def test_vendor_mapping_without_auto_map_maps_only_what_it_names(config):
    vendor = VendorMapping(vendor="Strict", columns={"Firma": "company"}, auto_map=False)
    result = map_columns(FILE, ["Firma", "PLZ"], config, vendor)
    assert result.mapping == {"Firma": "company"}
    assert result.unmapped == ("PLZ",)


def test_vendor_mapping_file_is_validated_and_carries_list_metadata():
    vendor = load_vendor_mapping(FIXTURES / "vendor_a.mapping.yaml")
    assert vendor.encoding == "cp1252"
    assert vendor.delimiter == ";"
    defaults = vendor.list_defaults()
    assert defaults["vendor"] == "Adressbroker Nord GmbH"
    assert str(defaults["acquired_on"]) == "2026-10-01"
    assert defaults["provenance_documented"] is True


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("vendor: X\ncolumns: {Firma: firm}\n", "columns"),
        ("vendor: X\nencoding: klingon\n", "encoding"),
        ("vendor: X\ndelimiter: ';;'\n", "delimiter"),
        ("vendor: X\nacquired_on: yesterday\n", "acquired_on"),
        ("vendor: X\ncolumns: {Firma: firma}\n", "columns"),
        ("vendor: X\ncolums: {}\n", "colums"),
    ],
)
def test_invalid_mapping_file_names_the_file_and_key(tmp_path, body, key):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_vendor_mapping(path)
    assert str(path) in str(info.value)
    assert key in str(info.value)


def test_numeric_headers_in_a_mapping_file_are_text(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("vendor: X\ncolumns: {2024: revenue, Firma: company}\nignore: [7]\n",
                    encoding="utf-8")
    vendor = load_vendor_mapping(path)
    assert vendor.columns == {"2024": "revenue", "Firma": "company"}
    assert vendor.ignore == ["7"]


def test_alias_claimed_by_two_fields_is_a_configuration_error():
    with pytest.raises(ValidationError, match="both"):
        ColumnsConfig.model_validate({"version": 1, "aliases": {"phone": ["Tel"],
                                                                "mobile": ["TEL."]}})


def test_alias_for_unknown_field_is_rejected():
    with pytest.raises(ValidationError, match="unknown canonical field"):
        ColumnsConfig.model_validate({"version": 1, "aliases": {"telefon": ["Tel"]}})


def test_config_directory_extends_aliases(tmp_path):
    (tmp_path / "ingest").mkdir(parents=True, exist_ok=True)
    (tmp_path / "ingest" / "columns.yaml").write_text("aliases:\n  company: [Kundenfirma]\n",
                                           encoding="utf-8")
    config = load_columns_config(tmp_path).value
    assert map_columns(FILE, ["Kundenfirma"], config).mapping == {"Kundenfirma": "company"}


def test_every_alias_is_documented(config):
    """docs/ingest.md lists the aliases users can rely on; it must not drift from the YAML."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "ingest.md").read_text("utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in docs.splitlines()
            if line.startswith("| `")}
    for name, aliases in config.aliases.items():
        assert name in rows, name
        for alias in aliases:
            assert alias in rows[name], (name, alias)


ROWS_WITH_COUNTER = [[str(k), f"Firma {k} GmbH", "Hauptstr.", f"{k * 7}a", f"8033{k}", "München"]
                     for k in range(1, 7)]


def test_a_row_counter_headed_nr_is_no_house_number(config):
    """'Nr' names the house number too; a column counting the rows from the top beside
    'Hausnummer' would overwrite every house number with the row's position."""
    headers = ["Nr", "Firma", "Straße", "Hausnummer", "PLZ", "Ort"]
    result = map_columns(FILE, headers, config, rows=ROWS_WITH_COUNTER)
    assert "Nr" not in result.mapping
    assert result.mapping["Hausnummer"] == "house_number"
    assert result.mapping["PLZ"] == "postcode"  # 80331 … 80336 count too, but are postcodes
    nr = next(c for c in result.columns if c.header == "Nr")
    assert "a row number" in nr.note


def test_a_house_number_column_headed_nr_stays_one(config):
    headers = ["Firma", "Straße", "Nr", "PLZ", "Ort"]
    rows = [[f"Firma {k} GmbH", "Hauptstr.", number, "80331", "München"]
            for k, number in enumerate(["12", "7a", "3", "5", "18", "2"])]
    assert map_columns(FILE, headers, config, rows=rows).mapping["Nr"] == "house_number"
    headers = ["Nr", "Firma", "Straße", "Hausnummer", "PLZ", "Ort"]
    few = ROWS_WITH_COUNTER[:3]  # 1, 2, 3: too few rows to tell a counter
    assert map_columns(FILE, headers, config, rows=few).mapping["Nr"] == "house_number"

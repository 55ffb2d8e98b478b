"""Values from a real-looking XLSX list come out right: `leadpipe ingest list` + enrichment.

The workbook is written at test time with number cells as Excel stores them: the postcode
1067 (Dresden) without its leading zero, a phone number as a number, an Austrian row with a
4-digit postcode and a +43 number and no country column anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from scoring.export_files import ExportFormat, write_rows
from stages.enrich import enrich_new
from warehouse.db import open_warehouse

runner = CliRunner()
HEADER = ["Firma", "Anrede", "Vorname", "Nachname", "Straße", "PLZ", "Ort", "Telefon",
          "E-Mail"]
ROWS: list[list[Any]] = [
    ["Elbe Werkzeug GmbH", "w", "Anna", "Berger", "Schlossstraße 1", 1067, "Dresden",
     4935112345678, "anna.berger@elbe-werkzeug.de"],
    ["Spree Service GmbH", "Herr Dr.", "Jonas", "Keller", "Unter den Linden 5", 10117,
     "Berlin", 30901838210, "#NV"],
    ["Almhof Handels GmbH", "Frau", "Eva", "Huber", "Kärntner Straße 3", 1010, "Wien",
     "+43 1 5320000", "office@almhof-handel.at"],
]


@pytest.fixture
def enriched(settings: Settings, tmp_path: Path) -> dict[str, dict[str, Any]]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "liste.xlsx"
    book.save(path)
    loaded = runner.invoke(app, ["ingest", "list", str(path), "--vendor", "V",
                                 "--acquired-on", "20.11.2026", "--json",
                                 "--db", str(settings.db_path)])
    assert loaded.exit_code == 0, loaded.output
    enrich_new(settings)
    with open_warehouse(settings, write=False) as wh:
        rows = wh.dicts("SELECT * FROM core.enriched_records")
        provenance = wh.dicts("SELECT record_id, method, source_field FROM "
                              "core.field_provenance WHERE field = 'country'")
    by_id = {str(p["record_id"]): p for p in provenance}
    result = {}
    for row in rows:
        row["country_source"] = (by_id[str(row["record_id"])]["method"],
                                 by_id[str(row["record_id"])]["source_field"])
        result[str(row["last_name"])] = row
    return result


def test_german_postcode_gets_its_zero_and_the_number_cell_one_country_code(
    enriched: dict[str, dict[str, Any]],
) -> None:
    anna = enriched["Berger"]
    assert (anna["postcode"], anna["country"]) == ("01067", "DE")
    assert anna["phone_e164"] == "+4935112345678"
    assert anna["phone_valid"] is True
    assert anna["salutation"] == "Frau"


def test_area_code_without_its_zero_and_error_values(enriched: dict[str, dict[str, Any]]) -> None:
    jonas = enriched["Keller"]
    assert jonas["phone_e164"] == "+4930901838210"
    assert jonas["email_normalized"] is None  # "#NV" is an empty cell
    assert (jonas["salutation"], jonas["title"]) == ("Herr", "Dr.")


def test_austrian_row_without_country_column_stays_austrian(
    enriched: dict[str, dict[str, Any]],
) -> None:
    eva = enriched["Huber"]
    assert (eva["postcode"], eva["country"]) == ("1010", "AT")
    assert eva["country_source"] == ("inferred", "postcode+phone+tld+city")
    assert eva["phone_region"] == "AT"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_keep_the_leading_zero(tmp_path: Path, fmt: ExportFormat) -> None:
    path = tmp_path / f"export.{fmt}"
    write_rows(path, ["postcode"], [{"postcode": "01067"}], fmt=fmt)
    if fmt == "csv":
        assert "01067" in path.read_text(encoding="utf-8-sig")
    else:
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        assert sheet["A2"].value == "01067"
        assert sheet["A2"].data_type == "s"

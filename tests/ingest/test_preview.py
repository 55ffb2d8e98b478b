"""`leadpipe ingest list FILE --preview` and `--write-mapping`, through the CLI.

A vendor export as they come: a title block above the header, PLZ and Ort in one column,
area code and number apart, a plain `Name` of organisations, a spreadsheet error row and a
footer line. The preview must say how it will read it and what it would set aside, write
nothing, and its mapping file must load the list as the user edited it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app

runner = CliRunner()

LIST = (
    "Adressliste Bildungseinrichtungen\n"
    "Stand: 01.11.2026\n"
    "\n"
    "Nr;Name;Straße Hausnr.;PLZ Ort;Vorwahl;Telefon;E-Mail;Kategorie\n"
    "1;Grundschule am Park;Parkweg 3;10115 Berlin;030;1234567;info@gs-park.de;Grundschule\n"
    "2;Lessing-Gymnasium;Hauptstr. 12a;80331 München;089;7654321;post@lessing.de;Gymnasium\n"
    "3;Musikschule Mitte e.V.;Am Markt 1;50667 Köln;0221;555666;kontakt@ms-mitte.de;Musik\n"
    "4;Kita Sonnenschein;Rosenweg 7;01067 Dresden;0351;112233;kita@sonne.de;Kita\n"
    "5;Volkshochschule Nord;Nordring 5;20095 Hamburg;040;998877;vhs@nord.de;VHS\n"
    "#NV;#NV;#NV;#NV;#NV;#NV;#NV;#NV\n"
    "Quelle: Adressverlag Beispiel GmbH;;;;;;;\n"
)


def _invoke(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    return result.exit_code, result.output


@pytest.fixture
def listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(settings.config_dir))
    path = tmp_path / "einrichtungen.csv"
    path.write_bytes(LIST.encode("cp1252"))
    return path


def test_preview_shows_how_the_list_is_read_and_writes_nothing(settings, listing):
    code, out = _invoke(settings, "ingest", "list", str(listing), "--preview", "--json")
    assert code == 0, out
    preview = json.loads(out)
    assert (preview["encoding"], preview["delimiter"], preview["header_row"]) == \
        ("cp1252", ";", 4)
    fields = {c["header"]: c["field"] for c in preview["columns"]}
    assert fields == {"Nr": None, "Name": "company", "Straße Hausnr.": "street_full",
                      "PLZ Ort": "postcode_city", "Vorwahl": "phone_area_code",
                      "Telefon": "phone", "E-Mail": "email", "Kategorie": None}
    name = next(c for c in preview["columns"] if c["header"] == "Name")
    assert name["samples"] == ["Grundschule am Park", "Lessing-Gymnasium",
                               "Musikschule Mitte e.V."]
    assert 0.5 < name["confidence"] <= 1
    assert preview["unmapped"] == ["Nr", "Kategorie"]
    assert (preview["rows"], preview["would_load"]) == (7, 5)
    reasons = {p["reason"]: p["examples"] for p in preview["would_quarantine"]}
    assert any("spreadsheet error" in r and rows == [10] for r, rows in reasons.items())
    assert any("footer" in r and rows == [11] for r, rows in reasons.items())
    assert not settings.db_path.exists()


def test_the_load_splits_and_joins_combined_columns(settings, listing):
    code, out = _invoke(settings, "ingest", "list", str(listing), "--vendor", "Beispiel",
                        "--acquired-on", "2026-11-01", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert (report["in"], report["loaded"], report["quarantined"]) == (7, 5, 2)
    assert report["unmapped"] == ["Nr", "Kategorie"]
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows = con.execute(
            "SELECT row_number, company, street_full, postcode, city, phone "
            "FROM staging.stg_purchased_list__records ORDER BY row_number").fetchall()
    assert rows[0] == (5, "Grundschule am Park", "Parkweg 3", "10115", "Berlin",
                       "030 1234567")
    assert rows[3][3:5] == ("01067", "Dresden")


def test_written_mapping_loads_the_list_as_edited(settings, listing, tmp_path):
    mapping = tmp_path / "einrichtungen.yaml"
    code, out = _invoke(settings, "ingest", "list", str(listing), "--preview",
                        "--write-mapping", str(mapping))
    assert code == 0, out
    text = mapping.read_text(encoding="utf-8")
    assert "Grundschule" not in text  # no personal or list data in configuration
    mapping.write_text(text.replace('"Kategorie": null', '"Kategorie": industry'),
                       encoding="utf-8")
    code, out = _invoke(settings, "ingest", "list", str(listing), "--mapping", str(mapping),
                        "--vendor", "Beispiel", "--acquired-on", "2026-11-01", "--json")
    assert code == 0, out
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        industries = con.execute("SELECT list(industry ORDER BY row_number) FROM "
                                 "staging.stg_purchased_list__records").fetchone()
    assert industries == (["Grundschule", "Gymnasium", "Musik", "Kita", "VHS"],)


def test_write_mapping_never_overwrites_a_file(settings, listing, tmp_path):
    mapping = tmp_path / "mine.yaml"
    mapping.write_text("vendor: X\n", encoding="utf-8")
    code, out = _invoke(settings, "ingest", "list", str(listing), "--write-mapping",
                        str(mapping))
    assert code == 2
    assert "exists" in out
    assert mapping.read_text(encoding="utf-8") == "vendor: X\n"

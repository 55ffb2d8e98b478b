"""Failure classes of real address lists (issue #15), loaded through the user's door.

Every fixture under tests/fixtures/ingest/classes/ is invented (organisations, persons,
numbers) but shaped like lists people really bring: school and university registers, charging
point operators, help facilities, Kammer exports, scraped lead lists, vendor footers. Each test
loads one through `leadpipe ingest list ... --json` and reads what reached the warehouse:
`staging.stg_purchased_list__records` (raw trimmed strings), `ops.quarantine` and
`raw.records`. The assertions state the intended behaviour; the product is expected to
generalise (header shapes), not to learn these exact headers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app

CLASSES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "classes"
runner = CliRunner()


@dataclass
class Load:
    """What one `ingest list` call printed and left in the warehouse."""

    code: int
    output: str
    report: dict[str, Any] = field(default_factory=dict)
    staging: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.staging]


@pytest.fixture(autouse=True)
def _own_dirs(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys, scratch files and config live in the test's tmp dirs, not in the checkout."""
    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(settings.config_dir))


def _load(path: Path, tmp_path: Path) -> Load:
    """Load `path` as a purchased list into a fresh warehouse and read back its rows."""
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["ingest", "list", str(path), "--vendor", "Test",
                                 "--acquired-on", "2026-11-01", "--json", "--db", str(db)])
    load = Load(result.exit_code, result.output)
    if result.exit_code != 0:
        return load
    load.report = json.loads(result.stdout)
    with duckdb.connect(str(db), read_only=True) as con:
        for attr, sql in (
            ("staging", "SELECT * FROM staging.stg_purchased_list__records ORDER BY row_number"),
            ("quarantine", "SELECT * FROM ops.quarantine ORDER BY row_number"),
            ("raw", "SELECT row_number, payload FROM raw.records ORDER BY row_number"),
        ):
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            setattr(load, attr, [dict(zip(names, row, strict=True)) for row in cur.fetchall()])
    return load


def _ok(path: Path, tmp_path: Path) -> Load:
    load = _load(path, tmp_path)
    assert load.code == 0, load.output
    return load


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# --- 1. organisation headers outside the usual aliases --------------------------------------

ORG_FILES = {
    "org_einrichtung.csv": "Beratungsstelle Lichtblick",
    "org_institution.csv": "Institut für Angewandte Akustik",
    "org_betreiber.csv": "Stadtwerke Kleinbach GmbH",
    "org_traeger.csv": "Evangelischer Kitaverbund Nordstadt",
    "org_hochschulname.csv": "Hochschule für Technik Nordheide",
    "org_schulbezeichnung.csv": "Städtische Gesamtschule Am Mühlenbach",
    "org_name1.csv": "Holzbau Wegener GmbH & Co. KG",  # Name 2 continues Name 1
}


@pytest.mark.parametrize(("name", "first_company"), ORG_FILES.items())
def test_organisation_header_outside_the_aliases_is_the_company(name, first_company, tmp_path):
    """Registers name their organisation column after what it holds (Einrichtung, Träger,
    Hochschulname, Name 1 ...); such a list must load with that column as the company,
    not be refused for lacking a 'Firma'."""
    load = _ok(CLASSES / name, tmp_path)
    assert load.report["loaded"] == 5
    assert load.column("company")[0] == first_company
    assert all(load.column("company"))


def test_file_without_any_identifiable_column_is_refused_with_the_mapping_key(tmp_path):
    """Only when nothing can be recognised is the file refused: exit 2, a message that tells
    the user which key of the vendor mapping file to write, no traceback."""
    load = _load(CLASSES / "no_identifiable.csv", tmp_path)
    assert load.code == 2
    assert "columns" in load.output
    assert "mapping" in load.output
    assert "Traceback" not in load.output


# --- 2. a plain `Name` column -----------------------------------------------------------------

def test_name_holding_organisations_is_the_company(tmp_path):
    """Schools, practices, GmbHs and Vereine under `Name` are organisations, not persons."""
    load = _ok(CLASSES / "name_organisations.csv", tmp_path)
    assert load.report["loaded"] == 6
    assert load.column("company")[:3] == [
        "Grundschule am Hasenberg", "Weber & Lang Steuerberatung GmbH",
        "Zahnarztpraxis Dr. Jana Roth"]
    assert not any(load.column("full_name"))
    assert not any(load.column("last_name"))


def test_name_beside_vorname_is_the_surname(tmp_path):
    """`Name` next to `Vorname` holds the surname."""
    load = _ok(CLASSES / "name_beside_vorname.csv", tmp_path)
    assert load.column("last_name")[0] == "Kessler"
    assert load.column("first_name")[0] == "Jonas"
    assert load.column("company")[0] == "Kessler Antriebstechnik GmbH"


def test_name_holding_person_names_beside_a_company_is_the_full_name(tmp_path):
    """`Name` with "Erika Mustermann" and a separate company column is the person's name."""
    load = _ok(CLASSES / "name_persons.csv", tmp_path)
    assert load.column("full_name")[0] == "Erika Mustermann"
    assert load.column("company")[0] == "Adler Maschinenbau GmbH"


# --- 3. lines above the header ----------------------------------------------------------------

@pytest.mark.parametrize(("name", "header_line", "rows"), [
    ("above_sep_line.csv", 2, 4),
    ("above_comments.csv", 5, 5),
    ("above_title_block.csv", 4, 5),
])
def test_lines_above_the_header_are_not_data(name, header_line, rows, tmp_path):
    """Excel's `sep=;`, `#` licence lines and a title block sit above the real header. The
    header is found, every data row loads, `in` counts data rows only, and `row_number` is
    the line the user sees in the file."""
    load = _ok(CLASSES / name, tmp_path)
    assert (load.report["in"], load.report["loaded"]) == (rows, rows)
    assert load.column("row_number") == list(range(header_line + 1, header_line + 1 + rows))
    assert all(load.column("company"))
    assert all(_digits(p) for p in load.column("phone"))


def test_title_block_above_the_header_in_a_workbook(tmp_path):
    """The same title block in an XLSX: the header is on sheet row 4, data from row 5."""
    path = _xlsx(tmp_path / "kunden.xlsx", [
        ["Adressliste Kunden"], ["Stand: 01.11.2026"], [],
        ["Firma", "Straße", "Hausnummer", "PLZ", "Ort", "E-Mail"],
        ["Kurz Feinkost GmbH", "Marktplatz", "4", "89073", "Ulm", "info@kurz-feinkost.de"],
        ["Albtal Orgelbau KG", "Orgelweg", "1", "72574", "Bad Urach", "post@albtal-orgel.de"],
    ])
    load = _ok(path, tmp_path)
    assert (load.report["in"], load.report["loaded"]) == (2, 2)
    assert load.column("row_number") == [5, 6]
    assert load.column("company") == ["Kurz Feinkost GmbH", "Albtal Orgelbau KG"]


# --- 4. combined columns ------------------------------------------------------------------------

def test_plz_ort_and_str_hausnr_are_split_or_kept_whole(tmp_path):
    """`plz_ort` "44789 Bochum" is postcode and city; `str_hausnr` is the whole street line."""
    load = _ok(CLASSES / "combined_plz_ort.csv", tmp_path)
    first = load.staging[0]
    assert (first["postcode"], first["city"]) == ("44789", "Bochum")
    assert first["street_full"] == "Zechenstraße 14"
    assert all(load.column("postcode"))
    assert all(load.column("city"))


def test_strasse_hausnr_plz_ort_and_area_code(tmp_path):
    """`Straße Hausnr.` is street_full, `PLZ Ort` splits, `Vorwahl` + `Telefon` is one phone."""
    load = _ok(CLASSES / "combined_strasse_hausnr.csv", tmp_path)
    first = load.staging[0]
    assert first["street_full"] == "Leopoldstraße 120"
    assert (first["postcode"], first["city"]) == ("80331", "München")
    assert _digits(first["phone"]) == "0891234567"
    assert load.staging[1]["city"] == "Kempten (Allgäu)"


def test_adresse_and_telefonvorwahl(tmp_path):
    """`Adresse` is street_full; `Telefonvorwahl` + `Telefon` (and the fax pair) are joined."""
    load = _ok(CLASSES / "combined_adresse_vorwahl.csv", tmp_path)
    first = load.staging[0]
    assert first["street_full"] == "Landsberger Str. 302"
    assert _digits(first["phone"]) == "0891234567"
    assert _digits(first["fax"]) == "0891234568"


# --- 5. spellings of person, city and position columns --------------------------------------

def test_prefixed_schulleitung_columns_and_gemeinde(tmp_path):
    """`Schulleitung Vorname/Nachname/Anrede` are the contact person; `Gemeinde` is the city."""
    load = _ok(CLASSES / "spell_schulleitung.csv", tmp_path)
    first = load.staging[0]
    assert (first["salutation"], first["first_name"], first["last_name"]) == (
        "Frau", "Katrin", "Seidel")
    assert first["city"] == "Dresden"


def test_english_headmaster_columns_and_community(tmp_path):
    """A Saxon-register shape: `headmaster_firstname`, `community` as the city, the
    salutation key M/W/D kept raw in `salutation`."""
    load = _ok(CLASSES / "spell_headmaster.csv", tmp_path)
    first = load.staging[0]
    assert (first["first_name"], first["last_name"]) == ("Ines", "Schubert")
    assert first["city"] == "Meißen"
    assert load.column("salutation") == ["W", "M", "W", "D", "M"]


def test_ansprechpartner_prefixed_columns_and_funktion(tmp_path):
    """`Ansprechpartner Vorname/Nachname/Anrede` and `Funktion` describe the contact."""
    load = _ok(CLASSES / "spell_ansprechpartner.csv", tmp_path)
    first = load.staging[0]
    assert (first["salutation"], first["first_name"], first["last_name"]) == (
        "Herr", "Daniel", "Sauer")
    assert first["position"] == "Inhaber"
    assert not any(load.column("full_name"))


def test_english_contact_columns_job_title_and_community(tmp_path):
    """`contact_first_name`, `job_title`, `community` in a snake_case export."""
    load = _ok(CLASSES / "spell_contact_english.csv", tmp_path)
    first = load.staging[0]
    assert (first["first_name"], first["last_name"]) == ("Doreen", "Kaiser")
    assert first["salutation"] == "Frau"
    assert first["position"] == "Managing Director"
    assert first["city"] == "Lübbenau/Spreewald"


# --- 6. values under a blank header cell ----------------------------------------------------

def test_value_under_a_blank_csv_header_is_kept_in_raw(tmp_path):
    """`Firma;;Ort`: the nameless column is no reason to quarantine; its value stays in the
    raw payload so nothing the vendor delivered is lost."""
    load = _ok(CLASSES / "blank_header.csv", tmp_path)
    assert (load.report["loaded"], load.report["quarantined"]) == (5, 0)
    assert "Werk 2" in str(load.raw[0]["payload"])
    assert load.column("city")[0] == "Bremen"


def test_value_right_of_the_last_xlsx_header_is_kept_in_raw(tmp_path):
    """A note typed in the column right of the last header of a workbook."""
    path = _xlsx(tmp_path / "notiz.xlsx", [
        ["Firma", "PLZ", "Ort", "E-Mail"],
        ["Fichtelgebirge Porzellan GmbH", "95100", "Selb", "info@fg-porzellan.de", "Rückruf"],
        ["Oberpfalz Glas KG", "92637", "Weiden", "post@opf-glas.de"],
    ])
    load = _ok(path, tmp_path)
    assert (load.report["loaded"], load.report["quarantined"]) == (2, 0)
    assert "Rückruf" in str(load.raw[0]["payload"])


# --- 7. spreadsheet error values and vendor footers ------------------------------------------

def test_error_values_and_footer_rows(tmp_path):
    """`#WERT!`, `#NV`, `#N/A`, `#DIV/0!`, `#REF!`, `#NAME?` as the company are no company: the
    row is quarantined with a reason. As an e-mail or phone beside a good company the row
    loads. The vendor's footer lines are quarantined, never loaded as companies."""
    load = _ok(CLASSES / "errors_and_footer.csv", tmp_path)
    report = load.report
    assert report["in"] == report["loaded"] + report["quarantined"] + report["skipped"]
    assert load.column("company") == [
        "Schwarzwald Uhrenbau GmbH", "Bodensee Segeltuch GmbH",
        "Hegau Obstbrennerei Riedlinger", "Kaiserstuhl Winzerhof Linder"]
    quarantined = {row["row_number"] for row in load.quarantine}
    assert quarantined == set(range(3, 9)) | {12, 13}
    assert all(row["reason"] for row in load.quarantine)


# --- 8. vendor lists as a new user brings them ------------------------------------------------

def test_ihk_cp1252_export(tmp_path):
    """A Kammer export: cp1252, `;`, `Straße Hausnr.` in one column, a Rechtsform column.
    Only `Bundesland` may be left unmapped."""
    load = _ok(CLASSES / "ihk_export_cp1252.csv", tmp_path)
    assert load.report["loaded"] == 6
    assert all(load.column("street_full"))
    assert all(load.column("legal_form"))
    assert load.column("company")[1] == "Köhler Lacke"
    assert load.column("first_name")[1] == "Sünje"
    assert set(load.report["unmapped"]) <= {"Bundesland"}


BISNODE_HEADERS = [
    "Company Name", "Legal Form", "Street", "House No", "Postal Code", "City", "Country",
    "Phone", "Fax", "Email", "Website", "Salutation", "Title", "First Name", "Last Name",
    "Job Title", "NACE Code", "Industry Description", "Employees", "Turnover",
    "Register Number", "DUNS",
]


def test_bisnode_style_workbook_with_english_headers(tmp_path):
    """A business-data vendor's XLSX with 22 English headers: nearly all are fields."""
    rows = [
        ["Tannenhof Maschinen GmbH", "GmbH", "Waldstraße", "12", "72250", "Freudenstadt",
         "Germany", "+49 7441 123450", "+49 7441 123459", "m.keller@tannenhof-maschinen.de",
         "www.tannenhof-maschinen.de", "Mr", "Dr.", "Markus", "Keller", "Managing Director",
         "28.41", "Manufacture of metal forming machinery", "85", "12500000", "HRB 470011",
         "312345678"],
        ["Neckar Software AG", "AG", "Uferweg", "3", "69117", "Heidelberg", "Germany",
         "+49 6221 765430", "", "j.brandt@neckar-software.de", "www.neckar-software.de",
         "Ms", "", "Julia", "Brandt", "Head of Procurement", "62.01",
         "Computer programming activities", "240", "38000000", "HRB 338822", "318765432"],
    ]
    path = _xlsx(tmp_path / "bisnode.xlsx", [BISNODE_HEADERS, *rows])
    load = _ok(path, tmp_path)
    assert load.report["loaded"] == 2
    assert len(load.report["unmapped"]) <= 2
    first = load.staging[0]
    assert first["email"] == "m.keller@tannenhof-maschinen.de"
    assert (first["first_name"], first["last_name"]) == ("Markus", "Keller")
    assert first["position"] == "Managing Director"
    assert first["wz_code"] == "28.41"
    assert first["employees"] == "85"


# --- the JSON report ----------------------------------------------------------------------------

LOADABLE = sorted(p.name for p in CLASSES.glob("*.csv") if p.name != "no_identifiable.csv")


@pytest.mark.parametrize("name", LOADABLE)
def test_json_report_lists_unmapped_headers_and_warnings(name, tmp_path):
    """Every load tells the user which headers it did not use and what looks wrong."""
    load = _ok(CLASSES / name, tmp_path)
    assert isinstance(load.report["unmapped"], list)
    assert all(isinstance(h, str) for h in load.report["unmapped"])
    assert isinstance(load.report["warnings"], list)
    assert all(isinstance(w, str) for w in load.report["warnings"])


def test_missing_key_fields_are_named_in_a_warning(tmp_path):
    """A list without street, e-mail and phone columns loads, but the user is told which key
    fields it lacks before spending money on enrichment."""
    load = _ok(CLASSES / "missing_key_fields.csv", tmp_path)
    text = " ".join(load.report["warnings"]).lower()
    assert "street" in text or "straße" in text or "strasse" in text
    assert "email" in text or "e-mail" in text
    assert "phone" in text or "telefon" in text


def test_a_list_without_header_row_loads_every_row_by_its_values(tmp_path):
    """Some exports have no header row: the first row is a lead too, and the columns are
    mapped from their values (name, street, postcode, city, e-mail, website)."""
    load = _ok(CLASSES / "no_header_row.csv", tmp_path)
    assert (load.report["in"], load.report["loaded"]) == (6, 6)
    first = load.staging[0]
    assert first["row_number"] == 1
    assert (first["full_name"], first["street_full"], first["postcode"], first["city"],
            first["email"]) == ("Dr. med. Anna Weiß", "Elisenstraße 28", "63739",
                                "Aschaffenburg", "praxis@weiss-ab.de")
    assert any("no header row" in w for w in load.report["warnings"])


def test_street_postcode_and_city_in_one_cell_are_split(tmp_path):
    """School registers write the whole address in one cell, with a comma or a line break
    before the postcode; a cell with the street only is still the street. The operator
    column ('staatlich') is a category, not the school's name."""
    load = _ok(CLASSES / "combined_address_cell.csv", tmp_path)
    rows = [(r["company"], r["street_full"], r["postcode"], r["city"]) for r in load.staging]
    assert rows[0] == ("Lessing-Gymnasium", "Rudower Straße 7", "12439", "Berlin")
    assert rows[2] == ("Grundschule am Park", "Parkweg 3", "10115", "Berlin")
    assert rows[3][1:] == ("Turmstr. 75", "10551", "Berlin")
    assert rows[4][1:] == ("Am Markt 1", None, None)


def test_hand_made_rows_load_as_a_spreadsheet_reads_them(tmp_path):
    """Vendors' hand-made CSVs: a blank after a closing quote, unquoted commas in the last
    (free-text) column, a row one cell short, a trailing delimiter. A spreadsheet reads all
    of them; so does the load, and the free text keeps its commas."""
    load = _ok(CLASSES / "hand_made_rows.csv", tmp_path)
    assert (load.report["loaded"], load.report["quarantined"]) == (6, 0)
    assert load.column("industry")[0] == "Marketing, Kundenbindung"
    notes = [json.loads(r["payload"])["notizen"] for r in load.raw]
    assert notes[2] == "Termin am 3.12., danach Angebot, dann Vertrag"
    assert not notes[3]  # the missing cell is empty

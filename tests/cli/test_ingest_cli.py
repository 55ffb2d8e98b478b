"""`leadpipe ingest`: reports, bad input with a clear message, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from tests.flows.inbox import FORM, LIST_CSV
from warehouse.db import open_warehouse

runner = CliRunner()


def _ingest(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["ingest", *args, "--db", str(settings.db_path), "--json"])
    return result.exit_code, result.output


def _rows(settings: Settings, table: str) -> int:
    if not settings.db_path.exists():
        return 0
    with open_warehouse(settings, write=False) as wh:
        return int(wh.scalar(f"SELECT count(*) FROM {table}"))


@pytest.fixture
def cp1252_list(tmp_path: Path) -> Path:
    path = tmp_path / "liste.csv"
    path.write_bytes(LIST_CSV.encode("cp1252"))
    return path


def test_list_report_counts_every_row_and_keeps_umlauts(
    settings: Settings, cp1252_list: Path
) -> None:
    code, out = _ingest(settings, "list", str(cp1252_list), "--vendor", "V",
                        "--acquired-on", "2026-11-20")
    assert code == 0, out
    report = json.loads(out)
    assert report["in"] == report["loaded"] + report["quarantined"] + report["skipped"] == 3
    with open_warehouse(settings, write=False) as wh:
        names = {r[0] for r in wh.fetchall(
            "SELECT company FROM staging.stg_purchased_list__records")}
        batch = wh.dicts("SELECT vendor, acquired_on, encoding, delimiter FROM raw.batches")[0]
    assert names == {"Müller Maschinenbau GmbH", "Weiß & Söhne KG"}
    assert (batch["vendor"], str(batch["acquired_on"]), batch["encoding"],
            batch["delimiter"]) == ("V", "2026-11-20", "cp1252", ";")


def test_same_list_again_is_skipped_and_changes_nothing(
    settings: Settings, cp1252_list: Path
) -> None:
    args = ["list", str(cp1252_list), "--vendor", "V", "--acquired-on", "2026-11-20"]
    assert _ingest(settings, *args)[0] == 0
    before = _rows(settings, "raw.records")
    code, out = _ingest(settings, *args)
    report = json.loads(out)
    assert code == 0
    assert (report["status"], report["skipped"], report["loaded"]) == ("skipped", 3, 0)
    assert _rows(settings, "raw.records") == before


def test_list_without_vendor_is_refused_before_anything_is_written(
    settings: Settings, cp1252_list: Path
) -> None:
    code, out = _ingest(settings, "list", str(cp1252_list))
    assert code == 2
    assert "liste.csv" in out
    assert "vendor" in out
    assert _rows(settings, "raw.batches") == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"Firma;Nachname;PLZ\n", "no data rows"),
        (b"\x00\x01\x02\xff\xfe" * 200, "binary"),
        ("Vorname;PLZ;Ort\nAnna;80331;München\n".encode(), "company"),
        (b"Firma;Firma;PLZ\nA;B;1\n", "Firma"),
    ],
    ids=["empty", "header-only", "binary", "missing-required", "duplicate-headers"],
)
def test_bad_files_name_the_file_and_leave_no_trace(
    settings: Settings, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "kaputt.csv"
    path.write_bytes(content)
    code, out = _ingest(settings, "list", str(path), "--vendor", "V",
                        "--acquired-on", "2026-11-20")
    assert code == 2, out
    assert "kaputt.csv" in out
    assert expected.lower() in out.lower()
    assert _rows(settings, "raw.records") == 0


def test_ragged_row_is_quarantined_with_its_row_number(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("Firma,Nachname,PLZ\nA GmbH,Alt,80331\nB GmbH,Bau,1,zu viel\nC AG,Cee,2\n",
                    encoding="utf-8")
    code, out = _ingest(settings, "list", str(path), "--vendor", "V",
                        "--acquired-on", "2026-11-20")
    assert code == 0, out
    assert (json.loads(out)["loaded"], json.loads(out)["quarantined"]) == (2, 1)
    with open_warehouse(settings, write=False) as wh:
        row, reason = wh.fetchone("SELECT row_number, reason FROM ops.quarantine")  # type: ignore[misc]
    assert row == 3
    assert "expected 3 fields" in reason


def test_huge_field_and_formula_are_text_and_the_huge_row_is_quarantined(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    huge = "x" * 10_000_000
    path.write_text(
        "Firma,Nachname,Notiz\n"
        f'"=HYPERLINK(""http://evil.example"",""klick"")",Meier,ok\n'
        f"Riesen GmbH,Groß,{huge}\n",
        encoding="utf-8",
    )
    code, out = _ingest(settings, "list", str(path), "--vendor", "V",
                        "--acquired-on", "2026-11-20")
    assert code == 0, out
    with open_warehouse(settings, write=False) as wh:
        company = wh.scalar("SELECT company FROM staging.stg_purchased_list__records")
        field, reason, row = wh.fetchone(  # type: ignore[misc]
            "SELECT field, reason, row_number FROM ops.quarantine")
    assert company == '=HYPERLINK("http://evil.example","klick")'
    assert (field, row) == ("Notiz", 3)
    assert "longer than" in reason


def test_form_export_with_malformed_line_loads_the_rest(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "forms.ndjson"
    second = {**FORM, "submission_id": "sub-2", "email": "zweite@beispiel.de"}
    path.write_text(json.dumps(FORM) + "\n{not json\n" + json.dumps(second) + "\n",
                    encoding="utf-8")
    code, out = _ingest(settings, "forms", str(path))
    assert code == 0, out
    report = json.loads(out)
    assert (report["in"], report["loaded"], report["quarantined"]) == (3, 2, 1)
    with open_warehouse(settings, write=False) as wh:
        row = wh.scalar("SELECT row_number FROM ops.quarantine")
        kinds = {r[0] for r in wh.fetchall("SELECT kind FROM core.consent_events")}
    assert row == 2
    assert "consent_given" in kinds

"""`leadpipe gdpr`: access, erasure that leaves no trace, objection that blocks re-import."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.match import match_all
from stages.score import score_all

runner = CliRunner()

LIST = (
    "Firma;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    "Müller GmbH;Jürgen;Müllerschön;Hauptstraße;12a;80331;München;089 1234560;"
    "j.muellerschoen@mueller.example\n"
    "Müller GmbH;Petra;Schmidt;Hauptstraße;12a;80331;München;089 1234560;"
    "p.schmidt@mueller.example\n"
)
FORM = {
    "submission_id": "s-9", "form_id": "kontakt", "submitted_at": "2026-11-20T09:00:00+01:00",
    "ip": "198.51.100.23", "user_agent": "Firefox", "request_type": "callback",
    "first_name": "Jürgen", "last_name": "Müllerschön",
    "email": "j.muellerschoen@mueller.example", "phone": "089 1234560",
    "consent": {"channels": ["email"], "consent_text": "Ja, bitte E-Mails.",
                "doi_confirmed_at": "2026-11-20T09:05:00+01:00", "pre_ticked": False},
}


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    return result.exit_code, result.output


def _load(settings: Settings, tmp_path: Path, list_text: str = LIST) -> dict[str, object]:
    path = tmp_path / f"liste{len(list(tmp_path.glob('liste*')))}.csv"
    path.write_bytes(list_text.encode("cp1252"))
    code, out = _run(settings, "ingest", "list", str(path), "--vendor", "V",
                     "--acquired-on", "2026-11-20", "--json")
    assert code == 0, out
    form = tmp_path / "forms.ndjson"
    if not form.exists():
        form.write_text(json.dumps(FORM) + "\n", encoding="utf-8")
        assert _run(settings, "ingest", "forms", str(form))[0] == 0
    return dict(json.loads(out))


def _text_everywhere(db: Path) -> str:
    """Every text value in every table of a DuckDB file, concatenated."""
    con = duckdb.connect(str(db), read_only=True)
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                         "WHERE table_type = 'BASE TABLE'").fetchall()
    parts = []
    for schema, name in tables:
        for row in con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall():
            parts.extend(str(v) for v in row if v is not None)
    con.close()
    return "\n".join(parts)


def test_access_returns_the_persons_data_and_not_the_colleagues(
    settings: Settings, tmp_path: Path
) -> None:
    _load(settings, tmp_path)
    code, out = _run(settings, "gdpr", "access", "J.Muellerschoen@mueller.example")
    assert code == 0, out
    data = json.loads(out)
    assert {s["source_kind"] for s in data["sources"]} == {"purchased_list", "web_form"}
    assert any(e["kind"] == "consent_given" for e in data["consent_events"])
    assert "Schmidt" not in out


def test_shared_phone_needs_a_name(settings: Settings, tmp_path: Path) -> None:
    _load(settings, tmp_path)
    code, out = _run(settings, "gdpr", "access", "+49 89 1234560")
    assert code == 2
    assert "--name" in out
    assert "Petra Schmidt" in out
    code, out = _run(settings, "gdpr", "access", "+49 89 1234560", "--name", "Petra Schmidt")
    assert code == 0, out
    assert "Müllerschön" not in out


def test_erasure_leaves_no_name_email_or_phone_in_any_table(
    settings: Settings, tmp_path: Path
) -> None:
    _load(settings, tmp_path)
    for stage in (enrich_new, match_all, decide_all, score_all):
        stage(settings)
    export = tmp_path / "post.csv"
    code, out = _run(settings, "leads", "export", "--channel", "post", "--min-grade", "D",
                     "--include-review", "--out", str(export))
    assert code == 0, out
    assert "Müllerschön" in export.read_text(encoding="utf-8")
    letters = tmp_path / "briefe.xlsx"  # German headers: the lead id is `Lead-ID`
    code, out = _run(settings, "leads", "export", "--channel", "post", "--min-grade", "D",
                     "--include-review", "--layout", "serienbrief", "--format", "xlsx",
                     "--out", str(letters))
    assert code == 0, out
    assert "Müllerschön" in _xlsx_text(letters)

    code, out = _run(settings, "gdpr", "erase", "j.muellerschoen@mueller.example")
    assert code == 0, out
    result = json.loads(out)
    assert result["records_erased"] == 2
    assert result["export_files_cleaned"] == 2
    assert "Müllerschön" not in export.read_text(encoding="utf-8")
    assert "Schmidt" in export.read_text(encoding="utf-8")
    assert "Müllerschön" not in _xlsx_text(letters)
    assert "Schmidt" in _xlsx_text(letters)

    for db in (settings.db_path, settings.snapshot_path):
        text = _text_everywhere(db)
        for needle in ("Müllerschön", "muellerschoen", "198.51.100.23"):
            assert needle.lower() not in text.lower(), (db, needle)
        assert "Schmidt" in text  # the colleague is untouched
    # the ledger still verifies, with the redacted events marked
    code, out = _run(settings, "consent", "show", "p.schmidt@mueller.example")
    assert code == 0, out

    # a later list with the same person keeps them out
    report = _load(settings, tmp_path, LIST.replace("München", "Muenchen"))
    assert (report["loaded"], report["skipped"]) == (1, 1)


def test_objection_blocks_reimport_and_is_in_the_ledger(
    settings: Settings, tmp_path: Path
) -> None:
    _load(settings, tmp_path)
    code, out = _run(settings, "gdpr", "object", "p.schmidt@mueller.example")
    assert code == 0, out
    code, out = _run(settings, "consent", "show", "p.schmidt@mueller.example", "--json")
    assert [e["kind"] for e in json.loads(out)["events"]] == ["objection_art21"]
    report = _load(settings, tmp_path, LIST.replace("München", "Muenchen"))
    assert (report["loaded"], report["skipped"]) == (1, 1)


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    assert sheet is not None
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)

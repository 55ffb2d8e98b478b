"""`leadpipe leads export --layout … --per-address`: files made for Excel, letters and calls,
read back with openpyxl."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.export import ExportRequest, export_layouts, export_leads
from stages.ingest import ListOptions, ingest_list_file
from stages.match import match_all
from stages.score import score_all
from tests.scoring.test_stage_data import NOW, build, set_decision
from warehouse.db import open_warehouse

runner = CliRunner()

EXTRA = {  # lead: (entity_type, company lead, golden fields)
    "L4": ("contact", "L1", {"salutation": "Frau", "title": "Dr.", "first_name": "Anna",
                             "last_name": "Berg", "position": "Leiterin Einkauf",
                             "phone_e164": "+498912347"}),
    "L5": ("company", None, {"company_name": "Elbe Software GmbH", "street": "Schloßstraße",
                             "house_number": "3", "postcode": "01067", "city": "Dresden",
                             "phone_e164": "+4935112345"}),
}


@pytest.fixture
def letters(settings: Settings) -> Settings:
    """The score warehouse plus a second contact at Alpha (Dr. Anna Berg) and a company in
    Dresden (01067); Alpha, its two contacts, Berlin and Dresden may all get letters."""
    build(settings)
    with open_warehouse(settings, write=True) as wh:
        for i, (lead, (entity, company, golden)) in enumerate(EXTRA.items()):
            record = f"r{6 + i}"
            wh.execute("INSERT INTO raw.records (record_id, batch_id, source_kind, payload, "
                       "ingested_at) VALUES (?, 'b-list', 'purchased_list', '{}', ?)",
                       [record, NOW])
            wh.execute("INSERT INTO core.enriched_records (record_id, source_kind, origin, "
                       "enriched_at, config_version, reasons, audience, country) VALUES "
                       "(?, 'purchased_list', 'test', ?, 'v', '[]', 'b2b', 'DE')",
                       [record, NOW])
            wh.execute("INSERT INTO core.lead_members VALUES (?, ?, ?, ?)",
                       [lead, entity, record, NOW])
            wh.execute("INSERT INTO core.leads VALUES (?, ?, ?, ?, ?)",
                       [lead, entity, company, NOW, NOW])
            for field, value in golden.items():
                wh.execute("INSERT INTO core.golden_records VALUES (?, ?, ?, ?, 'trust', ?)",
                           [lead, field, value, record, NOW])
        for lead in ("L1", "L2", "L4", "L5"):
            set_decision(wh, lead, "post", "allowed", "postal_legitimate_interest",
                         "Art. 6(1)(f)")
        for lead in ("L4", "L5"):
            set_decision(wh, lead, "phone", "allowed", "b2b_presumed_consent", "UWG §7(2) Nr. 1")
    score_all(settings, date(2026, 11, 20))
    return settings


def _export(settings: Settings, out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["leads", "export", "--db", str(settings.db_path),
                                 "--out", str(out), "--by", "rita", "--min-grade", "D", *args])
    return result.exit_code, result.output


def _sheet(path: Path) -> tuple[list[str], list[dict[str, object]], list[list[str]]]:
    """Headers, rows as values, and each row's cell types."""
    sheet = load_workbook(path).active
    assert sheet is not None
    table = list(sheet.iter_rows())
    header = [str(c.value) for c in table[0]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in table[1:]]
    return header, rows, [[c.data_type for c in r] for r in table[1:]]


def test_xlsx_has_german_headers_text_postcodes_and_plain_phones(
        letters: Settings, tmp_path: Path) -> None:
    out = tmp_path / "post.xlsx"
    code, output = _export(letters, out, "--channel", "post", "--format", "xlsx")
    assert code == 0, output
    header, rows, _ = _sheet(out)
    assert header == ["Firma", "Rechtsform", "Anrede", "Titel", "Vorname", "Nachname",
                      "Position", "Straße", "PLZ", "Ort", "Land", "Score", "Klasse", "Gründe",
                      "Rechtsgrundlage", "Quellen", "Lead-ID"]
    dresden = next(r for r in rows if r["Lead-ID"] == "L5")
    assert dresden["PLZ"] == "01067"  # text: the leading zero stays
    assert dresden["Land"] == "Deutschland"
    berg = next(r for r in rows if r["Lead-ID"] == "L4")
    assert (berg["Anrede"], berg["Titel"], berg["Vorname"], berg["Nachname"],
            berg["Position"], berg["Firma"]) == ("Frau", "Dr.", "Anna", "Berg",
                                                 "Leiterin Einkauf", "Alpha GmbH")
    assert berg["Straße"] == "Hauptstr. 1"  # street and house number, the company's

    calls = tmp_path / "anrufe.xlsx"
    assert _export(letters, calls, "--channel", "phone", "--format", "xlsx",
                   "--layout", "anrufliste")[0] == 0
    header, rows, types = _sheet(calls)
    assert header[:9] == ["Firma", "Anrede", "Titel", "Vorname", "Nachname", "Position",
                          "Telefon", "Mobil", "E-Mail"]
    assert header[-1] == "Lead-ID"
    phones = {r["Lead-ID"]: r["Telefon"] for r in rows}
    assert phones["L5"] == "+4935112345"  # no apostrophe: click-to-dial works
    assert types[0][header.index("Telefon")] == "s"
    # Dana (L2) is not on the call list (phone is review); e-mail shows only where allowed
    assert "L2" not in phones
    assert all(r["E-Mail"] is None for r in rows)


def test_per_address_writes_one_letter_per_address_and_logs_every_lead(
        letters: Settings, tmp_path: Path) -> None:
    out = tmp_path / "brief.xlsx"
    result = export_leads(letters, ExportRequest(
        channel="post", out=out, fmt="xlsx", min_grade="D", layout="serienbrief",
        per_address=True, by="rita"))
    assert (result.leads, result.rows) == (5, 3)  # L1, L2, L4 share Alpha's address
    header, rows, _ = _sheet(out)
    assert len(rows) == 3
    assert header[:10] == ["Anrede", "Titel", "Vorname", "Nachname", "Position", "Firma",
                           "Straße", "PLZ", "Ort", "Land"]
    alpha = next(r for r in rows if r["Firma"] == "Alpha GmbH")
    assert alpha["Kontakte an der Adresse"] == 3
    with open_warehouse(letters, write=False) as wh:
        scores = dict(wh.fetchall("SELECT lead_id, total FROM core.lead_scores "
                                  "WHERE is_current AND lead_id IN ('L2', 'L4')"))
        logged = {lead for (lead,) in wh.fetchall(
            "SELECT lead_id FROM ops.export_leads WHERE export_id = ?", [result.export_id])}
    best = max(scores, key=lambda lead: (scores[lead], lead == "L2"))
    assert alpha["Lead-ID"] == best  # the best-scored contact is the addressee
    assert logged == {"L1", "L2", "L3", "L4", "L5"}  # Art. 14 and audit see every lead
    dresden = next(r for r in rows if r["Ort"] == "Dresden")
    assert (dresden["Empfänger"], dresden["Briefanrede"]) == (
        "z. Hd. der Geschäftsführung", "Sehr geehrte Damen und Herren,")
    assert dresden["PLZ"] == "01067"


@pytest.mark.parametrize(("args", "message"), [
    (("--channel", "email", "--layout", "serienbrief"), "serienbrief layout is for --channel"),
    (("--channel", "post", "--layout", "anrufliste"), "anrufliste layout is for --channel"),
    (("--channel", "phone", "--per-address"), "--per-address is for letters"),
    (("--channel", "post", "--layout", "brief"), "brief"),
])
def test_a_layout_for_another_channel_is_refused(
        letters: Settings, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "x.xlsx"
    code, output = _export(letters, out, *args)
    assert code == 2
    assert message in output.replace("\n", " ")
    assert not out.exists()


def test_a_list_rows_position_reaches_the_xlsx(settings: Settings, tmp_path: Path) -> None:
    """From a purchased list's `Position` column through enrichment, matching and the marts
    into the letter file."""
    today = date(2026, 12, 1)
    path = tmp_path / "liste.csv"
    path.write_text(
        "Firma;Anrede;Titel;Vorname;Nachname;Position;Straße;PLZ;Ort;Telefon\n"
        "Elbe Software GmbH;Frau;Dr.;Anna;Schmidt;Leiterin Einkauf;Schloßstraße 3;01067;"
        "Dresden;0351 123456\n"
        "Elbe Software GmbH;Herr;;Max;Berg;Geschäftsführer;Schloßstraße 3;01067;Dresden;"
        "0351 123457\n", encoding="utf-8")
    ingest_list_file(settings, path, ListOptions(
        vendor="Adressverlag", acquired_on=today - timedelta(days=5),
        permitted_use="postal marketing (B2B)", provenance_documented=True))
    enrich_new(settings)
    match_all(settings)
    decide_all(settings, today)
    score_all(settings, today)
    out = tmp_path / "brief.xlsx"
    result = export_leads(settings, ExportRequest(
        channel="post", out=out, fmt="xlsx", min_grade="D", layout="serienbrief"))
    assert result.leads >= 2, json.dumps(result.filters)
    _, rows, _ = _sheet(out)
    people = {r["Nachname"]: r for r in rows if r["Nachname"]}
    assert people["Schmidt"]["Position"] == "Leiterin Einkauf"
    assert people["Berg"]["Position"] == "Geschäftsführer"
    assert (people["Schmidt"]["Anrede"], people["Schmidt"]["Titel"]) == ("Frau", "Dr.")
    assert people["Schmidt"]["PLZ"] == "01067"
    assert people["Schmidt"]["Briefanrede"] == "Sehr geehrte Frau Dr. Schmidt,"


def test_the_layouts_on_offer(settings: Settings) -> None:
    offered = {c.name: c for c in export_layouts(settings)}
    assert list(offered) == ["standard", "serienbrief", "anrufliste"]
    assert offered["serienbrief"].channels == ("post",)
    assert offered["anrufliste"].headers[-1] == "Lead-ID"
    assert offered["serienbrief"].description


def test_records_enriched_before_the_migration_get_their_position_from_staging(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse import db, migrate

    every = migrate.migration_files()
    monkeypatch.setattr(migrate, "migration_files", lambda: [m for m in every if m[0] < 15])
    monkeypatch.setattr(db, "build_views", lambda wh, force=False: [])  # the old release's
    with open_warehouse(settings, write=True, create=True) as wh:
        for record, position in (("r1", "  Leiterin Einkauf "), ("r2", "   "), ("r3", None)):
            wh.execute("INSERT INTO staging.stg_purchased_list__records (record_id, batch_id, "
                       "row_number, position) VALUES (?, 'b', 1, ?)", [record, position])
            wh.execute("INSERT INTO core.enriched_records (record_id, source_kind, origin, "
                       "enriched_at, config_version, reasons, role) VALUES "
                       "(?, 'purchased_list', 'test', ?, 'v', '[]', 'Einkauf')", [record, NOW])
    monkeypatch.undo()
    with open_warehouse(settings, write=True) as wh:  # migration 0015 runs
        positions = dict(wh.fetchall("SELECT record_id, position FROM core.enriched_records"))
    assert positions == {"r1": "Leiterin Einkauf", "r2": None, "r3": None}

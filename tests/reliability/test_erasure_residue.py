"""Erasure finds the person under every spelling and leaves no byte of them under the data
directory: not in the warehouse file, the snapshot, archived lists, crawled pages or exports.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from ingest.crawled_pages import crawled_pages
from leadpipe.cli.main import app
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.match import match_all
from stages.score import score_all
from warehouse.db import open_warehouse
from warehouse.load_crawl import load_crawl

runner = CliRunner()

EMAIL = "m.dippel@mueller-kaelte.example"
MOBILE = "0171 5550123"
LIST_ONE = (  # vendor 1: first and last name in their own columns, title apart
    "Firma;Anrede;Titel;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;Mobil;E-Mail\n"
    f"Müller Kältetechnik GmbH;Herr;Dr.;Matteo;Dippel;Hauptstraße;12a;80331;München;"
    f"089 1234560;{MOBILE};{EMAIL}\n"
    "Müller Kältetechnik GmbH;Frau;;Petra;Schmidt;Hauptstraße;12a;80331;München;"
    "089 1234560;;p.schmidt@mueller-kaelte.example\n"
)
LIST_TWO = (  # vendor 2: "Last, First" in one column, no e-mail; and a namesake elsewhere
    "Firma;Nachname;Vorname;PLZ;Ort;Telefon\n"
    "Müller Kältetechnik;Dippel;Matteo;80331;München;089 1234560\n"
    "Dippel Bau GmbH;Dippel;Matteo;10115;Berlin;030 9998887\n"
    "Schreinerei Ölschläger;Oelschlaeger;Jürgen;28195;Bremen;0421 445566\n"
)
FORM = {
    "submission_id": "s-77", "form_id": "kontakt", "submitted_at": "2026-11-20T09:00:00+01:00",
    "ip": "198.51.100.77", "user_agent": "Firefox", "request_type": "callback",
    "first_name": "Matteo", "last_name": "Dippel", "email": EMAIL, "phone": MOBILE,
    "consent": {"channels": ["email"], "consent_text": "Ja, die Müller GmbH darf mir E-Mails "
                "senden.", "consent_text_version": "v1", "names_controller": True,
                "doi_confirmed_at": "2026-11-20T09:05:00+01:00", "pre_ticked": False},
}
IMPRESSUM = {
    "record_type": "page", "url": "https://mueller-kaelte.example/impressum",
    "domain": "mueller-kaelte.example", "page_kind": "impressum",
    "fetched_at": "2026-11-21T03:00:00+00:00", "title": "Impressum",
    "extracted": {"company_name": "Müller Kältetechnik GmbH", "legal_form": "GmbH",
                  "managing_directors": ["Dr. Matteo Dippel"],
                  "responsible_persons": ["Matteo Dippel"],
                  "emails": [EMAIL, "info@mueller-kaelte.example"],
                  "phones": ["+49 89 1234560"], "street": "Hauptstraße 12a",
                  "postcode": "80331", "city": "München"},
}
NEEDLES = ("Dippel", "dippel", "5550123", "198.51.100.77")


def _run(settings: Settings, *args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output[result.output.index("{"):]))


def _files_with(root: Path, needles: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits = [n for n in needles if n.encode("utf-8") in data or n.encode("cp1252") in data]
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Settings:
    """Two lists, a form submission and a crawled Impressum, all naming Matteo Dippel, with
    the archived copies of the inputs under the data directory, as the nightly leaves them."""
    done = settings.data_dir / "inbox" / "lists" / "done" / "2026-11-21"
    done.mkdir(parents=True)
    for name, text in (("vendor_one.csv", LIST_ONE), ("vendor_two.csv", LIST_TWO)):
        path = done / name
        path.write_bytes(text.encode("cp1252"))
        _run(settings, "ingest", "list", str(path), "--vendor", name[:-4],
             "--acquired-on", "2026-11-20", "--json")
    forms = settings.data_dir / "inbox" / "forms" / "done" / "2026-11-21" / "export.ndjson"
    forms.parent.mkdir(parents=True)
    forms.write_text(json.dumps(FORM, ensure_ascii=False) + "\n", encoding="utf-8")
    _run(settings, "ingest", "forms", str(forms), "--json")
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text(json.dumps(IMPRESSUM, ensure_ascii=False) + "\n", encoding="utf-8")
    with open_warehouse(settings, write=True) as wh, wh.transaction():
        load_crawl(wh, run_id="test-crawl", path=crawl, pages=crawled_pages([IMPRESSUM]))
    for stage in (enrich_new, match_all, decide_all, score_all):
        stage(settings)
    return settings


def test_dry_run_lists_every_spelling_and_the_namesake_and_changes_nothing(
    world: Settings,
) -> None:
    before = world.db_path.read_bytes()
    plan = _run(world, "gdpr", "erase", EMAIL, "--dry-run")
    assert plan["dry_run"] is True
    found = plan["records"]
    assert isinstance(found, list)
    kinds = sorted(r["source_kind"] for r in found)
    assert kinds.count("purchased_list") == 2          # both vendors' spellings
    assert "web_form" in kinds
    assert "crawl" in kinds                             # the managing director's record
    assert {r["found_by"] for r in found} >= {"identifier"}
    ambiguous = plan["ambiguous"]
    assert isinstance(ambiguous, list)
    assert [(r["postcode"], r["company"]) for r in ambiguous] == [("10115", "Dippel Bau GmbH")]
    assert world.db_path.read_bytes() == before


def test_erasure_leaves_no_byte_of_the_person_under_the_data_directory(
    world: Settings, tmp_path: Path,
) -> None:
    export = tmp_path / "sales" / "post.csv"
    export.parent.mkdir()
    runner.invoke(app, ["leads", "export", "--channel", "post", "--min-grade", "D",
                        "--include-review", "--out", str(export), "--db", str(world.db_path)])
    review = tmp_path / "sales" / "review.csv"
    runner.invoke(app, ["review", "export", "--out", str(review), "--db", str(world.db_path)])
    assert _files_with(world.data_dir, NEEDLES), "the fixture must name the person first"

    plan = _run(world, "gdpr", "erase", EMAIL, "--dry-run")
    namesake = [r["record_id"] for r in plan["ambiguous"]]  # type: ignore[union-attr]
    # the operator checked: the namesake in Berlin is the same man (he moved)
    result = _run(world, "gdpr", "erase", EMAIL, "--include", ",".join(namesake))
    assert result["ambiguous"] == []
    assert result["compaction"] is not None

    assert _files_with(world.data_dir, NEEDLES) == {}
    assert _files_with(tmp_path / "sales", NEEDLES) == {}
    # the colleague and the unrelated Bremen joiner are still there, in every layer
    con = duckdb.connect(str(world.db_path), read_only=True)
    names = {r[0] for r in con.execute(
        "SELECT last_name FROM staging.stg_lead_records WHERE last_name IS NOT NULL").fetchall()}
    company = con.execute("SELECT payload->'extracted'->>'company_name', "
                          "payload->'extracted'->'emails' FROM raw.records "
                          "WHERE source_kind = 'crawl' AND payload->>'page_kind' = 'impressum'"
                          ).fetchall()
    con.close()
    assert {"Schmidt", "Oelschlaeger"} <= names
    assert company == [("Müller Kältetechnik GmbH", '["info@mueller-kaelte.example"]')]
    assert b"Schmidt" in world.snapshot_path.read_bytes() or \
        "Schmidt" in _snapshot_text(world.snapshot_path)


def _snapshot_text(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return str(con.execute("SELECT list(last_name) FROM staging.stg_lead_records").fetchall())
    finally:
        con.close()


def test_an_old_form_export_does_not_bring_the_erased_person_back(world: Settings) -> None:
    keep = world.data_dir.parent / "old_export.ndjson"
    keep.write_text(json.dumps(FORM, ensure_ascii=False) + "\n", encoding="utf-8")
    _run(world, "gdpr", "erase", EMAIL)
    again = dict(FORM, submission_id="s-77-resent")
    keep.write_text(json.dumps(again, ensure_ascii=False) + "\n", encoding="utf-8")
    report = _run(world, "ingest", "forms", str(keep), "--json")
    assert report["loaded"] == 0, report
    # a new submission, made after the erasure, is a new act: it loads
    new = dict(FORM, submission_id="s-200", submitted_at=datetime.now(UTC).isoformat())
    fresh = world.data_dir.parent / "new_export.ndjson"
    fresh.write_text(json.dumps(new, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _run(world, "ingest", "forms", str(fresh), "--json")["loaded"] == 1


def test_an_interrupted_rewrite_is_finished_by_the_next_nightly_step(world: Settings) -> None:
    from stages.gdpr import finish_pending_erasure
    from warehouse.compact import is_pending, mark_pending

    mark_pending(world.db_path)
    result = finish_pending_erasure(world)
    assert result is not None
    assert not is_pending(world.db_path)
    assert finish_pending_erasure(world) is None

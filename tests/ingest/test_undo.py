"""`leadpipe ingest undo`, `ingest batches` and `ingest list --replace`, through the CLI.

A real warehouse file with a purchased list, a second list, a web form (whose person is also
in the first list), enrichment, matching, decisions, scores, an objection and an export. The
undo must take out the list's rows and everything derived from them, keep the other sources,
and never touch suppressions, the consent ledger, GDPR requests or the export log. A replace
is one transaction: when it fails or is killed, the old batch is still there.
"""

from __future__ import annotations

import getpass
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from tests.conftest import REPO
from warehouse.db import open_warehouse

runner = CliRunner()

LIST = (
    "Firma;Anrede;Vorname;Nachname;Position;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    "Müller Maschinenbau GmbH;Frau;Erika;Beispiel;Leiterin Einkauf;Hauptstraße;12;80331;"
    "München;089 1234560;erika.beispiel@mueller-maschinenbau.de\n"
    "Weiß & Söhne KG;Herr;Hans;Kollege;Vertrieb;Am Markt;3;50667;Köln;0221 987654;"
    "hans.kollege@weiss-soehne.de\n"
    ";;;;;Nirgendwo;1;12345;Irgendwo;;\n"
)
OTHER_LIST = (
    "Firma;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    "Schmidt Logistik GmbH;Peter;Schmidt;Hafenweg;7;20457;Hamburg;040 555123;"
    "p.schmidt@schmidt-logistik.de\n"
)
FORM = {
    "submission_id": "s-1", "form_id": "demo", "page_url": "https://example.de/demo",
    "submitted_at": "2026-11-20T10:00:00+01:00", "ip": "203.0.113.9", "user_agent": "Firefox",
    "request_type": "demo", "company": "Müller Maschinenbau GmbH", "first_name": "Erika",
    "last_name": "Beispiel", "email": "erika.beispiel@mueller-maschinenbau.de",
    "consent": {"channels": ["email"], "consent_text": "Ja, die Leadpipe GmbH darf mir "
                "E-Mails senden.", "consent_text_version": "v1", "pre_ticked": False,
                "names_controller": True, "doi_confirmed_at": "2026-11-20T10:05:00+01:00"},
}
LIST_OPTIONS = ("--vendor", "Adressverlag Nord", "--acquired-on", "2026-11-15",
                "--provenance-documented")
AS_OF = ("--as-of", "2026-11-26")

RECORD_TABLES = {
    "raw.records": "record_id", "staging.stg_purchased_list__records": "record_id",
    "ops.quarantine": "record_id", "core.enriched_records": "record_id",
    "core.field_provenance": "source_record_id", "core.robinson_checks": "record_id",
    "core.lead_members": "record_id", "core.golden_records": "source_record_id",
    "core.match_pairs": "left_id",
}
BATCH_TABLES = ("raw.batches", "raw.records", "staging.stg_purchased_list__records",
                "ops.quarantine", "ops.suppressed_rows")
NEVER_UNDONE = ("core.suppression", "core.consent_events", "ops.gdpr_requests", "ops.exports",
                "ops.export_leads", "core.match_decisions")


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path)])
    return result.exit_code, result.output


def _json(settings: Settings, *args: str) -> dict[str, object]:
    code, out = _cli(settings, *args, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def _scalar(settings: Settings, sql: str, params: list[object] | None = None) -> object:
    with open_warehouse(settings, write=False) as wh:
        return wh.scalar(sql, params)


def _count(settings: Settings, table: str) -> int:
    return int(str(_scalar(settings, f"SELECT count(*) FROM {table}")))


def _nightly_stages(settings: Settings) -> None:
    for stage in (["enrich"], ["match"], ["decide", *AS_OF], ["score", *AS_OF]):
        code, out = _cli(settings, *stage, "--json")
        assert code == 0, out


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands (and the killed subprocess) keep their key and scratch files in the test's
    data directory, not in ./data of the checkout."""
    monkeypatch.setenv("LEADPIPE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LEADPIPE_CONFIG_DIR", str(settings.config_dir))


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = {"list": folder / "liste.csv", "other": folder / "andere.csv",
             "form": folder / "forms.ndjson"}
    paths["list"].write_bytes(LIST.encode("cp1252"))
    paths["other"].write_text(OTHER_LIST, encoding="utf-8")
    paths["form"].write_text(json.dumps(FORM) + "\n", encoding="utf-8")
    return paths


@pytest.fixture
def loaded(settings: Settings, files: dict[str, Path], tmp_path: Path) -> str:
    """The warehouse after a full run, an objection and an export; returns the batch id."""
    batch = _json(settings, "ingest", "list", str(files["list"]), *LIST_OPTIONS)["batch_id"]
    _json(settings, "ingest", "list", str(files["other"]), *LIST_OPTIONS)
    _json(settings, "ingest", "forms", str(files["form"]))
    _nightly_stages(settings)
    code, out = _cli(settings, "gdpr", "object", "hans.kollege@weiss-soehne.de")
    assert code == 0, out
    code, out = _cli(settings, "leads", "export", "--channel", "email", "--min-grade", "D",
                     "--out", str(tmp_path / "leads.csv"), "--json")
    assert code == 0, out
    assert isinstance(batch, str)
    return batch


def _batch_rows(settings: Settings, batch: str) -> dict[str, int]:
    """Rows anywhere that belong to the batch (by batch id or by one of its record ids)."""
    counts = {}
    with open_warehouse(settings, write=False) as wh:
        for table in BATCH_TABLES:
            counts[table] = int(wh.scalar(f"SELECT count(*) FROM {table} WHERE batch_id = ?",
                                          [batch]))
        for table, column in RECORD_TABLES.items():
            counts[f"{table}.{column}"] = int(wh.scalar(
                f"SELECT count(*) FROM {table} WHERE starts_with({column}, ?)", [batch + ":"]))
    return counts


def test_undo_removes_the_batch_and_keeps_what_compliance_needs(
    settings: Settings, loaded: str
) -> None:
    kept_before = {t: _count(settings, t) for t in NEVER_UNDONE}
    assert kept_before["core.suppression"] > 0
    assert kept_before["ops.export_leads"] > 0
    assert _scalar(settings, "SELECT count(*) FROM core.consent_events WHERE "
                   "starts_with(record_id, ?)", [loaded + ":"]) == 1  # Hans's objection
    before = _batch_rows(settings, loaded)
    assert before["raw.records"] == 3
    assert before["core.lead_members.record_id"] > 0

    plan = _json(settings, "ingest", "undo", loaded, "--dry-run")
    assert plan["dry_run"] is True
    assert _batch_rows(settings, loaded) == before  # a dry run changes nothing
    removed = _json(settings, "ingest", "undo", loaded, "--reason", "Straße unmapped")
    assert removed["removed"] == plan["removed"]
    counts = removed["removed"]
    assert isinstance(counts, dict)
    assert (counts["raw_records"], counts["staging_rows"], counts["quarantine_rows"]) == (3, 2, 1)
    assert counts["leads"] >= 2
    assert counts["leads_kept"] >= 1

    assert set(_batch_rows(settings, loaded).values()) == {0}
    assert {t: _count(settings, t) for t in NEVER_UNDONE} == kept_before
    with open_warehouse(settings, write=False) as wh:
        log = wh.dicts("SELECT * FROM ops.batch_undos")
        people = {r[0] for r in wh.fetchall("SELECT person_name FROM marts.lead_profile")}
        qualified = {r[0] for r in wh.fetchall("SELECT person_name FROM marts.qualified_leads")}
        erika_email = wh.fetchall(
            "SELECT g.source_record_id FROM core.golden_records g JOIN core.leads l "
            "USING (lead_id) WHERE l.entity_type = 'contact' AND g.field = 'email_normalized'")
    assert [(r["batch_id"], r["file_name"], r["reason"], r["undone_by"]) for r in log] == [
        (loaded, "liste.csv", "Straße unmapped", getpass.getuser())]
    assert json.loads(log[0]["removed"])["raw_records"] == 3
    assert "Hans Kollege" not in people
    assert "Peter Schmidt" in people
    assert "Erika Beispiel" in people
    assert "Erika Beispiel" not in qualified
    assert all(not rid.startswith(loaded) for (rid,) in erika_email)  # rebuilt from the form

    _nightly_stages(settings)  # a later run does not bring the batch's leads back
    with open_warehouse(settings, write=False) as wh:
        qualified_rows = wh.dicts("SELECT person_name, channel, vendors FROM "
                                  "marts.qualified_leads")
        people = {r[0] for r in wh.fetchall("SELECT person_name FROM marts.lead_profile")}
    assert "Hans Kollege" not in people
    assert ("Erika Beispiel", "email") in {(r["person_name"], r["channel"])
                                           for r in qualified_rows}
    assert set(_batch_rows(settings, loaded).values()) == {0}
    assert {t: _count(settings, t) for t in NEVER_UNDONE} == kept_before


def test_undo_output_and_batch_listing(settings: Settings, loaded: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("leadpipe.cli.ingest.wants_json", lambda flag: flag)
    code, out = _cli(settings, "ingest", "undo", loaded, "--dry-run")
    assert code == 0, out
    assert "Nothing was changed" in out
    assert "raw records" in out
    code, out = _cli(settings, "ingest", "undo", loaded, "--reason", "wrong vendor")
    assert code == 0, out
    assert "Logged as undo-" in out
    assert "wrong vendor" in out
    assert "lead(s) kept" in out
    assert "next `leadpipe decide`" in out
    code, out = _cli(settings, "ingest", "batches")
    assert code == 0, out
    assert "undone" in out
    assert "(liste.csv) undone" in out
    assert loaded in out
    code, out = _cli(settings, "ingest", "batches", "--json")
    assert code == 0, out
    states = {(b["file_name"], b["state"]) for b in json.loads(out)}
    assert states == {("liste.csv", "undone"), ("andere.csv", "loaded")}
    code, out = _cli(settings, "ingest", "undo", loaded)
    assert code == 2
    assert "already undone" in out


def test_unknown_batch_names_the_command_that_lists_batches(
    settings: Settings, loaded: str
) -> None:
    code, out = _cli(settings, "ingest", "undo", "Lnosuchbatch")
    assert code == 2
    assert "no batch Lnosuchbatch" in out
    assert "leadpipe ingest batches --db" in out
    assert _count(settings, "ops.batch_undos") == 0


def test_undo_then_the_same_file_loads_again_without_the_objector(
    settings: Settings, loaded: str, files: dict[str, Path]
) -> None:
    _json(settings, "ingest", "undo", loaded)
    again = _json(settings, "ingest", "list", str(files["list"]), *LIST_OPTIONS)
    # Hans objected before the undo: the suppression list still keeps his row out
    assert (again["status"], again["batch_id"]) == ("loaded", loaded)
    assert (again["loaded"], again["quarantined"], again["skipped"]) == (1, 1, 1)
    assert _count(settings, "ops.suppressed_rows") == 1


def _mapping(tmp_path: Path, name: str, ignored: str) -> Path:
    path = tmp_path / name
    path.write_text(f"vendor: Adressverlag Nord\nacquired_on: 2026-11-15\n"
                    f"columns:\n  {ignored}: null\n", encoding="utf-8")
    return path


def _streets(settings: Settings) -> list[tuple[object, ...]]:
    with open_warehouse(settings, write=False) as wh:
        return wh.fetchall("SELECT street, position FROM staging.stg_purchased_list__records "
                           "ORDER BY row_number")


def test_replace_with_a_corrected_mapping(
    settings: Settings, files: dict[str, Path], tmp_path: Path
) -> None:
    wrong = _mapping(tmp_path, "wrong.yaml", "Straße")
    right = _mapping(tmp_path, "right.yaml", "Position")
    first = _json(settings, "ingest", "list", str(files["list"]), "--mapping", str(wrong))
    _json(settings, "enrich")
    assert _streets(settings) == [(None, "Leiterin Einkauf"), (None, "Vertrieb")]

    skipped = _json(settings, "ingest", "list", str(files["list"]), "--mapping", str(right))
    assert skipped["status"] == "skipped"
    assert "--replace" in str(skipped["note"])
    assert "another column mapping" in str(
        skipped["note"])

    replaced = _json(settings, "ingest", "list", str(files["list"]), "--mapping", str(right),
                     "--replace")
    assert replaced["status"] == "loaded"
    assert replaced["batch_id"] == first["batch_id"]
    assert f"replaced batch {first['batch_id']}" in str(replaced["note"])
    assert replaced["in"] == replaced["loaded"] + replaced["quarantined"] + replaced["skipped"]
    assert (replaced["loaded"], replaced["quarantined"]) == (first["loaded"],
                                                             first["quarantined"])
    assert _streets(settings) == [("Hauptstraße", None), ("Am Markt", None)]
    batch = str(first["batch_id"])
    counts = _batch_rows(settings, batch)
    assert counts["raw.records"] == 3
    assert counts["raw.batches"] == 1
    assert counts["staging.stg_purchased_list__records"] == replaced["loaded"]
    assert counts["ops.quarantine"] == replaced["quarantined"]
    assert counts["core.enriched_records.record_id"] == 0  # enriched again by the next run
    with open_warehouse(settings, write=False) as wh:
        mapping = json.loads(wh.scalar("SELECT column_mapping FROM raw.batches"))
        undo = wh.dicts("SELECT batch_id, replaced_by, column_mapping FROM ops.batch_undos")
    assert "Straße" in mapping
    assert "Position" not in mapping
    assert [(u["batch_id"], u["replaced_by"]) for u in undo] == [(batch, batch)]
    assert "Straße" not in json.loads(undo[0]["column_mapping"])
    _code, out = _cli(settings, "ingest", "batches", "--json")
    assert sorted(b["state"] for b in json.loads(out)) == ["loaded", "replaced"]


def test_replace_a_corrected_file_of_the_same_name(
    settings: Settings, loaded: str, files: dict[str, Path]
) -> None:
    fixed = LIST.replace("Hauptstraße;12", "Hauptstraße;14")
    files["list"].write_bytes(fixed.encode("cp1252"))
    without = _json(settings, "ingest", "list", str(files["list"]), *LIST_OPTIONS)
    assert without["status"] == "loaded"
    assert loaded in str(without["note"])
    assert "--replace" in str(without["note"])
    _json(settings, "ingest", "undo", str(without["batch_id"]))
    report = _json(settings, "ingest", "list", str(files["list"]), *LIST_OPTIONS, "--replace")
    assert report["batch_id"] != loaded
    assert f"replaced batch {loaded}" in str(report["note"])
    assert set(_batch_rows(settings, loaded).values()) == {0}
    assert _scalar(settings, "SELECT house_number FROM staging.stg_purchased_list__records "
                   "WHERE batch_id = ? AND row_number = 2", [report["batch_id"]]) == "14"


def _old_batch_state(settings: Settings, batch: str) -> dict[str, object]:
    return {**_batch_rows(settings, batch), "streets": _streets(settings),
            "leads": _count(settings, "core.leads"),
            "undos": _count(settings, "ops.batch_undos")}


def test_failing_replace_leaves_the_old_batch(
    settings: Settings, loaded: str, files: dict[str, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from warehouse import load_lists

    before = _old_batch_state(settings, loaded)
    monkeypatch.setattr(load_lists, "_counted", lambda wh, batch_id, suppressed: (0, 0, 0))
    code, out = _cli(settings, "ingest", "list", str(files["list"]), "--mapping",
                     str(_mapping(tmp_path, "m.yaml", "Position")), "--replace")
    assert code == 2
    assert "do not reconcile" in out
    assert _old_batch_state(settings, loaded) == before
    assert _scalar(settings, "SELECT status FROM ops.runs WHERE flow = "
                   "'ingest-purchased-list' ORDER BY started_at DESC LIMIT 1") == "failed"


def test_killed_replace_leaves_the_old_batch(
    settings: Settings, loaded: str, files: dict[str, Path], tmp_path: Path
) -> None:
    before = _old_batch_state(settings, loaded)
    ready = tmp_path / "undone"
    mapping = _mapping(tmp_path, "m.yaml", "Position")
    code = textwrap.dedent(f"""
        import pathlib, sys, time
        import stages.ingest as stage
        real = stage.load_purchased_list
        def slow(wh, **kw):
            report = real(wh, **kw)
            pathlib.Path({str(ready)!r}).write_text("x")  # old batch undone, new one loaded
            time.sleep(60)
            return report
        stage.load_purchased_list = slow
        from leadpipe.cli.main import app
        sys.argv = ["leadpipe", "ingest", "list", {str(files["list"])!r}, "--mapping",
                    {str(mapping)!r}, "--replace", "--db", {str(settings.db_path)!r}, "--json"]
        app()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, "the replace ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _cli(settings, "ingest", "batches", "--json")[0] == 0
    assert _old_batch_state(settings, loaded) == before
    code_, _out = _cli(settings, "status", "--json")
    assert code_ == 0
    assert _scalar(settings, "SELECT status FROM ops.runs WHERE flow = "
                   "'ingest-purchased-list' ORDER BY started_at DESC LIMIT 1") in (
                       "running", "killed")

"""Robinson list import and checks; Art. 14 deadlines and `mark-sent`."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from tests.flows.inbox import LIST_CSV
from warehouse.db import open_warehouse
from warehouse.robinson import check_records

runner = CliRunner()


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", str(settings.db_path), "--json"])
    return result.exit_code, result.output


def _ingest(settings: Settings, tmp_path: Path, acquired: str) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(LIST_CSV.encode("cp1252"))
    code, out = _run(settings, "ingest", "list", str(path), "--vendor", "V",
                     "--acquired-on", acquired)
    assert code == 0, out


def test_robinson_post_list_hits_the_listed_person_only(
    settings: Settings, tmp_path: Path
) -> None:
    _ingest(settings, tmp_path, "2026-11-20")
    listed = tmp_path / "robinson.csv"
    listed.write_text("first_name;last_name;street;house_number;postcode;entry_date\n"
                      "Jürgen;Müller;Hauptstr.;12a;80331;2024-05-01\n", encoding="utf-8")
    args = ["robinson", "import", str(listed), "--list", "DDV", "--channel", "post",
            "--list-date", "2026-11-01"]
    code, out = _run(settings, *args)
    assert code == 0, out
    assert json.loads(out)["status"] == "loaded"
    assert json.loads(_run(settings, *args)[1])["status"] == "skipped"

    with open_warehouse(settings, write=True, create=True) as wh:
        records = wh.dicts("SELECT * FROM staging.stg_purchased_list__records")
        checks = {c["record_id"]: c for c in check_records(wh, records)}
        stored = wh.scalar("SELECT count(*) FROM core.robinson_checks")
    hits = {rid: c["entry_date"] for rid, c in checks.items() if c["hit"]}
    assert list(hits.values()) == [date(2024, 5, 1)]
    assert len(checks) == 2
    assert stored == 2


def test_hashed_robinson_list_and_a_bad_row(settings: Settings, tmp_path: Path) -> None:
    good = hashlib.sha256(b"+49891234560").hexdigest()
    path = tmp_path / "hashed.csv"
    path.write_text(f"hash\n{good}\nnot-a-hash\n", encoding="utf-8")
    code, out = _run(settings, "robinson", "import", str(path), "--list", "DDV Telefon",
                     "--channel", "phone", "--list-date", "2026-11-01", "--hashed")
    assert code == 2
    assert "hashed.csv, row 3, field 'hash'" in out


def test_art14_overdue_and_mark_sent(settings: Settings, tmp_path: Path) -> None:
    _ingest(settings, tmp_path, "2026-10-26")
    on_deadline = json.loads(_run(settings, "art14", "overdue", "--as-of", "2026-11-26")[1])
    assert on_deadline == []
    overdue = json.loads(_run(settings, "art14", "overdue", "--as-of", "2026-11-27")[1])
    assert len(overdue) == 2
    assert {o["days_overdue"] for o in overdue} == {1}

    mailing = tmp_path / "mailing.csv"
    mailing.write_text("email\nj.mueller@mueller-maschinenbau.de\nnobody@example.de\n",
                       encoding="utf-8")
    code, out = _run(settings, "art14", "mark-sent", str(mailing), "--channel", "post",
                     "--sent-on", "2026-11-10")
    assert code == 0, out
    result = json.loads(out)
    assert (result["records"], result["unknown"]) == (1, ["nobody@example.de"])
    left = json.loads(_run(settings, "art14", "overdue", "--as-of", "2026-11-27")[1])
    assert len(left) == 1

"""`dedupe-file`, `explain-match` and the review round trip through the command line."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from foundation.settings import Settings
from leadpipe.cli.main import app
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_list_file
from stages.match import match_all
from warehouse.db import open_warehouse

runner = CliRunner()

LIST = (
    "Firma;Vorname;Nachname;Straße;PLZ;Ort;Telefon;E-Mail\n"
    "Müller GmbH;Erika;Beispiel;Hauptstraße 12;80331;München;089 1234560;e.beispiel@mueller.de\n"
    "Müller G.m.b.H.;Erika;Beispiel;Hauptstr. 12;80331;München;+49 89 123456-0;"
    "e.beispiel@mueller.de\n"
    "Müller GmbH;Hans;Kollege;Hauptstraße 12;80331;München;089 1234560;h.kollege@mueller.de\n"
    ";Anna;Privat;Am Markt 3;50667;Köln;0221 55555;anna.privat@gmx.de\n"
    ";Anna;;Am Markt 3;50667;Köln;0221 55555;anna.privat@gmx.de\n"
    ";;;Ringstraße 1;50667;Köln;;\n"
)


def test_dedupe_file_keeps_every_row_and_column(tmp_path: Path) -> None:
    source = tmp_path / "neu.csv"
    source.write_bytes(LIST.encode("cp1252"))
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["dedupe-file", str(source), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 6
    assert list(rows[0])[:8] == LIST.split("\n")[0].split(";")
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"]
    assert rows[2]["cluster_id"] != rows[0]["cluster_id"]
    assert rows[3]["cluster_id"].startswith("consumer-")
    # a row without a last name is still matched (here by the personal e-mail), and a row
    # without any name still gets its own cluster
    assert rows[4]["cluster_id"] == rows[3]["cluster_id"]
    assert rows[5]["cluster_id"] not in ("", rows[3]["cluster_id"])
    assert json.loads(result.output)["unmatched_rows"] == 0
    assert float(rows[0]["match_score"]) > 0.9
    again = runner.invoke(app, ["dedupe-file", str(source), "--out", str(out)])
    assert again.exit_code == 2
    assert "--force" in again.output


def test_explain_and_review_round_trip(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "liste.csv"
    source.write_bytes(LIST.encode("cp1252"))
    ingest_list_file(settings, source, ListOptions(vendor="V", acquired_on=date(2026, 11, 1)))
    enrich_new(settings)
    match_all(settings)
    with open_warehouse(settings, write=False) as wh:
        erika = [r[0] for r in wh.fetchall(
            "SELECT record_id FROM core.enriched_records WHERE first_name = 'Erika' "
            "ORDER BY record_id")]
        hans = wh.scalar("SELECT record_id FROM core.enriched_records WHERE first_name = 'Hans'")
    db = ["--db", str(settings.db_path)]
    result = runner.invoke(app, ["explain-match", erika[0], erika[1], "--json", *db])
    assert result.exit_code == 0, result.output
    explained = json.loads(result.output)
    assert explained["band"] == "match"
    assert abs(explained["prior_log2_odds"] + sum(f["contribution"] for f in explained["fields"])
               - explained["match_weight"]) < 1e-6

    # a person splits Erika's two records; the split holds in every later run
    review = tmp_path / "review.csv"
    review.write_text("entity_type,left_id,right_id,decision,note\n"
                      f"contact,{erika[0]},{erika[1]},split,two different Erikas\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["review", "import", str(review), "--by", "tester", "--json",
                                 *db])
    assert result.exit_code == 0, result.output
    imported = json.loads(result.output)
    assert imported["decisions"] == 1
    assert imported["match"]["contacts_linked"] >= 0  # the re-match as an object, not its text
    for _ in range(2):
        match_all(settings)
        with open_warehouse(settings, write=False) as wh:
            leads = {wh.scalar("SELECT lead_id FROM core.lead_members WHERE record_id = ? AND "
                               "entity_type = 'contact'", [r]) for r in erika}
        assert len(leads) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(f"entity_type,left_id,right_id,decision\ncontact,{erika[0]},{hans},maybe\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["review", "import", str(bad), *db])
    assert result.exit_code == 2
    assert "bad.csv, row 2, field 'decision'" in result.output

    # merges that chain the two Erikas together contradict their split: a clear error
    both = tmp_path / "both.csv"
    both.write_text("entity_type,left_id,right_id,decision\n"
                    f"contact,{erika[0]},{hans},merge\ncontact,{hans},{erika[1]},merge\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["review", "import", str(both), *db])
    assert result.exit_code == 2, result.output
    assert "both.csv, field 'decision'" in result.output
    assert "remove one of the two" in result.output
    assert "Traceback" not in result.output
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.match_decisions WHERE decision = 'merge'") == 0

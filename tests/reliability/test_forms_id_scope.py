"""Item 6 of #20: form submission ids are unique per source (form tool) and form, not
globally. Two tools or two forms numbering from 1 keep each other's submissions; an
overlapping re-export from the same tool and form, or the same file again, adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from foundation.settings import Settings
from ingest.forms import export_source
from stages.ingest import ingest_form_file
from warehouse.db import open_warehouse


def _export(path: Path, *subs: tuple[str, str, str]) -> Path:
    """(form, id, e-mail) per line."""
    path.write_text("".join(json.dumps({
        "submission_id": sid, "form_id": form, "submitted_at": "2026-11-20T10:00:00Z",
        "email": email, "last_name": "Muster"}) + "\n" for form, sid, email in subs),
        encoding="utf-8")
    return path


def _emails(settings: Settings) -> list[str]:
    with open_warehouse(settings, write=False) as wh:
        return sorted(r[0] for r in wh.fetchall(
            "SELECT email FROM staging.stg_web_form__submissions"))


def test_the_source_is_the_tool_named_at_the_start_of_the_file_name() -> None:
    assert export_source("typeform-2026-11-20.ndjson") == "typeform"
    assert export_source("HubSpot_Forms_20261120.csv") == "hubspot_forms"
    assert export_source("intake-forms-20261120T101500Z-ab12cd.ndjson") == "intake-forms"
    assert export_source("2026-11-20.json") == "forms"


def test_two_tools_numbering_from_1_keep_each_others_submissions(settings: Settings,
                                                                tmp_path: Path) -> None:
    first = ingest_form_file(settings, _export(tmp_path / "typeform-2026-11.ndjson",
                                               ("kontakt", "1", "a@firma.example")))
    second = ingest_form_file(settings, _export(tmp_path / "jotform-2026-11.ndjson",
                                                ("kontakt", "1", "b@firma.example")))
    assert (first.loaded, second.loaded, second.skipped) == (1, 1, 0)
    assert _emails(settings) == ["a@firma.example", "b@firma.example"]


def test_two_forms_numbering_from_1_in_one_file_both_load(settings: Settings,
                                                          tmp_path: Path) -> None:
    report = ingest_form_file(settings, _export(tmp_path / "typeform-2026-11.ndjson",
                                                ("kontakt", "1", "a@firma.example"),
                                                ("demo", "1", "b@firma.example")))
    assert (report.loaded, report.skipped) == (2, 0)
    assert _emails(settings) == ["a@firma.example", "b@firma.example"]
    with open_warehouse(settings, write=False) as wh:
        ids = wh.fetchall("SELECT record_id FROM raw.records")
    assert len(set(ids)) == 2


def test_an_overlapping_export_of_the_same_tool_and_form_adds_only_the_new_ones(
        settings: Settings, tmp_path: Path) -> None:
    ingest_form_file(settings, _export(tmp_path / "typeform-2026-11-20.ndjson",
                                       ("kontakt", "1", "a@firma.example")))
    later = _export(tmp_path / "typeform-2026-11-21.ndjson",
                    ("kontakt", "1", "a@firma.example"), ("kontakt", "2", "c@firma.example"))
    report = ingest_form_file(settings, later)
    assert (report.loaded, report.skipped) == (1, 1)
    again = ingest_form_file(settings, later)
    assert again.loaded == 0
    assert _emails(settings) == ["a@firma.example", "c@firma.example"]

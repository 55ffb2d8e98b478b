"""The nightly summary's markdown: what the operator reads in the Prefect UI and the e-mail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flows.reporting import nightly_markdown
from foundation.settings import Settings
from stages.decide import DecideResult
from stages.ingest import RejectedFile
from stages.nightly import NightlyReport, QuarantineCount
from warehouse.load_lists import BatchReport


def _report() -> NightlyReport:
    return NightlyReport(
        run_date=date(2026, 12, 5), inbox="data/inbox",
        ingest=[BatchReport("L1", "nord.csv", "loaded", 12_000, 11_990, 10, 0),
                RejectedFile("kammer.csv", "purchased_list",
                             "kammer.csv.yaml: invalid mapping file\n  acquired_on: '32.11.2026' "
                             "is not a date; write it like 2026-11-20 or 20.11.2026")],
        quarantine=[QuarantineCount("nord.csv", "no name and no company", 10)],
        decide=DecideResult(3, 15, 0, {"email": {"allowed": 1, "blocked": 2},
                                       "phone": {"blocked": 3}}))


def test_rejected_files_come_first_with_their_fix_on_one_line() -> None:
    text = nightly_markdown(_report())
    assert text.startswith("## nightly 2026-12-05: 1 new file(s), 11,990 row(s) loaded; "
                           "1 file(s) rejected")
    assert text.index("Rejected files") < text.index("| nord.csv")
    assert ("- **kammer.csv**: kammer.csv.yaml: invalid mapping file; acquired_on: "
            "'32.11.2026' is not a date") in text


def test_counts_add_up_with_thousands_separators_and_reasons_per_file() -> None:
    text = nightly_markdown(_report())
    assert "rows in = loaded + quarantined + skipped: 12,000 = 11,990 + 10 + 0" in text
    assert "| nord.csv | no name and no company | 10 |" in text
    assert "| email | 1 | 0 | 2 |" in text
    assert "| sms |" not in text  # channels not decided are not listed


def test_an_export_is_linked_only_where_the_exports_folder_is_served(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, db_path=tmp_path / "lp.duckdb",
                        exports_url="https://intranet.beispiel.de/leads/")
    assert settings.export_link(tmp_path / "exports" / "phone" / "anrufe.xlsx") == \
        "https://intranet.beispiel.de/leads/phone/anrufe.xlsx"
    assert settings.export_link(tmp_path / "elsewhere.csv") is None
    assert Settings(data_dir=tmp_path).export_link(tmp_path / "exports" / "a.csv") is None

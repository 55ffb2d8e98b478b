"""Reading CRM deals exports and newsletter reports, and matching their rows: no warehouse."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.crm_match import Match, NoMatch, Who, find_lead
from ingest.crm_outcomes import load_crm_outcomes_config, parse_amount, read_outcome_file
from ingest.errors import InputFileError
from ingest.newsletter_engagement import load_engagement_config, read_engagement_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


@pytest.mark.parametrize(("text", "value"), [
    ("1500", "1500.00"), ("1500.5", "1500.50"), ("1.500,50", "1500.50"),
    ("1,500.50", "1500.50"), ("€ 2.400", "2400.00"), ("1,5", "1.50"), ("0", "0.00")])
def test_amounts_in_german_and_english_notation(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


def test_a_negative_or_wordy_amount_is_refused() -> None:
    for text in ("-5", "viel"):
        with pytest.raises(ValueError, match="not an amount"):
            parse_amount(text)


@pytest.mark.parametrize(("name", "crm", "rows"), [
    ("hubspot_deals.csv", "hubspot", 3), ("pipedrive_deals.csv", "pipedrive", 3),
    ("centralstation_deals.csv", "centralstation", 2)])
def test_each_crm_is_recognised_by_its_headers(name: str, crm: str, rows: int) -> None:
    parsed = read_outcome_file(FIXTURES / name, "auto", load_crm_outcomes_config().value)
    assert parsed.crm == crm
    assert len(parsed.rows) == rows
    assert parsed.rows_in == len(parsed.rows) + len(parsed.problems) + parsed.skipped


def test_pipedrive_rows_say_what_happened_and_who_objects() -> None:
    parsed = read_outcome_file(FIXTURES / "pipedrive_deals.csv", "pipedrive",
                               load_crm_outcomes_config().value)
    first, second, third = parsed.rows
    assert (first.outcome, first.do_not_contact, first.value_eur) == (
        "appointment", True, Decimal("2400.00"))
    assert first.email == "P.Schmidt@mueller.example"  # as enrichment keeps it; matched
    # case-insensitively (tests/stages/test_crm_outcomes finds Petra by it)
    assert first.phone == "+49891234560"
    assert (second.outcome, second.do_not_contact) == ("not_interested", False)
    assert (third.outcome, str(third.on)) == ("won", "2026-11-20")


@pytest.mark.parametrize(("name", "tool"), [
    ("mailchimp_activity.csv", "mailchimp"), ("brevo_report.csv", "brevo"),
    ("cleverreach_report.csv", "cleverreach")])
def test_each_newsletter_tool_is_recognised(name: str, tool: str) -> None:
    parsed = read_engagement_file(FIXTURES / name, "auto", load_engagement_config().value)
    assert parsed.tool == tool
    assert any(r.clicks for r in parsed.rows)


def test_a_binary_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputFileError, match=r"deals\.csv: is not a text file"):
        read_outcome_file(path, "auto", load_crm_outcomes_config().value)


COLLEAGUES = [
    {"lead_id": "contact-a", "entity_type": "contact", "record_id": "L:1",
     "email": "a@x.example", "phone": "+4989111", "mobile": None, "first_name": "Anna",
     "last_name": "Meier", "company_match_name": "mueller"},
    {"lead_id": "contact-b", "entity_type": "contact", "record_id": "L:2",
     "email": "b@x.example", "phone": "+4989111", "mobile": None, "first_name": "Bernd",
     "last_name": "Schulz", "company_match_name": "mueller"},
]


def test_a_shared_switchboard_needs_the_persons_name() -> None:
    assert isinstance(find_lead(Who(phone="+4989111"), set(), COLLEAGUES), NoMatch)
    found = find_lead(Who(phone="+4989111", last_name="Schulz"), set(), COLLEAGUES)
    assert isinstance(found, Match)
    assert (found.lead_id, found.by) == ("contact-b", "phone")
    by_name = find_lead(Who(last_name="Meier", company="Müller GmbH"), set(), COLLEAGUES)
    assert isinstance(by_name, Match)
    assert (by_name.lead_id, by_name.by) == ("contact-a", "name_company")


def test_one_contact_column_gives_name_and_address(tmp_path: Path) -> None:
    path = tmp_path / "hubspot.csv"
    path.write_text("Deal Stage,Associated Contact\n"
                    "Closed Won,Petra Schmidt (p.schmidt@mueller.example)\n", encoding="utf-8")
    (row,) = read_outcome_file(path, "hubspot", load_crm_outcomes_config().value).rows
    assert (row.first_name, row.last_name, row.email) == (
        "Petra", "Schmidt", "p.schmidt@mueller.example")


def test_an_xlsx_export_reads_like_a_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["leadpipe_id", "Ergebnis", "Betrag", "Datum", "Nicht kontaktieren"])
    sheet.append(["contact-1", "Termin vereinbart", 1200.5, None, "ja"])
    path = tmp_path / "ergebnisse.xlsx"
    book.save(path)
    (row,) = read_outcome_file(path, "auto", load_crm_outcomes_config().value).rows
    assert (row.leadpipe_id, row.outcome, row.value_eur, row.do_not_contact) == (
        "contact-1", "appointment", Decimal("1200.50"), True)


def test_an_objection_noted_as_lost_reason_is_a_do_not_contact_flag(tmp_path: Path) -> None:
    path = tmp_path / "pipedrive.csv"
    path.write_text("Deal - Status,Deal - Lost reason,Person - Email\n"
                    "lost,Werbewiderspruch am Telefon,a@x.example\n", encoding="utf-8")
    (row,) = read_outcome_file(path, "auto", load_crm_outcomes_config().value).rows
    assert (row.outcome, row.do_not_contact) == ("lost", True)


def test_the_lead_id_in_the_exported_note_matches_without_the_custom_field(
        tmp_path: Path) -> None:
    path = tmp_path / "centralstation.csv"
    path.write_text("Nachname;Firma;Status;Hintergrundinfo\nSchmidt;Müller GmbH;gewonnen;"
                    "leadpipe-Export 2026-12-01 | leadpipe_id: contact-d815ae4e674d\n",
                    encoding="utf-8")
    (row,) = read_outcome_file(path, "centralstation", load_crm_outcomes_config().value).rows
    assert (row.leadpipe_id, row.outcome) == ("contact-d815ae4e674d", "won")

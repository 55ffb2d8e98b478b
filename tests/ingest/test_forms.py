"""read_form_export: formats, field mapping, consent events, quarantine of bad submissions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ingest.errors import InputFileError
from ingest.fields import FORM_FIELDS, LIST_FIELDS
from ingest.forms import FormExport, read_form_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
SECTION_10_CONSENT_KEYS = {"at", "kind", "channels", "method", "confirmed_at", "pre_ticked",
                           "names_controller", "evidence_complete", "phone_verified"}


@pytest.fixture(scope="module")
def ndjson() -> FormExport:
    return read_form_export(FIXTURES / "forms.ndjson")


def _by_id(export: FormExport) -> dict:
    return {s.submission_id: s for s in export.submissions}


def test_malformed_lines_are_quarantined_one_by_one_and_the_rest_loads(ndjson):
    assert ndjson.format == "ndjson"
    assert [s.submission_id for s in ndjson.submissions] == ["f-1001", "f-1003", "f-1004",
                                                             "f-1005"]
    assert [s.row_number for s in ndjson.submissions] == [1, 3, 5, 7]
    assert [(q.row, q.field) for q in ndjson.quarantine] == [(2, None), (6, None)]
    assert ndjson.quarantine[0].reason.startswith("invalid JSON at column")
    assert ndjson.quarantine[0].raw is not None
    assert "broken json here" in ndjson.quarantine[0].raw
    assert ndjson.file_sha256 == hashlib.sha256(
        (FIXTURES / "forms.ndjson").read_bytes()).hexdigest()


def test_contact_and_form_fields_are_canonical(ndjson):
    sub = _by_id(ndjson)["f-1001"]
    assert set(sub.record) == set(LIST_FIELDS) | set(FORM_FIELDS)
    assert sub.record["last_name"] == "Schäfer"
    assert sub.record["company"] == "Firma GmbH"
    assert sub.record["email"] == "jana.schaefer@firma.example"
    assert sub.record["form_id"] == "demo-de"
    assert sub.record["page_url"] == "https://www.example.de/demo"
    assert sub.record["submitted_at"] == "2026-11-20T09:15:00+00:00"  # +01:00 → UTC
    assert sub.record["request_type"] == "demo"
    assert sub.record["message"] == "Bitte um eine Demo nächste Woche."
    assert sub.original["contact"]["first_name"] == "Jana"


def test_doi_confirms_email_only_phone_gets_its_own_single_opt_in(ndjson):
    events = _by_id(ndjson)["f-1001"].consent_events
    consents = [e for e in events if e["kind"] == "consent_given"]
    assert [(e["channels"], e["method"]) for e in consents] == [
        (["email"], "double_opt_in"), (["phone"], "checkbox_single_opt_in")]
    doi, single = consents
    assert set(doi) >= SECTION_10_CONSENT_KEYS
    assert doi["confirmed_at"] == "2026-11-20T10:20:00+00:00"
    assert single["confirmed_at"] is None
    assert doi["at"] == "2026-11-20T09:15:00+00:00"
    assert doi["pre_ticked"] is False
    assert doi["names_controller"] is True
    assert doi["evidence_complete"] is True
    assert doi["phone_verified"] is False
    text = ("Ich willige ein, dass die Example GmbH mich per E-Mail und Telefon zu Produkten "
            "informiert.")
    assert doi["consent_text"] == text
    assert doi["consent_text_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert doi["consent_text_version"] == "consent-v3"
    assert doi["privacy_notice_version"] == "dsgvo-2026-01"
    assert (doi["ip"], doi["form_id"]) == ("203.0.113.7", "demo-de")


def test_demo_request_documents_an_inbound_inquiry(ndjson):
    events = _by_id(ndjson)["f-1001"].consent_events
    kinds = {e["kind"]: e for e in events}
    assert kinds["inquiry_received"]["channels"] == ["all"]
    presumed = kinds["presumed_consent_reason"]
    assert presumed["category"] == "inbound_inquiry"
    assert presumed["channels"] == ["phone"]
    assert presumed["at"] == "2026-11-20T09:15:00+00:00"


def test_callback_with_channel_words_and_version_only(ndjson):
    sub = _by_id(ndjson)["f-1003"]
    assert sub.record["request_type"] == "callback"
    assert sub.record["full_name"] == "Max Mustermann"  # "name" without a first name
    consent = [e for e in sub.consent_events if e["kind"] == "consent_given"]
    assert len(consent) == 1
    assert consent[0]["channels"] == ["phone"]
    assert consent[0]["method"] == "checkbox_single_opt_in"
    assert consent[0]["evidence_complete"] is True  # text version, time, IP
    assert "consent_text_sha256" not in consent[0]


def test_pre_ticked_newsletter_without_user_agent(ndjson):
    sub = _by_id(ndjson)["f-1004"]
    assert sub.record["request_type"] == "newsletter"
    (event,) = sub.consent_events
    assert event["channels"] == ["email"]
    assert event["pre_ticked"] is True
    assert event["names_controller"] is None  # not stated in the export
    assert event["evidence_complete"] is True


def test_no_consent_no_events_for_a_download(ndjson):
    sub = _by_id(ndjson)["f-1005"]
    assert sub.record["request_type"] == "brochure"
    assert sub.consent_events == []


def test_json_document_with_submissions_array():
    export = read_form_export(FIXTURES / "forms.json")
    assert export.format == "json"
    (sub,) = export.submissions
    assert sub.submission_id == "ff-1"
    assert sub.record["first_name"] == "Lena"
    assert sub.record["last_name"] == "Özdemir"
    assert sub.record["company"] == "Özdemir Consulting"
    assert sub.record["message"] == "Angebot bitte"
    assert sub.record["page_url"] == "https://www.example.de/kontakt"  # "url" is the page
    assert sub.record["website"] is None
    assert sub.record["submitted_at"] == "2025-11-24T07:00:00+00:00"  # epoch seconds
    assert sub.record["request_type"] == "contact"
    assert [e["kind"] for e in sub.consent_events] == ["inquiry_received"]
    (bad,) = export.quarantine
    assert (bad.row, bad.field) == (2, "consent.channels")
    assert "Brieftaube" in bad.reason
    assert export.unmapped_keys == ("utm_source",)


def test_bare_json_array(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([
        {"email": "a@example.com", "submitted_at": "2026-01-02T03:04:05Z"},
        "not an object",
    ]), encoding="utf-8")
    export = read_form_export(path)
    assert [s.row_number for s in export.submissions] == [1]
    assert export.quarantine[0].row == 2
    assert "JSON object" in export.quarantine[0].reason


def test_csv_form_export_with_german_headers_and_local_times():
    export = read_form_export(FIXTURES / "forms.csv")
    assert export.format == "csv"
    first, second = export.submissions
    assert (first.row_number, second.row_number) == (2, 3)
    assert first.record["submitted_at"] == "2026-11-24T09:00:00+00:00"  # Berlin, UTC+1
    assert first.record["last_name"] == "Weiß"
    assert first.record["request_type"] == "callback"
    assert first.record["ip"] == "203.0.113.9"
    consent = [e for e in first.consent_events if e["kind"] == "consent_given"]
    assert [e["channels"] for e in consent] == [["email"]]
    assert second.record["request_type"] == "contact"
    assert [e["kind"] for e in second.consent_events] == ["inquiry_received"]


def test_submission_id_is_a_stable_hash_when_the_export_has_none(tmp_path):
    row = {"email": "a@example.com", "submitted_at": "2026-01-02T03:04:05Z"}
    path = tmp_path / "a.ndjson"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    other = tmp_path / "b.ndjson"
    other.write_text(json.dumps(dict(reversed(row.items()))) + "\n", encoding="utf-8")
    first = read_form_export(path).submissions[0].submission_id
    assert first == read_form_export(other).submissions[0].submission_id
    assert first.startswith("h")


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ({"email": "a@x.de"}, "submitted_at", "no submission time"),
        ({"email": "a@x.de", "submitted_at": "gestern"}, "submitted_at", "not a date"),
        ({"submitted_at": "2026-01-01T00:00:00Z", "message": "hi"}, None, "no contact data"),
        ({"email": "a@x.de", "submitted_at": "2026-01-01T00:00:00Z", "consent_phone": "vielleicht"},
         "consent_phone", "yes/no"),
    ],
)
def test_unusable_submissions_are_quarantined_with_field_and_reason(tmp_path, row, field, reason):
    path = tmp_path / "x.ndjson"
    good = {"email": "ok@x.de", "submitted_at": "2026-01-01T00:00:00Z"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    export = read_form_export(path)
    assert len(export.submissions) == 1
    (entry,) = export.quarantine
    assert (entry.row, entry.field) == (2, field)
    assert reason in entry.reason


def test_quarantined_raw_text_is_truncated(tmp_path):
    path = tmp_path / "long.ndjson"
    path.write_text('{"broken": "' + "x" * 10_000 + "\n", encoding="utf-8")
    (entry,) = read_form_export(path).quarantine
    assert entry.raw is not None
    assert len(entry.raw) <= 2001


def test_invalid_utf8_line_is_quarantined(tmp_path):
    path = tmp_path / "enc.ndjson"
    path.write_bytes(b'{"email": "a@x.de", "submitted_at": "2026-01-01T00:00:00Z"}\n'
                     b'{"name": "M\xfcller"}\n')
    export = read_form_export(path)
    assert len(export.submissions) == 1
    assert export.quarantine[0].row == 2
    assert "UTF-8" in export.quarantine[0].reason


@pytest.mark.parametrize(("name", "content", "row"), [
    ("empty.ndjson", b"", None),
    ("blank.json", b"  \n\n", None),
    ("binary.ndjson", b'{"a": 1}\n\x00\x01\x02garbage', 2),
    ("broken.json", b'{"submissions": [\n{"a": 1},\n', 3),
])
def test_unreadable_files_raise_with_file_and_row(tmp_path, name, content, row):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        read_form_export(path)
    assert info.value.file == name
    assert info.value.row == row
    assert str(info.value).startswith(name)


def test_ndjson_saved_as_json_is_recognised(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text('{"email": "a@x.de", "submitted_at": "2026-01-01T00:00:00Z"}\n{oops\n',
                    encoding="utf-8")
    export = read_form_export(path)
    assert export.format == "ndjson"
    assert [q.row for q in export.quarantine] == [2]


def test_json_without_a_submissions_list(tmp_path):
    path = tmp_path / "weird.json"
    path.write_text('"just a string"', encoding="utf-8")
    with pytest.raises(InputFileError, match="array of submissions"):
        read_form_export(path)


def test_cp1252_csv_export_and_ragged_rows(tmp_path):
    path = tmp_path / "formular.csv"
    path.write_bytes("Datum;E-Mail;Nachricht\n"
                     "01.12.2026 08:00;groß@example.de;Grüße, € 5\n"
                     "01.12.2026 09:00;kurz@example.de\n".encode("cp1252"))
    export = read_form_export(path)
    (sub,) = export.submissions
    assert export.encoding == "cp1252"
    assert sub.record["message"] == "Grüße, € 5"
    assert sub.record["submitted_at"] == "2026-12-01T07:00:00+00:00"
    (bad,) = export.quarantine
    assert (bad.row, bad.reason) == (3, "expected 3 fields, found 2")


def test_csv_export_with_duplicate_headers_is_refused(tmp_path):
    path = tmp_path / "doppelt.csv"
    path.write_text("Datum,E-Mail,E-Mail\n01.12.2026,a@x.de,b@x.de\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_form_export(path)
    assert (info.value.file, info.value.row, info.value.field) == ("doppelt.csv", 1, "E-Mail")


def test_name_value_answer_lists_are_read_like_objects(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps([{
        "submitted_at": "2026-12-01T08:00:00Z",
        "answers": [{"name": "Firma", "value": "Answer GmbH"},
                    {"label": "E-Mail", "value": "a@answer.example"},
                    {"key": "consent_phone", "value": True}],
        "tags": ["a", "b"],
    }]), encoding="utf-8")
    (sub,) = read_form_export(path).submissions
    assert sub.record["company"] == "Answer GmbH"
    assert sub.record["email"] == "a@answer.example"
    assert [e["channels"] for e in sub.consent_events] == [["phone"]]

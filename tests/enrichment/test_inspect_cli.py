"""`leadpipe inspect`: the JSON contract of /work/shared/contracts/inspect.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpipe.cli.main import app

runner = CliRunner()

KEYS = {
    "email": {"normalized", "status", "kind", "domain", "registrable_domain"},
    "phone": {"e164", "valid", "type", "region", "extension"},
    "company": {"name", "legal_form", "match_name", "register_court", "register_number",
                "vat_id"},
    "person": {"salutation", "title", "first_name", "last_name", "role", "seniority",
               "decision_maker"},
    "address": {"street", "house_number", "postcode", "city", "country"},
}


def inspect(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["inspect", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("email", "Vertrieb@Bücher.DE", {"normalized": "Vertrieb@bücher.de", "status": "unknown",
                                     "kind": "role", "domain": "bücher.de",
                                     "registrable_domain": "bücher.de"}),
        ("email", "anna@gmx.de", {"kind": "freemail", "status": "unknown"}),
        ("email", "anna@p\u0430ypal.com", {"status": "invalid_syntax", "normalized": None}),
        ("phone", "+49 (0) 89 / 123 456-0", {"e164": "+49891234560", "valid": True,
                                             "type": "fixed", "region": "DE",
                                             "extension": None}),
        ("phone", "089 123456-12", {"e164": "+498912345612", "extension": None}),
        ("phone", "089 1234560 Durchwahl: 12", {"e164": "+49891234560", "extension": "12"}),
        ("phone", "0171 1234567", {"type": "mobile"}),
        ("phone", "0 89-ABC", {"e164": None, "valid": False}),
        ("phone", "032 12345678", {"valid": False}),
        ("company", "Muster GmbH, AG München HRB 123456, USt-IdNr. DE136695976",
         {"name": "Muster GmbH", "legal_form": "GmbH", "match_name": "muster",
          "register_court": "Amtsgericht München", "register_number": "HRB 123456",
          "vat_id": "DE136695976"}),
        ("company", "Beispiel UG (haftungsbeschränkt) & Co. KG",
         {"legal_form": "UG (haftungsbeschränkt) & Co. KG"}),
        ("company", "Amtsgericht Berlin HRB 98765 B",
         {"register_court": "Amtsgericht Charlottenburg", "register_number": "HRB 98765 B"}),
        ("company", "VR 1234 Amtsgericht Köln", {"register_number": "VR 1234"}),
        ("company", "USt-IdNr. DE136695977", {"vat_id": None}),
        ("company", "Alpen Holz Ges.m.b.H.", {"legal_form": "GesmbH"}),
        ("person", "Dr. Anna Schmidt | Leiterin Einkauf",
         {"salutation": "Frau", "title": "Dr.", "first_name": "Anna", "last_name": "Schmidt",
          "role": "Einkauf", "seniority": "head", "decision_maker": True}),
        ("person", "SCHMIDT, ANNA", {"first_name": "Anna", "last_name": "Schmidt",
                                     "salutation": None, "decision_maker": False}),
        ("person", "Max Muster | Teamleiter Vertrieb",
         {"seniority": "manager", "decision_maker": False, "salutation": None}),
        ("address", "Hauptstr. 12a, 80331 München",
         {"street": "Hauptstr.", "house_number": "12a", "postcode": "80331",
          "city": "München", "country": "DE"}),
        ("address", "Postfach 1234", {"street": "Postfach 1234", "house_number": None}),
    ],
)
def test_contract(kind: str, value: str, expected: dict[str, Any]) -> None:
    data = inspect(kind, value, "--json")
    assert KEYS[kind] | {"input", "reasons"} <= set(data)
    assert data["input"] == value
    assert isinstance(data["reasons"], list)
    assert {k: data[k] for k in expected} == expected


def test_invalid_vat_has_a_reason() -> None:
    data = inspect("company", "USt-IdNr. DE136695977", "--json")
    assert any("vat_invalid" in r for r in data["reasons"])


def test_country_option() -> None:
    assert inspect("phone", "01 234567", "--country", "AT")["e164"] == "+431234567"
    assert inspect("address", "Bahnhofstrasse 1", "--country", "CH")["country"] == "CH"


def test_json_when_not_a_terminal() -> None:
    # CliRunner's stdout is not a terminal, so JSON comes without --json.
    assert inspect("email", "info@firma.de")["kind"] == "role"


@pytest.mark.parametrize("kind", list(KEYS))
def test_empty_value_is_a_reason_not_an_error(kind: str) -> None:
    data = inspect(kind, "", "--json")
    assert data["input"] == ""
    assert data["reasons"]
    assert KEYS[kind] <= set(data)


def test_dns_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADPIPE_DNS", raising=False)
    data = inspect("email", "anna@firma.de")
    assert data["status"] == "unknown"
    assert any(r.startswith("dns_off") for r in data["reasons"])


def test_table_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("leadpipe.cli.inspect.wants_json", lambda flag: flag)
    result = runner.invoke(app, ["inspect", "phone", "0 89-ABC"])
    assert result.exit_code == 0
    assert "inspect phone" in result.output
    assert "letters_in_number" in result.output
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.output)


def test_inspect_file_answers_one_json_line_per_value(tmp_path: Path) -> None:
    values = tmp_path / "values.txt"
    values.write_text("Tel.: 030 123456\n\n+43 1 234 56 78\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", "phone", "--file", str(values)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["e164"] for line in lines] == ["+4930123456", None, "+4312345678"]
    assert lines[1]["reasons"] == ["empty"]


def test_inspect_reads_values_from_stdin() -> None:
    result = runner.invoke(app, ["inspect", "company", "--file", "-"],
                           input="MEIER GMBH & CO KG\nUST-IdNr.: DE136695976\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["legal_form"] == "GmbH & Co. KG"
    assert lines[1]["vat_id"] == "DE136695976"


def test_inspect_values_file_in_windows_1252(tmp_path: Path) -> None:
    values = tmp_path / "values.txt"
    values.write_bytes("Müller GmbH\n".encode("cp1252"))
    result = runner.invoke(app, ["inspect", "company", "--file", str(values)])
    assert json.loads(result.stdout)["name"] == "Müller GmbH"


@pytest.mark.parametrize("args", [["phone"], ["phone", "030 1", "--file", "x.txt"],
                                  ["phone", "--file", "no/such/values.txt"]])
def test_inspect_needs_one_value_or_a_readable_file(args: list[str]) -> None:
    result = runner.invoke(app, ["inspect", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output

"""`leadpipe eligibility check`: the output contract of case-format.md and exit status 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leadpipe.cli.main import app

runner = CliRunner()
CASES = Path(__file__).parent / "cases"
CHANNEL_KEYS = {"decision", "reason", "rule", "legal_basis"}


def _scenario(case_id: str) -> dict[str, Any]:
    for path in sorted(CASES.glob("*.json")):
        for scenario in json.loads(path.read_text(encoding="utf-8")):
            if scenario["id"] == case_id:
                return {k: v for k, v in scenario.items() if k not in ("expect", "note")}
    raise KeyError(case_id)


def _check(tmp_path: Path, data: Any, *extra: str) -> Any:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return runner.invoke(app, ["eligibility", "check", "--input", str(path), *extra])


def test_single_case_prints_the_contract_object(tmp_path: Path) -> None:
    result = _check(tmp_path, _scenario("doi-consumer"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"id", "channels", "rules_version"}
    assert out["id"] == "doi-consumer"
    assert list(out["channels"]) == ["email", "phone", "post", "sms", "fax"]
    assert all(set(v) == CHANNEL_KEYS for v in out["channels"].values())
    assert out["channels"]["email"] == {
        "decision": "allowed", "reason": "consent_valid_doi", "rule": "E3",
        "legal_basis": "UWG §7(2) Nr. 2 consent; GDPR Art. 6(1)(a), Art. 7(1)"}
    assert out["channels"]["post"]["legal_basis"] == "GDPR Art. 6(1)(f), Recital 47"
    assert out["channels"]["phone"] == {"decision": "blocked", "reason": "consent_channel_mismatch",
                                        "rule": "C1", "legal_basis": None}


def test_list_input_prints_a_list_in_input_order(tmp_path: Path) -> None:
    ids = ["sms-verified", "erasure-request", "doi-consumer", "7-3-freemium"]
    result = _check(tmp_path, [_scenario(i) for i in ids], "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["id"] for o in out] == ids
    assert out[1]["channels"]["fax"]["rule"] == "G1"
    assert out[3]["channels"]["email"]["decision"] == "review"


def test_table_format_names_rule_and_source(tmp_path: Path) -> None:
    result = _check(tmp_path, _scenario("phone-b2b-category-b"), "--format", "table")
    assert result.exit_code == 0, result.output
    assert "P6" in result.stdout
    assert "[C8]" in result.stdout
    assert "review" in result.stdout


def test_unknown_fields_warn_on_stderr_and_still_decide(tmp_path: Path) -> None:
    data = _scenario("doi-consumer")
    data["lead"]["favourite_colour"] = "green"
    result = _check(tmp_path, data)
    assert result.exit_code == 0
    assert "lead.favourite_colour: unknown field, ignored" in result.stderr
    assert json.loads(result.stdout)["id"] == "doi-consumer"


def _broken(edit: str) -> dict[str, Any]:
    data = copy.deepcopy(_scenario("doi-consumer"))
    event = data["evidence"][0]
    if edit == "missing":
        del data["lead"]["source"]
    elif edit == "kind":
        event["kind"] = "consent_perhaps"
    elif edit == "audience":
        data["lead"]["audience"] = "b2x"
    elif edit == "source":
        data["lead"]["source"] = "fax_blast"
    elif edit == "channel":
        event["channels"] = ["pigeon"]
    elif edit == "date":
        event["at"] = "tomorrow"
    elif edit == "parameter":
        data["parameters"] = {"art14_deadline_months": "soon"}
    return data


@pytest.mark.parametrize(("edit", "field"), [
    ("missing", "lead.source"), ("kind", "evidence[0].kind"), ("audience", "lead.audience"),
    ("source", "lead.source"), ("channel", "evidence[0].channels[0]"),
    ("date", "evidence[0].at: 'tomorrow' is not an ISO date"),
    ("parameter", "parameters.art14_deadline_months"),
])
def test_invalid_input_exits_2_naming_case_and_field(tmp_path: Path, edit: str,
                                                     field: str) -> None:
    good = _scenario("sms-verified")
    result = _check(tmp_path, [good, _broken(edit)])
    assert result.exit_code == 2
    assert f"case 'doi-consumer': {field}" in result.stderr
    assert result.stdout == ""


def test_not_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["eligibility", "check", "--input", str(path)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("path", sorted(CASES.glob("*.json")), ids=lambda p: p.stem)
def test_cli_decides_each_scenario_file_as_expected(tmp_path: Path, path: Path) -> None:
    scenarios = json.loads(path.read_text(encoding="utf-8"))
    cases = [{k: v for k, v in s.items() if k not in ("expect", "note")} for s in scenarios]
    result = _check(tmp_path, cases)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    got = [{ch: f"{d['decision']} {d['reason']} {d['rule']}" for ch, d in o["channels"].items()}
           for o in out]
    assert got == [s["expect"] for s in scenarios]
    versions = {o["rules_version"] for o, c in zip(out, cases, strict=True)
                if "parameters" not in c}
    assert len(versions) == 1

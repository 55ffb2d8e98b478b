"""Case validation: errors name the case and the field; unknown fields are warnings."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from compliance.case import CaseError, case_from_dict, cases_from_json

GOOD: dict[str, Any] = {
    "id": "doi-consumer", "as_of": "2026-11-26",
    "lead": {"audience": "b2c", "has_email": True, "source": "web_form"},
    "evidence": [{"at": "2026-06-10", "kind": "consent_given", "channels": ["email"],
                  "method": "double_opt_in", "confirmed_at": "2026-06-10T09:15:00Z"}],
}


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


def test_good_case_parses_with_defaults() -> None:
    case, warnings = case_from_dict(GOOD)
    assert warnings == []
    assert case.as_of == date(2026, 11, 26)
    assert case.lead.has_phone is False
    assert case.lead.audience == "b2c"
    assert case.evidence[0].get("confirmed_at") == date(2026, 6, 10)
    assert case.evidence[0].names("email")
    assert not case.evidence[0].names("phone")


@pytest.mark.parametrize(("path", "value", "message"), [
    (("as_of",), _DELETE, "case 'doi-consumer': as_of: missing required field"),
    (("lead",), _DELETE, "case 'doi-consumer': lead: missing required field"),
    (("lead", "source"), _DELETE, "case 'doi-consumer': lead.source: missing required field"),
    (("lead", "source"), "", "case 'doi-consumer': lead.source: missing required field"),
    (("evidence", 0, "at"), "", "case 'doi-consumer': evidence[0].at: missing required"),
    (("lead", "source"), "trade_fair", "case 'doi-consumer': lead.source: unknown value"),
    (("lead", "audience"), "b2g", "case 'doi-consumer': lead.audience: unknown value 'b2g'"),
    (("lead", "has_email"), "yes", "case 'doi-consumer': lead.has_email: 'yes' is not true"),
    (("evidence", 0, "kind"), "consent_maybe",
     "case 'doi-consumer': evidence[0].kind: unknown kind"),
    (("evidence", 0, "kind"), _DELETE, "case 'doi-consumer': evidence[0].kind: missing required"),
    (("evidence", 0, "at"), "tomorrow",
     "case 'doi-consumer': evidence[0].at: 'tomorrow' is not an ISO date"),
    (("evidence", 0, "at"), _DELETE, "case 'doi-consumer': evidence[0].at: missing required"),
    (("evidence", 0, "channels"), ["email", "telegram"],
     "case 'doi-consumer': evidence[0].channels[1]: unknown channel 'telegram'"),
    (("evidence", 0, "channels"), _DELETE,
     "case 'doi-consumer': evidence[0].channels: missing required field"),
    (("evidence", 0, "method"), "telepathy", "case 'doi-consumer': evidence[0].method: unknown"),
    (("as_of",), "26.11.2026", "case 'doi-consumer': as_of: '26.11.2026' is not an ISO date"),
])
def test_invalid_field_names_case_and_field(path: tuple[Any, ...], value: Any,
                                            message: str) -> None:
    with pytest.raises(CaseError) as exc:
        case_from_dict(_with(path, value))
    assert str(exc.value).startswith(message)


def test_case_without_id_is_named_by_position() -> None:
    second = _with(("as_of",), "never")
    del second["id"]
    with pytest.raises(CaseError, match=r"^case #2: as_of: 'never'"):
        cases_from_json([GOOD, second])


def test_unknown_fields_are_warnings() -> None:
    data = _with(("lead", "shoe_size"), 44)
    data["evidence"][0]["colour"] = "blue"
    data["comment"] = "x"
    case, warnings = case_from_dict(data)
    assert case.lead.source == "web_form"
    assert warnings == [
        "case 'doi-consumer': lead.shoe_size: unknown field, ignored",
        "case 'doi-consumer': evidence[0].colour: unknown field, ignored",
        "case 'doi-consumer': comment: unknown field, ignored",
    ]


def test_objection_without_channels_covers_all() -> None:
    data = copy.deepcopy(GOOD)
    data["evidence"].append({"at": "2026-07-01", "kind": "objection_art21"})
    data["evidence"].append({"at": "2026-07-02", "kind": "advertising_sent"})
    case, _ = case_from_dict(data)
    assert case.evidence[1].names("fax")
    assert not case.evidence[2].names("email")


def test_list_input_keeps_order() -> None:
    second = _with(("id",), "second")
    parsed = cases_from_json([second, GOOD])
    assert parsed.is_list
    assert [c.id for c in parsed.cases] == ["second", "doi-consumer"]
    assert not cases_from_json(GOOD).is_list

"""Item 7 of #20: every field and the request are limited, with a clear 413 or 422 (never a
500), and the limits are validated configuration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from foundation.config import ConfigError
from foundation.settings import Settings
from intake.config import load_intake_config
from tests.intake.conftest import FORM, PERSON, Service, sign


def _post(service: Service, body: bytes) -> tuple[int, dict]:
    response = service.client.post("/forms/kontakt", content=body, headers=sign(body))
    return response.status_code, response.json()


def test_every_field_and_the_request_are_limited(start_service: Callable[..., Service]) -> None:
    service = start_service(limits={"max_fields": 20, "max_value_chars": 500})
    five_mb = json.dumps({**PERSON, "message": "x" * 5_000_000}).encode()
    assert _post(service, five_mb)[0] == 413

    status, answer = _post(service, json.dumps({**PERSON, "utm_campaign": "x" * 501}).encode())
    assert (status, answer["fields"]) == (422, {"utm_campaign": "longer than 500 characters"})

    status, answer = _post(service, json.dumps({**PERSON, "page_url": "x" * 501}).encode())
    assert (status, answer["fields"]) == (422, {"page_url": "longer than 500 characters"})

    status, answer = _post(service, json.dumps({**PERSON, "extra": {"a": [1]}}).encode())
    assert (status, answer["fields"]) == (422, {"extra": "must be a single value"})

    many = {**PERSON, **{f"k{i}": "" for i in range(30)}}
    status, answer = _post(service, json.dumps(many).encode())
    assert status == 413
    assert "20 fields" in answer["error"]


@pytest.mark.parametrize("body", [
    b'{"email": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
    b'{"email": "a@b.example", "last_name": ' + b"9" * 5000 + b"}",
    b'{"email": "a@b.example", "last_name": NaN}',
])
def test_hostile_json_gets_a_4xx_not_a_500(start_service: Callable[..., Service],
                                           body: bytes) -> None:
    service = start_service()
    status, answer = _post(service, body)
    assert 400 <= status < 500, answer
    assert answer["error"]
    confirm = service.client.post("/doi/confirm", content=b"[" * 3000,
                                  headers={"Content-Type": "application/json"})
    assert 400 <= confirm.status_code < 500


@pytest.mark.parametrize(("limits", "field_length", "key"), [
    ({"max_body_bytes": 50_000_000}, 100, "max_body_bytes"),
    ({"max_value_chars": 0}, 100, "max_value_chars"),
    ({"max_fields": 100_000}, 100, "max_fields"),
    ({}, 5_000_000, "max_length"),
])
def test_limits_are_validated_and_the_error_names_the_key(
        settings: Settings, tmp_path: Path, limits: dict, field_length: int, key: str) -> None:
    form = {**FORM, "fields": [{"name": "email", "kind": "email", "required": True,
                                "max_length": field_length}]}
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump({"limits": limits, "forms": [form]}, allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=key):
        load_intake_config(settings, path)

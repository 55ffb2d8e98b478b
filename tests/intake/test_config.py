"""Form configuration: defaults load, and mistakes that would weaken the evidence are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from foundation.config import ConfigError
from foundation.settings import Settings
from intake.config import load_intake_config
from intake.submit import Rejected, check_signature, sign
from tests.intake.conftest import FORM, SECRET


def _load(settings: Settings, tmp_path: Path, form: dict) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump({"forms": [form]}, allow_unicode=True), encoding="utf-8")
    load_intake_config(settings, path)


def test_defaults_load_with_the_demo_form(settings: Settings) -> None:
    config = load_intake_config(settings).value
    assert [f.id for f in config.forms] == ["demo"]
    assert config.limits.max_body_bytes == 65536
    assert config.doi.token_valid_days == 7
    assert config.retention.unconfirmed_days == 30


def test_an_override_in_the_config_dir_replaces_the_demo_form(settings: Settings) -> None:
    settings.config_dir.mkdir(parents=True)
    (settings.config_dir / "intake-forms.yaml").write_text(
        yaml.safe_dump({"forms": [FORM]}, allow_unicode=True), encoding="utf-8")
    assert [f.id for f in load_intake_config(settings).value.forms] == ["kontakt"]


@pytest.mark.parametrize(("change", "message"), [
    ({"consents": [{**FORM["consents"][0], "text": "Ja, Sie dürfen mir E-Mails senden."}]},
     "must name the controller"),
    ({"fields": [{"name": "email", "kind": "email"}, {"name": "shoe_size"}]},
     "is not a lead field"),
    ({"consents": [{**FORM["consents"][0], "channels": ["pigeon"]}]}, "unknown channels"),
    ({"honeypot": "email"}, "must not be a real field"),
    ({"secret": None, "allowed_origins": []}, "needs a secret or allowed origins"),
    ({"secret": "short"}, "at least 16"),
    ({"allowed_origins": ["https://www.example.de/"]}, "without a path"),
])
def test_invalid_forms_are_refused_with_the_key(settings: Settings, tmp_path: Path,
                                                change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(settings, tmp_path, {**FORM, **change})


def test_signature_covers_timestamp_and_body(settings: Settings) -> None:
    form = load_intake_config(settings).value.forms[0].model_copy(update={"secret": SECRET})
    body = b'{"email": "a@b.example"}'
    good = sign(SECRET, "1700000000", body)
    check_signature(form, body, good, "1700000000", 1700000100, 300)
    for args in ((body + b" ", good, "1700000000"), (body, good, "1700000001"),
                 (body, good, None), (body, good, "17e8")):
        with pytest.raises(Rejected) as info:
            check_signature(form, args[0], args[1], args[2], 1700000100, 300)
        assert info.value.status == 401

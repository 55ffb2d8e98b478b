"""The DOI mail in both languages: only confirmation, controller, consent, link, how to ignore."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.config import FormSpec
from intake.render import doi_mail, load_texts, page
from intake.submit import Visitor, build_record
from tests.intake.conftest import FORM, mail_part


@pytest.mark.parametrize(("language", "expected"), [
    ("de", ["Bitte bestätigen Sie", "ignorieren Sie diese E-Mail", "Verantwortlich:",
            "26.11.2026 09:15 UTC"]),
    ("en", ["Please confirm", "simply ignore this e-mail", "Controller:",
            "2026-11-26 09:15 UTC"]),
])
def test_mail_in_both_languages(language: str, expected: list[str]) -> None:
    form = FormSpec.model_validate({**FORM, "language": language})
    record = build_record(form, {"consent_email": "on"},
                          {"email": "ana@firma.example", "first_name": "Ana",
                           "last_name": "Lima"},
                          Visitor("192.0.2.1", "UA", "https://www.example.de/demo"),
                          "in-1", datetime(2026, 11, 26, 9, 15, tzinfo=UTC))
    message = doi_mail(form, record, "https://forms.example.de/doi/confirm?token=abc",
                       "2026-12-03T09:15:00+00:00", "Example GmbH <noreply@example.de>",
                       load_texts())
    text = mail_part(message, "plain")
    for phrase in [*expected, "Example GmbH", "Hafenstraße 5, 20457 Hamburg",
                   "datenschutz@example.de", "https://forms.example.de/doi/confirm?token=abc",
                   FORM["consents"][0]["text"], "Ana Lima"]:
        assert phrase in text
    assert "https://www.example.de/demo" not in text  # no submitted URL in the mail
    assert "ana@firma.example" not in text
    assert FORM["consents"][1]["text"] not in text  # only what was ticked
    assert message["To"] == "ana@firma.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert 'href="https://forms.example.de/doi/confirm?token=abc"' in mail_part(message, "html")


def test_pages_escape_and_speak_the_form_language() -> None:
    form = FormSpec.model_validate({**FORM, "language": "en"})
    record = {"email": "x@y.example", "first_name": "<i>Bo</i>", "last_name": None,
              "consent": {"text": "<b>consent</b>"}}
    ask = page(form, load_texts(), "ask", record, token='"><script>')
    assert "Please confirm" in ask
    assert "&lt;b&gt;consent&lt;/b&gt;" in ask
    assert "<script>" not in ask
    assert "&quot;&gt;&lt;script&gt;" in ask
    done = page(form, load_texts(), "confirmed", record)
    assert "&lt;i&gt;Bo&lt;/i&gt;" in done
    assert "<i>" not in done

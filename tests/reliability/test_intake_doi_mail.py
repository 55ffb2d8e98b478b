"""Item 8 of #20: the DOI mail is no relay. No CR/LF or other control characters get in, no
submitted free text or URL appears in it (only a sanitised salutation), and DOI mails are
rate-limited per recipient and per client. Real service, real SMTP sink."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.intake.conftest import ORIGIN, PERSON, Service, Smtp, mail_part

PHISH = "http://evil.example/login"


def _raw(message: object) -> str:
    return bytes(message).decode("utf-8", "replace")  # type: ignore[call-overload]


def test_no_submitted_text_url_or_line_break_reaches_the_mail(
        start_service: Callable[..., Service], smtp: Smtp) -> None:
    service = start_service()
    hostile = {
        **PERSON,
        "first_name": "Jana",
        "last_name": f"Schäfer\r\nBcc: victim@else.example\r\n\r\nPlease log in at {PHISH}",
        "company": f"Win a prize at {PHISH}",
        "page_url": PHISH,
    }
    refused = service.post_signed(hostile)
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"last_name": "contains control characters"}

    accepted = service.post_signed({**hostile, "last_name": f"Schäfer visit {PHISH}"})
    assert accepted.status_code == 202, accepted.text
    browser = service.client.post(
        "/forms/kontakt", data={"email": "max@muster.example", "last_name": "Muster",
                                "first_name": "Max", "website": "", "consent_email": "on"},
        headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}/kontakt?next={PHISH}"})
    assert browser.status_code == 202, browser.text

    mails = smtp.inbox.wait(2)
    for mail in mails:
        raw = _raw(mail)
        assert "evil.example" not in raw
        assert "victim@else.example" not in raw
        assert mail["Bcc"] is None
        assert "Win a prize" not in raw
        assert f"{ORIGIN}/kontakt" not in raw
        for line in mail_part(mail, "plain").splitlines():
            assert "\r" not in line
    first = mail_part(next(m for m in mails if "Jana" in m["To"]), "plain")
    assert first.startswith("Guten Tag,")  # the name held a URL: no name at all
    second = mail_part(next(m for m in mails if "max@" in m["To"]), "plain")
    assert second.startswith("Guten Tag Max Muster,")


def test_doi_mails_are_rate_limited_per_recipient_and_per_client(
        start_service: Callable[..., Service], smtp: Smtp) -> None:
    service = start_service(limits={"doi_per_recipient_per_day": 2,
                                    "doi_per_client_per_hour": 3})
    victim = {**PERSON, "visitor_ip": "198.51.100.1"}
    answers = [service.post_signed({**victim, "last_name": f"N{i}"}).status_code
               for i in range(3)]
    assert answers == [202, 202, 429]

    client = {**PERSON, "visitor_ip": "198.51.100.2"}
    answers = [service.post_signed({**client, "email": f"p{i}@firma.example"}).status_code
               for i in range(4)]
    assert answers == [202, 202, 202, 429]
    limited = service.post_signed({**client, "email": "p9@firma.example"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0

    # a submission without e-mail consent sends no mail and is not limited by these
    no_mail = service.post_signed({**client, "consent_email": False, "email": "q@f.example"})
    assert no_mail.status_code == 201
    smtp.inbox.wait(5)
    time.sleep(0.3)
    assert len(smtp.inbox.messages) == 5

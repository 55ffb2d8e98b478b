"""The real service on a local port with a real SMTP server: the DOI round trip and abuse."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from ingest.forms import read_form_export
from intake.handoff import export_pending
from tests.intake.conftest import (
    EMAIL_TEXT,
    ORIGIN,
    PERSON,
    PHONE_TEXT,
    Service,
    Smtp,
    free_port,
    mail_link,
    mail_part,
    sign,
)


def _rows(service: Service, sql: str) -> list[sqlite3.Row]:
    con = sqlite3.connect(service.state)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _wait(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _token(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def test_submit_receive_mail_confirm_and_export(start_service: Callable[..., Service],
                                                smtp: Smtp, tmp_path) -> None:
    service = start_service()
    response = service.post_signed(PERSON)
    assert response.status_code == 202, response.text
    submission_id = response.json()["submission_id"]
    assert response.json()["doi"] == "sent"

    mail = smtp.inbox.wait(1)[0]
    assert mail["To"] == "Jana.Schaefer@firma.example"
    assert "Example GmbH" in mail["Subject"]
    text = mail_part(mail, "plain")
    assert EMAIL_TEXT in text
    assert PHONE_TEXT in text
    assert "Hafenstraße 5, 20457 Hamburg" in text
    assert "ignorieren Sie diese E-Mail" in text
    link = mail_link(mail)
    assert link.startswith(service.url + "/doi/confirm?token=")
    token = _token(link)

    # only the hash is kept once the mail is out
    assert _rows(service, "SELECT token FROM outbox")[0]["token"] is None
    stored = _rows(service, "SELECT token_hash FROM doi_tokens")[0]["token_hash"]
    assert stored == hashlib.sha256(token.encode()).hexdigest()

    page = service.client.get(link)
    assert page.status_code == 200
    assert 'name="token"' in page.text
    assert "confirmed" not in _rows(
        service, "SELECT doi_status FROM submissions")[0]["doi_status"]
    done = service.client.post("/doi/confirm", data={"token": token},
                               headers={"User-Agent": "Thunderbird/128"})
    assert done.status_code == 200
    assert "bestätigt" in done.text
    confirmation = _rows(service, "SELECT * FROM confirmations")[0]
    assert confirmation["submission_id"] == submission_id
    assert confirmation["ip"] == "127.0.0.1"
    assert confirmation["user_agent"] == "Thunderbird/128"

    again = service.client.post("/doi/confirm", data={"token": token})
    assert again.status_code == 410
    assert "bereits verwendet" in again.text
    assert service.client.get(link).status_code == 410

    [path] = export_pending(service.state, tmp_path / "out")
    export = read_form_export(path)
    assert export.quarantine == []
    [sub] = export.submissions
    assert sub.submission_id == submission_id
    assert sub.record["email"] == "Jana.Schaefer@firma.example"
    assert sub.record["ip"] == "203.0.113.7"
    assert sub.record["user_agent"] == "Mozilla/5.0 (Test)"
    assert sub.record["request_type"] == "demo"
    by_method = {e["method"]: e for e in sub.consent_events if e["kind"] == "consent_given"}
    doi = by_method["double_opt_in"]
    assert doi["channels"] == ["email"]
    assert doi["confirmed_at"] == confirmation["confirmed_at"]
    assert doi["doi_ip"] == "127.0.0.1"
    assert doi["pre_ticked"] is False
    assert doi["names_controller"] is True
    assert doi["evidence_complete"] is True
    assert doi["consent_text_version"] == "mail-v2+tel-v1"
    assert doi["consent_text_sha256"] == hashlib.sha256(doi["consent_text"].encode()).hexdigest()
    assert doi["privacy_notice_version"] == "dsgvo-2026-01"
    assert doi["doi_requested_at"] is not None
    assert by_method["checkbox_single_opt_in"]["channels"] == ["phone"]


def test_browser_post_with_origin_and_empty_honeypot(start_service: Callable[..., Service],
                                                     smtp: Smtp) -> None:
    service = start_service()
    response = service.client.post(
        "/forms/kontakt", data={"email": "max@muster.example", "last_name": "Muster",
                                "website": "", "consent_phone": "on"},
        headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}/kontakt", "User-Agent": "Firefox/1"})
    assert response.status_code == 201, response.text
    assert response.json()["doi"] == "not_needed"
    assert response.headers["access-control-allow-origin"] == ORIGIN
    record = json.loads(_rows(service, "SELECT record FROM submissions")[0]["record"])
    assert (record["page_url"], record["user_agent"]) == (f"{ORIGIN}/kontakt", "Firefox/1")
    assert record["consent"]["channels"] == ["phone"]
    time.sleep(0.3)
    assert smtp.inbox.messages == []
    preflight = service.client.options("/forms/kontakt", headers={"Origin": ORIGIN})
    assert preflight.status_code == 204


def test_rejected_posts_store_nothing(start_service: Callable[..., Service]) -> None:
    service = start_service()
    body = json.dumps(PERSON).encode()
    bad = sign(body)
    bad["X-Leadpipe-Signature"] = "sha256=" + "0" * 64
    cases = {
        "bad signature": service.client.post("/forms/kontakt", content=body, headers=bad),
        "signed with another secret": service.client.post(
            "/forms/kontakt", content=body, headers=sign(body, secret="x" * 20)),
        "stale timestamp": service.post_signed(PERSON, timestamp=int(time.time()) - 301),
        "future timestamp": service.post_signed(PERSON, timestamp=int(time.time()) + 301),
        "disallowed origin": service.client.post(
            "/forms/kontakt", data={**PERSON, "website": ""},
            headers={"Origin": "https://evil.example"}),
        "no origin, no signature": service.client.post("/forms/kontakt", json=PERSON),
        "honeypot filled": service.client.post(
            "/forms/kontakt", data={**PERSON, "website": "http://spam.example"},
            headers={"Origin": ORIGIN}),
        "honeypot missing": service.client.post("/forms/kontakt", data=PERSON,
                                                headers={"Origin": ORIGIN}),
        "wrong content type": service.client.post(
            "/forms/kontakt", content=b"email=a@b.de", headers={
                "Origin": ORIGIN, "Content-Type": "text/plain"}),
        "multipart": service.client.post("/forms/kontakt", data={"website": ""},
                                         files={"f": ("a.txt", b"x")},
                                         headers={"Origin": ORIGIN}),
        "unknown form": service.post_signed(PERSON, form="nope"),
    }
    statuses = {name: r.status_code for name, r in cases.items()}
    assert statuses == {
        "bad signature": 401, "signed with another secret": 401, "stale timestamp": 401,
        "future timestamp": 401, "disallowed origin": 403, "no origin, no signature": 401,
        "honeypot filled": 400, "honeypot missing": 400, "wrong content type": 415,
        "multipart": 415, "unknown form": 404,
    }
    assert _rows(service, "SELECT count(*) AS n FROM submissions")[0]["n"] == 0


def test_a_replayed_signed_request_is_refused(start_service: Callable[..., Service]) -> None:
    service = start_service()
    body = json.dumps(PERSON).encode()
    headers = sign(body)
    assert service.client.post("/forms/kontakt", content=body, headers=headers).status_code == 202
    replay = service.client.post("/forms/kontakt", content=body, headers=headers)
    assert replay.status_code == 401
    assert "already" in replay.json()["error"]
    assert _rows(service, "SELECT count(*) AS n FROM submissions")[0]["n"] == 1


def test_oversized_bodies_are_refused_while_reading(start_service: Callable[..., Service]
                                                    ) -> None:
    service = start_service()
    big = json.dumps({**PERSON, "message": "x" * 70_000}).encode()
    declared = service.client.post("/forms/kontakt", content=big, headers=sign(big))
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for start in range(0, len(big), 8192):
            yield big[start:start + 8192]

    streamed = service.client.post("/forms/kontakt", content=chunks(), headers=sign(big))
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert _rows(service, "SELECT count(*) AS n FROM submissions")[0]["n"] == 0


def test_validation_names_the_fields(start_service: Callable[..., Service]) -> None:
    service = start_service()
    response = service.post_signed({**PERSON, "last_name": " ", "email": "not-an-address",
                                    "phone": "call me", "company": "x" * 201,
                                    "first_name": ["a", "b"]})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "last_name": "required", "email": "not an e-mail address",
        "phone": "not a phone number", "company": "longer than 200 characters",
        "first_name": "must be a single value"}


def test_script_injection_is_stored_as_text_and_escaped_where_shown(
        start_service: Callable[..., Service], smtp: Smtp, tmp_path) -> None:
    service = start_service()
    evil = '<script>alert("x")</script>'
    response = service.post_signed({**PERSON, "first_name": evil,
                                    "page_url": 'https://a.example/"><img src=x onerror=1>'})
    assert response.status_code == 202
    record = json.loads(_rows(service, "SELECT record FROM submissions")[0]["record"])
    assert record["first_name"] == evil

    mail = smtp.inbox.wait(1)[0]
    html_part = mail_part(mail, "html")
    assert "<script>" not in html_part
    assert "<img" not in html_part
    # not a name: the mail greets without it (no submitted text goes into the mail)
    assert "script" not in mail_part(mail, "plain")
    assert "script" not in html_part

    link = mail_link(mail)
    page = service.client.post("/doi/confirm", data={"token": _token(link)})
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    [path] = export_pending(service.state, tmp_path / "out")
    assert read_form_export(path).submissions[0].record["first_name"] == evil


def test_direct_get_confirmation_and_replayed_token(start_service: Callable[..., Service],
                                                    smtp: Smtp) -> None:
    service = start_service(doi={"confirm_with_button": False})
    assert service.post_signed(PERSON).status_code == 202
    link = mail_link(smtp.inbox.wait(1)[0])
    first = service.client.get(link)
    assert first.status_code == 200
    assert "ist bestätigt" in first.text
    second = service.client.get(link)
    assert second.status_code == 410
    assert "bereits verwendet" in second.text
    unknown = service.client.get("/doi/confirm", params={"token": "<b>forged</b>"})
    assert unknown.status_code == 404
    assert "<b>" not in unknown.text
    assert len(_rows(service, "SELECT * FROM confirmations")) == 1


def test_an_expired_token_confirms_nothing(start_service: Callable[..., Service],
                                           smtp: Smtp) -> None:
    service = start_service()
    assert service.post_signed(PERSON).status_code == 202
    token = _token(mail_link(smtp.inbox.wait(1)[0]))
    service.clock.offset = timedelta(days=7, minutes=1)
    page = service.client.post("/doi/confirm", data={"token": token})
    assert page.status_code == 410
    assert "abgelaufen" in page.text
    assert _rows(service, "SELECT doi_status FROM submissions")[0]["doi_status"] == "pending"
    assert _rows(service, "SELECT count(*) AS n FROM confirmations")[0]["n"] == 0


def test_smtp_down_mail_stays_queued_is_retried_reported_and_delivered_later(
        start_service: Callable[..., Service]) -> None:
    down = Smtp(free_port())  # nothing listens here yet
    service = start_service(smtp_port=down.port)
    assert service.post_signed(PERSON).status_code == 202
    _wait(lambda: service.health()["mail_retrying"] == 1
          and _rows(service, "SELECT attempts FROM outbox")[0]["attempts"] >= 2)
    health = service.health()
    assert health["mail_queued"] == 1
    assert health["mail_sent"] == 0
    assert "Connection" in health["last_mail_error"] or "refused" in health["last_mail_error"]
    assert _rows(service, "SELECT token FROM outbox")[0]["token"] is None  # derived when sent

    down.start()
    try:
        mail = down.inbox.wait(1)[0]
        assert "/doi/confirm?token=" in mail_part(mail, "plain")
        _wait(lambda: service.health()["mail_sent"] == 1)
        assert service.health()["mail_queued"] == 0
    finally:
        down.stop()


def test_rate_limit_per_ip_with_retry_after(start_service: Callable[..., Service]) -> None:
    service = start_service(limits={"rate_capacity": 2, "rate_per_minute": 1})
    first, second, third = (service.post_signed({**PERSON, "email": f"p{i}@firma.example"})
                            for i in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (202, 202, 429)
    assert 1 <= int(third.headers["retry-after"]) <= 60
    other_ip = service.post_signed({**PERSON, "visitor_ip": "198.51.100.9"})
    assert other_ip.status_code == 202


def test_forwarded_for_is_used_only_from_trusted_proxies(
        start_service: Callable[..., Service]) -> None:
    browser = {"email": "a@firma.example", "last_name": "A", "website": ""}
    headers = {"Origin": ORIGIN, "X-Forwarded-For": "192.0.2.1, 198.51.100.20"}
    untrusted = start_service()
    assert untrusted.client.post("/forms/kontakt", data=browser,
                                 headers=headers).status_code == 201
    trusted = start_service(trusted_proxies=["127.0.0.0/8"])
    assert trusted.client.post("/forms/kontakt", data=browser, headers=headers).status_code == 201
    ips = [json.loads(r["record"])["ip"] for r in _rows(trusted, "SELECT record FROM submissions "
                                                                "ORDER BY rowid")]
    # both services share the data dir: first the untrusted peer, then the forwarded client
    assert ips == ["127.0.0.1", "198.51.100.20"]


def test_healthz(start_service: Callable[..., Service]) -> None:
    service = start_service()
    health = service.health()
    assert health["status"] == "ok"
    assert re.fullmatch(r"\d+", str(health["submissions"]))

"""From a website's form post to an `allowed` e-mail decision, with real parts throughout.

A real service on a local port, a real SMTP server, the DOI link followed, the nightly
hand-off, ingest, enrichment, matching and the eligibility stage on a real warehouse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from stages.consent import import_external_events
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.ingest import ingest_form_file
from stages.intake import hand_off
from stages.match import match_all
from tests.intake.conftest import PERSON, Service, Smtp, mail_link
from warehouse.db import open_warehouse


def _decisions(service: Service) -> dict[str, tuple[str, str]]:
    with open_warehouse(service.settings, write=False) as wh:
        rows = wh.fetchall(
            "SELECT d.channel, d.decision, d.reason FROM core.eligibility_decisions d "
            "JOIN core.leads l USING (lead_id) WHERE d.is_current AND l.entity_type = 'contact'")
    return {channel: (decision, reason) for channel, decision, reason in rows}


def _pipeline(service: Service) -> None:
    inbox = service.settings.data_dir / "inbox"
    for path in hand_off(service.settings, inbox).files:
        if "/forms/" in path:
            ingest_form_file(service.settings, Path(path))
    enrich_new(service.settings)
    match_all(service.settings)
    decide_all(service.settings, date.today())


def test_confirmed_double_opt_in_allows_email(
    start_service: Callable[..., Service], smtp: Smtp
) -> None:
    service = start_service()
    response = service.post_signed({**PERSON, "consent_phone": False})
    assert response.status_code == 202, response.text

    # before the click: the consent is a single opt-in, e-mail stays blocked
    _pipeline(service)
    before = _decisions(service)
    assert before["email"] == ("blocked", "consent_unconfirmed_single_opt_in")

    token = parse_qs(urlsplit(mail_link(smtp.inbox.wait(1)[0])).query)["token"][0]
    confirmed = service.client.post("/doi/confirm", data={"token": token},
                                    headers={"User-Agent": "Thunderbird/128"})
    assert confirmed.status_code == 200

    _pipeline(service)  # a confirmation after the export arrives as a consent event
    inbox = service.settings.data_dir / "inbox" / "events"
    for events in sorted(inbox.glob("*.ndjson")):
        import_external_events(service.settings, events)
    decide_all(service.settings, date.today())
    after = _decisions(service)
    assert after["email"] == ("allowed", "consent_valid_doi")
    # no phone consent was ticked, but a business asking for a demo is an inbound inquiry:
    # presumed consent, category A (B2B only); SMS needs its own verified consent
    assert after["phone"] == ("allowed", "uwg7_2_1_presumed_consent_documented")
    assert after["sms"][0] == "blocked"

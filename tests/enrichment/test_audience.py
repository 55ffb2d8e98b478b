"""Audience and channel kinds per rule A3: business only where business capacity is shown."""

from __future__ import annotations

import pytest

from enrichment.audience import AudienceSignals, decide_audience


def test_corporation_is_b2b_with_business_channels() -> None:
    r = decide_audience(AudienceSignals(
        has_company=True, legal_entity="corporation", email_kind="personal_business",
        email_domain_matches_website=True, phone_type="fixed", has_phone=True,
        has_postal_address=True, origin="vendor_list"))
    assert (r.audience, r.sole_trader, r.email_kind, r.phone_kind, r.postal_kind) == \
        ("b2b", False, "business_personal", "business_line", "business")
    assert "legal_form: corporation" in r.reasons


def test_company_mobile_from_a_list_is_mixed_use() -> None:
    r = decide_audience(AudienceSignals(has_company=True, legal_entity="corporation",
                                        phone_type="mobile", has_phone=True))
    assert r.phone_kind == "mobile_unknown_use"


def test_sole_trader_from_a_list_keeps_private_channels() -> None:
    r = decide_audience(AudienceSignals(
        has_company=True, legal_entity=None, name_in_company=True, email_kind="freemail",
        phone_type="fixed", has_phone=True, has_postal_address=True, origin="vendor_list"))
    assert (r.audience, r.sole_trader) == ("b2b", True)
    assert (r.email_kind, r.phone_kind, r.postal_kind) == \
        ("private", "private_landline", "private")


def test_sole_trader_from_impressum_has_business_channels() -> None:
    r = decide_audience(AudienceSignals(
        has_company=True, legal_entity="sole_trader", email_kind="freemail",
        phone_type="mobile", has_phone=True, has_postal_address=True, origin="impressum_crawl"))
    assert r.sole_trader is True
    assert (r.email_kind, r.phone_kind, r.postal_kind) == \
        ("freemail_business", "business_line", "business")
    assert "crawled_impressum" in r.reasons


def test_sole_trader_business_inquiry_counts_as_business_capacity() -> None:
    r = decide_audience(AudienceSignals(
        has_company=True, sole_trader_words=True, email_kind="freemail", phone_type="fixed",
        has_phone=True, origin="web_form", business_inquiry=True))
    assert (r.email_kind, r.phone_kind) == ("freemail_business", "business_line")


def test_sole_trader_own_domain_address_is_business() -> None:
    r = decide_audience(AudienceSignals(
        has_company=True, legal_entity="sole_trader", email_kind="personal_business",
        email_domain_matches_website=True))
    assert r.email_kind == "business_personal"


@pytest.mark.parametrize(
    ("signals", "audience", "reason"),
    [
        (AudienceSignals(email_kind="freemail", has_phone=True, phone_type="mobile"),
         "b2c", "private_contact_only"),
        (AudienceSignals(email_kind="personal_business", has_website=True), "unknown",
         "no_business_signal"),
        (AudienceSignals(), "unknown", "no_business_signal"),
        (AudienceSignals(has_company=True), "unknown",
         "company_name_without_business_evidence"),
        (AudienceSignals(private_request=True, email_kind="personal_business"), "b2c",
         "private_request"),
        (AudienceSignals(has_register_entry=True), "b2b", "register_entry"),
        (AudienceSignals(email_kind="role", email_domain_matches_name=True), "b2b",
         "business_email_domain"),
    ],
)
def test_audience_decisions(signals: AudienceSignals, audience: str, reason: str) -> None:
    r = decide_audience(signals)
    assert r.audience == audience
    assert reason in r.reasons


def test_consumer_channels() -> None:
    r = decide_audience(AudienceSignals(email_kind="freemail", has_phone=True,
                                        phone_type="mobile", has_postal_address=True))
    assert (r.email_kind, r.phone_kind, r.postal_kind) == ("private", "private_mobile", "private")


def test_unknown_audience_mobile_is_unknown_use_and_nothing_is_business() -> None:
    r = decide_audience(AudienceSignals(has_company=True, has_phone=True, phone_type="mobile",
                                        email_kind="personal_business",
                                        has_postal_address=True))
    assert r.audience == "unknown"
    assert (r.email_kind, r.phone_kind, r.postal_kind) == \
        ("private", "mobile_unknown_use", "private")


def test_no_channels_no_kinds() -> None:
    r = decide_audience(AudienceSignals(has_company=True, legal_entity="corporation"))
    assert (r.email_kind, r.phone_kind, r.postal_kind) == (None, None, None)

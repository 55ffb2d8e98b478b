"""E-mail: syntax, normalisation, kind, and the DNS path with an injected fake resolver."""

from __future__ import annotations

import pytest

from enrichment.dns import DomainChecker, InMemoryDomainCache
from enrichment.email import enrich_email


@pytest.mark.parametrize(
    ("value", "normalized", "kind"),
    [
        ("Max.Muster@Firma.DE", "Max.Muster@firma.de", "personal_business"),
        ("info@firma.de", "info@firma.de", "role"),
        ("Vertrieb@shop.example.co.uk", "Vertrieb@shop.example.co.uk", "role"),
        ("kontakt2@firma.de", "kontakt2@firma.de", "role"),
        ("anna@gmx.de", "anna@gmx.de", "freemail"),
        ("info@web.de", "info@web.de", "freemail"),  # freemail beats role
        ("info@mailinator.com", "info@mailinator.com", "disposable"),  # disposable beats all
        ("kunde@xn--bcher-kva.de", "kunde@bücher.de", "personal_business"),
        ("mailto:Anna@Firma.de", "Anna@firma.de", "personal_business"),
    ],
)
def test_valid_addresses_are_unknown_offline(value: str, normalized: str, kind: str) -> None:
    result = enrich_email(value)
    assert result.normalized == normalized
    assert result.kind == kind
    assert result.status == "unknown"
    assert any(r.startswith("dns_off") for r in result.reasons)


def test_registrable_domain_of_a_subdomain() -> None:
    assert enrich_email("a@mail.shop.example.co.uk").registrable_domain == "example.co.uk"


@pytest.mark.parametrize(
    ("value", "reason_start"),
    [
        ("a\u200bb@firma.de", "invisible_character: U+200B"),
        ("anna@fir\u200dma.de", "invisible_character: U+200D"),
        ("a" * 300 + "@firma.de", "syntax:"),
        ("anna@p\u0430ypal.com", "idn_homograph"),  # Cyrillic a in a Latin label
        ("\u0430nna@firma.de", "idn_homograph"),  # Cyrillic a in a Latin local part
        ("anna@@firma.de", "syntax:"),
        ("anna@localhost", "syntax:"),
        ("anna firma.de", "syntax:"),
        ("   ", "empty"),
        ("", "empty"),
    ],
)
def test_bad_addresses_get_a_status_and_reason(value: str, reason_start: str) -> None:
    result = enrich_email(value)
    assert result.status == "invalid_syntax"
    assert result.normalized is None
    assert result.reasons[0].startswith(reason_start)


def test_none_is_missing_not_invalid() -> None:
    result = enrich_email(None)
    assert result.status is None
    assert result.reasons == ["missing"]


class FakeResolver:
    """Answers from a table; counts calls; raises TimeoutError for domains marked 'timeout'."""

    def __init__(self, table: dict[tuple[str, str], list[str] | str]) -> None:
        self.table = table
        self.calls: list[tuple[str, str]] = []

    def __call__(self, domain: str, rdtype: str, timeout_s: float) -> list[str]:
        self.calls.append((domain, rdtype))
        answer = self.table.get((domain, rdtype), [])
        if answer == "timeout":
            raise TimeoutError(domain)
        assert isinstance(answer, list)
        return answer


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver({
        ("firma.de", "MX"): ["10 mx.firma.de."],
        ("nur-a.de", "MX"): [],
        ("nur-a.de", "A"): ["192.0.2.1"],
        ("nullmx.de", "MX"): ["0 ."],
        ("langsam.de", "MX"): "timeout",
        ("xn--bcher-kva.de", "MX"): ["10 mx.example."],
    })


@pytest.mark.parametrize(
    ("value", "status", "reason"),
    [
        ("anna@firma.de", "valid", "mx_found"),
        ("anna@nur-a.de", "valid", "no_mx_a_record_fallback"),
        ("anna@gibtsnicht.de", "no_mx", "no_mx_no_address"),
        ("anna@nullmx.de", "no_mx", "no_mx_no_address"),
        ("anna@langsam.de", "unknown", "dns_timeout"),
        ("anna@bücher.de", "valid", "mx_found"),
    ],
)
def test_dns_status(resolver: FakeResolver, value: str, status: str, reason: str) -> None:
    checker = DomainChecker(resolver, workers=2)
    result = enrich_email(value, dns=checker)
    assert result.status == status
    assert reason in result.reasons


def test_lookups_are_per_unique_domain_and_cached(resolver: FakeResolver) -> None:
    checker = DomainChecker(resolver, workers=4)
    for value in ["a@firma.de", "b@firma.de", "c@FIRMA.de", "d@nur-a.de"]:
        enrich_email(value, dns=checker)
    assert resolver.calls.count(("firma.de", "MX")) == 1
    assert checker.lookups == len(resolver.calls) == 3  # firma MX, nur-a MX + A


def test_cache_ttl_expires_and_timeouts_are_not_cached(resolver: FakeResolver) -> None:
    now = [1000.0]
    checker = DomainChecker(resolver, InMemoryDomainCache(ttl_s=60), clock=lambda: now[0])
    checker.check_many(["firma.de", "langsam.de"])
    checker.check_many(["firma.de", "langsam.de"])
    assert resolver.calls.count(("firma.de", "MX")) == 1
    assert resolver.calls.count(("langsam.de", "MX")) == 2
    now[0] += 61
    checker.check("firma.de")
    assert resolver.calls.count(("firma.de", "MX")) == 2

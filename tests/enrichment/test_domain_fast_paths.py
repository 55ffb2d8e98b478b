"""The fast paths for plain host names: `enrichment.email` accepts only domains
email-validator accepts unchanged (and reads addresses as the full validation does);
`enrichment.domains` finds the registrable domain urlsplit would have found."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest
from email_validator import EmailNotValidError, validate_email

from bench.generate_leads import generate
from enrichment import email
from enrichment.domains import _EXTRACT, registrable_domain

EDGES = [
    "beispiel.de", "a.de", "x-y.de", "1und1.de", "123.de", "beispiel.123", "beispiel.d3",
    "-beispiel.de", "beispiel-.de", "bei..spiel.de", ".beispiel.de", "beispiel.de.",
    "ab--cd.de", "xn--mller-kva.de", "xn--.de", "a" * 63 + ".de", "a" * 64 + ".de",
    ".".join(["a" * 60] * 4) + ".de", "localhost", "mail.local", "shop.test", "x.invalid",
    "onion", "b.onion", "in-addr.arpa", "example.com", "de", "beispiel.co.uk", "mail.gmx.net",
    "beispiel.-de", "beispiel.de-", "a.b.c.d.e.f.de", "bücher.de", "BEISPIEL.DE",
]


def _validator(domain: str) -> str | None:
    try:
        result = validate_email("x@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    assert result.domain == result.ascii_domain
    return str(result.domain)


def _generated() -> set[str]:
    return {g.row["email"].rsplit("@", 1)[-1].lower()
            for g in generate(2000, seed=18, dup_rate=0.2) if "@" in g.row["email"]}


def _odd(count: int) -> set[str]:
    rng = random.Random(18)
    return {"".join(rng.choice("abz09-.") for _ in range(rng.randint(1, 12)))
            + rng.choice(["", ".de", ".com", ".d3", "-", "."]) for _ in range(count)}


def test_the_fast_path_accepts_only_what_email_validator_accepts_unchanged() -> None:
    for domain in sorted(_odd(20_000) | {d.lower() for d in EDGES}):
        if email._plain_domain(domain):
            assert _validator(domain) == domain, domain


def test_real_shaped_domains_take_the_fast_path() -> None:
    generated = _generated()
    assert len(generated) > 300
    assert all(email._plain_domain(d) for d in generated)


@pytest.mark.parametrize("domain", [d for d in EDGES if d.isascii()])
def test_addresses_read_the_same_with_and_without_the_fast_path(domain: str) -> None:
    value = f"Max.Muster@{domain}"
    fast, full = email._parse(value), email._parse_full(value)
    assert (fast[0] is None) == (full[0] is None), (fast, full)
    if full[0] is not None:
        assert fast[:4] == full[:4]


def _under_every_suffix() -> set[str]:
    """Hosts one and two labels below every rule of the bundled suffix list (wildcards and
    exceptions too) and the bare rules themselves."""
    hosts = set()
    for rule in _EXTRACT.tlds:
        bare = rule.lstrip("!*.")
        if bare.isascii():
            hosts |= {bare, f"firma.{bare}", f"www.firma.{bare}"}
    return hosts


def test_plain_hosts_give_the_registrable_domain_urlsplit_gives() -> None:
    hosts = _odd(5000) | _generated() | _under_every_suffix() | {d.lower() for d in EDGES}
    for host in [*sorted(hosts), "www.shop.beispiel.co.uk", "a.b.de.", "1.2.3.4"]:
        expected = None
        parsed = urlsplit("http://" + host).hostname
        if parsed:
            parts = _EXTRACT(parsed)
            if parts.domain and parts.suffix:
                expected = f"{parts.domain}.{parts.suffix}"
        assert registrable_domain(host) == expected, host

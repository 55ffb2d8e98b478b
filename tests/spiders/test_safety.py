"""The SSRF guard on URLs: schemes, numeric-host tricks, IPv6 forms, metadata, allowlists."""

from __future__ import annotations

import pytest

from spiders.safety import Policy, UnsafeTarget, check_url, is_safe, parse_ip_host

PUBLIC = {"example.de": ("93.184.216.34",), "dual.example": ("93.184.216.34", "10.0.0.5"),
          "rebind.example": ("::ffff:192.168.1.1",), "v6.example": ("2a00:1450:4001:82b::2003",)}


def fake_resolve(host: str) -> tuple[str, ...]:
    if host not in PUBLIC:
        raise OSError("Name or service not known")
    return PUBLIC[host]


def reason(url: str, policy: Policy | None = None) -> str | None:
    try:
        check_url(url, policy or Policy(), fake_resolve)
    except UnsafeTarget as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(("url", "expected"), [
    ("http://example.de/impressum", None),
    ("https://v6.example/", None),
    ("http://93.184.216.34/", None),
    ("http://127.0.0.1/", "loopback"),
    ("http://2130706433/", "loopback"),            # decimal
    ("http://0x7f.1/", "loopback"),                # hex shorthand
    ("http://0177.0.0.1/", "loopback"),            # octal
    ("http://127.1/", "loopback"),
    ("http://0/", "unspecified"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),    # IPv4-mapped IPv6
    ("http://[::ffff:a9fe:a9fe]/", "metadata_address"),
    ("http://[2002:c0a8:0101::1]/", "private_address"),  # 6to4 wrapping 192.168.1.1
    ("http://10.1.2.3/", "private_address"),
    ("http://192.168.0.10:8080/", "private_address"),
    ("http://172.16.5.4/", "private_address"),
    ("http://[fd12:3456::1]/", "private_address"),
    ("http://100.64.0.1/", "cgnat"),
    ("http://169.254.1.1/", "link_local"),
    ("http://[fe80::1]/", "link_local"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://169.254.169.254/latest/meta-data/", "metadata_address"),
    ("http://[fd00:ec2::254]/", "metadata_address"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata_host"),
    ("http://evil@127.0.0.1/", "userinfo_in_url"),
    ("http://example.de@127.0.0.1/", "userinfo_in_url"),
    ("http://example.de\\@127.0.0.1/", "malformed_url"),
    ("file:///etc/passwd", "scheme_not_allowed"),
    ("gopher://example.de/", "scheme_not_allowed"),
    ("ftp://example.de/", "scheme_not_allowed"),
    ("javascript:alert(1)", "scheme_not_allowed"),
    ("http:///nohost", "malformed_url"),
    ("http://example.de:99999/", "malformed_url"),
    ("http://dual.example/", "private_address"),   # one private answer is enough to refuse
    ("http://rebind.example/", "private_address"),
    ("http://unknown.example/", "dns_error"),
])
def test_default_policy(url: str, expected: str | None) -> None:
    assert reason(url) == expected


def test_allowlist_admits_only_listed_networks() -> None:
    policy = Policy.build(allowlist=["127.0.0.1/32", "10.0.0.0/24"])
    assert reason("http://127.0.0.1:8000/", policy) is None
    assert reason("http://2130706433/", policy) is None      # same address, other spelling
    assert reason("http://10.0.0.9/", policy) is None
    assert reason("http://127.0.0.2/", policy) == "loopback"
    assert reason("http://10.0.1.1/", policy) == "private_address"
    assert reason("http://169.254.169.254/", policy) == "metadata_address"


def test_allow_private_never_admits_metadata() -> None:
    policy = Policy.build(allow_private=True)
    assert reason("http://192.168.1.1/", policy) is None
    assert reason("http://[::1]/", policy) is None
    assert reason("http://169.254.169.254/", policy) == "metadata_address"
    assert reason("http://metadata.google.internal/", policy) == "metadata_host"
    assert reason("http://169.254.169.254/", Policy.build(allowlist=["169.254.169.254"])) is None


def test_allowlisted_host_name_skips_resolution() -> None:
    policy = Policy.build(allowlist=["intranet.local"])
    assert reason("http://intranet.local/", policy) is None
    assert not is_safe("http://other.local/", policy, fake_resolve)


@pytest.mark.parametrize(("host", "address"), [
    ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
    ("[::ffff:10.0.0.1]", "10.0.0.1"), ("example.de", None), ("1.2.3.4.5", None),
])
def test_parse_ip_host(host: str, address: str | None) -> None:
    parsed = parse_ip_host(host)
    assert (str(parsed) if parsed else None) == address

"""SSRF guard: which URLs the crawler may fetch.

Crawl targets come from untrusted lead data, so a target, every redirect hop and every
discovered link is checked before it is fetched: only http/https, no user-info or backslash
tricks, and the host must resolve only to public (globally routable) addresses. Numeric hosts
are parsed the way the C resolver reads them (`2130706433`, `0x7f.1` and `0177.0.0.1` are all
127.0.0.1), and IPv4-mapped IPv6 addresses are judged by their IPv4 address.

Cloud metadata endpoints are refused even with `allow_private`; only an explicit allowlist
entry for exactly that address or host lets them through.

Limitation (documented in docs/crawling.md): the check resolves the name itself, and the
downloader resolves it again; a DNS server that answers differently the second time
(DNS rebinding) is not caught. Scrapy's DNS cache narrows that window.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], tuple[str, ...]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "metadata.goog",
                            "instance-data", "instance-data.ec2.internal"})
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
CGNAT = ipaddress.ip_network("100.64.0.0/10")
_BAD_URL_CHAR = re.compile(r"[\x00-\x20\\]")  # control characters, space, backslash
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


class UnsafeTarget(ValueError):
    """A URL the crawler must not fetch; `reason` is a stable short code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Policy:
    """Safety switches. The default refuses every non-public address."""

    allow_private: bool = False
    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, allow_private: bool = False, allowlist: Iterable[str] = ()) -> Policy:
        """`allowlist` entries are CIDRs, single addresses or host names."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in allowlist:
            entry = entry.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(allow_private, tuple(networks), frozenset(hosts))


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a numeric host denotes (inet_aton rules for IPv4 shorthands), else None."""
    text = host.strip("[]")
    try:
        return _unmap(ipaddress.ip_address(text))
    except ValueError:
        pass
    if _NUMERIC_HOST.match(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text.rstrip(".")))
        except OSError:
            return None
    return None


def _unmap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def address_problem(ip: IPAddress) -> str | None:
    """Why an address is not a public web server, or None when it is."""
    ip = _unmap(ip)
    if ip in METADATA_ADDRESSES:
        return "metadata_address"
    checks = (("loopback", ip.is_loopback), ("link_local", ip.is_link_local),
              ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
              ("cgnat", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
              ("reserved", ip.is_reserved), ("private_address", ip.is_private))
    for name, hit in checks:
        if hit:
            return name
    return None if ip.is_global else "reserved"


@lru_cache(maxsize=8192)
def resolve_host(host: str) -> tuple[str, ...]:
    """All addresses a name resolves to (cached for the life of the crawl process)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return tuple(sorted({str(info[4][0]) for info in infos}))


def check_url(url: str, policy: Policy, resolve: Resolver = resolve_host) -> None:
    """Raise UnsafeTarget when `url` must not be fetched under `policy`."""
    if _BAD_URL_CHAR.search(url):
        raise UnsafeTarget("malformed_url", url[:200])
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError as exc:
        raise UnsafeTarget("malformed_url", str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeTarget("scheme_not_allowed", scheme or "(none)")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("userinfo_in_url", url[:200])
    if not host:
        raise UnsafeTarget("malformed_url", "no host")
    host = host.rstrip(".").lower()
    if host in policy.hosts:
        return
    literal = parse_ip_host(host)
    if literal is None and (host in METADATA_HOSTS or host.endswith(".internal")):
        raise UnsafeTarget("metadata_host", host)
    if literal is not None:
        addresses: tuple[IPAddress, ...] = (literal,)
    else:
        try:
            addresses = tuple(_unmap(ipaddress.ip_address(a.split("%")[0]))
                              for a in resolve(host))
        except (OSError, UnicodeError) as exc:
            raise UnsafeTarget("dns_error", f"{host}: {exc}") from exc
        if not addresses:
            raise UnsafeTarget("dns_error", f"{host}: no address")
    for ip in addresses:
        _check_address(host, ip, policy)


def _check_address(host: str, ip: IPAddress, policy: Policy) -> None:
    if any(ip.version == net.version and ip in net for net in policy.networks):
        return
    problem = address_problem(ip)
    if problem is None:
        return
    if policy.allow_private and problem != "metadata_address":
        return
    raise UnsafeTarget(problem, f"{host} -> {ip}")


def is_safe(url: str, policy: Policy, resolve: Resolver = resolve_host) -> bool:
    try:
        check_url(url, policy, resolve)
    except UnsafeTarget:
        return False
    return True

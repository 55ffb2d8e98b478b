"""Mail-domain deliverability by DNS: MX, falling back to A/AAAA, once per domain, cached.

Only the domain is checked; SMTP probing is deliberately absent (it gets senders
blocklisted). Lookups go through a resolver callable so tests inject a fake and never touch
the network, and through a `DomainCache` so the warehouse can keep results between runs
with a TTL. Unique domains are resolved concurrently in a thread pool: a batch of leads has
far fewer domains than addresses, and DNS waits, it does not compute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, Protocol

Resolver = Callable[[str, str, float], list[str]]
"""`resolver(domain, rdtype, timeout_s)` -> records; [] when the name has none of that type.

Raises `TimeoutError` or `OSError` when the answer could not be obtained (the result is then
`unknown`, never `no_mx`).
"""

DomainVerdict = Literal["mx", "a_only", "none", "error"]


@dataclass(frozen=True)
class DomainCheck:
    """What DNS says about one mail domain."""

    domain: str
    verdict: DomainVerdict
    reason: str
    checked_at: float

    @property
    def deliverable(self) -> bool | None:
        """True: mail can be routed; False: the domain has no MX and no address; None: unknown."""
        if self.verdict == "error":
            return None
        return self.verdict != "none"


class DomainCache(Protocol):
    """Where checked domains are remembered; the warehouse provides a table-backed one."""

    def get(self, domain: str, now: float) -> DomainCheck | None: ...

    def put(self, check: DomainCheck) -> None: ...


class InMemoryDomainCache:
    """A dict with a TTL: for tests, the CLI and single runs."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._items: dict[str, DomainCheck] = {}

    def get(self, domain: str, now: float) -> DomainCheck | None:
        check = self._items.get(domain)
        if check is None or now - check.checked_at > self.ttl_s:
            return None
        return check

    def put(self, check: DomainCheck) -> None:
        # Transient failures are not remembered: the next run should ask again.
        if check.verdict != "error":
            self._items[check.domain] = check


def dnspython_resolver(domain: str, rdtype: str, timeout_s: float) -> list[str]:
    """The production resolver: dnspython with a hard lifetime per query."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(domain, rdtype, lifetime=timeout_s)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        return []
    except dns.exception.Timeout as exc:
        raise TimeoutError(f"DNS {rdtype} {domain}: timeout") from exc
    except dns.exception.DNSException as exc:
        raise OSError(f"DNS {rdtype} {domain}: {exc}") from exc
    return [r.to_text() for r in answer]


class DomainChecker:
    """Checks mail domains, each at most once per TTL, concurrently, counting real lookups."""

    def __init__(
        self,
        resolver: Resolver = dnspython_resolver,
        cache: DomainCache | None = None,
        *,
        timeout_s: float = 3.0,
        workers: int = 16,
        ttl_s: float = 7 * 24 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.resolver = resolver
        self.cache: DomainCache = cache if cache is not None else InMemoryDomainCache(ttl_s)
        self.timeout_s = timeout_s
        self.workers = workers
        self.clock = clock
        self.lookups = 0
        self.cache_hits = 0
        self._lock = threading.Lock()

    def _query(self, domain: str, rdtype: str) -> list[str]:
        with self._lock:
            self.lookups += 1
        return self.resolver(domain, rdtype, self.timeout_s)

    def _resolve(self, domain: str) -> DomainCheck:
        now = self.clock()
        try:
            mx = [r for r in self._query(domain, "MX") if not _null_mx(r)]
            if mx:
                return DomainCheck(domain, "mx", "mx_found", now)
            if self._query(domain, "A") or self._query(domain, "AAAA"):
                return DomainCheck(domain, "a_only", "no_mx_a_record_fallback", now)
            return DomainCheck(domain, "none", "no_mx_no_address", now)
        except TimeoutError:
            return DomainCheck(domain, "error", "dns_timeout", now)
        except OSError as exc:
            return DomainCheck(domain, "error", f"dns_error: {exc}", now)

    def check(self, domain: str) -> DomainCheck:
        return self.check_many([domain])[domain]

    def check_many(self, domains: Iterable[str]) -> dict[str, DomainCheck]:
        """Check every unique domain; cached ones are not asked again."""
        now = self.clock()
        result: dict[str, DomainCheck] = {}
        todo: list[str] = []
        for domain in dict.fromkeys(d.lower() for d in domains):
            cached = self.cache.get(domain, now)
            if cached is not None:
                self.cache_hits += 1
                result[domain] = cached
            else:
                todo.append(domain)
        if todo:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(todo))) as pool:
                for check in pool.map(self._resolve, todo):
                    self.cache.put(check)
                    result[check.domain] = check
        return result


class PrecheckedDomains:
    """Domain checks done beforehand (e.g. in the parent process), looked up by worker processes.

    A domain that was not prechecked is `unknown`, so a worker never opens a socket.
    """

    def __init__(self, checks: Mapping[str, DomainCheck]) -> None:
        self.checks = dict(checks)

    def check(self, domain: str) -> DomainCheck:
        found = self.checks.get(domain.lower())
        if found is None:
            return DomainCheck(domain, "error", "dns_not_checked", 0.0)
        return found


class DomainLookup(Protocol):
    def check(self, domain: str) -> DomainCheck: ...


def _null_mx(record: str) -> bool:
    """RFC 7505 null MX ("0 .") declares that the domain accepts no mail."""
    parts = record.split()
    return len(parts) == 2 and parts[1] == "."

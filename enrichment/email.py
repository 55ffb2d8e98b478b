"""E-mail addresses: syntax and normalisation, kind, and (when DNS is on) deliverability.

The status vocabulary is fixed by the inspect contract: `valid`, `invalid_syntax`, `no_mx`,
`unknown`. With DNS off (the default) a syntactically valid address is `unknown`: we have not
checked that mail can be delivered, so we must not claim it. Look-alike characters (mixed
scripts within a label, invisible characters) are rejected as `invalid_syntax` with a reason:
such an address is either a typo or a trap, and neither should be mailed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, NamedTuple

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import (
    CASE_INSENSITIVE_MAILBOX_NAMES,
    DNS_LABEL_LENGTH_LIMIT,
    DOMAIN_MAX_LENGTH,
    DOT_ATOM_TEXT_HOSTNAME,
)

from enrichment.config import email_config
from enrichment.dns import DomainLookup
from enrichment.domains import registrable_domain
from enrichment.text import INVISIBLE, scripts

EmailStatus = Literal["valid", "invalid_syntax", "no_mx", "unknown"]
EmailKind = Literal["role", "freemail", "disposable", "personal_business", "private"]


@dataclass(frozen=True)
class EmailResult:
    input: str | None
    normalized: str | None = None
    status: EmailStatus | None = None
    kind: EmailKind | None = None
    local_part: str | None = None
    domain: str | None = None
    ascii_domain: str | None = None
    registrable_domain: str | None = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "input": self.input, "normalized": self.normalized, "status": self.status,
            "kind": self.kind, "domain": self.domain,
            "registrable_domain": self.registrable_domain, "reasons": list(self.reasons),
        }


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    cfg = email_config().value
    return (frozenset(x.lower() for x in cfg.role_local_parts),
            frozenset(x.lower() for x in cfg.freemail_domains),
            frozenset(x.lower() for x in cfg.disposable_domains))


def _mixed_script_part(text: str) -> str | None:
    for label in text.replace("@", ".").split("."):
        found = scripts(label)
        if len(found) > 1:
            return label
    return None


_SIMPLE = re.compile(r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
                     r"@([A-Za-z0-9.-]+)$")

_CASE_FOLDED = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_Parsed = tuple[str | None, str | None, str | None, str | None, str]


def _parse(value: str) -> _Parsed:
    """(normalized, local_part, domain, ascii_domain, reason); reason is '' when valid.

    Plain ASCII dot-atom addresses (nearly all of them) take a fast path: the local part is
    checked by a regular expression and the domain, which repeats across a batch, by
    email-validator once per domain. Everything else goes through email-validator whole.
    """
    simple = _SIMPLE.match(value)
    if simple and len(simple.group(1)) <= 64 and len(value) <= 254:
        local, domain = simple.groups()
        domain = domain.lower()
        if _plain_domain(domain):
            checked, ascii_domain = domain, domain
        else:
            _, _, checked, ascii_domain, reason = _parse_full("x@" + domain)
            if checked is None:
                return None, None, None, None, reason
        if local.lower() in _CASE_FOLDED:
            local = local.lower()
        return f"{local}@{checked}", local, checked, ascii_domain, ""
    return _parse_full(value)


_R_LDH = re.compile(r"(?!xn)..--")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


@lru_cache(maxsize=262144)
def _plain_domain(domain: str) -> bool:
    """A lower-case ASCII host name email-validator accepts unchanged: its own checks (label
    syntax and lengths, a dot, a TLD ending in a letter, no special-use name), without the
    per-character Unicode work it spends on every domain. No Punycode: those and every
    domain failing here take the full path, which also words the reason. Cached: a company's
    addresses share their domain."""
    if not (len(domain) <= DOMAIN_MAX_LENGTH and "." in domain and domain[-1].isalpha()
            and "xn--" not in domain and DOT_ATOM_TEXT_HOSTNAME.match(domain) is not None):
        return False
    labels = domain.split(".")
    return not any(len(label) > DNS_LABEL_LENGTH_LIMIT or _R_LDH.match(label)
                   for label in labels) and \
        _SPECIAL_USE.isdisjoint(".".join(labels[i:]) for i in range(len(labels)))


@lru_cache(maxsize=262144)
def _parse_full(value: str) -> _Parsed:
    invisible = INVISIBLE.search(value)
    if invisible:
        return None, None, None, None, f"invisible_character: U+{ord(invisible.group()):04X}"
    try:
        v = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, None, None, None, f"syntax: {exc}"
    mixed = _mixed_script_part(v.normalized)
    if mixed is not None:
        return None, None, None, None, f"idn_homograph: mixed scripts in '{mixed}'"
    return v.normalized, v.local_part, v.domain, v.ascii_domain, ""


_HEAD_END = re.compile(r"[.\-_]")


@lru_cache(maxsize=262144)
def _domain_kind(domain: str) -> tuple[EmailKind, str] | None:
    """The kind the domain alone decides (disposable, freemail), else None: once per domain."""
    _, freemail, disposable = _lists()
    registrable = registrable_domain(domain) or domain
    if domain in disposable or registrable in disposable:
        return "disposable", "disposable_domain"
    if domain in freemail or registrable in freemail:
        return "freemail", "freemail_domain"
    return None


@lru_cache(maxsize=1)
def _long_roles() -> tuple[str, ...]:
    """Role words long enough to name a mailbox at the end of a compound (7+ letters)."""
    return tuple(r for r in _lists()[0] if len(r) >= 7 and r.isalpha())


def classify(local_part: str, domain: str) -> tuple[EmailKind, str]:
    """Kind by contract precedence: disposable > freemail > role > personal_business."""
    by_domain = _domain_kind(domain)
    if by_domain is not None:
        return by_domain
    role = _lists()[0]
    base = local_part.lower().split("+", 1)[0]
    head = _HEAD_END.split(base, maxsplit=1)[0]  # "info.koeln", "vertrieb-nord"
    for part in (base, base.rstrip("0123456789"), head):
        if part in role:
            return "role", f"role_mailbox: {part}"
    if base.endswith(_long_roles()):  # "hausverwaltung", "kundenservice": a compound of a role word
        return "role", f"role_mailbox: {base}"
    return "personal_business", "personal_address_on_own_domain"


def enrich_email(value: str | None, dns: DomainLookup | None = None) -> EmailResult:
    """Validate, normalise and classify one address; DNS only when a lookup object is given."""
    if value is None:
        return EmailResult(input=None, reasons=["missing"])
    offline = _offline(value)
    if dns is None or offline.domain is None:
        return offline
    check = dns.check(offline.ascii_domain or offline.domain)
    status: EmailStatus
    if check.deliverable is None:
        status = "unknown"
    elif check.deliverable:
        status = "valid"
    else:
        status = "no_mx"
    return replace(offline, status=status, reasons=[offline.reasons[0], check.reason])


def _read(value: str) -> _Parsed:
    """`_parse` of a cell: trimmed, a `mailto:` dropped; an empty one gives the reason `empty`."""
    text = value.strip()
    if not text:
        return None, None, None, None, "empty"
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return _parse(text)


class EmailKey(NamedTuple):
    """What matching compares of an address (`email_key`)."""

    normalized: str | None
    registrable_domain: str | None
    kind: EmailKind | None


_NO_KEY = EmailKey(None, None, None)


def email_key(value: str | None) -> EmailKey:
    """`enrich_email(value)`'s normalized address, registrable domain and kind, without the
    result object and its reasons: matching reads these three of every address, and nearly
    every address of a list is distinct, so building the whole result was a third of it."""
    if value is None:
        return _NO_KEY
    normalized, local, domain, _, _ = _read(value)
    if normalized is None or local is None or domain is None:
        return _NO_KEY
    return EmailKey(normalized, registrable_domain(domain), classify(local, domain)[0])


@lru_cache(maxsize=65536)
def _offline(value: str) -> EmailResult:
    """Everything but deliverability. Cached: role and freemail addresses recur in a batch."""
    normalized, local, domain, ascii_domain, reason = _read(value)
    if normalized is None or local is None or domain is None:
        return EmailResult(input=value, status="invalid_syntax", reasons=[reason])
    kind, kind_reason = classify(local, domain)
    return EmailResult(
        input=value, normalized=normalized, status="unknown", kind=kind, local_part=local,
        domain=domain, ascii_domain=ascii_domain, registrable_domain=registrable_domain(domain),
        reasons=[kind_reason, "dns_off: syntax valid, deliverability not checked"],
    )

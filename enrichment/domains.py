"""Registrable domains (example.co.uk from www.shop.example.co.uk) with tldextract, offline.

tldextract would download the public suffix list on first use; the machine has no internet
and enrichment must be deterministic, so the extractor is built to use only the snapshot
bundled with the package.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_PLAIN_HOST = re.compile(r"[a-z0-9.-]+")
_FLAT_HOST = re.compile(r"(?:[a-z0-9-]+\.)*([a-z0-9-]+)\.([a-z0-9-]+)")
"""A host of non-empty ASCII labels: (the label before the top-level domain, the TLD)."""


@lru_cache(maxsize=1)
def _flat_tlds() -> frozenset[str]:
    """Top-level domains with no public suffix below them in the bundled list (`de`, `com`;
    not `uk`, `jp` or a wildcard's `fk`): under one, the registrable domain is a host's last
    two labels, which tldextract's full reading of the host (a third of an e-mail's
    enrichment) would also say."""
    rules = _EXTRACT.tlds
    below = {rule.rsplit(".", 1)[1] for rule in rules if "." in rule}
    return frozenset(rule for rule in rules
                     if "." not in rule and rule[0] not in "!*" and rule not in below)


@lru_cache(maxsize=262144)
def registrable_domain(host_or_url: str | None) -> str | None:
    """`shop.beispiel.de` or `https://www.beispiel.de/impressum` -> `beispiel.de`; None if none."""
    if not host_or_url:
        return None
    text = host_or_url.strip().lower()
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    if _PLAIN_HOST.fullmatch(text):
        host: str | None = text  # what urlsplit would give, at a third of the cost
    else:
        try:
            host = urlsplit(text if "://" in text else "http://" + text).hostname
        except ValueError:
            return None
    if not host:
        return None
    flat = _FLAT_HOST.fullmatch(host)
    if flat and flat.group(2) in _flat_tlds():
        return f"{flat.group(1)}.{flat.group(2)}"
    parts = _EXTRACT(host)
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}"

"""E-mail addresses from text, including the usual obfuscations on Impressum pages.

Handles `info [at] firma [punkt] de`, `info(at)firma.de`, `info at firma dot de`, `(ät)`,
percent-encoded mailto targets and text written backwards for CSS `direction: rtl` or a
JavaScript `reverse()` (accepted when the reversed form ends in a known top-level domain and
the forward form does not). Cloudflare `data-cfemail` is decoded in html.py.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_AT = r"(?:\s*[\[\(\{<]\s*(?:at|ät|aet|@|et)\s*[\]\)\}>]\s*|\s+(?:at|ät|AT)\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[\(\{<]\s*(?:dot|punkt|pkt|\.)\s*[\]\)\}>]\s*|\s+(?:dot|punkt|DOT|PUNKT)\s+|\.)"
_LABEL = r"[a-z0-9äöü](?:[a-z0-9äöü\-]{0,61}[a-z0-9äöü])?"
_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])([a-z0-9][a-z0-9._%+\-]{{0,63}}){_AT}({_LABEL}(?:{_DOT}{_LABEL})*{_DOT}([a-z]{{2,12}}))(?![\w@])",
    re.IGNORECASE,
)
_DOT_WORD = re.compile(_DOT, re.IGNORECASE)
_PLAIN = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-äöü]+(?:\.[A-Za-z0-9\-äöü]+)*")
_SPACED_AT = re.compile(r"([\w.+-])\s+@\s+(\w)")
_SPACED_DOT = re.compile(r"(@[\w.-]+?)\s+\.\s+([a-z]{2,12})\b", re.IGNORECASE)
COMMON_TLDS = frozenset({
    "de", "at", "ch", "li", "lu", "com", "net", "org", "eu", "info", "biz", "io", "co", "me",
    "berlin", "hamburg", "koeln", "nrw", "bayern", "wien", "swiss", "email", "online", "shop",
    "gmbh", "ag", "app", "dev", "nl", "be", "fr", "it", "es", "pl", "cz", "dk", "se", "uk",
    "tirol", "saarland", "ruhr", "digital", "solutions", "consulting", "agency", "design",
})


def _valid(addr: str) -> bool:
    local, _, domain = addr.rpartition("@")
    if not local or "." not in domain or ".." in addr or local.startswith("."):
        return False
    return domain.rsplit(".", 1)[1].isalpha()


def _tld(addr: str) -> str:
    return addr.rsplit(".", 1)[-1].lower()

_GLUED_WORD = re.compile(r"(@[A-Za-z0-9\-.äöü]+?\.([a-z]{2,12}))(?=[A-ZÄÖÜ])")


def _unglue(m: re.Match[str]) -> str:
    return m.group(1) + " " if m.group(2) in COMMON_TLDS else m.group(0)

_ANY_AT = re.compile(r"@|\b(?:at|ät|aet|et)\b", re.IGNORECASE)
"""Every address, plain or obfuscated, has one of these; most lines of a page have none."""


def find_emails(text: str, rtl_hint: bool = False) -> list[str]:
    """Addresses in `text` in reading order, lower-cased (obfuscations undone)."""
    if not _ANY_AT.search(text):
        return []
    if "@" in text:
        text = _GLUED_WORD.sub(_unglue, text)  # "info@firma.deImpressum": a menu word after it
    text = re.sub(r"\s*[\[\(\{]\s*@\s*[\]\)\}]\s*", "@", text)
    text = _SPACED_AT.sub(r"\1@\2", text)  # "info @ firma . de"
    text = _SPACED_DOT.sub(r"\1.\2", text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _OBFUSCATED.finditer(text):
        if "@" in m.group(0):
            continue  # plain addresses (forward or backward) are read below
        domain = _DOT_WORD.sub(".", m.group(2))
        addr = f"{m.group(1)}@{domain}"
        if m.group(3).lower() in COMMON_TLDS:
            found.append((m.start(), addr))
            taken.append(m.span())
    for token in re.finditer(r"\S+@\S+", text):
        if any(s <= token.start() < e for s, e in taken):
            continue
        raw = token.group(0).strip(".,;:()<>[]\"'")
        forward = _PLAIN.search(raw)
        backward = _PLAIN.search(raw[::-1])
        fwd = forward.group(0).rstrip(".-") if forward else None
        bwd = backward.group(0).rstrip(".-") if backward else None
        fwd_ok = bool(fwd and _valid(fwd) and _tld(fwd) in COMMON_TLDS)
        bwd_ok = bool(bwd and _valid(bwd) and _tld(bwd) in COMMON_TLDS)
        if bwd_ok and (not fwd_ok or rtl_hint):
            found.append((token.start(), bwd or ""))
        elif fwd and _valid(fwd):
            found.append((token.start(), fwd))
    found.sort()
    return dedupe([addr for _, addr in found])


def mailto_address(href: str) -> str | None:
    """The address of a `mailto:` target (percent-decoding, query dropped, reversed form)."""
    target = unquote(href).split("?", 1)[0].strip()
    emails = find_emails(target, rtl_hint=False)
    return emails[0] if emails else None


def dedupe(values: list[str]) -> list[str]:
    """Lower-case and drop repeats, keeping the first occurrence's position."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = value.lower()
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out

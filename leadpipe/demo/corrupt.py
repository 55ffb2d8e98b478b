"""Realistic corruption of names, addresses, phones and e-mails, as purchased lists carry it.

Shared by the demo generator and `bench/generate_leads.py`, so the benchmark's oddities are
the demo's oddities. Every function takes the caller's `random.Random` so output is a pure
function of the seed.
"""

from __future__ import annotations

import random
import re

from leadpipe.demo.vocabulary import vocabulary

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss"})
_STREET_SUFFIX = re.compile(r"(?i)(stra(ß|ss)e)\b")


def ascii_umlauts(text: str) -> str:
    """ä→ae, ß→ss: what lists exported from old systems or typed on foreign keyboards do."""
    return text.translate(_UMLAUTS)


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: swapped neighbours, a dropped or a doubled letter."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(3)
    if kind == 0 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def legal_form_variant(name: str, rng: random.Random) -> str:
    """'GmbH' → 'G.m.b.H.' / 'Gesellschaft mit beschränkter Haftung' and so on."""
    for canonical, variants in sorted(vocabulary().legal_forms.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(" " + canonical):
            return name[: -len(canonical)] + rng.choice(variants)
    return name


def street_variant(street: str, rng: random.Random) -> str:
    """'Straße' → 'Str.' / 'Strasse' / 'str.' as lists abbreviate it."""
    if not _STREET_SUFFIX.search(street):
        return ascii_umlauts(street) if rng.random() < 0.5 else street
    choice = rng.choice(("str.", "strasse", "Str.", "Strasse"))

    def repl(match: re.Match[str]) -> str:
        word = match.group(1)
        return choice.capitalize() if word[0].isupper() else choice.lower()

    return _STREET_SUFFIX.sub(repl, street, count=1)


def split_digits(digits: str, rng: random.Random, size: int = 0) -> str:
    """Group digits in pairs (old DIN 5008) or triples from the right; `size` 0 picks one."""
    size = size or rng.choice((2, 3))
    head = len(digits) % size
    groups = [digits[:head]] if head else []
    groups += [digits[i:i + size] for i in range(head, len(digits), size)]
    return " ".join(groups)


def phone_notation(country_code: str, area: str, subscriber: str, extension: str,
                   rng: random.Random) -> str:
    """Render one number in a notation seen in the wild.

    `area` is the national area code with its leading 0, `extension` the direct-dial or
    switchboard suffix ("0" for the switchboard) or "" when the number has none.
    """
    trunk = area[1:]
    ext = f"-{extension}" if extension else ""
    flat = subscriber + extension
    style = rng.randrange(10)
    if style == 0:
        return f"+{country_code} (0) {trunk} / {split_digits(subscriber, rng)}{ext}"
    if style == 1:
        return f"{area} {flat}"
    if style == 2:
        return f"{split_digits(area, rng, 2)} / {split_digits(subscriber, rng, 2)}{ext}"
    if style == 3:
        return f"({area}) {subscriber}{ext}"
    if style == 4:
        return f"+{country_code} {trunk} {flat}"
    if style == 5:
        return f"00{country_code} {trunk} {flat}"
    if style == 6:
        return f"{area}/{subscriber}{ext}"
    if style == 7:
        return f"{area}-{subscriber}{ext}"
    if style == 8:
        return f"+{country_code}{trunk}{flat}"
    return f"+{country_code} {trunk} {split_digits(flat, rng)}"


def email_variant(first: str, last: str, domain: str, rng: random.Random) -> str:
    """Another address of the same person: freemail, initial-dot-last, or a role address."""
    local_first = ascii_umlauts(first.lower()).replace(" ", "")
    local_last = ascii_umlauts(last.lower()).replace(" ", "")
    kind = rng.randrange(3)
    if kind == 0:
        return f"{local_first}.{local_last}@{rng.choice(vocabulary().free_email_domains)}"
    if kind == 1:
        return f"{local_first[:1]}.{local_last}@{domain}"
    return f"{local_first[:1]}{local_last}@{domain}"

"""Register entries and VAT IDs as companies write them: one reader for list values, company
strings (`leadpipe inspect company`) and Impressum pages.

Real strings name the court in many ways (`Registergericht Köln`, `AG München`, `Amtsgericht
Berlin (Charlottenburg)`, `Registration Court: District Court Munich`, `Handelsgericht Wien`)
and write the number with labels, dots and spaces (`HRB-Nr. 12 345`, `HR B 1234`, `HRB: 1234`).
Several facts often share a line (`… | Amtsgericht Stuttgart | HRB 12345 | USt-IdNr. …`) or
the court and the number stand on two lines; a court never runs across a line break.
Court aliases and register types are data (defaults/company.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum.ch import uid as ch_uid
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat

from enrichment.config import company_config
from enrichment.text import fold


@dataclass(frozen=True)
class RegisterNumber:
    number: str
    """`HRB 123456`, `HRB 221987 B`, `VR 2291`, `FN 412345k`, `CHE-123.456.789`."""
    country: str


@dataclass(frozen=True)
class _Patterns:
    number: re.Pattern[str]
    courts: tuple[tuple[re.Pattern[str], str], ...]
    aliases: dict[str, str]
    generic: frozenset[str]


_WORD = r"[A-ZÄÖÜ][^\W\d_]*(?:-[^\W\d_]+)*\.?"
"""A capitalised word without digits (`VR32227` is no city)."""
_CITY = (
    rf"((?:(?:Bad|Sankt|St\.|Hansestadt)[ ])?{_WORD}"
    r"(?:[ ](?:am|an[ ]der|im|in[ ]der|ob[ ]der|a\.[ ]?d\.|v\.[ ]?d\.|a\.|i\.)"
    r"[ ]?[A-ZÄÖÜ][\wäöüß.\-]*"
    rf"|[ ]?\([A-ZÄÖÜ][\wäöüß\-]*(?:[ ]{_WORD})?\)|[ ]?a\.[ ]?M\.|/Main|[ ]?/[ ]?Oder)?)"
)
"""A court seat: one capitalised word (`Bad`/`Sankt` may lead), then a qualifier (`am Main`,
`i. Br.`, `(Oder)`, a parenthesised court). Spaces only: a city never spans a line."""
_NUMBER_BODY = r"(\d{1,3}(?:[ .]\d{2,3})+(?![ .]?\d)|\d{1,10})"
"""`123456`, `12 345`, `1.234`, `13 46 42`; Austrian ZVR numbers have ten digits."""


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    cfg = company_config().value
    types = "|".join(re.escape(t) for t in sorted(cfg.register_types, key=len, reverse=True))
    suffixes = "|".join(re.escape(s) for s in cfg.register_suffixes)
    number = re.compile(
        rf"(?<![\w-])(?P<type>{types}|(?i:HR[ ]?[AB]))(?:[ ]?-?[ ]?(?i:Nr)\.?)?[ ]*[.:\-–]?[ ]*"
        r"(?:Nr\.?[ ]*)?"
        rf"{_NUMBER_BODY}(?:[ ]?(?P<suffix>{suffixes})\b"
        r"|[ ](?P<other>[A-Z]{1,2})(?=[ ]*(?:[,;|)]|$)))?(?![\d])"
    )
    courts = (
        (re.compile(r"\b((?:Handels|Landes|Bezirks)gericht(?:[ ]für[ ]ZRS)?"
                    r"[ ][A-ZÄÖÜ][\wäöüß\-]+(?:/[A-ZÄÖÜ][\wäöüß]+|[ ]an[ ]der[ ][A-ZÄÖÜ]\w+)?)"),
         "AT"),
        (re.compile(r"\b(Handelsregister(?:amt)?[ ](?:des[ ])?Kantons?[ ][A-ZÄÖÜ][\wäöüß\-]+)"),
         "CH"),
        (re.compile(r"\b(?i:Commercial[ ]register|Trade[ ]register|Register)[ ]*[:,]?[ ]*"
                    r"(?:of[ ]the[ ])?Canton[ ]of[ ]([A-ZÄÖÜ][\wäöüß\-]+)"), "CH-EN"),
        (re.compile(r"\b(?:Amtsgerichts?|Amtsgerichtes)[ ]*[:,]?[ ]*(?:(?:in|zu|von)[ ]?:?[ ])?"
                    r"(?:\d{5}[ ])?" + _CITY), "DE"),
        (re.compile(r"\bHR[AB][ ]" + _CITY + r"(?=[ ]\d)"), "DE"),
        (re.compile(r"\b(?i:Local|District|Registry|Register)[ ](?i:Court)[ ]*(?:\(Amtsgericht\))?"
                    r"[ ]*(?:of|in|at)?[ ]*" + _CITY), "DE"),
        (re.compile(r"\b(?i:Registergericht|Register[ ]?court|Registration[ ]court|"
                    r"Court[ ]of[ ]registration|Handelsregister|Vereinsregister|"
                    r"Genossenschaftsregister|Partnerschaftsregister|Registered[ ]at)"
                    r"[ ]*[:|,]?[ ]*(?:ist[ ]|beim[ ]|des[ ]|the[ ])?(?:das[ ]|dem[ ])?"
                    r"(?:AG[ ])?" + _CITY), "DE"),
        (re.compile(r"\bAG[ ]" + _CITY + r"(?=[ ,;:|/-]+(?:HR[ ]?[AB]|VR|GnR|PR)\b)"), "DE"),
        (re.compile(_CITY + r"[ ](?i:Local|District|Registry)[ ](?i:Court)\b"), "DE"),
    )
    generic = frozenset({"amtsgericht", "registergericht", "handelsregister", "hrb", "hra", "ag",
                         "vr", "gnr", "pr", "fn", "zvr",
                         "registernummer", "register", "court", "district", "local", "nr",
                         "deutschland", "germany", "vereinsregister", "sitz", "the"})
    return _Patterns(number, courts, dict(cfg.register_court_aliases), generic)


_REGISTER_WORDS = {"VR": "verein", "GnR": "genossenschaft", "PR": "partnerschaft"}
_NAMED_REGISTER = re.compile(
    r"\b((?i:Vereins?|Genossenschafts|Partnerschafts)-?register\w*)(?:[ ]+(?i:Nr\.?|No\.?))?"
    r"[ ]*[:.]?[ ]*(?:(?i:unter[ ]der[ ]\w+[ ])?)(\d{1,6})\b")
_ZVR = re.compile(r"\bZVR(?:-?(?:Zahl|Nummer|Nr\.?))?[ ]*[:.]?[ ]*(\d{9,10})\b")
"""The Austrian association register number (Zentrales Vereinsregister)."""
_CITY_BETWEEN = re.compile(r"\b(HR[AB])[ ][A-ZÄÖÜ][\wäöüß\-]+[ ](\d{1,7})\b")
_TYPE_SPELLINGS = {"GenR": "GnR", "Gen.R.": "GnR"}
_FN = re.compile(r"\bFN\s*[.:]?\s*(\d{1,6})\s?([a-z])\b")
_FN_BARE = re.compile(r"(?<![\w-])(\d{4,6})\s?([a-z])\b")
_CHE = re.compile(r"\bCHE[-\s.]?(\d{3})[.\s]?(\d{3})[.\s]?(\d{3})\b")


def find_register_number(text: str, labelled: bool = False) -> RegisterNumber | None:
    """The register number in `text`; a bare Austrian `12345a` only on a register-labelled line."""
    m = _patterns().number.search(text)
    if m:
        kind = m.group("type").replace(" ", "")
        kind = _TYPE_SPELLINGS.get(kind, kind.upper() if kind.lower().startswith("hr") else kind)
        digits = re.sub(r"[ .]", "", m.group(2))
        letters = m.group("suffix") or m.group("other")
        suffix = f" {letters}" if letters else ""
        return RegisterNumber(f"{kind} {digits}{suffix}", "DE")
    m = _ZVR.search(text)
    if m:
        return RegisterNumber(f"ZVR {m.group(1)}", "AT")
    m = _CITY_BETWEEN.search(text)
    if m:  # "HRA Hamburg 87106"
        return RegisterNumber(f"{m.group(1)} {m.group(2)}", "DE")
    m = _NAMED_REGISTER.search(text)
    if m:  # "Vereinsregister 18785", "Vereinsregisternummer: 3413": the type named in words
        kind = next(k for k, word in _REGISTER_WORDS.items() if m.group(1).lower().startswith(word))
        return RegisterNumber(f"{kind} {m.group(2)}", "DE")
    m = _FN.search(text) or (_FN_BARE.search(text) if labelled else None)
    if m:
        return RegisterNumber(f"FN {m.group(1)}{m.group(2)}", "AT")
    m = _CHE.search(text)
    if m and ch_uid.is_valid("CHE" + "".join(m.groups())):
        return RegisterNumber(f"CHE-{m.group(1)}.{m.group(2)}.{m.group(3)}", "CH")
    return None


def typed_numbers(text: str) -> list[RegisterNumber]:
    """Every German register number in `text` (`HRB 68252 … HRA 201757`), in order."""
    out = []
    for m in _patterns().number.finditer(text):
        found = find_register_number(text[m.start():])
        if found is not None:
            out.append(found)
    return out


def court_seat(city: str) -> str | None:
    """The official seat for a written court city (`Munich` → `München`, `Berlin` →
    `Charlottenburg`, `Köln (Amtsgericht)` → `Köln`); None for a word that is no city."""
    pats = _patterns()
    city = city.strip(" .,;:|")
    paren = re.fullmatch(r"(.+?)[ ]?\((.+)\)", city)
    if paren:
        inner = " ".join(w for w in paren.group(2).split() if fold(w) not in pats.generic)
        if inner and fold(inner).replace("-", " ") in pats.aliases:
            return court_seat(inner)  # "Berlin (Charlottenburg)": the court is named inside
        city = paren.group(1) if not inner else f"{paren.group(1)} ({inner})"  # Landau (Pfalz)
    key = fold(city).replace("-", " ")
    key = " ".join(key.replace(".", " ").replace("/", " ").split())
    if not key or key in pats.generic:
        return None
    if key in pats.aliases:
        return pats.aliases[key]
    head = key.split(" ")[0]
    if head == "berlin":
        return pats.aliases.get("berlin", city)
    return city


_COURT_HINT = re.compile(r"gericht|court|regist|HR[ ]?[AB][ ]|\bAG[ ]", re.I)
"""Every court pattern needs one of these; most lines of a page have none."""
_JURISDICTION = re.compile(r"\b(?:Gerichtsstand|Erfüllungsort|Place of jurisdiction)\b.*$", re.I)
"""The agreed place of jurisdiction names a court that is no register court."""


def find_court(text: str) -> str | None:
    """The register court named in `text`: `Amtsgericht <Ort>` for Germany, Austrian and Swiss
    courts as written."""
    if not _COURT_HINT.search(text):
        return None
    for line in re.split(r"\s*[\n|]\s*", text):
        if not _patterns().number.search(line):  # "Gerichtsstand: AG Steinfurt HRB 12637"
            line = _JURISDICTION.sub("", line)
        # "Neukölln, Berlin": a Berlin district keeps no register of its own
        line = re.sub(r"\b([A-ZÄÖÜ][\wäöüß\-]+),[ ]Berlin\b", r"Berlin-\1", line)
        for pattern, country in _patterns().courts:
            for m in pattern.finditer(line):
                if country == "CH-EN":  # "Commercial register: Canton of Zürich"
                    return f"Handelsregisteramt des Kantons {m.group(1)}"
                if country != "DE":
                    value = m.group(1)
                    if value.startswith("Handelsregister "):
                        value = "Handelsregisteramt " + value[len("Handelsregister "):]
                    return value
                seat = court_seat(m.group(1))
                if seat is not None:
                    return f"Amtsgericht {seat}"
    return None


def parse_register(text: str) -> tuple[str | None, str | None, list[str]]:
    """(court, number, reasons) of a register string; the court may follow the number
    (`HRB 12345 B Berlin (Charlottenburg)`, `HRB 123 München`)."""
    found = find_register_number(text)
    number = found.number if found else None
    court = find_court(text)
    if court is None and found is not None:
        m = _patterns().number.search(text)
        after = re.match(r"[ ,]*(?:beim[ ]|Amtsgericht[ ]|AG[ ])?" + _CITY,
                         text[m.end():]) if m else None
        seat = court_seat(after.group(1)) if after else None
        court = f"Amtsgericht {seat}" if seat else None
    reasons = []
    if number is None and court is not None:
        reasons.append("register_number_missing")
    if number is not None and court is None:
        reasons.append("register_court_missing")
    return court, number, reasons


_VAT = re.compile(
    r"\b(DE|ATU|AT\s?U|CHE|BE|BG|CY|CZ|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|"
    r"SK|XI)(?:[\s.\-]|\s[-–]\s)?((?:[0-9A-Z][\s.\-]?){7,12}[0-9A-Z])(?:\s?(MWST|TVA|IVA|VAT))?"
    r"(?![0-9])"
)


def find_vat(text: str) -> str | None:
    """The first valid VAT ID in `text`, compact; a Swiss one as `CHE-123.456.789 MWST`, and
    only when MWST/TVA/IVA stands beside it. Digit groups are cut only at their spaces, so an
    IBAN (`DE89 3704 0044 …`) never yields a VAT ID by accident."""
    for m in _VAT.finditer(text):
        prefix = m.group(1).replace(" ", "")
        if prefix == "CHE":
            body = re.sub(r"[\s.\-]", "", m.group(2))[:9]
            window = text[max(0, m.start() - 15):m.end() + 8].upper()
            suffix = next((s for s in ("MWST", "TVA", "IVA") if s in window), None)
            if suffix and ch_uid.is_valid("CHE" + body):
                return f"CHE-{body[:3]}.{body[3:6]}.{body[6:]} {suffix}"
            continue
        groups = m.group(2).split()
        for end in range(len(groups), 0, -1):
            candidate = prefix + re.sub(r"[.\-]", "", "".join(groups[:end]))
            for tried in (candidate, candidate.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")):
                if eu_vat.is_valid(tried):  # "DE287376984Redaktionell": a glued label
                    return str(eu_vat.compact(tried))
    return None


VAT_MARKER = re.compile(
    r"(?:USt[\w.\-]*|Umsatzsteuer[\w\-]*|VAT(?:\s*(?:ID|No\.?|number|Reg\.?\s*No\.?))?|"
    r"UID(?:-Nr\.?)?|MWST-?Nr\.?|TVA|Tax\s+ID)\s*[:.]?\s*",
    re.IGNORECASE,
)


def parse_vat(text: str) -> tuple[str | None, list[str]]:
    """A VAT ID from a labelled or bare value, None with the reason when it fails its check."""
    found = find_vat(text)
    if found:
        return found, []
    marker = VAT_MARKER.search(text)
    rest = text[marker.end():] if marker else text
    candidate = re.split(r"[,;|]|\s{2,}", rest)[0].strip().upper()
    if candidate.startswith("CHE"):
        if ch_vat.is_valid(candidate):
            return str(ch_vat.format(candidate)), []
        return None, [f"vat_invalid: {candidate}"]
    try:
        return str(eu_vat.validate(candidate)), []
    except Exception as exc:  # stdnum raises several ValidationError subclasses
        return None, [f"vat_invalid: {candidate} ({exc})"]

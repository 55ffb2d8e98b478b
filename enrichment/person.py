"""People: salutation, academic title, first and last name, role, seniority, decision maker.

Names arrive as separate fields, as one string, as "Nachname, Vorname" or in capitals.
Proper casing keeps name particles lower case ("von der Heide") and capitalises each part of
a double name ("Müller-Lüdenscheidt"). Role patterns are data (defaults/person.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from enrichment.config import PersonConfig, person_config
from enrichment.text import clean_value, fold, has_emoji, strip_emoji

DECISION_MAKERS = frozenset({"owner", "executive", "head"})


@dataclass(frozen=True)
class PersonResult:
    input: str | None
    salutation: str | None = None
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    seniority: str | None = None
    decision_maker: bool = False
    reasons: list[str] = field(default_factory=list)
    position: str | None = None
    """The job title as written (cleaned), kept for letters and call lists: `role` is only its
    canonical class."""

    def as_dict(self) -> dict[str, object]:
        return {"input": self.input, "salutation": self.salutation, "title": self.title,
                "first_name": self.first_name, "last_name": self.last_name, "role": self.role,
                "seniority": self.seniority, "decision_maker": self.decision_maker,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class _Compiled:
    titles: tuple[tuple[re.Pattern[str], str], ...]
    title_families: tuple[re.Pattern[str], ...]
    professions: re.Pattern[str] | None
    particles: frozenset[str]
    nobles: frozenset[str]
    salutations: dict[str, str | None]
    feminine: re.Pattern[str]
    roles: tuple[tuple[re.Pattern[str], str | None, str], ...]
    departments: tuple[tuple[re.Pattern[str], str], ...]


def _title_regex(title: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"(?<=\.)\s*|\s+", title) if p]
    body = r"\s*".join(p.replace(r"\-", r"\s*-\s*") for p in parts)
    if not title.endswith("."):
        body += r"\b"
    return re.compile(rf"^{body}\s*", re.IGNORECASE)


@lru_cache(maxsize=1)
def profession_words() -> str:
    """The configured professions as one regular-expression alternation, longest first, for
    every reader that tells a profession from a name (here and in the Impressum extractor)."""
    return "|".join(re.escape(p) for p in sorted(person_config().value.professions, key=len,
                                                 reverse=True))


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    cfg: PersonConfig = person_config().value
    titles = tuple((_title_regex(t), t) for t in sorted(cfg.titles, key=len, reverse=True))
    roles = tuple((re.compile("|".join(f"(?:{p})" for p in r.patterns)), r.role, r.seniority)
                  for r in cfg.roles)
    departments = tuple((re.compile("|".join(f"(?:{p})" for p in pats)), name)
                        for name, pats in cfg.department_roles.items())
    families = tuple(re.compile(rf"^(?:{p})\s*") for p in cfg.title_patterns)
    professions = re.compile(rf"^(?:{profession_words()})(?=\s)\s*") if cfg.professions \
        else None
    return _Compiled(titles, families, professions, frozenset(cfg.particles),
                     frozenset(n.lower() for n in cfg.noble_titles),
                     dict(cfg.salutations),
                     re.compile(cfg.feminine_titles), roles, departments)


def proper_case(name: str) -> str:
    """'VON DER HEIDE' -> 'von der Heide', 'MÜLLER-LÜDENSCHEIDT' -> 'Müller-Lüdenscheidt'.

    Only names written wholly in upper or lower case are changed; mixed case is the writer's
    choice ("McAllister", "de Vries").
    """
    if not (name.isupper() or name.islower()):
        return name
    particles = _compiled().particles
    words = []
    for i, word in enumerate(name.split(" ")):
        low = word.lower()
        if low in particles and i < len(name.split(" ")) - 1:
            words.append(low)
            continue
        words.append("-".join("'".join(s[:1].upper() + s[1:].lower() for s in part.split("'"))
                              for part in word.split("-")))
    return " ".join(words)


_NO_SALUTATION = object()


def _take_salutation(tokens: list[str], *, letters: bool = False) -> tuple[object, list[str]]:
    """(salutation or None for a neutral one, rest), or (_NO_SALUTATION, tokens).

    Single letters (`m`, `w`, `d` of an M/F/W/D column) count only where the whole value is a
    salutation (`letters`): in a name, "W. Schmidt" is an initial."""
    if tokens:
        key = fold(tokens[0])
        salutations = _compiled().salutations
        if key in salutations and (letters or len(key) > 1):
            return salutations[key], tokens[1:]
    return _NO_SALUTATION, tokens


def parse_salutation(value: str) -> tuple[str | None, str | None, list[str]]:
    """(Herr/Frau or None, title glued on, reasons) from a salutation cell.

    `Frau`, `Hr.`, `Mrs`, `Herrn`, `m`/`w`/`d`, `männlich`/`weiblich`/`divers`, and a title
    after the salutation (`Frau Dr.`, `Herrn Prof. Dr.`). Divers and its kin give no gendered
    salutation: None with the reason `salutation_neutral`.
    """
    found, rest = _take_salutation(value.split(), letters=True)
    key = fold(value)
    if found is _NO_SALUTATION and key in _compiled().salutations:
        found, rest = _compiled().salutations[key], []  # "keine Angabe"
    if found is _NO_SALUTATION:
        title, after = _take_titles(value)
        if title and not after.strip():
            return None, title, ["salutation_was_title"]
        return None, None, [f"salutation_unknown: {value}"]
    title = None
    if rest:
        title, after = _take_titles(" ".join(rest))
        if title is None or after.strip():
            return None, None, [f"salutation_unknown: {value}"]
    reasons = [] if found is not None else ["salutation_neutral"]
    return (found if isinstance(found, str) else None), title, reasons


def _take_titles(text: str) -> tuple[str | None, str]:
    """The academic titles at the start of `text` (canonical spellings, or a title family's
    spelling as written: `Dipl.-Kff.`), and the rest."""
    comp = _compiled()
    found: list[str] = []
    progress = True
    while progress and text:
        progress = False
        for pattern, canonical in comp.titles:
            m = pattern.match(text)
            if m:
                found.append(canonical)
                text = text[m.end():]
                progress = True
                break
        for family in comp.title_families if not progress else ():
            m = family.match(text)
            if m:
                found.append(re.sub(r"\s+(?!\()", "", m.group(0).strip()))
                text = text[m.end():]
                progress = True
                break
    return (" ".join(found) if found else None), text


def _drop_profession(text: str) -> tuple[str, str | None]:
    """`Notar Dr. Klaus Berg` → (`Dr. Klaus Berg`, `Notar`): a profession is not a title."""
    pattern = _compiled().professions
    m = pattern.match(text) if pattern else None
    return (text[m.end():], m.group(0).strip()) if m else (text, None)


def split_name(text: str) -> tuple[str | None, str | None]:
    """(first, last) from 'Anna Schmidt', 'Schmidt, Anna' or 'Max von der Heide'."""
    if "," in text:
        last, _, first = text.partition(",")
        return proper_case(first.strip()) or None, proper_case(last.strip()) or None
    tokens = text.split()
    if not tokens:
        return None, None
    if len(tokens) == 1:
        return None, proper_case(tokens[0])
    comp = _compiled()
    particles = comp.particles | comp.nobles
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in particles:
        start -= 1
    if start > 2 and tokens[start - 1].lower().rstrip(".") in ("genannt", "gen"):
        start -= 2  # "Max Müller genannt Schmidt": one surname, joined by "genannt"
    return proper_case(" ".join(tokens[:start])), proper_case(" ".join(tokens[start:]))


_TOP = frozenset({"owner", "executive"})


def _first_named_role(folded: str, role: str) -> str:
    """`CEO & Founder`: the seniority is the highest named (founder: owner), the role the one
    the title names first (CEO: Geschäftsführung)."""
    first: tuple[int, str] | None = None
    for pattern, other, seniority in _compiled().roles:
        m = pattern.search(folded) if other and seniority in _TOP else None
        if m and other and (first is None or m.start() < first[0]):
            first = (m.start(), other)
    return first[1] if first else role


@lru_cache(maxsize=65536)
def classify_position(position: str) -> tuple[str | None, str | None, str | None, list[str]]:
    """(role, seniority, implied salutation, reasons) for a job title in German or English."""
    comp = _compiled()
    folded = fold(position)
    salutation = "Frau" if comp.feminine.search(folded) else None
    for pattern, role, seniority in comp.roles:
        if pattern.search(folded):
            if role is None:
                role = next((name for dept, name in comp.departments if dept.search(folded)), None)
            elif seniority in _TOP:
                role = _first_named_role(folded, role)
            return role, seniority, salutation, [f"position_matched: {seniority}"]
    department = next((name for dept, name in comp.departments if dept.search(folded)), None)
    return department, None, salutation, ["position_not_recognised"]


@lru_cache(maxsize=262144)
def enrich_person(
    full_name: str | None = None,
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    salutation: str | None = None,
    title: str | None = None,
    position: str | None = None,
) -> PersonResult:
    """Combine the name fields a record has; separate fields win over parts of `full_name`."""
    given = full_name if full_name is not None else " ".join(
        x for x in (salutation, title, first_name, last_name) if x) or None
    reasons: list[str] = []
    parts = [clean_value(x)
             for x in (full_name, first_name, last_name, salutation, title, position)]
    if all(p is None for p in parts):
        empty = any(x is not None for x in (full_name, first_name, last_name, position))
        return PersonResult(input=given, reasons=["empty" if empty else "missing"])
    full, first, last, sal, tit, pos = parts
    if any(p and has_emoji(p) for p in parts):
        reasons.append("emoji_removed")
        full, first, last, sal, tit, pos = (strip_emoji(p) if p else p
                                            for p in (full, first, last, sal, tit, pos))
    out_sal: str | None = None
    out_title: str | None = None
    neutral = False
    if sal:
        out_sal, out_title, sal_reasons = parse_salutation(sal)
        neutral = "salutation_neutral" in sal_reasons
        reasons += sal_reasons
    if tit:
        out_title, rest = _take_titles(tit)
        if out_title is None or rest.strip():
            out_title = tit
            reasons.append("title_not_canonical")
    out_first = proper_case(first) if first else None
    out_last = proper_case(last) if last else None
    if full:
        tokens = full.split()
        found_sal, tokens = _take_salutation(tokens)
        if found_sal is None and not neutral:
            neutral = True
            reasons.append("salutation_neutral")
        out_sal = out_sal or (found_sal if isinstance(found_sal, str) else None)
        unprofessional, profession = _drop_profession(" ".join(tokens))
        found_title, rest = _take_titles(unprofessional)
        if profession is None:
            rest, profession = _drop_profession(rest)  # "Dr. Notar …" is rare but seen
        if profession:
            reasons.append(f"profession_dropped: {profession}")
        out_title = out_title or found_title
        if "," in rest:
            # "Schmidt, Dr. Anna": the title may follow the comma
            last_part, _, first_part = rest.partition(",")
            found_title2, first_part = _take_titles(first_part.strip())
            out_title = out_title or found_title2
            rest = f"{last_part}, {first_part}"
        f, la = split_name(rest.strip())
        out_first = out_first or f
        out_last = out_last or la
    for name in (out_first, out_last):
        if name and re.search(r"\d", name):
            reasons.append("digits_in_name")
    if out_last is None and (full or first):
        reasons.append("last_name_missing")
    role = seniority = None
    if pos:
        role, seniority, implied, pos_reasons = classify_position(pos)
        reasons += pos_reasons
        if out_sal is None and implied and not neutral:
            out_sal = implied
            reasons.append("salutation_implied_by_position")
    return PersonResult(
        input=given, salutation=out_sal, title=out_title, first_name=out_first,
        last_name=out_last, role=role, seniority=seniority,
        decision_maker=seniority in DECISION_MAKERS, reasons=reasons, position=pos or None,
    )


def enrich_person_line(value: str | None) -> PersonResult:
    """The inspect form: 'Dr. Anna Schmidt | Leiterin Einkauf' (the job title is optional)."""
    if value is None:
        return enrich_person()
    if not value.strip():
        return PersonResult(input=value, reasons=["empty"])
    name, _, position = value.partition("|")
    result = enrich_person(name.strip() or None, position=position.strip() or None)
    return PersonResult(**{**result.__dict__, "input": value})

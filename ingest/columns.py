"""Automatic column mapping: original header → canonical field, from configurable aliases.

Matching is on a normalised form of the header (`normalise_header`), so spelling variants
("E-Mail", "EMAIL", "e_mail") need no alias of their own. An explicit vendor mapping
(`ingest.vendor_mapping`) wins over the aliases; what neither maps stays in the raw payload
and is reported as unmapped, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ingest.errors import InputFileError
from ingest.evidence import (
    ColumnProfile,
    OrganisationWords,
    looks_like_value,
    organisation_matcher,
    profile_column,
)
from ingest.fields import COMBINED_FIELDS, IDENTITY_FIELDS, MAPPABLE_FIELDS
from ingest.header_words import Vocabulary, leaf, normalise_header, read_header
from ingest.vendor_mapping import VendorMapping
from leadpipe.config import LoadedConfig, load_config

__all__ = ["ColumnChoice", "ColumnMapping", "ColumnsConfig", "check_headers", "header_is_data",
           "load_columns_config", "map_columns", "normalise_header"]

def _check_field(name: str) -> str:
    if name not in MAPPABLE_FIELDS:
        raise ValueError(f"unknown canonical field {name!r}; known: {', '.join(MAPPABLE_FIELDS)}")
    return name


class ContextRule(BaseModel):
    """An ambiguous header: `field` if a column maps to `if_mapped`, else `otherwise`."""

    model_config = ConfigDict(extra="forbid")
    headers: list[str]
    field: str
    if_mapped: str
    otherwise: str

    @field_validator("field", "if_mapped", "otherwise")
    @classmethod
    def _known(cls, value: str) -> str:
        return _check_field(value)


WORD_CLASSES = ("organisation", "name", "short", "person", "unrelated", "identifier",
                "area_code")
"""The classes of `header_words` (see `ingest.header_words.read_header`)."""


class ColumnsConfig(BaseModel):
    """`ingest/defaults/columns.yaml`: aliases per field, contextual rules, header words."""

    model_config = ConfigDict(extra="forbid")
    version: int
    aliases: dict[str, list[str]]
    contextual: list[ContextRule] = []
    min_compound_alias: int = 3
    header_words: dict[str, list[str]] = {}
    organisation_words: list[str] = []

    @field_validator("header_words")
    @classmethod
    def _known_classes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if name not in WORD_CLASSES:
                raise ValueError(f"unknown word class {name!r}; known: {', '.join(WORD_CLASSES)}")
        return value

    def vocabulary(self) -> Vocabulary:
        """Words for reading compound headers; a word class wins over an alias."""
        classes = {normalise_header(w): c for c, words in self.header_words.items()
                   for w in words}
        fields = {key: f for f, aliases in self.aliases.items() for a in aliases
                  if len(key := normalise_header(a)) >= self.min_compound_alias
                  and key not in classes}
        for rule in self.contextual:
            for header in rule.headers:
                if (key := normalise_header(header)) not in classes:
                    fields.setdefault(key, rule.otherwise)
        return Vocabulary(fields, classes)

    @field_validator("aliases")
    @classmethod
    def _known_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            _check_field(name)
        return value

    @model_validator(mode="after")
    def _no_alias_twice(self) -> ColumnsConfig:
        owner: dict[str, str] = {}
        claims = [(f, a) for f, aliases in self.aliases.items() for a in aliases]
        claims += [(f"contextual {r.field}", h) for r in self.contextual for h in r.headers]
        for name, alias in claims:
            key = normalise_header(alias)
            if not key:
                raise ValueError(f"alias {alias!r} of {name} is empty after normalisation")
            if key in owner and owner[key] != name:
                raise ValueError(f"alias {alias!r} is listed under both {owner[key]} and {name}")
            owner[key] = name
        return self


def load_columns_config(config_dir: Path | None = None) -> LoadedConfig[ColumnsConfig]:
    """The header aliases: embedded defaults, overridden by `<config_dir>/columns.yaml`."""
    return load_config("ingest", "columns", ColumnsConfig, config_dir=config_dir)


CONFIDENCE = {"vendor": 1.0, "alias": 0.95, "context": 0.85, "compound": 0.75}
"""How sure a mapping is, by where it came from; values can raise or lower it."""
_SAMPLE_SHOWN = 3
_VALUE_SHARE = 0.8
"""Share of a column's sample values that must fit a kind for the values alone to map it."""
_ORGANISATION_SHARE = 0.3
"""Share of organisation names that makes a plain `Name` column the company."""
_PERSON_SHARE = 0.6
_NUMBERED_PERSON_SHARE = 0.9
_DOUBT_SHARE = 0.5
_MIN_EVIDENCE = 5
"""Fewer filled sample values than this are no evidence either way."""
_KIND_OF_FIELD = {"email": ("email",), "website": ("website",), "city": ("place",),
                  "postcode": ("postcode", "postcode_city"), "phone": ("phone",),
                  "mobile": ("phone",), "fax": ("phone",), "full_name": ("person_name",),
                  "title": ("title",), "postcode_city": ("postcode_city",),
                  "address": ("address",),
                  **dict.fromkeys(("company", "first_name", "last_name", "street",
                                   "street_full", "legal_form", "industry", "position"),
                                  ("words",))}
"""Fields whose values have a shape to check the header against."""
_BY_VALUES = {"email": "email", "website": "website", "postcode_city": "postcode_city",
              "address": "address", "street_full": "street_full", "dialable": "phone"}
"""Kind of values → the field an unmapped column gets from its values alone."""
_VARIED = 0.5
"""Share of distinct values a name column has at least: names vary, categories repeat."""
_STRICT = frozenset({"email", "website", "phone", "mobile", "fax", "postcode", "title"})
"""Fields whose values have a clear shape: a column almost none of whose values has it holds
something else ('title' of a Google Places export is the place's name)."""
_CONTRADICTED = 0.1
_OUTDONE = 0.5
"""A column fitting its field less than half as well as another of the same field gives way."""
_NUMBERED = re.compile(r"^(.*?\D)[\s_.-]*(\d{1,2})$")
_KEY_FIELDS = {"company or person name": IDENTITY_FIELDS,
               "street": ("street", "street_full"), "postcode": ("postcode", "postcode_city"),
               "e-mail": ("email",), "phone": ("phone", "mobile")}
"""Fields a lead list is expected to have; the report warns when one has no column."""


@dataclass(frozen=True)
class ColumnChoice:
    """One column of the file: what it maps to, why, how sure, and what its values look like."""

    header: str
    field: str | None
    how: str
    """'vendor', 'alias', 'context', 'compound', 'values'; 'ignored' or 'unmapped'."""
    confidence: float
    samples: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ColumnMapping:
    """How the columns of one file map onto canonical fields.

    `mapping` holds mapped headers only (original header → field); several headers may map to
    the same field, and the first non-empty value in column order wins when loading.
    `how` says per mapped header where the decision came from (see `ColumnChoice.how`).
    """

    mapping: dict[str, str]
    unmapped: tuple[str, ...]
    ignored: tuple[str, ...]
    how: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    columns: tuple[ColumnChoice, ...] = ()


def header_is_data(cells: Sequence[str], config: ColumnsConfig) -> bool:
    """True for a first row that holds values, not names: at least one cell is a value (an
    e-mail, a URL, a postcode, a phone number, a street with its number) and no cell is a
    header leadpipe knows ('PLZ', 'Telefon Zentrale', 'Schulleitung Vorname')."""
    filled = [c for c in cells if c.strip()]
    if not any(looks_like_value(c) for c in filled):
        return False
    known = {normalise_header(a) for aliases in config.aliases.values() for a in aliases}
    known |= {normalise_header(h) for rule in config.contextual for h in rule.headers}
    vocabulary = config.vocabulary()
    return not any(normalise_header(c) in known or read_header(c, vocabulary) is not None
                   for c in filled if not looks_like_value(c))


def check_headers(file: Path, headers: Sequence[str]) -> None:
    """Raise for an empty header row or two columns with the same (trimmed) name.

    Blank header cells are allowed (trailing empty columns of spreadsheet exports); the
    warehouse keys them by position.
    """
    if not any(h.strip() for h in headers):
        raise InputFileError(file, 1, None, "the header row is empty; the first row must name "
                             "the columns")
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header.strip()
        if not key:
            continue
        if key in seen:
            first = seen[key]
            raise InputFileError(
                file, 1, key,
                f"duplicate header: columns {first + 1} and {index + 1} are both named "
                f"{key!r}; rename one of them in the file",
            )
        seen[key] = index


@dataclass
class _Draft:
    """The mapping while it is being decided, column by column."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    organisation: OrganisationWords
    target: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _profiles: dict[str, ColumnProfile] = field(default_factory=dict)

    def assign(self, header: str, target: str, how: str, confidence: float | None = None,
            note: str = "") -> None:
        self.target[header] = target
        self.how[header] = how
        self.confidence[header] = round(CONFIDENCE[how] if confidence is None else confidence, 2)
        if note:
            self.note[header] = note

    def open(self) -> list[str]:
        return [h for h in self.headers
                if h.strip() and h not in self.target and h not in self.ignored]

    def claimed(self) -> set[str]:
        return set(self.target.values())

    def fills(self) -> set[str]:
        """The canonical fields the columns mapped so far fill, combined ones split."""
        return {f for target in self.target.values() for f in _fills(target)}

    def values(self, header: str) -> list[str]:
        index = list(self.headers).index(header)
        return [r[index] for r in self.rows if index < len(r)]

    def profile(self, header: str) -> ColumnProfile:
        if header not in self._profiles:
            self._profiles[header] = profile_column(self.values(header), self.organisation)
        return self._profiles[header]


def _fills(target: str) -> set[str]:
    return set(COMBINED_FIELDS.get(target, (target,)))


def map_columns(
    file: Path,
    headers: Sequence[str],
    config: ColumnsConfig,
    vendor: VendorMapping | None = None,
    rows: Sequence[Sequence[str]] = (),
) -> ColumnMapping:
    """Map `headers` to fields, using sample `rows` as evidence; raise if no identity field maps.

    Order of precedence: the vendor file's `columns` and `ignore`; then (unless the vendor
    file sets `auto_map: false`) whole-header aliases, compound headers read word by word,
    the contextual headers (decided by the other columns and the values), and last the
    values alone. Compounds and values only map to fields no earlier step has claimed.
    """
    check_headers(file, headers)
    draft = _Draft(headers, rows, organisation_matcher(config.organisation_words))
    if vendor is not None:
        _apply_vendor(draft, vendor)
    if vendor is None or vendor.auto_map:
        _map_aliases(draft, config)
        _map_compounds(draft, config)
        _map_context(draft, config)
        _map_continuations(draft)
        _correct_by_values(draft)
        _drop_misfits(draft)  # frees what a header got wrong for the values to take
        _map_by_values(draft)
    _correct_by_values(draft)
    _drop_orphans(draft)
    _drop_misfits(draft)
    _flag_doubts(draft)
    if not any(f in IDENTITY_FIELDS for f in draft.target.values()):
        raise _no_identity(file, draft)
    return _result(draft)


def _find(headers: Sequence[str], original: str) -> str | None:
    if original in headers:
        return original
    wanted = normalise_header(original)
    return next((h for h in headers if h.strip() and normalise_header(h) == wanted), None)


def _apply_vendor(draft: _Draft, vendor: VendorMapping) -> None:
    for original, target in vendor.columns.items():
        header = _find(draft.headers, original)
        if header is None:
            draft.warnings.append(f"mapping file names column {original!r}, which the file "
                                  "does not have")
        elif target is None:
            draft.ignored.append(header)
        else:
            draft.assign(header, target, "vendor")
    for original in vendor.ignore:
        header = _find(draft.headers, original)
        if header is None:
            draft.warnings.append(f"mapping file ignores column {original!r}, which the file "
                                  "does not have")
        elif header not in draft.target and header not in draft.ignored:
            draft.ignored.append(header)


def _stem(header: str) -> str:
    """'Name 1' → 'Name', 'Schulbezeichnung_2' → 'Schulbezeichnung'; else the header."""
    match = _NUMBERED.match(header.strip())
    return match.group(1).strip() if match else header


def _map_aliases(draft: _Draft, config: ColumnsConfig) -> None:
    """Whole headers (or their stem before a number: 'Telefon 2') that an alias names."""
    alias_field = {normalise_header(a): f for f, aliases in config.aliases.items()
                   for a in aliases}
    for header in draft.open():
        target = (alias_field.get(normalise_header(header))
                  or alias_field.get(normalise_header(_stem(header)))
                  or alias_field.get(normalise_header(leaf(header))))
        if target is not None:
            draft.assign(header, target, "alias")


def _map_context(draft: _Draft, config: ColumnsConfig) -> None:
    context = {normalise_header(h): rule for rule in config.contextual for h in rule.headers}
    for header in draft.open():
        rule = context.get(normalise_header(header)) or context.get(
            normalise_header(_stem(header)))
        if rule is None:
            continue
        if rule.otherwise == "full_name":
            _decide_name(draft, header, rule)
        elif rule.if_mapped in draft.claimed():
            draft.assign(header, rule.field, "context")
        else:
            draft.assign(header, rule.otherwise, "context")


def _decide_name(draft: _Draft, header: str, rule: ContextRule) -> None:
    """A plain `Name`: the company when its values are organisations or a person's name is
    elsewhere; else the surname beside a first-name column, or the whole name."""
    profile = draft.profile(header)
    claimed = draft.claimed()
    organisations = profile.share("organisation")
    people = profile.share("person_name")
    evidence = profile.filled >= _MIN_EVIDENCE
    share = f"{organisations:.0%} of its values look like organisations"
    beside = rule.if_mapped in claimed and rule.field not in claimed
    person_elsewhere = bool(claimed & {"full_name", "last_name"})
    # 'Name 1', 'Name 2': German ERP exports spread the company name over numbered lines
    person_share = _PERSON_SHARE if _stem(header) == header else _NUMBERED_PERSON_SHARE
    if not evidence:
        draft.assign(header, rule.field if beside else rule.otherwise, "context")
    elif "company" in claimed:
        if organisations >= _ORGANISATION_SHARE:
            draft.note[header] = f"{share}, but another column is the company"
            return
        draft.assign(header, rule.field if beside else rule.otherwise, "context",
                     max(people, 0.6))
    elif organisations >= _ORGANISATION_SHARE or person_elsewhere:
        draft.assign(header, "company", "context", max(organisations, 0.7), share)
    elif beside:
        draft.assign(header, rule.field, "context")
    elif people >= person_share or claimed & {"salutation", "title"}:
        draft.assign(header, rule.otherwise, "context", max(people, 0.6),
                     f"{people:.0%} of its values look like people's names")
    else:
        draft.assign(header, "company", "context", 0.6,
                     f"{share}, {people:.0%} like people's names; no person column beside it")


def _map_compounds(draft: _Draft, config: ColumnsConfig) -> None:
    """Headers read word by word; the contextual headers ('Name', 'Straße') are left to
    `_map_context`, which sees the other columns."""
    vocabulary = config.vocabulary()
    contextual = {normalise_header(h) for rule in config.contextual for h in rule.headers}
    claimed = draft.claimed()
    for header in draft.open():
        if {normalise_header(header), normalise_header(_stem(header))} & contextual:
            continue
        target = read_header(header, vocabulary)
        # a name column may have rivals ('Institution' = the operator, 'facility' = the
        # Kita): they all map, and `_check_against_values` keeps the one whose values vary
        if target is not None and (target not in claimed or target in IDENTITY_FIELDS):
            draft.assign(header, target, "compound")


def _map_continuations(draft: _Draft) -> None:
    """'Name 2', 'Schulbezeichnung_3' continue the company name of 'Name 1' (German exports
    split long names over numbered columns)."""
    first: dict[str, str] = {}
    for header in draft.headers:
        if header.strip() and _stem(header) != header:
            stem = normalise_header(_stem(header))
            if stem not in first:
                first[stem] = header
            elif draft.target.get(first[stem]) == "company":
                draft.assign(header, "company_continued", draft.how.get(header, "compound"))


def _map_by_values(draft: _Draft) -> None:
    """Columns no header rule maps: e-mail, website, phone or 'PLZ Ort' values say what they
    are; words right of a postcode column are the city; without any name column, the
    column most clearly of people's or organisations' names is the name."""
    for header in draft.open():
        profile = draft.profile(header)
        if profile.filled < _MIN_EVIDENCE:
            continue
        for kind, target in _BY_VALUES.items():
            share = profile.share(kind)
            if share >= _VALUE_SHARE and not _fills(target) & draft.fills():
                draft.assign(header, target, "values", share * 0.9,
                             f"{share:.0%} of its values look like {kind.replace('_', ' ')}")
                break
    _map_address_block(draft)
    if not draft.claimed() & set(IDENTITY_FIELDS):
        _map_names_by_values(draft)


def _map_address_block(draft: _Draft) -> None:
    """German addresses run street, postcode, city from left to right: five digits right of
    the street are the postcode, words right of the postcode the city."""
    headers = list(draft.headers)
    steps = (({"street", "street_full", "house_number"}, "postcode", "postcode",
              "five digits right of the street column"),
             ({"postcode"}, "words", "city", "words right of the postcode column"))
    for after, kind, target, why in steps:
        for index, header in enumerate(headers[:-1]):
            right = headers[index + 1]
            if draft.target.get(header) not in after or right not in draft.open():
                continue
            profile = draft.profile(right)
            share = profile.share(kind)
            if (target not in draft.fills() and profile.filled >= _MIN_EVIDENCE
                    and share >= _VALUE_SHARE
                    and (target != "city" or profile.share("postcode") == 0)):
                draft.assign(right, target, "values", share * 0.8, why)


def _map_names_by_values(draft: _Draft) -> None:
    """The name column of a list whose headers name none (or that has no header row): the
    column with the most, and most varied, people's or organisations' names; failing that,
    the leftmost column of varied words, so that a list whose rows have an address or a
    contact loads (with a warning to check it) instead of being refused."""
    best: tuple[float, str, str] | None = None
    for header in draft.open():
        profile = draft.profile(header)
        if profile.filled < _MIN_EVIDENCE or profile.distinct < _VARIED:
            continue
        for kind, target in (("person_name", "full_name"), ("organisation", "company")):
            share = profile.share(kind)
            score = share * profile.distinct
            if share >= _PERSON_SHARE and (best is None or score > best[0]):
                best = (score, header, target)
    if best is not None:
        _, header, target = best
        share = draft.profile(header).share(
            "person_name" if target == "full_name" else "organisation")
        draft.assign(header, target, "values", share * 0.8,
                     f"{share:.0%} of its values look like "
                     f"{'people' if target == 'full_name' else 'organisations'}")
        return
    guess = _likely_name_column(draft)
    if guess is not None and draft.fills() & {"street", "street_full", "postcode", "city",
                                              "email", "phone", "mobile", "website"}:
        draft.assign(guess, "company", "values", 0.5, "no column is clearly the name: the "
                     "leftmost column of varied words")
        draft.warnings.append(f"no column is clearly the company or person name; took "
                              f"{guess!r}: check it in the preview, or name the column in a "
                              "mapping file")


def _likely_name_column(draft: _Draft) -> str | None:
    """The leftmost open column of varied words without digits: what a person would read
    as the name of each row."""
    for header in draft.open():
        profile = draft.profile(header)
        if (profile.filled >= _MIN_EVIDENCE and profile.distinct >= _VARIED
                and profile.share("place") >= _VALUE_SHARE):
            return header
    return None


def _correct_by_values(draft: _Draft) -> None:
    """A postcode or city column whose values are '44894 Bochum' holds both; a street column
    whose values carry house numbers holds both, and one without any holds the street only."""
    for header, target in list(draft.target.items()):
        profile = draft.profile(header)
        if draft.how[header] == "vendor":
            continue
        if profile.filled < _MIN_EVIDENCE:
            # a split that keeps what it cannot split is safe on little evidence
            if target in {"street", "street_full"} and profile.share("address") > _DOUBT_SHARE:
                draft.assign(header, "address", draft.how[header], profile.share("address"))
            continue
        combined = profile.share("postcode_city")
        numbered = profile.share("street_full")
        address = profile.share("address")
        people, organisations = profile.share("person_name"), profile.share("organisation")
        by_words = draft.how[header] in {"compound", "values"}
        if by_words and target == "company" and people >= _PERSON_SHARE > organisations * 2:
            draft.assign(header, "full_name", draft.how[header], people,
                         f"{people:.0%} of its values look like people's names")
        elif (by_words and target == "full_name" and organisations >= _ORGANISATION_SHARE
              and organisations > people):
            draft.assign(header, "company", draft.how[header], organisations,
                         f"{organisations:.0%} of its values look like organisations")
        elif target in {"street", "street_full"} and address >= _DOUBT_SHARE:
            draft.assign(header, "address", draft.how[header], address,
                         f"{address:.0%} of its values hold street, postcode and city")
        elif target in {"postcode", "city"} and combined >= _VALUE_SHARE:
            draft.assign(header, "postcode_city", draft.how[header], round(combined, 2),
                         f"{combined:.0%} of its values hold postcode and city")
        elif target == "street" and numbered >= _VALUE_SHARE:
            draft.assign(header, "street_full", draft.how[header], round(numbered, 2),
                         f"{numbered:.0%} of its values hold street and house number")
        elif (target == "street_full" and numbered < 1 - _VALUE_SHARE
              and "house_number" in draft.claimed()):
            draft.assign(header, "street", draft.how[header], round(1 - numbered, 2),
                         "its values hold no house numbers; another column does")


_NEEDS = {"phone_area_code": ("phone", "an area code"), "fax_area_code": ("fax", "an area code"),
          "house_number": ("street", "a house number")}
"""Fields that mean something only beside another: a lone 'Nr' is a row number."""


def _drop_orphans(draft: _Draft) -> None:
    for header, target in list(draft.target.items()):
        if target in _NEEDS and draft.how[header] != "vendor":
            partner, what = _NEEDS[target]
            if partner not in draft.claimed():
                del draft.target[header]
                draft.note[header] = (f"looks like {what}, but no {partner} column goes with "
                                      "it")


def _fit(draft: _Draft, header: str, target: str) -> float | None:
    """Share of a column's values that look like `target`; None without enough evidence."""
    kinds = _KIND_OF_FIELD.get(target)
    profile = draft.profile(header)
    if kinds is None or profile.filled < _MIN_EVIDENCE:
        return None
    return sum(profile.share(k) for k in kinds)


def _rank(draft: _Draft, header: str, fit: float | None) -> float:
    """How well a column holds its field, to choose among columns of the same field. Names
    vary: 'staatlich' in most rows is a category beside the school's name."""
    if fit is None:
        return 0.0
    varied = draft.target[header] in IDENTITY_FIELDS
    return min(fit, draft.profile(header).distinct) if varied else fit


def _drop_misfits(draft: _Draft) -> None:
    """Values against headers. A column mapped by its words (compound) or its values whose
    values do not fit the field is dropped, as is a column of a clearly shaped field
    (e-mail, phone, title…) almost none of whose values has the shape, and any non-vendor
    column that fits its field less than half as well as another column of the field."""
    fits = {h: _fit(draft, h, t) for h, t in draft.target.items()}
    ranks = {h: _rank(draft, h, fits[h]) for h in draft.target}
    best: dict[str, float] = {}
    for header, target in draft.target.items():
        best[target] = max(best.get(target, 0.0), ranks[header])
    for header, target in list(draft.target.items()):
        share = fits[header]
        if share is None or draft.how[header] == "vendor":
            continue
        weak = ((draft.how[header] in {"compound", "values"} and share < _DOUBT_SHARE)
                or (target in _STRICT and share < _CONTRADICTED))
        outdone = ranks[header] < best[target] * _OUTDONE
        if weak or outdone:
            del draft.target[header]
            draft.note[header] = (
                f"its header says {target}, but only {share:.0%} of its values look like one"
                if weak or share < _DOUBT_SHARE else
                f"its header says {target}, but another column holds it better")
            if draft.how[header] == "alias":
                draft.warnings.append(f"column {header!r} is not loaded as {target}: "
                                      f"{draft.note[header].replace('its', 'the', 1)}")


def _flag_doubts(draft: _Draft) -> None:
    """A whole-header alias whose values do not quite fit keeps its field, with a low
    confidence and a warning."""
    for header, target in draft.target.items():
        share = _fit(draft, header, target)
        if share is not None and share < _DOUBT_SHARE:
            draft.confidence[header] = round(min(draft.confidence[header], 0.4), 2)
            draft.warnings.append(
                f"column {header!r} is mapped to {target}, but only {share:.0%} of its values "
                f"look like one; check it in the preview")


def _no_identity(file: Path, draft: _Draft) -> InputFileError:
    """The refusal names the mapping key to write, with the likeliest column."""
    texts = [h for h in draft.open() if draft.profile(h).filled
             and not any(ch.isdigit() for ch in "".join(draft.values(h)[:20]))]
    likely = (_likely_name_column(draft) or (texts[0] if texts else None)
              or next(iter(draft.open()), "<column>"))
    return InputFileError(
        file, 1, "/".join(IDENTITY_FIELDS),
        "no column holds a company or a person name, so no row can be identified; headers "
        f"found: {', '.join(repr(h) for h in draft.headers if h.strip())}. Say which column "
        f"holds the names in a mapping file (--mapping FILE.yaml), e.g.\n"
        f"  vendor: <vendor>\n  columns:\n    {likely!r}: company   # or full_name\n"
        "(see docs/ingest.md, \"Mapping files\"; `--preview --write-mapping FILE.yaml` writes "
        "one to edit)",
    )


def _result(draft: _Draft) -> ColumnMapping:
    headers = draft.headers
    mapping = {h: draft.target[h] for h in headers if h in draft.target}
    unmapped = tuple(h for h in headers if h.strip() and h not in mapping
                     and h not in draft.ignored)
    columns = []
    for header in headers:
        if not header.strip():
            continue
        samples = tuple(v.strip() for v in draft.values(header) if v.strip())[:_SAMPLE_SHOWN]
        if header in mapping:
            columns.append(ColumnChoice(header, mapping[header], draft.how[header],
                                        draft.confidence[header], samples,
                                        draft.note.get(header, "")))
        else:
            how = "ignored" if header in draft.ignored else "unmapped"
            columns.append(ColumnChoice(header, None, how, 0.0, samples,
                                        draft.note.get(header, "")))
    warnings = list(draft.warnings)
    produced = draft.fills()
    for what, fields in _KEY_FIELDS.items():
        if not produced & set(fields):
            warnings.append(f"no column for the {what}: leads of this list have none")
    return ColumnMapping(mapping, unmapped, tuple(draft.ignored),
                         {h: draft.how[h] for h in mapping}, tuple(warnings), tuple(columns))

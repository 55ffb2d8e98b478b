"""Automatic column mapping: original header → canonical field, from the headers and values.

Headers are compared in a normalised form (`normalise_header`), so spelling variants
("E-Mail", "EMAIL", "e_mail") need no alias of their own; compound headers are read word by
word (`ingest.header_words`); the values of the first rows decide what headers cannot
(`ingest.column_values`). An explicit vendor mapping (`ingest.vendor_mapping`) wins over
all of it; what nothing maps stays in the raw payload and is reported as unmapped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from foundation.config import LoadedConfig, load_config
from ingest.column_draft import (
    DOUBT_SHARE,
    MIN_EVIDENCE,
    NUMBERED_PERSON_SHARE,
    ORGANISATION_SHARE,
    PERSON_SHARE,
    Draft,
)
from ingest.column_values import (
    correct_by_values,
    drop_misfits,
    drop_orphans,
    drop_row_counters,
    flag_doubts,
    likely_name_column,
    map_by_values,
)
from ingest.errors import InputFileError
from ingest.evidence import looks_like_value, organisation_matcher
from ingest.fields import IDENTITY_FIELDS, MAPPABLE_FIELDS
from ingest.header_words import (
    Vocabulary,
    declines,
    leaf,
    names_something,
    normalise_header,
    read_header,
)
from ingest.vendor_mapping import VendorMapping

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

    @cached_property
    def alias_field(self) -> dict[str, str]:
        """Normalised alias → field."""
        return {normalise_header(a): f for f, aliases in self.aliases.items() for a in aliases}

    @cached_property
    def context_rule(self) -> dict[str, ContextRule]:
        """Normalised contextual header → its rule."""
        return {normalise_header(h): rule for rule in self.contextual for h in rule.headers}

    @cached_property
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


_SAMPLE_SHOWN = 3
SECOND_COMPANY_SHARE = 0.8
"""A `Name` beside the company column is the contact's name, unless nearly all its values are
organisations (then it is a second company name, left unmapped)."""
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
    """'vendor', 'alias', 'context', 'compound', 'values', 'guess' (the likeliest name column
    of a list without a clear one); 'ignored' or 'unmapped'."""
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
    return not any(normalise_header(c) in config.alias_field
                   or normalise_header(c) in config.context_rule
                   or read_header(c, config.vocabulary) is not None
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
    draft = Draft(headers, rows, organisation_matcher(config.organisation_words))
    if vendor is not None:
        _apply_vendor(draft, vendor)
    if vendor is None or vendor.auto_map:
        _map_aliases(draft, config)
        _map_compounds(draft, config)
        _map_context(draft, config)
        _map_continuations(draft)
        drop_row_counters(draft)
        correct_by_values(draft)
        drop_misfits(draft)  # frees what a header got wrong for the values to take
        map_by_values(draft)
    correct_by_values(draft)
    drop_orphans(draft)
    drop_misfits(draft)
    flag_doubts(draft)
    if not any(f in IDENTITY_FIELDS for f in draft.target.values()):
        raise _no_identity(file, draft)
    return _result(draft)


def _find(headers: Sequence[str], original: str) -> str | None:
    if original in headers:
        return original
    wanted = normalise_header(original)
    return next((h for h in headers if h.strip() and normalise_header(h) == wanted), None)


def _apply_vendor(draft: Draft, vendor: VendorMapping) -> None:
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


def _map_aliases(draft: Draft, config: ColumnsConfig) -> None:
    """Whole headers (or their stem before a number: 'Telefon 2') that an alias names."""
    alias_field = config.alias_field
    for header in draft.open():
        target = (alias_field.get(normalise_header(header))
                  or alias_field.get(normalise_header(_stem(header)))
                  or alias_field.get(normalise_header(leaf(header))))
        if target is not None:
            draft.assign(header, target, "alias")


def _map_context(draft: Draft, config: ColumnsConfig) -> None:
    context = config.context_rule
    name_rule = next((r for r in config.contextual if r.otherwise == "full_name"), None)
    vocabulary = config.vocabulary
    for header in draft.open():
        rule = context.get(normalise_header(header)) or context.get(
            normalise_header(_stem(header)))
        if rule is None and names_something(header, vocabulary):
            rule = name_rule  # 'venue_name', 'bib_name': a name, the values say of what
        if rule is None:
            continue
        if rule.otherwise == "full_name":
            _decide_name(draft, header, rule)
        elif rule.if_mapped in draft.claimed():
            draft.assign(header, rule.field, "context")
        else:
            draft.assign(header, rule.otherwise, "context")


def _decide_name(draft: Draft, header: str, rule: ContextRule) -> None:
    """A plain `Name`: the company when its values are organisations or a person's name is
    elsewhere; else the surname beside a first-name column, or the whole name."""
    profile = draft.profile(header)
    claimed = draft.claimed()
    organisations = profile.share("organisation")
    people = profile.share("person_name")
    evidence = profile.filled >= MIN_EVIDENCE
    share = f"{organisations:.0%} of its values look like organisations"
    beside = rule.if_mapped in claimed and rule.field not in claimed
    person_elsewhere = bool(claimed & {"full_name", "last_name"})
    # 'Name 1', 'Name 2': German ERP exports spread the company name over numbered lines
    person_share = PERSON_SHARE if _stem(header) == header else NUMBERED_PERSON_SHARE
    if not evidence:
        draft.assign(header, rule.field if beside else rule.otherwise, "context")
    elif profile.share("place") < DOUBT_SHARE or profile.distinct < DOUBT_SHARE:
        # codes ('BAR002') or categories ('Single', 'Double'): no name at all
        draft.note[header] = (f"{share}, {people:.0%} like people's names; its values are "
                              "codes or categories, not names")
    elif "company" in claimed:
        if organisations >= SECOND_COMPANY_SHARE:
            draft.note[header] = f"{share}, but another column is the company"
            return
        draft.assign(header, rule.field if beside else rule.otherwise, "context",
                     max(people, 0.6))
    elif organisations >= ORGANISATION_SHARE or person_elsewhere:
        draft.assign(header, "company", "context", max(organisations, 0.7), share)
    elif beside:
        draft.assign(header, rule.field, "context")
    elif people >= person_share or claimed & {"salutation", "title"}:
        draft.assign(header, rule.otherwise, "context", max(people, 0.6),
                     f"{people:.0%} of its values look like people's names")
    elif people >= DOUBT_SHARE > organisations:
        draft.assign(header, rule.otherwise, "context", people,
                     f"{people:.0%} of its values look like people's names")
    else:
        draft.assign(header, "company", "context", 0.6,
                     f"{share}, {people:.0%} like people's names; no person column beside it")


def _map_compounds(draft: Draft, config: ColumnsConfig) -> None:
    """Headers read word by word; the contextual headers ('Name', 'Straße') are left to
    `_map_context`, which sees the other columns."""
    vocabulary = config.vocabulary
    contextual = config.context_rule.keys()
    claimed = draft.claimed()
    for header in draft.open():
        if {normalise_header(header), normalise_header(_stem(header))} & contextual:
            continue
        if declines(header, vocabulary):
            draft.declined.add(header)
            continue
        target = read_header(header, vocabulary)
        # a name column may have rivals ('Institution' = the operator, 'facility' = the
        # Kita): they all map, and `_check_against_values` keeps the one whose values vary
        if target is not None and (target not in claimed or target in IDENTITY_FIELDS):
            draft.assign(header, target, "compound")


def _map_continuations(draft: Draft) -> None:
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


def _no_identity(file: Path, draft: Draft) -> InputFileError:
    """The refusal names the mapping key to write, with the likeliest column."""
    texts = [h for h in draft.open() if draft.profile(h).filled
             and not any(ch.isdigit() for ch in "".join(draft.values(h)[:20]))]
    likely = (likely_name_column(draft) or (texts[0] if texts else None)
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


def _result(draft: Draft) -> ColumnMapping:
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

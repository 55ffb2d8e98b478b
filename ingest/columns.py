"""Automatic column mapping: original header → canonical field, from configurable aliases.

Matching is on a normalised form of the header (`normalise_header`), so spelling variants
("E-Mail", "EMAIL", "e_mail") need no alias of their own. An explicit vendor mapping
(`ingest.vendor_mapping`) wins over the aliases; what neither maps stays in the raw payload
and is reported as unmapped, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ingest.errors import InputFileError
from ingest.fields import IDENTITY_FIELDS, LIST_FIELDS
from ingest.vendor_mapping import VendorMapping
from leadpipe.config import LoadedConfig, load_config

_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(header: str) -> str:
    """Fold a header to lower-case ASCII letters and digits: 'Straße/Nr.' → 'strassenr'.

    German umlauts become their two-letter spelling (so 'Strasse' and 'Straße' agree),
    other accents are dropped, and punctuation and whitespace disappear.
    """
    text = unicodedata.normalize("NFKC", header).casefold().translate(_GERMAN_FOLD)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return _NON_ALNUM.sub("", text)


def _check_field(name: str) -> str:
    if name not in LIST_FIELDS:
        raise ValueError(f"unknown canonical field {name!r}; known: {', '.join(LIST_FIELDS)}")
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


class ColumnsConfig(BaseModel):
    """`ingest/defaults/columns.yaml`: aliases per canonical field and contextual rules."""

    model_config = ConfigDict(extra="forbid")
    version: int
    aliases: dict[str, list[str]]
    contextual: list[ContextRule] = []

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


@dataclass(frozen=True)
class ColumnMapping:
    """How the columns of one file map onto canonical fields.

    `mapping` holds mapped headers only (original header → field); several headers may map to
    the same field, and the first non-empty value in column order wins when loading.
    `how` says per mapped header where the decision came from: 'vendor', 'alias', 'context'.
    """

    mapping: dict[str, str]
    unmapped: tuple[str, ...]
    ignored: tuple[str, ...]
    how: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


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
) -> ColumnMapping:
    """Map `headers` to canonical fields; raise `InputFileError` if no identity field maps.

    Order of precedence: the vendor file's `columns` (exact header, else normalised match),
    its `ignore` list, then (unless the vendor file sets `auto_map: false`) the aliases and
    the contextual rules.
    """
    check_headers(file, headers)
    mapping: dict[str, str] = {}
    how: dict[str, str] = {}
    ignored: list[str] = []
    warnings: list[str] = []
    by_norm = {normalise_header(h): h for h in reversed(headers) if h.strip()}

    if vendor is not None:
        for original, target in vendor.columns.items():
            header = original if original in headers else by_norm.get(normalise_header(original))
            if header is None:
                warnings.append(f"mapping file names column {original!r}, which the file "
                                "does not have")
                continue
            if target is None:
                ignored.append(header)
            else:
                mapping[header] = target
                how[header] = "vendor"
        for original in vendor.ignore:
            header = original if original in headers else by_norm.get(normalise_header(original))
            if header is None:
                warnings.append(f"mapping file ignores column {original!r}, which the file "
                                "does not have")
            elif header not in mapping and header not in ignored:
                ignored.append(header)

    if vendor is None or vendor.auto_map:
        alias_field = {normalise_header(a): f for f, aliases in config.aliases.items()
                       for a in aliases}
        context = {normalise_header(h): rule for rule in config.contextual for h in rule.headers}
        open_headers = [h for h in headers if h.strip() and h not in mapping and h not in ignored]
        for header in open_headers:
            target = alias_field.get(normalise_header(header))
            if target is not None:
                mapping[header] = target
                how[header] = "alias"
        for header in open_headers:
            rule = context.get(normalise_header(header))
            if rule is not None and header not in mapping:
                present = rule.if_mapped in mapping.values()
                mapping[header] = rule.field if present else rule.otherwise
                how[header] = "context"

    if not any(f in IDENTITY_FIELDS for f in mapping.values()):
        raise InputFileError(
            file, 1, "/".join(IDENTITY_FIELDS),
            "no column maps to a company or a person name (one of "
            f"{', '.join(IDENTITY_FIELDS)} is required); headers found: "
            f"{', '.join(repr(h) for h in headers)}. Name the column in a vendor mapping "
            "file (see docs/ingest.md)",
        )
    ordered = {h: mapping[h] for h in headers if h in mapping}
    unmapped = tuple(h for h in headers if h.strip() and h not in mapping and h not in ignored)
    return ColumnMapping(ordered, unmapped, tuple(ignored), how, tuple(warnings))

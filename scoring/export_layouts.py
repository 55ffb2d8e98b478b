"""Export layouts: the columns of a lead list, their order and German headers, letter fields,
and one row per postal address.

Pure: the stage hands in the rows of `marts.qualified_leads` and which other channels each
lead may be contacted on; what comes out are the rows as the file shows them. The layouts
are data (`defaults/exports.yaml`), validated at load with errors that name the key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from foundation.config import LoadedConfig, load_config
from foundation.vocabulary import Channel

Layout = Literal["standard", "serienbrief", "anrufliste"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)

CHANNEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email",), "phone": ("phone",), "sms": ("mobile",), "fax": ("fax",),
    "post": ("street", "postcode", "city"),
}
"""The columns that carry each channel's own contact data (the English export's columns)."""

FIELDS: tuple[str, ...] = (
    "lead_id", "company", "legal_form", "salutation", "title", "first_name", "last_name", "name",
    "position", "addressee", "letter_salutation", "street", "postcode", "city", "country",
    "phone", "mobile", "fax", "email", "score", "grade", "top_reasons", "decision",
    "reason_code", "legal_basis", "sources", "leads_at_address",
)
"""Every column an export row can have (English names: the keys of `sheet_row`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LetterConfig(_Strict):
    addressee_salutation: dict[str, str]
    opening: dict[str, str]
    opening_by_name: str = Field(min_length=1)
    opening_without_person: str = Field(min_length=1)
    addressee_without_person: str = Field(min_length=1)


class LayoutConfig(_Strict):
    description: str
    channels: list[Channel] = Field(min_length=1)
    other_channels: Literal["omit", "if_allowed"]
    columns: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_columns(self) -> LayoutConfig:
        unknown = [c for c in self.columns if c not in FIELDS]
        if unknown:
            raise ValueError(f"unknown column {', '.join(unknown)}; use some of "
                             f"{', '.join(FIELDS)}")
        twice = sorted({c for c in self.columns if self.columns.count(c) > 1})
        if twice:
            raise ValueError(f"column {', '.join(twice)} listed twice")
        return self


class ExportsConfig(_Strict):
    version: int
    headers: dict[str, str]
    contact_channels: dict[str, list[Channel]]
    letters: LetterConfig
    countries: dict[str, str] = Field(default_factory=dict)
    layouts: dict[Layout, LayoutConfig]

    @model_validator(mode="after")
    def _complete(self) -> ExportsConfig:
        missing = [f for f in FIELDS if not self.headers.get(f, "").strip()]
        if missing:
            raise ValueError(f"headers: no German header for {', '.join(missing)}")
        unknown = [f for f in self.headers if f not in FIELDS]
        if unknown:
            raise ValueError(f"headers: unknown column {', '.join(unknown)}")
        seen: dict[str, str] = {}
        for name, header in self.headers.items():
            if header in seen:
                raise ValueError(f"headers: {name} and {seen[header]} share the header "
                                 f"{header!r}; each column needs its own")
            seen[header] = name
        unknown = [f for f in self.contact_channels if f not in FIELDS]
        if unknown:
            raise ValueError(f"contact_channels: unknown column {', '.join(unknown)}")
        absent = [name for name in LAYOUTS if name not in self.layouts]
        if absent:
            raise ValueError(f"layouts: {', '.join(absent)} missing")
        return self


def load_exports_config(config_dir: Path | None = None) -> LoadedConfig[ExportsConfig]:
    return load_config("scoring", "exports", ExportsConfig, config_dir)


def german_headers(config_dir: Path | None = None) -> dict[str, str]:
    """Column → German header, for readers of written files (GDPR erasure finds `Lead-ID`)."""
    return dict(load_exports_config(config_dir).value.headers)


# --- columns ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Columns:
    """What a file gets: the row keys in order and the header written for each."""

    fields: tuple[str, ...]
    headers: tuple[str, ...]


def english_columns(channel: str, *, include_review: bool, per_address: bool) -> list[str]:
    """Today's plain CSV/JSON columns (scripts read these names; keep them)."""
    cols = ["lead_id", "company", "name", *CHANNEL_COLUMNS[channel], "score", "grade",
            "top_reasons"]
    if include_review:
        cols.append("decision")
    cols += ["reason_code", "legal_basis", "sources"]
    return [*cols, "leads_at_address"] if per_address else cols


def layout_columns(config: ExportsConfig, layout: Layout, channel: str, *,
                   include_review: bool, per_address: bool) -> list[str]:
    """The layout's columns for this export: other channels' contact columns left out where
    the layout says `omit`, `decision` only with review leads, the address count only per
    address."""
    spec = config.layouts[layout]
    own = CHANNEL_COLUMNS[channel]
    cols = []
    for col in spec.columns:
        if col == "decision" and not include_review:
            continue
        if col == "leads_at_address" and not per_address:
            continue
        if spec.other_channels == "omit" and col in config.contact_channels and col not in own:
            continue
        cols.append(col)
    return cols


def columns_for(config: ExportsConfig, layout: Layout, channel: str, *, german: bool,
                include_review: bool, per_address: bool) -> Columns:
    """English columns for the plain standard file, else the layout's under German headers."""
    if not german:
        cols = english_columns(channel, include_review=include_review, per_address=per_address)
        return Columns(tuple(cols), tuple(cols))
    cols = layout_columns(config, layout, channel, include_review=include_review,
                          per_address=per_address)
    return Columns(tuple(cols), tuple(config.headers[c] for c in cols))


# --- rows ------------------------------------------------------------------------------------

def _person(row: Mapping[str, Any]) -> bool:
    return bool(row.get("last_name") or row.get("person_name"))


def addressee(row: Mapping[str, Any] | None, letters: LetterConfig) -> str:
    """The address line: `Herrn Dr. Max Mustermann`, or the configured line without a person."""
    if row is None or not _person(row):
        return letters.addressee_without_person
    salutation = letters.addressee_salutation.get(str(row.get("salutation")))
    name = " ".join(p for p in (row.get("title"), row.get("first_name"), row.get("last_name"))
                    if p) or str(row.get("person_name"))
    return f"{salutation} {name}" if salutation else name


def letter_salutation(row: Mapping[str, Any] | None, letters: LetterConfig) -> str:
    """The letter's opening: `Sehr geehrte Frau Dr. Schmidt,`, `Guten Tag Alex Berg,` when the
    salutation is unknown or neutral, `Sehr geehrte Damen und Herren,` without a person."""
    if row is None or not _person(row):
        return letters.opening_without_person
    opening = letters.opening.get(str(row.get("salutation")))
    last = row.get("last_name")
    if opening and last:
        return " ".join(p for p in (opening, row.get("title"), last) if p) + ","
    name = " ".join(p for p in (row.get("title"), row.get("first_name"), last) if p) \
        or str(row.get("person_name"))
    return f"{letters.opening_by_name} {name},"


def sheet_row(row: Mapping[str, Any], channel: str, config: ExportsConfig,
              reachable: frozenset[str] = frozenset(), *, german: bool = True,
              company: str | None = None, addressed: Mapping[str, Any] | None = None,
              leads_at_address: int | None = None) -> dict[str, Any]:
    """One file row from one `marts.qualified_leads` row.

    A contact column of another channel stays empty unless the lead is allowed on one of its
    channels (`reachable`). `addressed` is the row whose person the letter goes to (per
    address: the best-scored contact, or None for the company itself); `company` the name
    the row shows.
    """
    addressed = row if addressed is None and leads_at_address is None else addressed
    person = addressed if addressed is not None else {}
    country = row.get("country")
    values: dict[str, Any] = {
        "lead_id": (addressed or row)["lead_id"],
        "company": company if company is not None else row.get("company_name"),
        "legal_form": row.get("legal_form"),
        "salutation": person.get("salutation"), "title": person.get("title"),
        "first_name": person.get("first_name"), "last_name": person.get("last_name"),
        "name": person.get("person_name"), "position": person.get("position"),
        "addressee": addressee(addressed, config.letters),
        "letter_salutation": letter_salutation(addressed, config.letters),
        "email": row.get("email"), "phone": row.get("phone_e164"),
        "mobile": row.get("mobile_e164"), "fax": row.get("fax_e164"),
        "street": " ".join(p for p in (row.get("street"), row.get("house_number")) if p)
        or None,
        "postcode": row.get("postcode"), "city": row.get("city"),
        "country": config.countries.get(country, country) if german and country else country,
        "score": row.get("score"), "grade": row.get("grade"),
        "top_reasons": list(row.get("top_reasons") or []),
        "decision": row.get("decision"), "reason_code": row.get("reason_code"),
        "legal_basis": row.get("legal_basis"),
        "sources": sorted({*(row.get("sources") or []), *(row.get("vendors") or [])}),
        "leads_at_address": leads_at_address,
    }
    own = CHANNEL_COLUMNS[channel]
    for col, channels in config.contact_channels.items():
        if col not in own and channel not in channels and reachable.isdisjoint(channels):
            values[col] = None
    return values


# --- one row per postal address --------------------------------------------------------------

_STREET_WORD = re.compile(r"(stra(ss|ß)e|str\.?)(?=\s|$|\d)")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def _norm(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    return _NOT_ALNUM.sub("", _STREET_WORD.sub("strasse", text.replace("ß", "ss")))


def address_key(row: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The normalised postal address (street, house number, postcode, city, country): case,
    spacing, punctuation and `Str.`/`Straße`/`Strasse` do not tell addresses apart. None when
    the row has no street or no postcode (it is not grouped)."""
    street, postcode = _norm(row.get("street")), _norm(row.get("postcode"))
    if not street or not postcode:
        return None
    return (street, _norm(row.get("house_number")), postcode, _norm(row.get("city")),
            _norm(row.get("country") or "DE"))


@dataclass(frozen=True)
class AddressGroup:
    """The leads at one postal address: one letter, to `addressed` (None: to the company)."""

    rows: tuple[Mapping[str, Any], ...]
    addressed: Mapping[str, Any] | None
    company: str | None

    @property
    def representative(self) -> Mapping[str, Any]:
        """The row whose address, score and legal basis the file row shows."""
        return self.addressed if self.addressed is not None else self.rows[0]


def _rank(row: Mapping[str, Any]) -> tuple[bool, float, str]:
    """Allowed before review (a letter goes to someone it may go to), then best score."""
    score = row.get("score")
    return (row.get("decision") == "review",
            -(float(score) if score is not None else float("-inf")), str(row["lead_id"]))


def group_by_address(rows: Iterable[Mapping[str, Any]]) -> list[AddressGroup]:
    """One group per normalised address and company name (a household: the address alone),
    in the order of each group's best row.

    The letter goes to the best-scored person at the address (allowed before review, then
    highest score, then lead id); with no named person there, to the company
    (`addressee_without_person`). The company name
    is the addressee's, else the first one a row of the group has. Rows without a full
    address stay on their own.
    """
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for index, row in enumerate(rows):
        key = address_key(row)
        # the company too: two firms in one building each get their letter
        groups.setdefault((*key, _norm(row.get("company_name"))) if key is not None
                          else ("", index), []).append(row)
    out = []
    for members in groups.values():
        people = sorted((r for r in members if _person(r)), key=_rank)
        addressed = people[0] if people else None
        ordered = tuple(sorted(members, key=_rank))
        company = next((r.get("company_name") for r in
                        ((addressed,) if addressed else ()) + ordered
                        if r.get("company_name")), None)
        out.append(AddressGroup(ordered, addressed, company))
    return sorted(out, key=lambda g: _rank(g.rows[0]))


def address_rows(groups: Sequence[AddressGroup], channel: str, config: ExportsConfig, *,
                 german: bool) -> list[dict[str, Any]]:
    """One file row per address group."""
    return [sheet_row(g.representative, channel, config, german=german, company=g.company,
                      addressed=g.addressed, leads_at_address=len(g.rows)) for g in groups]

"""Lead lists in a CRM's own spreadsheet import format (HubSpot, Pipedrive, CentralStationCRM).

Sales imports an export into its CRM; a file whose headers are the CRM's own field names is
taken without remapping, one row per lead: a person with the organisation on it, or the
organisation itself. The formats are data (`defaults/crm_formats.yaml`: column → field, file
type, encoding, delimiter, date format), validated at load with errors that name the key.
Every row carries the lead id (`leadpipe_id`), so outcomes can come back from the CRM, and a
note with the decision, its legal basis and the consent evidence it rests on.

Pure: the stage hands in the export's sheet rows (`export_layouts.sheet_row`, contact data of
other channels already left out unless allowed) and what the warehouse knows beyond them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from foundation.config import LoadedConfig, load_config

CrmFormat = Literal["hubspot", "pipedrive", "centralstation"]
CRM_FORMATS: tuple[CrmFormat, ...] = get_args(CrmFormat)

CRM_ID_COLUMN = "leadpipe_id"
"""The column outcomes come back by (issue 21, part 4); every format must have it."""

Relationship = Literal["customer", "prospect"]

FIELDS: tuple[str, ...] = (
    "lead_id", "salutation", "title", "first_name", "last_name", "person_name", "display_name",
    "position", "company", "company_domain", "email", "phone", "mobile", "fax", "street",
    "postcode", "city", "country", "country_name", "address", "channel", "decision",
    "reason_code", "legal_basis", "consent_evidence_id", "source_label", "tags",
    "relationship", "customer_label", "exported_on", "score", "grade", "note",
)
"""Every value a CRM column can show (`crm_row`'s keys)."""

E164_FIELDS = frozenset({"phone", "mobile", "fax"})
"""Fields holding E.164 numbers: written as `+49…`, without the CSV formula apostrophe."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _check_template(template: str) -> str:
    unknown = [p for p in _placeholders(template) if p not in FIELDS or p == "note"]
    if unknown:
        raise ValueError(f"unknown placeholder {', '.join('{' + p + '}' for p in unknown)} "
                         f"in {template!r}; use some of {', '.join(FIELDS[:-1])}")
    return template


class CrmColumn(_Strict):
    header: str = Field(min_length=1)
    field: str | None = None
    value: str | None = None
    template: str | None = None
    values: dict[str, str] | None = None
    """Translates the field's value (e.g. relationship → lifecycle stage); "" leaves it empty."""

    @model_validator(mode="after")
    def _one_source(self) -> CrmColumn:
        given = [k for k in ("field", "value", "template") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"column {self.header!r}: give exactly one of field, value, "
                             f"template (got {', '.join(given) or 'none'})")
        if self.field is not None and self.field not in FIELDS:
            raise ValueError(f"column {self.header!r}: unknown field {self.field!r}; use one of "
                             f"{', '.join(FIELDS)}")
        if self.template is not None:
            _check_template(self.template)
        if self.values is not None and self.field is None:
            raise ValueError(f"column {self.header!r}: values translate a field; add field")
        return self


class CrmFile(_Strict):
    type: Literal["csv", "xlsx"]
    encoding: Literal["utf-8", "cp1252"] = "utf-8"
    bom: bool = False
    delimiter: Literal[",", ";", "\t"] = ","
    date_format: str = "%Y-%m-%d"


class CrmFormatConfig(_Strict):
    description: str
    documented: str
    """The vendor documentation (title and version) the columns follow."""
    url: str
    file: CrmFile
    list_separator: str = Field(min_length=1)
    columns: list[CrmColumn] = Field(min_length=1)

    @model_validator(mode="after")
    def _headers(self) -> CrmFormatConfig:
        headers = [c.header for c in self.columns]
        twice = sorted({h for h in headers if headers.count(h) > 1})
        if twice:
            raise ValueError(f"header {', '.join(twice)} listed twice")
        if not any(c.field == "lead_id" for c in self.columns):
            raise ValueError(f"no column with field lead_id: outcomes come back by it "
                             f"(name it {CRM_ID_COLUMN} or the CRM's custom field label)")
        return self


class NoteConfig(_Strict):
    separator: str
    parts: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> NoteConfig:
        for part in self.parts:
            _check_template(part)
        return self


class CrmFormatsConfig(_Strict):
    version: int
    note: NoteConfig
    formats: dict[CrmFormat, CrmFormatConfig]

    @model_validator(mode="after")
    def _complete(self) -> CrmFormatsConfig:
        absent = [name for name in CRM_FORMATS if name not in self.formats]
        if absent:
            raise ValueError(f"formats: {', '.join(absent)} missing")
        return self


def load_crm_formats(config_dir: Path | None = None) -> LoadedConfig[CrmFormatsConfig]:
    return load_config("scoring", "crm_formats", CrmFormatsConfig, config_dir)


@dataclass(frozen=True)
class CrmFacts:
    """What the warehouse knows of a lead beyond its sheet row."""

    company_domain: str | None = None
    consent_evidence_id: str | None = None
    """The ledger event id of the consent the decision rests on, where it rests on one."""
    is_customer: bool = False
    last_purchase_on: date | None = None


def _fill(template: str, values: Mapping[str, Any]) -> str | None:
    """The template with its placeholders filled; None when one of them is empty."""
    if any(values.get(p) in (None, "", []) for p in _placeholders(template)):
        return None
    return template.format_map({p: values[p] for p in _placeholders(template)})


def _text(value: Any, separator: str) -> Any:
    if isinstance(value, list | tuple):
        return separator.join(str(v) for v in value) or None
    return value


def crm_row(sheet: Mapping[str, Any], spec: CrmFormatConfig, note: NoteConfig, facts: CrmFacts,
            *, channel: str, exported_on: date, country_names: Mapping[str, str]
            ) -> dict[str, Any]:
    """One file row (header → value) from one sheet row of the export."""
    person = " ".join(p for p in (sheet.get("first_name"), sheet.get("last_name")) if p) \
        or sheet.get("name")
    sources = list(sheet.get("sources") or [])
    country = sheet.get("country")
    relationship: Relationship = "customer" if facts.is_customer else "prospect"
    values: dict[str, Any] = {
        **{k: sheet.get(k) for k in ("lead_id", "salutation", "title", "first_name",
                                     "last_name", "position", "company", "email", "phone",
                                     "mobile", "fax", "street", "postcode", "city", "decision",
                                     "reason_code", "legal_basis", "score", "grade")},
        "person_name": person or None,
        "display_name": person or sheet.get("company"),
        "company_domain": facts.company_domain,
        "country": country,
        "country_name": country_names.get(country, country) if country else None,
        "address": ", ".join(p for p in (sheet.get("street"), " ".join(
            str(x) for x in (sheet.get("postcode"), sheet.get("city")) if x)) if p) or None,
        "channel": channel,
        "consent_evidence_id": facts.consent_evidence_id,
        "source_label": ", ".join(sources) or None,
        "tags": ["leadpipe", channel, *sources, *(["Bestandskunde"] if facts.is_customer
                                                  else [])],
        "relationship": relationship,
        "customer_label": (None if not facts.is_customer else
                           f"ja, letzter Kauf {exported_on_text(facts.last_purchase_on, spec)}"
                           if facts.last_purchase_on else "ja"),
        "exported_on": exported_on_text(exported_on, spec),
    }
    values["note"] = note.separator.join(
        p for p in (_fill(part, values) for part in note.parts) if p) or None
    row: dict[str, Any] = {}
    for column in spec.columns:
        if column.value is not None:
            cell: Any = column.value
        elif column.template is not None:
            cell = _fill(column.template, values)
        else:
            cell = values[str(column.field)]
            if column.values is not None and cell is not None:
                cell = column.values.get(str(cell), cell)
        row[column.header] = _text(cell, spec.list_separator) if cell != "" else None
    return row


def exported_on_text(day: date | None, spec: CrmFormatConfig) -> str | None:
    return day.strftime(spec.file.date_format) if day else None


def e164_headers(spec: CrmFormatConfig) -> tuple[str, ...]:
    """The headers of columns that hold E.164 numbers (written without an apostrophe)."""
    return tuple(c.header for c in spec.columns if c.field in E164_FIELDS)


def crm_headers(spec: CrmFormatConfig) -> list[str]:
    """The header row, in the format's column order."""
    return [c.header for c in spec.columns]


def id_headers(config: CrmFormatsConfig) -> tuple[str, ...]:
    """Every header that carries the lead id in some CRM format (GDPR erasure finds rows
    by it)."""
    return tuple(sorted({c.header for spec in config.formats.values() for c in spec.columns
                         if c.field == "lead_id"}))


def crm_rows(sheets: Sequence[Mapping[str, Any]], spec: CrmFormatConfig, note: NoteConfig,
             facts: Mapping[str, CrmFacts], *, channel: str, exported_on: date,
             country_names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The file rows, in the order of the sheet rows (best score first)."""
    return [crm_row(s, spec, note, facts.get(str(s["lead_id"]), CrmFacts()), channel=channel,
                    exported_on=exported_on, country_names=country_names) for s in sheets]

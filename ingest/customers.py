"""Customer exports of CRMs and ERPs: which export a file is, and what each row says.

A customer export is read like a purchased list (`ingest.prepare`: encoding, delimiter, XLSX,
header row, column aliases, mapping file); this module adds what makes it a customer file.
`detect_export` recognises the CRM and export kind from the header row
(`defaults/crm_exports.yaml`) and turns that export's documented columns into a mapping;
`customer_row` reads one row's customer fields (dates, flags, amounts, the lifecycle) and
says which field is wrong when one cannot be read, for the quarantine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from foundation.config import LoadedConfig, load_config
from foundation.vocabulary import CRMS
from ingest.dates import parse_day
from ingest.errors import InputFileError
from ingest.fields import CUSTOMER_FIELDS, MAPPING_FILE_FIELDS
from ingest.header_words import normalise_header
from ingest.vendor_mapping import VendorMapping

CRM_LABELS = {"hubspot": "HubSpot", "pipedrive": "Pipedrive",
              "centralstation": "CentralStationCRM", "generic": "customer export"}
"""How a CRM is named to people (and as the batch's vendor)."""


def _known_field(name: str) -> str:
    if name not in MAPPING_FILE_FIELDS:
        raise ValueError(f"unknown field {name!r}; known: {', '.join(MAPPING_FILE_FIELDS)}")
    return name


class CrmExport(BaseModel):
    """One export of one CRM: how to recognise it and which column holds which field."""

    model_config = ConfigDict(extra="forbid")
    crm: str
    kind: str
    entity: str
    """The record type whose ids `crm_record_id` holds: ids of contacts and of companies are
    counted apart in every CRM, so the customer key names it."""
    detect: list[list[str]]
    columns: dict[str, list[str]]
    ignore: list[str] = []

    @field_validator("crm")
    @classmethod
    def _known_crm(cls, value: str) -> str:
        if value not in CRMS or value == "generic":
            raise ValueError(f"unknown crm {value!r}; known: {', '.join(CRMS[:-1])}")
        return value

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            _known_field(name)
        return value

    def matches(self, headers: set[str]) -> bool:
        """Every header of one of the `detect` sets is in the (normalised) header row."""
        return any({normalise_header(h) for h in wanted} <= headers for wanted in self.detect)


class CrmExportsConfig(BaseModel):
    """`ingest/defaults/crm_exports.yaml`."""

    model_config = ConfigDict(extra="forbid")
    version: int
    yes_values: list[str]
    no_values: list[str]
    customer_lifecycles: list[str]
    won_statuses: list[str]
    generic: dict[str, list[str]]
    exports: list[CrmExport]

    @field_validator("generic")
    @classmethod
    def _customer_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if name not in CUSTOMER_FIELDS:
                raise ValueError(f"generic.{name}: not a customer field; known: "
                                 f"{', '.join(CUSTOMER_FIELDS)}")
        return value

    @cached_property
    def yes(self) -> frozenset[str]:
        return frozenset(_fold(v) for v in self.yes_values)

    @cached_property
    def no(self) -> frozenset[str]:
        return frozenset(_fold(v) for v in self.no_values)

    @cached_property
    def customer_words(self) -> frozenset[str]:
        return frozenset(_fold(v) for v in self.customer_lifecycles)

    @cached_property
    def won(self) -> frozenset[str]:
        return frozenset(_fold(v) for v in self.won_statuses)


def load_crm_exports(config_dir: Path | None = None) -> LoadedConfig[CrmExportsConfig]:
    """The CRM export formats: embedded defaults, overridden by `<config_dir>/ingest/`."""
    return load_config("ingest", "crm_exports", CrmExportsConfig, config_dir=config_dir)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())


@dataclass(frozen=True)
class CustomerExport:
    """What kind of customer file is loaded, and the §7(3) facts the user gave for all of it."""

    crm: str
    kind: str
    entity: str
    collected_in_sale: bool | None = None
    """--collected-in-sale: every address of the file was collected in connection with a
    sale; a column of the file wins for its row."""
    notice_at_collection: bool | None = None
    """--notice-at-collection: every customer was told at collection that they may object
    to advertising by e-mail; a column wins for its row."""

    @property
    def label(self) -> str:
        kind = "" if self.crm == "generic" else f" {self.kind}"
        return f"{CRM_LABELS[self.crm]}{kind}"


def detect_export(path: Path, headers: Sequence[str], crm: str, config: CrmExportsConfig,
                  mapped_by_user: bool) -> CrmExport | None:
    """The CRM export whose documented headers the file has, or None for a generic file.

    `crm` narrows the search to one CRM (`auto`: any, `generic`: none). A file that is no
    known export is refused unless it is meant as generic (`--crm generic`, or a mapping
    file): loading a CRM's export with guessed columns would mix its ids and owners into the
    customers.
    """
    if crm == "generic":
        return None
    present = {normalise_header(h) for h in headers if h.strip()}
    for export in config.exports:
        if crm in ("auto", export.crm) and export.matches(present):
            return export
    if crm == "auto" and (mapped_by_user or _has_generic_key(present, config)):
        return None
    raise InputFileError(path, 1, None, _unknown_export(headers, crm, config))


def _has_generic_key(present: set[str], config: CrmExportsConfig) -> bool:
    """A file with a customer number column is a customer file of some ERP."""
    keys = config.generic.get("customer_number", []) + config.generic.get("crm_record_id", [])
    return any(normalise_header(k) in present for k in keys)


def _unknown_export(headers: Sequence[str], crm: str, config: CrmExportsConfig) -> str:
    found = ", ".join(repr(h) for h in headers if h.strip())
    known = [e for e in config.exports if crm in ("auto", e.crm)]
    expected = "; ".join(f"{CRM_LABELS[e.crm]} {e.kind}: {', '.join(e.detect[0])}"
                         for e in known)
    which = "a known CRM export" if crm == "auto" else f"a {CRM_LABELS[crm]} export"
    return (f"not {which}: headers found: {found}. Expected the columns of {expected}. "
            "Export the customers again from the CRM with these columns, or load another "
            "customer file with a mapping file (--mapping FILE.yaml naming its columns, e.g. "
            "`columns: {\"Kd.-Nr.\": customer_number, \"Firma\": company}`; `leadpipe "
            "ingest customers FILE --crm generic --preview --write-mapping FILE.yaml` writes "
            "one to edit) or with --crm generic (see docs/customers.md)")


def export_mapping(headers: Sequence[str], export: CrmExport | None,
                   config: CrmExportsConfig, user: VendorMapping | None) -> VendorMapping:
    """The column mapping for `prepare_list`: the export's documented columns, then the
    generic customer aliases for fields the export leaves open (a custom property
    'Produktkategorie'), under the user's mapping file, which wins column by column; the
    rest is left to the aliases of purchased lists."""
    by_header = {normalise_header(h): h for h in headers if h.strip()}
    columns: dict[str, str | None] = {}
    documented = export.columns if export is not None else {}
    for fields in (documented, config.generic):  # custom properties: generic names
        for target, names in fields.items():
            for name in names:
                header = by_header.get(normalise_header(name))
                if (header is not None and header not in columns
                        and (fields is documented or target not in columns.values())):
                    columns[header] = target
    for name in (export.ignore if export is not None else []):
        header = by_header.get(normalise_header(name))
        if header is not None and header not in columns:
            columns[header] = None
    if user is None:
        return VendorMapping(columns=columns)
    merged = {**columns, **user.columns}
    return user.model_copy(update={"columns": merged})


@dataclass(frozen=True)
class CustomerRow:
    """The customer fields of one row, read."""

    customer_key: str
    customer_number: str | None
    crm_record_id: str | None
    lifecycle: str | None
    is_customer: bool
    purchased_on: date | None
    product_category: str | None
    value_eur: Decimal | None
    collected_in_sale: bool | None
    notice_at_collection: bool | None
    purchase: bool
    """The row is a purchase: a won deal, or a contact's or company's last purchase."""


@dataclass(frozen=True)
class RowProblem:
    field: str
    reason: str


_AMOUNT = re.compile(r"^-?[\d.,' ]+$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")


def read_day(text: str) -> date:
    """A date as CRMs export it: ISO (with a time: HubSpot), German, or US month/day/year
    (an English-language Pipedrive or HubSpot account)."""
    text = text.strip()
    if (stamp := _DATE_TIME.match(text)) is not None:
        return date.fromisoformat(stamp.group(1))
    if (us := _US_DATE.match(text)) is not None:
        month, day, year = (int(p) for p in us.groups())
        return date(year, month, day)
    return parse_day(text)


def read_amount(text: str) -> Decimal:
    """'1.234,50 €', '1,234.50', 'EUR 980' → Decimal; the last separator followed by one or
    two digits is the decimal one."""
    value = re.sub(r"(?i)eur|€|\s", "", text)
    if not _AMOUNT.match(value):
        raise ValueError(f"{text!r} is not an amount")
    last = max(value.rfind(","), value.rfind("."))
    if last >= 0 and len(value) - last - 1 in (1, 2):
        whole, cents = value[:last], value[last + 1:]
    else:
        whole, cents = value, "0"
    whole = re.sub(r"[.,']", "", whole)
    try:
        return Decimal(f"{whole or '0'}.{cents}")
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not an amount") from exc


def _flag(value: str | None, default: bool | None, config: CrmExportsConfig,
          field: str) -> bool | RowProblem | None:
    if value is None or not value.strip():
        return default
    folded = _fold(value)
    if folded in config.yes:
        return True
    if folded in config.no:
        return False
    return RowProblem(field, f"{value!r} is neither yes nor no (ja/nein, yes/no, 1/0, x)")


def _is_customer(lifecycle: str | None, config: CrmExportsConfig) -> bool:
    if not lifecycle:
        return False
    return any(_fold(part) in config.customer_words
               for part in re.split(r"[,;|]", lifecycle))


def _key(export: CustomerExport, record_id: str | None, number: str | None,
         values: Mapping[str, str | None]) -> str:
    """crm:entity:id; without an id the customer number, and without either a digest of the
    e-mail or the names (never the values themselves: the key travels in record ids)."""
    prefix = f"{export.crm}:{export.entity}"
    if record_id:
        return f"{prefix}:{record_id}"
    if number:
        return f"{prefix}:no-{number}"
    who = (values.get("email") or "").strip().casefold() or "|".join(
        (values.get(f) or "").strip().casefold()
        for f in ("company", "first_name", "last_name", "full_name"))
    return f"{prefix}:h{hashlib.sha256(who.encode()).hexdigest()[:16]}"


def customer_row(values: Mapping[str, str | None], export: CustomerExport,
                 config: CrmExportsConfig) -> CustomerRow | RowProblem:
    """Read the customer fields of a row (canonical field → text); the first field that
    cannot be read is the row's problem."""
    def text(name: str) -> str | None:
        value = values.get(name)
        return value.strip() or None if value is not None else None

    purchased_on = None
    if (day := text("purchased_on")) is not None:
        try:
            purchased_on = read_day(day)
        except ValueError:
            return RowProblem("purchased_on", f"{day!r} is not a date (2026-11-20, "
                              "20.11.2026 or 11/20/2026)")
    value_eur = None
    if (amount := text("purchase_value")) is not None:
        try:
            value_eur = read_amount(amount)
        except ValueError:
            return RowProblem("purchase_value", f"{amount!r} is not an amount in euros")
    collected = _flag(text("collected_in_sale"), export.collected_in_sale, config,
                      "collected_in_sale")
    notice = _flag(text("notice_at_collection"), export.notice_at_collection, config,
                   "notice_at_collection")
    if isinstance(collected, RowProblem):
        return collected
    if isinstance(notice, RowProblem):
        return notice
    record_id, number = text("crm_record_id"), text("customer_number")
    status = text("deal_status")
    if export.entity == "deal":
        won = status is not None and _fold(status) in config.won
        purchase = won and purchased_on is not None
    else:
        purchase = purchased_on is not None
    lifecycle = text("lifecycle")
    return CustomerRow(
        customer_key=_key(export, record_id, number, values),
        customer_number=number, crm_record_id=record_id,
        lifecycle=lifecycle if export.entity != "deal" else status,
        is_customer=purchase or _is_customer(lifecycle, config),
        purchased_on=purchased_on, product_category=text("product_category"),
        value_eur=value_eur, collected_in_sale=collected, notice_at_collection=notice,
        purchase=purchase,
    )


def content_digest(values: Mapping[str, object]) -> str:
    """What makes a customer's row a new version: its mapped values, in field order. Columns
    nobody maps (page views, last activity) change every month and must not count."""
    text = "\x1f".join(f"{k}={values[k]}" for k in sorted(values) if values[k] is not None)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def export_of(export: CrmExport | None, collected_in_sale: bool | None,
              notice_at_collection: bool | None) -> CustomerExport:
    if export is None:
        return CustomerExport("generic", "customers", "customer", collected_in_sale,
                              notice_at_collection)
    return CustomerExport(export.crm, export.kind, export.entity, collected_in_sale,
                          notice_at_collection)


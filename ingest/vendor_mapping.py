"""Per-vendor mapping files: explicit column names and list metadata for one vendor's lists.

A vendor's export format is stable, so marketing ops writes it down once:

    vendor: Adressbroker GmbH
    columns: {"Firma 1": company, "Ansprechp.": full_name, "Interne Nr": null}
    ignore: [Kundennummer]
    acquired_on: 2026-10-01        # or 01.10.2026
    provenance_documented: true
    encoding: cp1252

A customer export's mapping file (`leadpipe ingest customers --mapping`, or `<file>.yaml`
beside it in the nightly inbox) may also say `crm`, `collected_in_sale` and
`notice_at_collection` for the whole file.

The file is validated when it is read; an error names the file and the key.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from foundation.config import ConfigError, plain_message
from foundation.vocabulary import Crm
from ingest.dates import Day
from ingest.errors import not_a_regular_file
from ingest.fields import MAPPING_FILE_FIELDS

_DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


class VendorMapping(BaseModel):
    """One vendor's list format and the metadata its lists share."""

    model_config = ConfigDict(extra="forbid")

    vendor: str | None = None
    """Who sold the list; may instead be given with --vendor (the flow's vendor parameter)."""
    columns: dict[str, str | None] = {}
    """Original header → canonical field; null ignores the column (it stays in the raw payload)."""
    ignore: list[str] = []
    auto_map: bool = True
    """Map the remaining headers by the default aliases too."""
    acquired_on: Day | None = None
    licence_end: Day | None = None
    permitted_use: str | None = None
    provenance_documented: bool | None = None
    encoding: str | None = None
    """Forces the encoding; a file that does not decode with it is rejected."""
    delimiter: str | None = None
    sheet: str | None = None
    """XLSX only: the worksheet to read (default: the first)."""
    crm: Crm | None = None
    """Customer exports only: whose export the file is (as `--crm`)."""
    collected_in_sale: bool | None = None
    """Customer exports only: every address was collected in a sale (`--collected-in-sale`)."""
    notice_at_collection: bool | None = None
    """Customer exports only: every customer was told at collection they may object to
    advertising e-mail (`--notice-at-collection`)."""

    @field_validator("columns", mode="before")
    @classmethod
    def _headers_as_text(cls, value: object) -> object:
        """YAML reads a header like `2024` as a number; headers are text."""
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("ignore", mode="before")
    @classmethod
    def _ignored_as_text(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for header, target in value.items():
            if target is not None and target not in MAPPING_FILE_FIELDS:
                raise ValueError(
                    f"column {header!r} maps to unknown field {target!r}; known fields: "
                    f"{', '.join(MAPPING_FILE_FIELDS)}"
                )
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return codecs.lookup(value).name
        except LookupError as exc:
            raise ValueError(f"unknown encoding {value!r}") from exc

    @field_validator("delimiter")
    @classmethod
    def _one_char(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = _DELIMITER_WORDS.get(value.lower(), value)
        if len(value) != 1 or value in "\"\r\n":
            raise ValueError(f"delimiter must be one character (or tab/comma/semicolon/pipe), "
                             f"got {value!r}")
        return value

    def list_defaults(self) -> dict[str, object]:
        """The list metadata this file sets, for the batch record."""
        values: dict[str, object] = {
            "vendor": self.vendor,
            "acquired_on": self.acquired_on,
            "licence_end": self.licence_end,
            "permitted_use": self.permitted_use,
            "provenance_documented": self.provenance_documented,
        }
        return {k: v for k, v in values.items() if v is not None}


def load_vendor_mapping(path: Path) -> VendorMapping:
    """Read and validate a mapping file; `ConfigError` names the file and the key."""
    not_a_file = not_a_regular_file(path)
    if not_a_file is not None:
        raise ConfigError(f"mapping file: {not_a_file}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: mapping file not found") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    try:
        return VendorMapping.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: invalid mapping file"]
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  {key}: {plain_message(err['msg'])}")
        raise ConfigError("\n".join(lines)) from exc


_WORD_OF_DELIMITER = {v: k for k, v in _DELIMITER_WORDS.items() if k.isalpha()}


@dataclass(frozen=True)
class ProposedColumn:
    """One line of a proposed mapping: header, field (None: not mapped) and why."""

    header: str
    field: str | None
    why: str


def proposal_yaml(file_name: str, columns: list[ProposedColumn], *, vendor: str | None,
                  encoding: str | None, delimiter: str | None, sheet: str | None,
                  customers: bool = False) -> str:
    """A mapping file with the preview's proposal, every column listed, to edit and load
    with `--mapping`. `auto_map: false` makes the file the whole truth: what it says is
    what loads, whatever later versions of the aliases would guess. A customer export's
    file offers the keys a customer load reads (crm, the §7(3) facts), not a list's."""
    quote = json.dumps  # a JSON string is a YAML double-quoted scalar
    command = "leadpipe ingest customers" if customers else "leadpipe ingest list"
    lines = [f"# Column mapping for {file_name}, proposed by `{command} --preview`.",
             "# Check each line: set a field name, or null to keep a column in the raw rows only",
             "# (fields: docs/customers.md)" if customers else "# (fields: docs/ingest.md)",
             f"# Load with: {command} FILE --mapping THIS.yaml"]
    if customers:
        lines += ["# crm: <hubspot, pipedrive, centralstation or generic>",
                  "# collected_in_sale: true     # every address was collected in a sale",
                  "# notice_at_collection: true  # every customer was told they may object"]
    else:
        lines += [f"vendor: {quote(vendor)}" if vendor else "# vendor: <who sold the list>",
                  "# acquired_on: <purchase date, e.g. 2026-11-20>"]
    lines.append("auto_map: false")
    if encoding and encoding not in {"utf-8", "utf-8-sig"}:
        lines.append(f"encoding: {encoding}")
    if delimiter:
        lines.append(f"delimiter: {_WORD_OF_DELIMITER.get(delimiter, quote(delimiter))}")
    if sheet:
        lines.append(f"sheet: {quote(sheet)}")
    lines.append("columns:")
    for column in columns:
        target = column.field or "null"
        lines.append(f"  {quote(column.header)}: {target}  # {column.why}".rstrip())
    return "\n".join(lines) + "\n"

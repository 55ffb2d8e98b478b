"""A newsletter tool's per-recipient campaign report, read as opens and clicks per address.

`ingest/defaults/newsletter_engagement.yaml` says, per tool (CleverReach, Brevo, Mailchimp,
generic), which headers hold the address, the counts, flags or dates of opens and clicks,
and the campaign. Rows without an address or any activity are skipped; unreadable values
are problems with their row and field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from enrichment.email import enrich_email
from enrichment.text import fold
from foundation.config import LoadedConfig, load_config
from ingest.crm_outcomes import parse_when
from ingest.crm_tables import RowProblem, cell, read_table
from ingest.errors import InputFileError

TOOLS = ("cleverreach", "brevo", "mailchimp", "generic")
FIELDS = ("email", "opens", "clicks", "opened", "clicked", "last_activity", "campaign")


class Tool(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detect: list[str]
    columns: dict[str, list[str]]

    @field_validator("columns")
    @classmethod
    def _fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known: {', '.join(FIELDS)}")
        return value


class EngagementConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    yes_words: list[str]
    tools: dict[str, Tool]

    @field_validator("tools")
    @classmethod
    def _tools(cls, value: dict[str, Tool]) -> dict[str, Tool]:
        unknown = sorted(set(value) - set(TOOLS))
        if unknown:
            raise ValueError(f"unknown tools {unknown}; known: {', '.join(TOOLS)}")
        return value


def load_engagement_config(config_dir: Path | None = None, mapping: Path | None = None
                           ) -> LoadedConfig[EngagementConfig]:
    return load_config("ingest", "newsletter_engagement", EngagementConfig,
                       config_dir=config_dir, override_file=mapping)


@dataclass(frozen=True)
class EngagementRow:
    row: int
    email: str
    opens: int
    clicks: int
    on: date | None
    """The last open or click the file dates, if it does."""
    campaign: str | None


@dataclass(frozen=True)
class EngagementFile:
    tool: str
    rows: tuple[EngagementRow, ...]
    problems: tuple[tuple[int, str | None, str], ...]
    skipped: int
    rows_in: int


def read_engagement_file(path: Path, tool: str, config: EngagementConfig) -> EngagementFile:
    """Read a campaign report; `tool` is one of TOOLS or `auto` (by its headers)."""
    table = read_table(path)
    if tool == "auto":
        tool = table.best_format({name: spec.detect for name, spec in config.tools.items()},
                                 TOOLS)
    if tool not in config.tools:
        raise InputFileError(path, None, None, f"unknown newsletter tool {tool!r}; use one of "
                                               f"{', '.join(TOOLS)} or auto")
    spec = config.tools[tool]
    columns = table.columns(spec.columns)
    if "email" not in columns:
        raise InputFileError(path, 1, None, f"no e-mail column ({tool} report); expected "
                             f"{spec.columns.get('email', ['email'])[0]!r}. Add your header "
                             f"under tools.{tool}.columns.email in a --mapping file")
    if not set(columns) & {"opens", "clicks", "opened", "clicked"}:
        raise InputFileError(path, 1, None, f"no column with opens or clicks ({tool} report); "
                             f"expected one of {', '.join(spec.columns.get('clicks', []))}")
    yes = {fold(w) for w in config.yes_words}

    def count(cells: Sequence[str], name: str) -> int:
        text = cell(cells, columns, name)
        if text is None:
            return 0
        if not re.fullmatch(r"\d+", text):
            raise RowProblem(table.headers[columns[name]], f"{text!r} is not a number of {name}")
        return int(text)

    def flag(cells: Sequence[str], name: str) -> tuple[int, date | None]:
        text = cell(cells, columns, name)
        if text is None or fold(text) in {"0", "no", "nein", "false", "falsch", "n"}:
            return 0, None
        if fold(text) in yes:
            return 1, None
        try:
            return 1, parse_when(text)
        except ValueError as exc:
            raise RowProblem(table.headers[columns[name]], f"{text!r} is neither yes/no nor a "
                                                     "date") from exc

    rows: list[EngagementRow] = []
    problems: list[tuple[int, str | None, str]] = []
    skipped = 0
    for number, cells in table.rows:
        try:
            opened, open_day = flag(cells, "opened")
            clicked, click_day = flag(cells, "clicked")
            opens = max(count(cells, "opens"), opened)
            clicks = max(count(cells, "clicks"), clicked)
            days = [d for d in (open_day, click_day) if d]
            if (text := cell(cells, columns, "last_activity")) is not None:
                try:
                    days.append(parse_when(text))
                except ValueError as exc:
                    raise RowProblem(table.headers[columns["last_activity"]],
                               f"{text!r} is not a date") from exc
        except RowProblem as bad:
            problems.append((number, bad.header, str(bad)))
            continue
        raw = cell(cells, columns, "email")
        email = enrich_email(raw).normalized if raw else None
        if raw and email is None:
            problems.append((number, table.headers[columns["email"]],
                             "not an e-mail address"))
            continue
        if email is None or not (opens or clicks):
            skipped += 1
            continue
        rows.append(EngagementRow(number, email, opens, clicks, max(days) if days else None,
                                  cell(cells, columns, "campaign")))
    return EngagementFile(tool, tuple(rows), tuple(problems), skipped, len(table.rows))

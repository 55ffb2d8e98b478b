"""A CRM's deals or activities export, read back as outcomes and do-not-contact flags.

`ingest/defaults/crm_outcomes.yaml` says, per CRM (HubSpot, Pipedrive, CentralStationCRM,
generic), which headers hold what and which stage, status and activity words mean which
outcome; a `--mapping` file is merged over it. Each row becomes a `CrmRow` (who it concerns,
what happened, whether the person wants no more contact), is skipped (nothing to say), or is
a problem with its row and field, never a guess: `rows = loaded + quarantined + skipped`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from enrichment.email import enrich_email
from enrichment.phone import enrich_phone
from enrichment.text import fold
from foundation.config import LoadedConfig, load_config
from foundation.vocabulary import OUTCOMES, Outcome
from ingest.crm_tables import RowProblem, Table, cell, read_table
from ingest.dates import parse_day
from ingest.errors import InputFileError

CRMS = ("hubspot", "pipedrive", "centralstation", "generic")
FIELDS = ("leadpipe_id", "deal_id", "outcome", "status", "stage", "activity", "activity_done",
          "value", "closed_on", "email", "phone", "first_name", "last_name", "contact",
          "company", "lost_reason", "do_not_contact", "marketing_status", "labels", "note")
"""What a column can hold (the keys of `formats.<crm>.columns`)."""
PERSON_KEYS = ("leadpipe_id", "email", "phone", "last_name", "contact", "company")
"""Fields that say whom a row concerns; a format must find one of them."""


def _outcome_map(value: dict[str, str | None]) -> dict[str, str | None]:
    unknown = sorted({v for v in value.values() if v is not None} - set(OUTCOMES))
    if unknown:
        raise ValueError(f"unknown outcomes {unknown}; use one of {', '.join(OUTCOMES)}")
    return {fold(k): v for k, v in value.items()}


class CrmFormat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detect: list[str]
    columns: dict[str, list[str]]
    outcomes: dict[str, Outcome | None] = {}
    activities: dict[str, Outcome] = {}
    ignore: list[str] = []
    marketing_status_objection: list[str] = []
    label_objection: list[str] = []

    @field_validator("columns")
    @classmethod
    def _fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known: {', '.join(FIELDS)}")
        return value

    @field_validator("outcomes", "activities")
    @classmethod
    def _words(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        return _outcome_map(value)


class CrmOutcomesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    common_outcomes: dict[str, Outcome]
    not_interested_reasons: list[str]
    objection_reasons: list[str]
    yes_words: list[str]
    formats: dict[str, CrmFormat]

    @field_validator("formats")
    @classmethod
    def _crms(cls, value: dict[str, CrmFormat]) -> dict[str, CrmFormat]:
        unknown = sorted(set(value) - set(CRMS))
        if unknown:
            raise ValueError(f"unknown CRM formats {unknown}; known: {', '.join(CRMS)}")
        return value


def load_crm_outcomes_config(config_dir: Path | None = None, mapping: Path | None = None
                             ) -> LoadedConfig[CrmOutcomesConfig]:
    """The shipped formats, with config/ingest/crm_outcomes.yaml and a --mapping file over
    them (ConfigError names the file and key)."""
    return load_config("ingest", "crm_outcomes", CrmOutcomesConfig, config_dir=config_dir,
                       override_file=mapping)


@dataclass(frozen=True)
class CrmRow:
    """One usable row: whom it concerns and what it says."""

    row: int
    leadpipe_id: str | None
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    company: str | None
    outcome: Outcome | None
    value_eur: Decimal | None
    on: date | None
    do_not_contact: bool
    deal_key: str
    """What identifies the deal or activity across exports (its id, else its row's facts)."""


@dataclass(frozen=True)
class OutcomeFile:
    crm: str
    rows: tuple[CrmRow, ...]
    problems: tuple[tuple[int, str | None, str], ...]
    skipped: int
    rows_in: int


_AMOUNT = re.compile(r"[^\d,.\-]")
_LEAD_ID = re.compile(r"\b(?:company|contact|consumer)-[0-9a-f]{12}\b")
"""A lead id in free text: the note of a leadpipe CRM export names it ("leadpipe_id: …"),
for a CRM where the leadpipe_id field was not created."""
_ADDRESS = re.compile(r"[^\s()<>,;]+@[^\s()<>,;]+\.[^\s()<>,;]+")


def parse_amount(text: str) -> Decimal:
    """1500 | 1.500,50 | 1,500.50 | € 1.500 → Decimal; ValueError otherwise."""
    digits = _AMOUNT.sub("", text)
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "," in digits:
        decimal_mark = "," if len(digits) - digits.rfind(",") != 4 else ""
    else:
        decimal_mark = "." if digits.count(".") == 1 and len(digits) - digits.rfind(".") != 4 \
            else ""
    thousands = {",", "."} - {decimal_mark}
    for mark in thousands:
        digits = digits.replace(mark, "")
    try:
        value = Decimal(digits.replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValueError(f"{text!r} is not an amount in euros (e.g. 1500 or 1.500,50)")
    return value.quantize(Decimal("0.01"))


def parse_when(text: str) -> date:
    """A day from a CRM's date or timestamp (2026-11-20, 2026-11-20 14:03, 20.11.2026 14:03,
    2026-11-20T14:03:00Z)."""
    head = re.split(r"[ T]", text.strip(), maxsplit=1)[0]
    return parse_day(head)


def _columns(path: Path, table: Table, crm: str, fmt: CrmFormat) -> dict[str, int]:
    found = table.columns(fmt.columns)
    if not set(found) & set(PERSON_KEYS):
        wanted = ", ".join(repr(fmt.columns[k][0]) for k in PERSON_KEYS if fmt.columns.get(k))
        raise InputFileError(path, 1, None, f"no column says whom a row concerns ({crm} "
                             f"format); expected one of {wanted}. Add your header under "
                             f"formats.{crm}.columns in a --mapping file")
    states = {"outcome", "status", "stage", "activity", "do_not_contact", "marketing_status",
              "labels"}
    if not set(found) & states:
        wanted = ", ".join(repr(fmt.columns[k][0]) for k in sorted(states) if fmt.columns.get(k))
        raise InputFileError(path, 1, None, f"no column holds an outcome or a do-not-contact "
                             f"flag ({crm} format); expected one of {wanted}. Add your header "
                             f"under formats.{crm}.columns in a --mapping file")
    return found


class _Reader:
    def __init__(self, table: Table, crm: str, config: CrmOutcomesConfig,
                 columns: Mapping[str, int]) -> None:
        self.fmt = config.formats[crm]
        self.crm = crm
        self.headers = table.headers
        self.columns = columns
        self.words = {**{fold(k): v for k, v in config.common_outcomes.items()},
                      **{fold(o): o for o in OUTCOMES}, **{fold(o.replace("_", " ")): o
                                                          for o in OUTCOMES}}
        self.yes = {fold(w) for w in config.yes_words}
        self.not_interested = [fold(w) for w in config.not_interested_reasons]
        self.objections = [fold(w) for w in config.objection_reasons]

    def cell(self, cells: Sequence[str], name: str) -> str | None:
        return cell(cells, self.columns, name)

    def header(self, name: str) -> str:
        return self.headers[self.columns[name]]

    def _word(self, name: str, text: str, table: Mapping[str, Outcome | None]) -> Outcome | None:
        key = fold(text)
        if key in table:
            return table[key]
        if key in self.words:
            return self.words[key]
        raise RowProblem(self.header(name), f"unknown {name} {text!r}; map it under "
                          f"formats.{self.crm}.outcomes in a --mapping file (to one of "
                          f"{', '.join(OUTCOMES)})")

    def _known(self, name: str, cells: Sequence[str], *, tolerate: bool = False
               ) -> Outcome | None:
        text = self.cell(cells, name)
        if text is None:
            return None
        try:
            return self._word(name, text, self.fmt.outcomes)
        except RowProblem:
            if tolerate:
                return None
            raise

    def outcome(self, cells: Sequence[str]) -> Outcome | None:
        """The outcome column; else a won/lost status; else the stage of an open deal (a
        custom stage the map does not know falls back to the status); else the status."""
        ignore = {fold(i) for i in self.fmt.ignore}
        if any(fold(v) in ignore for name in ("outcome", "status", "stage")
               if (v := self.cell(cells, name))):
            return None
        status = self._known("status", cells)
        found = self._known("outcome", cells)
        if found is None:
            found = status if status in ("won", "lost") else None
        if found is None:
            found = self._known("stage", cells, tolerate=status is not None) or status
        activity = self.cell(cells, "activity")
        if found is None and activity:
            done = self.cell(cells, "activity_done")
            if done is not None and fold(done) not in self.yes:
                return None  # a planned activity has not happened yet
            key = fold(activity)
            if key not in self.fmt.activities:
                raise RowProblem(self.header("activity"), f"unknown activity type "
                                  f"{activity!r}; map it under formats.{self.crm}.activities")
            found = self.fmt.activities[key]
        reason = self.cell(cells, "lost_reason")
        if found == "lost" and reason and any(w in fold(reason) for w in self.not_interested):
            found = "not_interested"
        return found

    def do_not_contact(self, cells: Sequence[str]) -> bool:
        flag = self.cell(cells, "do_not_contact")
        if flag and fold(flag) in self.yes:
            return True
        reason = self.cell(cells, "lost_reason")
        if reason and any(w in fold(reason) for w in self.objections):
            return True
        status = self.cell(cells, "marketing_status")
        if status and fold(status) in {fold(w) for w in self.fmt.marketing_status_objection}:
            return True
        labels = self.cell(cells, "labels")
        if labels:
            given = {fold(part) for part in re.split(r"[,;|]", labels)}
            return bool(given & {fold(w) for w in self.fmt.label_objection})
        return False

    def person(self, cells: Sequence[str]) -> tuple[str | None, str | None, str | None]:
        """(first name, last name, e-mail) from the name and e-mail columns, or from one
        contact column ("Petra Schmidt", "Petra Schmidt (p.schmidt@…)", an address alone)."""
        first, last = self.cell(cells, "first_name"), self.cell(cells, "last_name")
        email = self.cell(cells, "email")
        contact = self.cell(cells, "contact") or ""
        found = _ADDRESS.search(contact)
        if found:
            email = email or found.group(0)
            contact = _ADDRESS.sub("", contact).replace("()", "").replace("<>", "")
        parts = contact.split()
        if not last and parts:
            first, last = " ".join(parts[:-1]) or None, parts[-1]
        return first, last, email

    def read(self, number: int, cells: Sequence[str]) -> CrmRow | None:
        outcome = self.outcome(cells)
        dnc = self.do_not_contact(cells)
        if outcome is None and not dnc:
            return None
        value = on = None
        if (text := self.cell(cells, "value")) is not None:
            try:
                value = parse_amount(text)
            except ValueError as exc:
                raise RowProblem(self.header("value"), str(exc)) from exc
        if (text := self.cell(cells, "closed_on")) is not None:
            try:
                on = parse_when(text)
            except ValueError as exc:
                raise RowProblem(self.header("closed_on"), str(exc)) from exc
        first, last, address = self.person(cells)
        email = enrich_email(address).normalized
        phone = enrich_phone(self.cell(cells, "phone")).e164
        leadpipe_id = self.cell(cells, "leadpipe_id")
        if leadpipe_id is None and (found := _LEAD_ID.search(self.cell(cells, "note") or "")):
            leadpipe_id = found.group(0)
        company = self.cell(cells, "company")
        if not (leadpipe_id or email or phone or last or company):
            raise RowProblem(self.header(next(k for k in PERSON_KEYS if k in self.columns)),
                              "the row names nobody: no leadpipe_id, e-mail, phone, name or "
                              "company")
        deal = self.cell(cells, "deal_id")
        key = deal or "|".join(str(v) for v in (leadpipe_id, email, phone, last, company, on,
                                                value))
        return CrmRow(number, leadpipe_id, email, phone, first, last, company, outcome, value,
                      on, dnc, f"{self.crm}:{key}")


def read_outcome_file(path: Path, crm: str, config: CrmOutcomesConfig) -> OutcomeFile:
    """Read a deals/activities export; `crm` is one of CRMS or `auto` (by its headers)."""
    table = read_table(path)
    if crm == "auto":
        crm = table.best_format({name: fmt.detect for name, fmt in config.formats.items()},
                                CRMS)
    if crm not in config.formats:
        raise InputFileError(path, None, None, f"unknown CRM {crm!r}; use one of "
                                               f"{', '.join(CRMS)} or auto")
    reader = _Reader(table, crm, config, _columns(path, table, crm, config.formats[crm]))
    rows: list[CrmRow] = []
    problems: list[tuple[int, str | None, str]] = []
    skipped = 0
    for number, cells in table.rows:
        try:
            row = reader.read(number, cells)
        except RowProblem as problem:
            problems.append((number, problem.header, str(problem)))
            continue
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    return OutcomeFile(crm, tuple(rows), tuple(problems), skipped, len(table.rows))

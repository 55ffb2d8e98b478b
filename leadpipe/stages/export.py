"""Exporting qualified leads for sales, and logging every export.

The export reads `marts.qualified_leads` and logs what it wrote in the same transaction, so
it takes the write lock (during the nightly run it waits for the current stage to finish).
An export is not a send: no advertising event is recorded; the log says who got which leads
for which channel, which the Art. 14 deadline and later audits need.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from leadpipe.outputs import check_output
from leadpipe.settings import Settings
from scoring.export_files import ExportFormat, ExportPathExists, write_rows
from warehouse.db import Warehouse, open_warehouse
from warehouse.marts import known_vendors, log_export, qualified_rows
from warehouse.runs import run_job

CHANNELS = ("phone", "email", "post", "sms", "fax")
GRADES = ("A", "B", "C", "D")
SOURCE_KINDS = ("web_form", "purchased_list", "crawl")
CONTACT_COLUMNS = {
    "email": ["email"], "phone": ["phone"], "sms": ["mobile"], "fax": ["fax"],
    "post": ["street", "postcode", "city"],
}
_REGION = re.compile(r"^\d{1,5}$")
_INDUSTRY = re.compile(r"^(\d{1,2}(\.?\d{1,3}){0,2}|[A-Ua-u])$")


class BadExportRequest(ValueError):
    """A filter the export cannot use; the message names it."""


@dataclass(frozen=True)
class ExportRequest:
    channel: str
    out: Path
    fmt: ExportFormat = "csv"
    min_grade: str = "B"
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    limit: int | None = None
    include_review: bool = False
    excel_de: bool = False
    force: bool = False
    by: str | None = None

    def filters(self) -> dict[str, Any]:
        keep = ("min_grade", "regions", "industries", "sources", "since", "limit",
                "include_review")
        return {k: v for k, v in asdict(self).items() if k in keep}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote, for the person who asked and for the log."""

    export_id: str
    exported_by: str
    channel: str
    leads: int
    review: int
    """Leads in the file whose decision is review (only with `include_review`)."""
    path: str
    format: str
    columns: list[str]
    filters: dict[str, Any]
    host: str
    """The machine the file was written on (a Prefect worker's disk is not the reader's)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_list(value: str | None) -> tuple[str, ...]:
    """`"80, 81"` → ("80", "81")."""
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


def validate(req: ExportRequest) -> None:
    if req.channel not in CHANNELS:
        raise BadExportRequest(f"unknown channel {req.channel!r}; use one of "
                               f"{', '.join(CHANNELS)}")
    if req.min_grade not in GRADES:
        raise BadExportRequest(f"unknown grade {req.min_grade!r}; use one of "
                               f"{', '.join(GRADES)}")
    bad = [r for r in req.regions if not _REGION.match(r)]
    if bad:
        raise BadExportRequest(f"unknown region {', '.join(bad)}: a region is a German "
                               "postcode prefix of 1 to 5 digits, e.g. 80 or 803")
    bad = [i for i in req.industries if not _INDUSTRY.match(i)]
    if bad:
        raise BadExportRequest(f"unknown industry {', '.join(bad)}: use a WZ 2008 code prefix "
                               "(e.g. 62 or 62.01) or section letter (e.g. C)")
    if req.limit is not None and req.limit < 1:
        raise BadExportRequest(f"--limit must be at least 1, got {req.limit}")
    if req.out.exists() and not req.force:
        raise ExportPathExists(f"{req.out} exists; choose another name or pass --force")


def columns_for(req: ExportRequest) -> list[str]:
    cols = ["lead_id", "company", "name", *CONTACT_COLUMNS[req.channel], "score", "grade",
            "top_reasons"]
    if req.include_review:
        cols.append("decision")
    return [*cols, "reason_code", "legal_basis", "sources"]


def _sheet_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "lead_id": row["lead_id"], "company": row["company_name"], "name": row["person_name"],
        "email": row["email"], "phone": row["phone_e164"], "mobile": row["mobile_e164"],
        "fax": row["fax_e164"], "street": " ".join(
            p for p in (row["street"], row["house_number"]) if p) or None,
        "postcode": row["postcode"], "city": row["city"],
        "score": row["score"], "grade": row["grade"], "top_reasons": list(row["top_reasons"] or []),
        "decision": row["decision"], "reason_code": row["reason_code"],
        "legal_basis": row["legal_basis"],
        "sources": sorted({*(row["sources"] or []), *(row["vendors"] or [])}),
    }


def _partial(req: ExportRequest) -> Path:
    return req.out.with_name(f".{req.out.name}.partial")


def export_from(wh: Warehouse, req: ExportRequest) -> ExportResult:
    """Select, write and log inside the caller's transaction; return what was exported.

    The file is written next to `req.out` under a temporary name; `export_leads` moves it into
    place once the log is committed.
    """
    vendors = known_vendors(wh)
    unknown = [s for s in req.sources if s not in SOURCE_KINDS and s not in vendors]
    if unknown:
        raise BadExportRequest(
            f"unknown source {', '.join(unknown)}; use one of {', '.join(SOURCE_KINDS)}"
            + (f" or a vendor: {', '.join(vendors)}" if vendors else ""))
    grades = GRADES[:GRADES.index(req.min_grade) + 1]
    rows = qualified_rows(wh, channel=req.channel, grades=grades, regions=req.regions,
                          industries=req.industries, sources=req.sources, since=req.since,
                          limit=req.limit, include_review=req.include_review)
    cols = columns_for(req)
    written = write_rows(_partial(req), cols, (_sheet_row(r) for r in rows), fmt=req.fmt,
                         excel_de=req.excel_de, force=True)
    export_id = f"export-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    who = req.by or os.environ.get("USER") or getpass.getuser()
    log_export(wh, export_id=export_id, exported_by=who, exported_at=datetime.now(UTC),
               channel=req.channel, filters=req.filters(), fmt=req.fmt,
               path=str(req.out.resolve()), rows=rows)
    return ExportResult(export_id, who, req.channel, written,
                        sum(r["decision"] == "review" for r in rows), str(req.out.resolve()),
                        req.fmt, cols,
                        req.filters(), socket.gethostname())


def export_leads(settings: Settings, req: ExportRequest) -> ExportResult:
    """Validate, then export and log as one job (waits for the write lock).

    The file appears under its name only after the log row is committed: an export that was
    not recorded must not circulate.
    """
    check_output(req.out, settings)
    validate(req)
    try:
        with open_warehouse(settings, write=True, purpose=f"export {req.channel}") as wh:
            _, result = run_job(wh, "export-leads",
                                {"channel": req.channel, **req.filters(), "out": str(req.out)},
                                lambda wh, run_id: export_from(wh, req))
    except BaseException:
        _partial(req).unlink(missing_ok=True)
        raise
    _partial(req).replace(req.out)
    return result

"""Exporting qualified leads for sales, and logging every export.

An export never waits for the nightly run: it reads the warehouse when no one writes it, else
the snapshot the last write published. Before a lead is written, its opt-outs are checked
again (`compliance.opt_outs`): an objection, withdrawal or erasure acts on the next export,
not on the next nightly run. The log entry is journaled before the file appears under its
name (`warehouse.export_log`). An export is not a send: no advertising event is recorded;
the log says who got which leads for which channel, which the Art. 14 deadline and later
audits need.
"""

from __future__ import annotations

import re
import socket
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from compliance.campaigns import (
    Campaign,
    check_running,
    decide_for_campaign,
    depends_on_campaign,
    load_campaign,
)
from compliance.consent_basis import consent_evidence_id
from compliance.opt_outs import LedgerEvent, blocking_reason
from compliance.suppression import SuppressionList
from compliance.thresholds import EligibilityConfig, load_eligibility_config
from foundation.outputs import check_output
from foundation.settings import Settings, suppression_secret
from foundation.vocabulary import CHANNELS, GRADES, SOURCE_KINDS, SourceKind
from scoring.crm_formats import (
    CRM_FORMATS,
    CrmFacts,
    CrmFormat,
    CrmFormatConfig,
    NoteConfig,
    crm_headers,
    crm_rows,
    e164_headers,
    load_crm_formats,
)
from scoring.export_files import CsvDialect, ExportFormat, ExportPathExists, write_rows
from scoring.export_layouts import (
    CHANNEL_COLUMNS,
    LAYOUTS,
    ExportsConfig,
    Layout,
    address_rows,
    english_columns,
    group_by_address,
    load_exports_config,
    sheet_row,
)
from scoring.export_layouts import columns_for as layout_columns_for
from warehouse.crm_export import crm_lead_facts
from warehouse.customers import LeadCustomer, lead_customers
from warehouse.db import Warehouse, log_pending_exports, open_warehouse
from warehouse.decisions import stored_cases
from warehouse.export_log import (
    ExportedLead,
    ExportLogEntry,
    ExportLogRow,
    recent_exports,
    write_journal,
)
from warehouse.marts import allowed_channels, known_vendors, qualified_rows
from warehouse.opt_outs import opt_out_events
from warehouse.suppression import suppression_entries
from warehouse.workspace_journal import pending_objections, pending_suppression

CONTACT_COLUMNS = {channel: list(cols) for channel, cols in CHANNEL_COLUMNS.items()}
_REGION = re.compile(r"^\d{1,5}$")
EXPORT_READ_WAIT_S = 1.0
"""How long an export waits for a running writer before it reads the published snapshot."""
CUSTOMER: SourceKind = "customer"
"""The source kind of customer records: only their leads can have purchase evidence."""
_INDUSTRY = re.compile(r"^(\d{1,2}(\.?\d{1,3}){0,2}|[A-Ua-u])$")


class BadExportRequest(ValueError):
    """A filter the export cannot use; the message names it."""


@dataclass(frozen=True)
class ExportRequest:
    channel: str
    out: Path
    fmt: ExportFormat | CrmFormat = "csv"
    """csv, xlsx, json, or a CRM's import format (hubspot, pipedrive, centralstation)."""
    min_grade: str | None = None
    """Lowest grade to include; unset: B, or D for a campaign (its mailing goes to every
    customer §7(3) lets it reach: grades rank prospects, not the firm's own customers)."""
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    limit: int | None = None
    include_review: bool = False
    excel_de: bool = False
    force: bool = False
    by: str | None = None
    layout: Layout = "standard"
    """standard (the channel's list), serienbrief (letters, post) or anrufliste (calls)."""
    per_address: bool = False
    """Post: one row per postal address, to its best-scored person; every lead is logged."""
    lead_ids: tuple[str, ...] | None = None
    """Only these leads (the list a workspace page showed); the other filters still apply."""
    list_filter: tuple[tuple[str, str], ...] = ()
    """The workspace page's filter that chose `lead_ids`, for the export log."""
    new_only: bool = False
    """Leave out leads the CRM knows already (customers, or in the last customer import)."""
    customers_only: bool = False
    """Only existing customers: the warm list."""
    campaign: str | None = None
    """A campaign (`config/campaigns/<name>.yaml`): §7(3) e-mail is decided for its product."""

    @property
    def grade_floor(self) -> str:
        return self.min_grade or ("D" if self.campaign else "B")

    def filters(self) -> dict[str, Any]:
        keep = ("min_grade", "regions", "industries", "sources", "since", "limit",
                "include_review", "layout", "per_address", "campaign")
        chosen = {k: v for k, v in asdict(self).items() if k in keep}
        chosen["min_grade"] = self.grade_floor
        if self.list_filter:
            page: dict[str, list[str]] = {}
            for key, value in self.list_filter:
                page.setdefault(key, []).append(value)
            chosen["workspace_list"] = page
        chosen.update({k: True for k in ("new_only", "customers_only") if getattr(self, k)})
        return chosen

    @property
    def crm(self) -> bool:
        """A CRM's import format: its own columns, one row per lead."""
        return self.fmt in CRM_FORMATS

    @property
    def german(self) -> bool:
        """German headers and layout order: for Excel (XLSX, --excel-de) and for the layouts
        made for letters and calls; the plain standard CSV/JSON keeps its English names."""
        return self.fmt == "xlsx" or self.excel_de or self.layout != "standard"


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
    withheld: dict[str, int] = field(default_factory=dict)
    """Leads with a stored 'allowed' decision left out because of a newer opt-out, by reason
    (objection_art21, consent_withdrawn, suppression_objection, suppression_erasure)."""
    from_snapshot: bool = False
    """True when a run was writing and the export read the last published snapshot."""
    layout: str = "standard"
    rows: int = 0
    """Rows in the file: `leads` unless one row stands for every lead at an address."""
    per_address: bool = False
    left_out_by_crm: int = 0
    """Leads `new_only` left out as known to the CRM, or `customers_only` as no customers."""
    campaign_decisions: dict[str, int] = field(default_factory=dict)
    """With a campaign: the §7(3) leads decided for it, by reason (uwg7_3_existing_customer
    exported; uwg7_3_not_similar, uwg7_3_objected, … kept out)."""


def split_list(value: str | None) -> tuple[str, ...]:
    """`"80, 81"` → ("80", "81")."""
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


def validate(req: ExportRequest) -> None:
    if req.channel not in CHANNELS:
        raise BadExportRequest(f"unknown channel {req.channel!r}; use one of "
                               f"{', '.join(CHANNELS)}")
    if req.grade_floor not in GRADES:
        raise BadExportRequest(f"unknown grade {req.grade_floor!r}; use one of "
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
    if req.layout not in LAYOUTS:
        raise BadExportRequest(f"unknown layout {req.layout!r}; use one of {', '.join(LAYOUTS)}")
    if req.per_address and req.channel != "post":
        raise BadExportRequest("--per-address is for letters: use it with --channel post")
    if req.new_only and req.customers_only:
        raise BadExportRequest("--new-only leaves customers out and --customers-only keeps only "
                               "them: use one of the two")
    if req.crm:
        check_crm(req)
    if req.out.exists() and not req.force:
        raise ExportPathExists(f"{req.out} exists; choose another name or pass --force")


@dataclass(frozen=True)
class LayoutChoice:
    """One layout as a form offers it."""

    name: str
    description: str
    channels: tuple[str, ...]
    headers: tuple[str, ...]
    """Its German headers in order, as for the first channel, without review and per-address
    columns."""


def export_layouts(settings: Settings) -> tuple[LayoutChoice, ...]:
    """The layouts the export offers (the workspace's choice, with a description)."""
    config = load_exports_config(settings.config_dir).value
    return tuple(LayoutChoice(
        name, spec.description, tuple(spec.channels),
        layout_columns_for(config, name, spec.channels[0], german=True, include_review=False,
                           per_address=False).headers)
        for name, spec in ((n, config.layouts[n]) for n in LAYOUTS))


def check_crm(req: ExportRequest) -> None:
    """A CRM format has its own columns and file dialect: no layout, no German Excel CSV,
    one row per lead."""
    clash = [option for option, given in (("--excel-de", req.excel_de),
                                          ("--layout", req.layout != "standard"),
                                          ("--per-address", req.per_address)) if given]
    if clash:
        raise BadExportRequest(f"--format {req.fmt} writes the CRM's own import columns, one "
                               f"row per lead; leave out {', '.join(clash)}")


def check_layout(req: ExportRequest, config: ExportsConfig) -> None:
    """A layout is made for some channels (a serial letter for post, a call list for phone)."""
    channels = config.layouts[req.layout].channels
    if req.channel not in channels:
        raise BadExportRequest(f"the {req.layout} layout is for --channel "
                               f"{' or '.join(channels)}, not {req.channel}")


def columns_for(req: ExportRequest, config: ExportsConfig | None = None) -> list[str]:
    """The columns as the file's header names them."""
    if config is None:
        return english_columns(req.channel, include_review=req.include_review,
                               per_address=req.per_address)
    return list(layout_columns_for(config, req.layout, req.channel, german=req.german,
                                   include_review=req.include_review,
                                   per_address=req.per_address).headers)


def file_rows(req: ExportRequest, config: ExportsConfig, rows: list[dict[str, Any]],
              reachable: dict[str, frozenset[str]]) -> list[dict[str, Any]]:
    """The rows as the file holds them, keyed by its header names."""
    cols = layout_columns_for(config, req.layout, req.channel, german=req.german,
                              include_review=req.include_review, per_address=req.per_address)
    if req.per_address:
        shaped = address_rows(group_by_address(rows), req.channel, config, german=req.german)
    else:
        shaped = [sheet_row(r, req.channel, config, reachable.get(r["lead_id"], frozenset()),
                            german=req.german) for r in rows]
    return [{header: row[field] for field, header in zip(cols.fields, cols.headers,
                                                           strict=True)} for row in shaped]


def reachable_channels(wh: Warehouse, req: ExportRequest, config: ExportsConfig,
                       rows: list[dict[str, Any]], secret: bytes) -> dict[str, frozenset[str]]:
    """lead id → the other channels a layout (and every CRM file) may show contact data for:
    allowed by the current decision and not silenced by a newer opt-out (as the export's own
    channel is)."""
    if (config.layouts[req.layout].other_channels == "omit" and not req.crm) or not rows:
        return {}
    ids = [r["lead_id"] for r in rows]
    allowed = allowed_channels(wh, ids)
    events = opt_out_events(wh, ids, SuppressionList(suppression_entries(wh), secret))
    return {lead: frozenset(c for c in channels
                            if not blocking_reason(events.get(lead, []), c))
            for lead, channels in allowed.items()}


@dataclass(frozen=True)
class CampaignCheck:
    """A campaign ready to decide §7(3) on the export's day with the current rules."""

    campaign: Campaign
    as_of: date
    config: EligibilityConfig

    def logged(self) -> dict[str, Any]:
        """What the export log keeps of the campaign (`ops.exports.filters`)."""
        return {**self.campaign.document(), "version": self.campaign.version}


def campaign_check(settings: Settings, req: ExportRequest, today: date
                   ) -> CampaignCheck | None:
    """The request's campaign: for the export's channel and running today, else refused."""
    if req.campaign is None:
        return None
    campaign = load_campaign(settings.config_dir, req.campaign).campaign
    if campaign.channel != req.channel:
        raise BadExportRequest(f"campaign {campaign.name} is for --channel {campaign.channel}, "
                               f"not {req.channel}")
    check_running(campaign, today)
    return CampaignCheck(campaign, today, load_eligibility_config(settings.config_dir))


def decide_campaign(wh: Warehouse, req: ExportRequest, check: CampaignCheck,
                    rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Counter[str]]:
    """The rows with every decision that rests on §7(3) taken again for the campaign (its
    stored case with the campaign added), those not allowed (review: only with
    `include_review`) left out; and the §7(3) decisions by reason."""
    maybe = [r["lead_id"] for r in rows if r["rule"] == "E6" or CUSTOMER in r["sources"]]
    cases = stored_cases(wh, req.channel, maybe)
    wanted = ("allowed", "review") if req.include_review else ("allowed",)
    kept: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    for row in rows:
        case = cases.get(row["lead_id"])
        if case is None or not depends_on_campaign(row["rule"], case):
            kept.append(row)
            continue
        decided = decide_for_campaign(case, check.campaign, check.as_of, check.config)
        reasons[decided.reason] += 1
        if decided.decision in wanted:
            basis = decided.legal_basis and (
                f"{decided.legal_basis}; campaign {check.campaign.name} "
                f"({check.campaign.product_category})")
            kept.append({**row, "decision": decided.decision, "reason_code": decided.reason,
                         "rule": decided.rule, "legal_basis": basis})
    return kept, reasons


def known_to_crm(wh: Warehouse, req: ExportRequest, rows: list[dict[str, Any]]
                 ) -> dict[str, LeadCustomer]:
    """lead id → what the last customer import knows of it; read only when a filter asks."""
    if not (req.new_only or req.customers_only) or not rows:
        return {}
    return lead_customers(wh, [r["lead_id"] for r in rows])


def fits_relationship(req: ExportRequest, customer: LeadCustomer | None) -> bool:
    """--new-only: unknown to the CRM (neither a customer nor in a customer import);
    --customers-only: a customer (a purchase, or the CRM says so)."""
    if req.new_only:
        return customer is None
    if req.customers_only:
        return customer is not None and customer.is_customer
    return True


def crm_facts(wh: Warehouse, req: ExportRequest, rows: list[dict[str, Any]]
              ) -> dict[str, CrmFacts]:
    """lead id → the company domain, the consent evidence its decision rests on, and whether
    it is a customer (lifecycle stage, label, tag)."""
    ids = [r["lead_id"] for r in rows]
    known = crm_lead_facts(wh, ids, req.channel)
    customers = lead_customers(wh, ids) if ids else {}
    facts = {}
    for r in rows:
        lead, customer = r["lead_id"], customers.get(r["lead_id"])
        found = known.get(lead)
        facts[lead] = CrmFacts(
            company_domain=found.company_domain if found else None,
            consent_evidence_id=consent_evidence_id(
                r["reason_code"], req.channel, found.decided_on, found.consents)
            if found else None,
            is_customer=customer is not None and customer.is_customer,
            last_purchase_on=customer.last_purchase_on if customer else None)
    return facts


def write_crm_file(path: Path, req: ExportRequest, config: ExportsConfig, spec: CrmFormatConfig,
                   note: NoteConfig, rows: list[dict[str, Any]],
                   reachable: dict[str, frozenset[str]], facts: dict[str, CrmFacts]) -> int:
    """One row per lead in the CRM's columns and file dialect; returns the rows written."""
    sheets = [sheet_row(r, req.channel, config, reachable.get(r["lead_id"], frozenset()),
                        german=False) for r in rows]
    shaped = crm_rows(sheets, spec, note, facts, channel=req.channel, exported_on=date.today(),
                      country_names=config.countries)
    dialect = CsvDialect(spec.file.encoding, spec.file.bom, spec.file.delimiter,
                         e164_columns=e164_headers(spec))
    return write_rows(path, crm_headers(spec), shaped, fmt=spec.file.type, force=True,
                      dialect=dialect if spec.file.type == "csv" else None)


@dataclass(frozen=True)
class Selection:
    """The rows an export writes, and why the others were left out."""

    rows: list[dict[str, Any]]
    withheld: Counter[str]
    """Reasons of those withheld for a newer opt-out (also an objection from the workspace
    still waiting in its journal for the lock)."""
    left_out_by_crm: int
    """How many `--new-only` / `--customers-only` left out."""
    campaign_decisions: Counter[str]
    """With a campaign: its §7(3) decisions by reason."""


def _partial(req: ExportRequest) -> Path:
    return req.out.with_name(f".{req.out.name}.partial")


def select_rows(wh: Warehouse, req: ExportRequest, secret: bytes,
                campaign: CampaignCheck | None = None) -> Selection:
    """The rows to export, and why others were left out."""
    vendors = known_vendors(wh)
    unknown = [s for s in req.sources if s not in SOURCE_KINDS and s not in vendors]
    if unknown:
        raise BadExportRequest(
            f"unknown source {', '.join(unknown)}; use one of {', '.join(SOURCE_KINDS)}"
            + (f" or a vendor: {', '.join(vendors)}" if vendors else ""))
    grades = GRADES[:GRADES.index(req.grade_floor) + 1]
    fetch = req.limit
    pending = pending_objections(wh.home)  # recorded while a run held the lock
    suppression = SuppressionList({**pending_suppression(pending), **suppression_entries(wh)},
                                  secret)
    while True:  # with --limit, read more rows only when opt-outs (a campaign) left too few
        fetched = qualified_rows(wh, channel=req.channel, grades=grades, regions=req.regions,
                                 industries=req.industries, sources=req.sources,
                                 since=req.since, limit=fetch,
                                 include_review=req.include_review, lead_ids=req.lead_ids,
                                 rules=("E6",) if campaign else ())
        rows, decided = (decide_campaign(wh, req, campaign, fetched) if campaign
                         else (fetched, Counter[str]()))
        events = opt_out_events(wh, [r["lead_id"] for r in rows], suppression)
        for entry in pending:
            events[entry.lead_id] = [*events.get(entry.lead_id, []), LedgerEvent(
                0, "objection_art21", ("all",), entry.received_at)]
        known = known_to_crm(wh, req, rows)
        kept: list[dict[str, Any]] = []
        withheld: Counter[str] = Counter()
        for row in rows:
            reason = blocking_reason(events.get(row["lead_id"], []), req.channel)
            if reason:
                withheld[reason] += 1
            elif fits_relationship(req, known.get(row["lead_id"])):
                kept.append(row)
        left_out = len(rows) - len(kept) - sum(withheld.values())
        if fetch is None or req.limit is None or len(kept) >= req.limit or len(fetched) < fetch:
            return Selection(kept[:req.limit], withheld, left_out, decided)
        fetch *= 2


def export_leads(settings: Settings, req: ExportRequest) -> ExportResult:
    """Validate, read (warehouse or published snapshot), check opt-outs, write and log.

    The file appears under its name only after its log entry is on disk: an export that was
    not recorded must not circulate.
    """
    check_output(req.out, settings)
    validate(req)
    campaign = campaign_check(settings, req, date.today())
    filters = {**req.filters(), **({"campaign": campaign.logged()} if campaign else {})}
    config = load_exports_config(settings.config_dir).value
    check_layout(req, config)
    crm = load_crm_formats(settings.config_dir).value if req.crm else None
    secret = suppression_secret(settings)
    reader = settings.waiting_at_most(EXPORT_READ_WAIT_S)
    try:
        with open_warehouse(reader, write=False) as wh:
            chosen = select_rows(wh, req, secret, campaign)
            rows = chosen.rows
            reachable = reachable_channels(wh, req, config, rows, secret)
            facts = crm_facts(wh, req, rows) if crm else {}
            from_snapshot = wh.is_snapshot
        if crm is None:
            cols = columns_for(req, config)
            written = write_rows(_partial(req), cols, file_rows(req, config, rows, reachable),
                                 fmt=req.fmt,  # type: ignore[arg-type]  # not a CRM format
                                 excel_de=req.excel_de, force=True,
                                 text_columns=(config.headers["postcode"], "postcode"))
        else:
            spec = crm.formats[req.fmt]  # type: ignore[index]  # req.crm: a CRM format
            cols = crm_headers(spec)
            written = write_crm_file(_partial(req), req, config, spec, crm.note, rows,
                                     reachable, facts)
        entry = ExportLogEntry.new(
            "export", by=req.by, channel=req.channel, filters=filters, fmt=req.fmt,
            path=req.out, leads=[ExportedLead(r["lead_id"], r["decision"], r["reason_code"],
                                              r["legal_basis"]) for r in rows])
        write_journal(settings.db_path, entry)
    except BaseException:
        _partial(req).unlink(missing_ok=True)
        raise
    _partial(req).replace(req.out)
    log_pending_exports(settings)
    return ExportResult(entry.export_id, entry.exported_by, req.channel, len(rows),
                        sum(r["decision"] == "review" for r in rows), entry.path, req.fmt, cols,
                        filters, socket.gethostname(), dict(chosen.withheld), from_snapshot,
                        req.layout, written, req.per_address, chosen.left_out_by_crm,
                        dict(chosen.campaign_decisions))


def export_log(settings: Settings, limit: int = 100, by: str | None = None
               ) -> list[ExportLogRow]:
    """Who exported which leads for which channel with which filter, newest first."""
    log_pending_exports(settings)  # journaled entries first, when nobody is writing
    reader = settings.waiting_at_most(EXPORT_READ_WAIT_S)
    with open_warehouse(reader, write=False, reuse_instance=True) as wh:
        return recent_exports(wh, limit, by)

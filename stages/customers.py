"""Customers in: load a CRM's or ERP's customer export (`leadpipe ingest customers`).

The file goes the way of a purchased list (the same reading, mapping, preview and
quarantine), recognised by its header row as one CRM's export; each row is one version of a
customer, so next month's export updates instead of duplicating (`warehouse.load_customers`).
The customers then pass enrich and match like every other record and meet the prospects of
lists and forms in the same leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from compliance.suppression import SuppressionList
from foundation.progress import SILENT, Progress
from foundation.settings import Settings, suppression_secret
from ingest.customers import (
    CrmExport,
    CrmExportsConfig,
    CustomerExport,
    detect_export,
    export_mapping,
    export_of,
    load_crm_exports,
)
from ingest.prepare import ColumnsFor, PreparedList, prepare_list
from ingest.vendor_mapping import VendorMapping
from stages.ingest import RejectedFile, load_or_reject, sidecar_for
from stages.leftovers import scratch_dir
from stages.preview import ListPreview, preview_list
from warehouse.db import open_warehouse
from warehouse.load_customers import load_customer_export, preview_customer_problems
from warehouse.load_lists import BatchReport, ProblemCount, already_ingested, read_incoming
from warehouse.runs import run_job
from warehouse.suppression import suppression_entries


@dataclass(frozen=True)
class CustomerOptions:
    """What marketing ops say about a customer export."""

    crm: str = "auto"
    """hubspot | pipedrive | centralstation | generic, or auto: recognised by the header."""
    mapping_file: Path | None = None
    collected_in_sale: bool | None = None
    """--collected-in-sale: every address of the file was collected in a sale."""
    notice_at_collection: bool | None = None
    """--notice-at-collection: every customer was told at collection they may object."""


@dataclass
class _Recognised:
    """Which export `prepare_list` found when it saw the header row."""

    config: CrmExportsConfig
    options: CustomerOptions
    export: CrmExport | None = None

    def columns(self, path: Path) -> ColumnsFor:
        def columns_for(headers: Sequence[str], user: VendorMapping | None) -> VendorMapping:
            if user is not None:  # what the command line leaves open, the mapping file says
                self.options = CustomerOptions(
                    crm=user.crm if self.options.crm == "auto" and user.crm else self.options.crm,
                    mapping_file=self.options.mapping_file,
                    collected_in_sale=_either(self.options.collected_in_sale,
                                              user.collected_in_sale),
                    notice_at_collection=_either(self.options.notice_at_collection,
                                                 user.notice_at_collection))
            self.export = detect_export(path, headers, self.options.crm, self.config,
                                        mapped_by_user=user is not None)
            return export_mapping(headers, self.export, self.config, user)
        return columns_for

    def customer_export(self) -> CustomerExport:
        return export_of(self.export, self.options.collected_in_sale,
                         self.options.notice_at_collection)


def _either(given: bool | None, default: bool | None) -> bool | None:
    return given if given is not None else default


def _prepare(settings: Settings, path: Path, work: Path,
             options: CustomerOptions) -> tuple[PreparedList, CustomerExport, CrmExportsConfig]:
    config = load_crm_exports(settings.config_dir).value
    recognised = _Recognised(config, options)
    prepared = prepare_list(path, work, options.mapping_file, config_dir=settings.config_dir,
                            columns_for=recognised.columns(path))
    return prepared, recognised.customer_export(), config


def ingest_customer_file(settings: Settings, path: Path, options: CustomerOptions,
                         progress: Progress = SILENT) -> BatchReport:
    """Prepare and load one customer export; the same file again is reported as skipped."""
    with scratch_dir(settings, "ingest") as work, \
            progress.track(f"ingest {path.name}", total=2, unit="steps") as step:
        prepared, export, config = _prepare(settings, path, work, options)
        secret = suppression_secret(settings)
        step.advance()
        with open_warehouse(settings, write=True, purpose=f"ingest {path.name}",
                            publish=True, create=True) as wh:
            earlier = already_ingested(wh, "customer", prepared.file_sha256, path.name)
            if earlier is not None:
                return earlier
            incoming = read_incoming(wh, prepared, work)
            _, report = run_job(
                wh, "ingest-customers",
                {"path": str(path), "crm": export.crm, "export": export.kind},
                lambda wh, run_id: load_customer_export(
                    wh, run_id=run_id, prepared=prepared, export=export, config=config,
                    incoming=incoming,
                    suppression=SuppressionList(suppression_entries(wh), secret)),
                BatchReport.as_dict,
            )
            step.advance()
    return report


def preview_customers(settings: Settings, path: Path, options: CustomerOptions) -> ListPreview:
    """`ingest customers --preview`: how the export would be recognised, mapped, loaded."""
    config = load_crm_exports(settings.config_dir).value
    recognised = _Recognised(config, options)

    def customer_problems(prepared: PreparedList, work: Path) -> list[ProblemCount]:
        return preview_customer_problems(prepared, work, recognised.customer_export(), config)

    preview = preview_list(settings, path, options.mapping_file,
                           columns_for=recognised.columns(path), more_problems=customer_problems)
    return replace(preview, recognised=recognised.customer_export().label)


def load_inbox_customers(settings: Settings, path: Path) -> BatchReport | RejectedFile:
    """A customer export from the nightly inbox (`inbox/customers/`), with the mapping file
    `<file>.yaml` beside it if there is one (crm, §7(3) flags, columns)."""
    options = CustomerOptions(mapping_file=sidecar_for(path))
    return load_or_reject(settings, path, "customer",
                          lambda: ingest_customer_file(settings, path, options))

"""The ingest stage: files in, raw/staging/quarantine/ledger rows out, counts reported."""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from compliance.subjects import subject_keys
from compliance.suppression import SuppressionList
from foundation.config import ConfigError
from foundation.progress import SILENT, Progress
from foundation.settings import Settings, suppression_secret
from ingest.dates import parse_day, refuse_list_dates
from ingest.errors import InputFileError
from ingest.forms import read_form_export
from ingest.prepare import PreparedList, prepare_list
from stages.lead_lists import refresh_lead_list
from stages.leftovers import scratch_dir
from warehouse.db import Warehouse, open_warehouse
from warehouse.load_forms import load_form_export
from warehouse.load_lists import (
    BatchReport,
    Incoming,
    ListMetadata,
    already_ingested,
    batch_id_for,
    load_purchased_list,
    read_incoming,
)
from warehouse.runs import record_refused_run, run_job
from warehouse.suppression import suppression_entries
from warehouse.undo import (
    BatchInfo,
    BatchListing,
    RemovedRows,
    earlier_list_batch,
    find_list_batch,
    log_undo,
    plan_removal,
    remove_batch,
)
from warehouse.undo import list_batches as batch_listing

R = TypeVar("R")

LIST_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
FORM_SUFFIXES = (".ndjson", ".jsonl", ".json", ".csv")
EVENT_SUFFIXES = (".ndjson", ".jsonl", ".csv")


@dataclass(frozen=True)
class ListOptions:
    """What marketing ops say about a purchased list; unset values come from the mapping file."""

    vendor: str | None = None
    acquired_on: date | None = None
    mapping_file: Path | None = None
    licence_end: date | None = None
    permitted_use: str | None = None
    provenance_documented: bool | None = None


def _metadata(path: Path, options: ListOptions, defaults: dict[str, Any]) -> ListMetadata:
    def pick(name: str) -> Any:
        value = getattr(options, name)
        return value if value is not None else defaults.get(name)

    vendor, acquired_on = pick("vendor"), pick("acquired_on")
    for name, value, example in (("vendor", vendor, "Adressverlag Nord"),
                                 ("acquired_on", acquired_on, date.today().isoformat())):
        if not value:
            raise InputFileError(path.name, None, name, _missing_metadata(
                path, options.mapping_file, name, example))
    licence_end = pick("licence_end")
    metadata = ListMetadata(
        vendor=str(vendor),
        acquired_on=parse_day(acquired_on),
        licence_end=None if licence_end is None else parse_day(licence_end),
        permitted_use=pick("permitted_use"),
        provenance_documented=bool(pick("provenance_documented")),
    )
    refusal = refuse_list_dates(metadata.acquired_on, metadata.licence_end, date.today())
    if refusal is not None:
        where = (f"{options.mapping_file.name}, key {refusal.field}"
                 if getattr(options, refusal.field) is None and options.mapping_file is not None
                 else f"--{refusal.field.replace('_', '-')} (the {refusal.field} parameter of "
                      "a flow)")
        raise InputFileError(path.name, None, refusal.field, f"{refusal.reason} ({where})")
    return metadata


def _missing_metadata(path: Path, mapping_file: Path | None, name: str, example: str) -> str:
    """What is missing and where to write it, in the words of the way the list came in."""
    why = ("a purchased list needs its vendor and acquisition date (the GDPR Art. 14 "
           "deadline runs from the acquisition date)")
    if mapping_file is not None:
        return f"{why}: add `{name}: {example}` to {mapping_file.name}"
    option = "--" + name.replace("_", "-")
    return (f"{why}: pass {option} {example!r} (the {name} parameter of a flow), or write "
            f"`{name}: {example}` into {path.name}.yaml next to the list")


@dataclass(frozen=True)
class RejectedFile:
    """An input file that could not be loaded at all, and what to do about it."""

    file: str
    kind: str  # purchased_list | web_form | customer | consent_events
    problem: str
    """What is wrong and how to fix it, naming file, row and field where known."""

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "kind": self.kind, "status": "rejected",
                "problem": self.problem}


USER_ERRORS = (InputFileError, ConfigError)
"""Errors in a user's file or configuration: reported with the fix, never retried."""

_FLOW_OF_KIND = {"purchased_list": "ingest-purchased-list", "web_form": "ingest-web-forms",
                 "customer": "ingest-customers",
                 "consent_events": "consent-events"}


def record_rejection(settings: Settings, path: Path, kind: str,
                     error: Exception) -> RejectedFile:
    """Keep a refused file in `ops.runs` (a failed run with the reason) and describe it."""
    rejected = RejectedFile(path.name, kind, str(error))
    with open_warehouse(settings, write=True, purpose=f"record {path.name}", create=True) as wh:
        record_refused_run(wh, _FLOW_OF_KIND[kind], {"path": str(path)}, rejected.problem)
    return rejected


def ingest_list_file(settings: Settings, path: Path, options: ListOptions,
                     progress: Progress = SILENT, *, replace: bool = False) -> BatchReport:
    """Prepare and load one purchased list; a file ingested before is reported as skipped.

    With `replace`, the earlier batch of the same file (same content, or else the newest one
    of the same file name) is undone in the same transaction the new one is loaded in.
    """
    with scratch_dir(settings, "ingest") as work, \
            progress.track(f"ingest {path.name}", total=3, unit="steps") as step:
        prepared = prepare_list(path, work, options.mapping_file, config_dir=settings.config_dir)
        metadata = _metadata(path, options, dict(prepared.list_defaults or {}))
        secret = suppression_secret(settings)
        step.advance()
        with open_warehouse(settings, write=True, purpose=f"ingest {path.name}",
                            publish=True, create=True) as wh:
            earlier = already_ingested(wh, "purchased_list", prepared.file_sha256,
                                       path.name, dict(prepared.mapping))
            if earlier is not None and not replace:
                return dataclasses.replace(earlier, mapping=dict(prepared.mapping),
                                           unmapped=prepared.unmapped, warnings=prepared.warnings)
            load = ListLoad(prepared, metadata, read_incoming(wh, prepared, work), secret,
                            earlier_list_batch(wh, prepared.file_sha256, path.name), replace)
            step.advance()
            _, report = run_job(
                wh, "ingest-purchased-list",
                {"path": str(path), "vendor": metadata.vendor, **({"replace": True}
                                                                   if replace else {})},
                lambda wh, run_id: _load_list(wh, settings, run_id, load), BatchReport.as_dict,
            )
    return report


@dataclass(frozen=True)
class ListLoad:
    """A prepared list ready to go into the warehouse, and the batch it may replace."""

    prepared: PreparedList
    metadata: ListMetadata
    incoming: Incoming
    secret: bytes
    earlier: BatchInfo | None
    """The loaded batch of the same content or file name, if there is one."""
    replace: bool


def _load_list(wh: Warehouse, settings: Settings, run_id: str, load: ListLoad) -> BatchReport:
    """Inside the run's transaction: undo the batch replaced (if asked), then load."""
    new_id = batch_id_for("purchased_list", load.prepared.file_sha256)
    undone = None
    if load.replace and load.earlier is not None:
        undone = undo_batch(wh, settings, run_id, load.earlier,
                            reason=f"replaced by a new load of {load.prepared.file_name}",
                            replaced_by=new_id)
    report = load_purchased_list(wh, run_id=run_id, prepared=load.prepared,
                                 metadata=load.metadata, incoming=load.incoming,
                                 suppression=SuppressionList(suppression_entries(wh),
                                                             load.secret))
    return dataclasses.replace(report, note=_load_note(load, undone))


def _load_note(load: ListLoad, undone: UndoReport | None) -> str:
    """What the user should know about the batch this load replaced, or could replace."""
    name = load.prepared.file_name
    if undone is not None:
        return (f"replaced batch {undone.batch_id} (loaded {undone.ingested_at:%Y-%m-%d %H:%M}, "
                f"{undone.rows_loaded:,} row(s)): {undone.removed.raw_records:,} record(s) and "
                f"{undone.removed.leads:,} lead(s) made only of them removed; "
                "`leadpipe ingest batches` shows both")
    if load.replace:
        return f"nothing to replace: no batch of {name} was loaded before"
    if load.earlier is not None:
        return (f"an earlier batch of {load.earlier.file_name}, {load.earlier.batch_id} "
                f"(loaded {load.earlier.ingested_at:%Y-%m-%d %H:%M}), stays loaded too; if this "
                "file corrects it, load it with --replace instead, or take the earlier one out "
                f"with `leadpipe ingest undo {load.earlier.batch_id}`")
    return ""


@dataclass(frozen=True)
class UndoReport:
    """A purchased-list batch taken out of the warehouse (or, as a dry run, what would go)."""

    batch_id: str
    file: str
    vendor: str | None
    ingested_at: datetime
    rows_loaded: int
    removed: RemovedRows
    dry_run: bool
    undone_by: str
    reason: str | None
    golden_rebuilt: int = 0
    """Leads kept (they have records from elsewhere) whose golden record was chosen anew."""
    undo_id: str | None = None
    replaced_by: str | None = None


def undo_batch(wh: Warehouse, settings: Settings, run_id: str, batch: BatchInfo, *,
               reason: str | None, replaced_by: str | None = None) -> UndoReport:
    """Inside the caller's transaction: remove the batch and what derives from it, log it."""
    from stages.match import rebuild_golden  # loads the matching engine

    who = getpass.getuser()
    removal = remove_batch(wh, batch.batch_id)
    rebuilt = rebuild_golden(wh, settings, removal.kept_leads)
    undo_id = log_undo(wh, run_id=run_id, batch=batch, removed=removal.rows, undone_by=who,
                       reason=reason, replaced_by=replaced_by)
    refresh_lead_list(wh, settings, "undo")  # its leads leave the list at once
    return UndoReport(batch.batch_id, batch.file_name, batch.vendor, batch.ingested_at,
                      batch.rows_loaded, removal.rows, False, who, reason, rebuilt, undo_id,
                      replaced_by)


def undo_list_batch(settings: Settings, batch_id: str, *, reason: str | None = None,
                    dry_run: bool = False) -> UndoReport:
    """`leadpipe ingest undo`: take a purchased-list batch out, as one logged run.

    `dry_run` counts what would be removed and changes nothing.
    """
    if dry_run:
        with open_warehouse(settings, write=False) as wh:
            batch = find_list_batch(wh, batch_id)
            plan = plan_removal(wh, batch_id)
        return UndoReport(batch.batch_id, batch.file_name, batch.vendor, batch.ingested_at,
                          batch.rows_loaded, plan.rows, True, getpass.getuser(), reason,
                          plan.rows.leads_kept)
    with open_warehouse(settings, write=True, purpose=f"undo {batch_id}", publish=True) as wh:
        batch = find_list_batch(wh, batch_id)
        _, report = run_job(
            wh, "ingest-undo", {"batch_id": batch_id, "file": batch.file_name,
                                "reason": reason},
            lambda wh, run_id: undo_batch(wh, settings, run_id, batch, reason=reason))
    return report


def list_batches(settings: Settings) -> list[BatchListing]:
    """Purchased-list batches, loaded and undone, newest first (`leadpipe ingest batches`)."""
    with open_warehouse(settings, write=False) as wh:
        return batch_listing(wh)


def ingest_form_file(settings: Settings, path: Path) -> BatchReport:
    """Load one web-form export: submissions, quarantined lines, consent events."""
    export = read_form_export(path, config_dir=settings.config_dir)
    secret = suppression_secret(settings)
    with open_warehouse(settings, write=True, purpose=f"ingest {path.name}",
                        publish=True, create=True) as wh:
        _, report = run_job(
            wh, "ingest-web-forms", {"path": str(path)},
            lambda wh, run_id: load_form_export(
                wh, run_id=run_id, export=export, path=path, subject_keys=subject_keys,
                suppression=SuppressionList(suppression_entries(wh), secret),
            ), BatchReport.as_dict,
        )
    return report


def load_or_reject(settings: Settings, path: Path, kind: str,
                   load: Callable[[], R]) -> R | RejectedFile:
    """Run `load`; a file the user must fix is recorded and described instead of raised."""
    try:
        return load()
    except USER_ERRORS as exc:
        return record_rejection(settings, path, kind, exc)


def load_inbox_list(settings: Settings, path: Path) -> BatchReport | RejectedFile:
    """A list from the inbox, with the metadata of its `<file>.yaml` (required)."""
    sidecar = sidecar_for(path)
    if sidecar is None:
        return record_rejection(settings, path, "purchased_list", missing_sidecar(path))
    return load_or_reject(settings, path, "purchased_list", lambda: ingest_list_file(
        settings, path, ListOptions(mapping_file=sidecar)))


@dataclass(frozen=True)
class InboxFiles:
    lists: list[Path]
    forms: list[Path]
    events: list[Path]
    customers: list[Path] = field(default_factory=list)


def find_inbox_files(inbox: Path) -> InboxFiles:
    """Files waiting in `inbox/lists/`, `inbox/forms/`, `inbox/events/` and
    `inbox/customers/`, in name order.

    A list's mapping/metadata file sits next to it as `<list file>.yaml` (a customer
    export's, if it needs one, too); `events/` holds external consent events (unsubscribes,
    objections, late DOI confirmations); `customers/` the CRM's customer exports.
    """
    def files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir()
                      if p.is_file() and p.suffix.lower() in suffixes)

    return InboxFiles(files(inbox / "lists", LIST_SUFFIXES), files(inbox / "forms", FORM_SUFFIXES),
                      files(inbox / "events", EVENT_SUFFIXES),
                      files(inbox / "customers", LIST_SUFFIXES))


def sidecar_for(list_path: Path) -> Path | None:
    candidate = list_path.with_name(list_path.name + ".yaml")
    return candidate if candidate.exists() else None


def missing_sidecar(list_path: Path) -> InputFileError:
    """The error for a list in the inbox without its `<file>.yaml`, with the file to write."""
    return InputFileError(
        list_path.name, None, None,
        f"no {list_path.name}.yaml next to it: the nightly run needs the vendor and the "
        f"acquisition date of every purchased list. Create {list_path.name}.yaml with the "
        f"lines `vendor: Adressverlag Nord` and `acquired_on: {date.today().isoformat()}` "
        "(docs/operations.md lists the other keys)")


def move_to_done(path: Path, today: date) -> Path:
    """Move a processed inbox file (and its `.yaml`) to `done/<day>/` beside it.

    Loaded files leave the inbox, so the next night neither reads them again nor lists them
    as skipped; rejected files stay until they are fixed. A name already in that folder
    (the same file name on the same day) gets a numbered suffix instead of being replaced.
    """
    folder = path.parent / "done" / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():
        target = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    sidecar = sidecar_for(path)
    path.replace(target)
    if sidecar is not None:
        sidecar.replace(target.with_name(target.name + ".yaml"))
    return target

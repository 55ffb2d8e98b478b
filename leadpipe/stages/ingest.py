"""The ingest stage: files in, raw/staging/quarantine/ledger rows out, counts reported."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from compliance.subjects import subject_keys
from ingest.errors import InputFileError
from ingest.forms import read_form_export
from ingest.prepare import prepare_list
from leadpipe.settings import Settings, suppression_secret
from warehouse.db import open_warehouse
from warehouse.load_forms import load_form_export
from warehouse.load_lists import (
    BatchReport,
    ListMetadata,
    already_ingested,
    load_purchased_list,
    read_incoming,
)
from warehouse.runs import run_job

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
    missing = [n for n, v in (("vendor", vendor), ("acquired_on", acquired_on)) if not v]
    if missing:
        raise InputFileError(
            path.name, None, missing[0],
            "a purchased list needs its vendor and acquisition date (the GDPR Art. 14 "
            "deadline runs from it): pass --vendor/--acquired-on or put them in the "
            "mapping file",
        )
    if isinstance(acquired_on, str):
        acquired_on = date.fromisoformat(acquired_on)
    licence_end = pick("licence_end")
    return ListMetadata(
        vendor=str(vendor),
        acquired_on=acquired_on,
        licence_end=date.fromisoformat(licence_end) if isinstance(licence_end, str)
        else licence_end,
        permitted_use=pick("permitted_use"),
        provenance_documented=bool(pick("provenance_documented")),
    )


def ingest_list_file(settings: Settings, path: Path, options: ListOptions) -> BatchReport:
    """Prepare and load one purchased list; a file ingested before is reported as skipped."""
    with tempfile.TemporaryDirectory(prefix="leadpipe-ingest-") as tmp:
        work = Path(tmp)
        prepared = prepare_list(path, work, options.mapping_file, config_dir=settings.config_dir)
        metadata = _metadata(path, options, dict(prepared.list_defaults or {}))
        secret = suppression_secret(settings)
        with open_warehouse(settings, write=True, purpose=f"ingest {path.name}",
                            publish=True) as wh:
            earlier = already_ingested(wh, "purchased_list", prepared.file_sha256)
            if earlier is not None:
                return earlier
            incoming = read_incoming(wh, prepared, work)
            _, counts = run_job(
                wh, "ingest-purchased-list", {"path": str(path), "vendor": metadata.vendor},
                lambda wh, run_id: load_purchased_list(
                    wh, run_id=run_id, prepared=prepared, metadata=metadata, incoming=incoming,
                    secret=secret,
                ).as_dict(),
            )
    return BatchReport.from_dict(counts)


def ingest_form_file(settings: Settings, path: Path) -> BatchReport:
    """Load one web-form export: submissions, quarantined lines, consent events."""
    export = read_form_export(path, config_dir=settings.config_dir)
    secret = suppression_secret(settings)
    with open_warehouse(settings, write=True, purpose=f"ingest {path.name}",
                        publish=True) as wh:
        _, counts = run_job(
            wh, "ingest-web-forms", {"path": str(path)},
            lambda wh, run_id: load_form_export(
                wh, run_id=run_id, export=export, path=path, subject_keys=subject_keys,
                secret=secret,
            ).as_dict(),
        )
    return BatchReport.from_dict(counts)


@dataclass(frozen=True)
class InboxFiles:
    lists: list[Path]
    forms: list[Path]
    events: list[Path]


def find_inbox_files(inbox: Path) -> InboxFiles:
    """Files waiting in `inbox/lists/`, `inbox/forms/` and `inbox/events/`, in name order.

    A list's mapping/metadata file sits next to it as `<list file>.yaml`; `events/` holds
    external consent events (unsubscribes, objections, late DOI confirmations).
    """
    def files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir()
                      if p.is_file() and p.suffix.lower() in suffixes)

    return InboxFiles(files(inbox / "lists", LIST_SUFFIXES), files(inbox / "forms", FORM_SUFFIXES),
                      files(inbox / "events", EVENT_SUFFIXES))


def sidecar_for(list_path: Path) -> Path | None:
    candidate = list_path.with_name(list_path.name + ".yaml")
    return candidate if candidate.exists() else None

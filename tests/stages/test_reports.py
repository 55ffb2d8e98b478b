"""Stage reports are typed: every stage returns a frozen dataclass, nothing a dict."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import flows
import stages
from stages import (
    consent,
    crawl,
    crm_outcomes,
    decide,
    engagement,
    enrich,
    export,
    forecast,
    gdpr,
    ingest,
    intake,
    lead_detail,
    match,
    nightly,
    notices,
    outcomes,
    preview,
    review,
    score,
    status,
)
from stages.reports import report_json

STAGES: list[Callable[..., Any]] = [
    intake.hand_off, ingest.ingest_list_file, ingest.ingest_form_file, ingest.load_inbox_list,
    ingest.undo_list_batch, ingest.list_batches, preview.preview_list,
    consent.import_external_events, consent.consent_history, crawl.crawl_and_load,
    enrich.enrich_new, match.match_all, decide.decide_all, score.score_all,
    score.train_from_outcomes, export.export_leads, notices.import_robinson,
    notices.mark_art14_sent, notices.art14_overdue, review.explain, review.import_review,
    review.dedupe_file, gdpr.access, gdpr.erase, gdpr.object_to_marketing,
    outcomes.record_outcome, outcomes.record_objection, outcomes.objected_leads,
    nightly.quarantine_counts, status.warehouse_status, lead_detail.lead_detail,
    forecast.compute_forecast, forecast.backtest_forecast, forecast.pipeline,
    crm_outcomes.import_outcomes, engagement.import_engagement,
]
"""What the CLI and the flows call: each returns a report (or a list of them)."""


def _parts(annotation: Any) -> Iterator[Any]:
    """The classes a return annotation is made of: `A | None` and `list[A]` give A."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            yield from _parts(arg)
    elif typing.get_origin(annotation) is list:
        yield from _parts(typing.get_args(annotation)[0])
    elif annotation is not type(None):
        yield annotation


@pytest.mark.parametrize("stage", STAGES, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_each_stage_returns_a_frozen_dataclass(stage: Callable[..., Any]) -> None:
    for part in _parts(typing.get_type_hints(stage)["return"]):
        assert dataclasses.is_dataclass(part), part
        assert vars(part)["__dataclass_params__"].frozen, part


def _functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public functions of the stage modules, and the functions behind the flows' tasks."""
    for package in (stages, flows):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                fn = getattr(value, "fn", value)  # a Prefect task or flow wraps its function
                if (inspect.isfunction(fn) and fn.__module__ == info.name
                        and not name.startswith("_")):
                    yield f"{info.name}.{name}", fn


def test_no_stage_or_task_returns_or_takes_a_dict_report() -> None:
    found = [name for name, fn in _functions()
             for hint in typing.get_type_hints(fn).values() if hint == dict[str, Any]]
    assert found == []


def test_a_report_goes_out_as_its_own_json() -> None:
    report = notices.RobinsonImportReport("R1", "DDV", "post", 3, "loaded")
    assert report_json([report, None]) == [
        {"list_id": "R1", "list": "DDV", "channel": "post", "entries": 3, "status": "loaded"},
        None]
    assert report_json(gdpr.ObjectionReport("o-1", 2, 2, 4)) == {
        "request_id": "o-1", "records": 2, "events_added": 2, "suppression_entries": 4}

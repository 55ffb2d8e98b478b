"""Human review of uncertain matches, match explanations, and deduplicating a single file.

The same engine as the nightly run (`matching.engine`) serves all three: review pairs come
from `core.match_pairs`, decisions go to `core.match_decisions` and take effect at once,
and `dedupe_file` runs ingest's column mapping, enrichment and matching on one list without
touching the warehouse.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from openpyxl import load_workbook

from enrichment.config import use_config_dir
from enrichment.record import RecordTable, match_columns
from foundation.outputs import check_output
from foundation.settings import Settings
from foundation.spreadsheet import without_text_marker
from foundation.vocabulary import ENTITY_LEVELS
from ingest.errors import InputFileError
from ingest.prepare import prepare_list
from ingest.prepared_table import (
    MappedTable,
    cell_values,
    mapped_columns,
    mapped_record,
    read_prepared_table,
)
from matching.cluster import ConstraintConflict
from matching.engine import MatchResult as LevelResult
from matching.engine import dedupe, term_frequency_tables
from matching.explain import explain_pair
from matching.priors import MIN_TRAINING_RECORDS, shipped_params
from matching.settings import MatchSettings, load_match_settings
from scoring.export_files import (
    ExportFormat,
    write_csv_columns,
    write_csv_in_parts,
    write_rows,
    write_table,
)
from stages.enrich import PARALLEL_FROM
from stages.reports import report_json
from warehouse import leads as store
from warehouse.db import Warehouse, log_pending_exports, open_warehouse
from warehouse.export_log import ExportLogEntry, write_journal
from warehouse.match_pairs import OpenPair, open_review_pairs, review_pairs
from warehouse.runs import run_job
from warehouse.subjects import records_payloads

if TYPE_CHECKING:
    from stages.match import MatchResult


def _params(wh: Warehouse | None, level: str, config: MatchSettings, version: str,
            records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    stored = store.stored_params(wh, level, version) if wh is not None else None
    if stored is not None:
        return stored
    shipped = shipped_params(level, config)
    if shipped is not None and len(records) < MIN_TRAINING_RECORDS:
        return shipped
    return dedupe(records, config).params


@dataclass(frozen=True)
class PairExplanation:
    """Why two records match or not (`matching.explain.explain_pair`), and on which level."""

    level: str
    left_id: str
    right_id: str
    prior_log2_odds: float
    fields: list[dict[str, Any]]
    """Per comparison: both values, similarity, level, and its contribution in log2 odds."""
    match_weight: float
    match_probability: float
    strong_key: str | None
    guard: str | None
    band: str


def explain(settings: Settings, left_id: str, right_id: str, level: str | None = None
            ) -> PairExplanation:
    """Why two records match or not: per field similarity, level and contribution."""
    with open_warehouse(settings, write=False) as wh:
        for candidate in ([level] if level else ["contact", "consumer", "company"]):
            records = store.match_inputs(wh, candidate)
            by_id = {r["record_id"]: r for r in records}
            if left_id in by_id and right_id in by_id:
                loaded = load_match_settings(candidate, settings.config_dir)
                params = _params(wh, candidate, loaded.value, loaded.version, records)
                result = explain_pair(by_id[left_id], by_id[right_id], loaded.value, params,
                                      term_frequency_tables(records, loaded.value))
                return PairExplanation(candidate, **result)
    raise InputFileError(Path("(warehouse)"), None, "record_id",
                         f"{left_id} and {right_id} are not both records of one entity level "
                         "(see `leadpipe sql \"SELECT record_id FROM core.lead_members\"`)")


REVIEW_COLUMNS = ("entity_type", "left_id", "right_id", "match_probability")


def review_rows(settings: Settings, level: str | None = None) -> tuple[list[str],
                                                                        list[dict[str, Any]]]:
    """The review queue side by side: both records' values and each field's similarity."""
    rows: list[dict[str, Any]] = []
    columns: list[str] = [*REVIEW_COLUMNS]
    with open_warehouse(settings, write=False) as wh:
        for entity in [level] if level else ENTITY_LEVELS:
            pairs = review_pairs(wh, entity)
            if not pairs:
                continue
            records = store.match_inputs(wh, entity)
            by_id = {r["record_id"]: r for r in records}
            loaded = load_match_settings(entity, settings.config_dir)
            params = _params(wh, entity, loaded.value, loaded.version, records)
            tf = term_frequency_tables(records, loaded.value)
            for pair in pairs:
                result = explain_pair(by_id[pair.left_id], by_id[pair.right_id],
                                      loaded.value, params, tf)
                row = {"entity_type": entity, **asdict(pair)}
                for field in result["fields"]:
                    name = field["comparison"]
                    row[f"{name}_left"] = field["left"]
                    row[f"{name}_right"] = field["right"]
                    row[f"{name}_similarity"] = (None if field["similarity"] is None
                                                 else round(float(field["similarity"]), 3))
                    for key in (f"{name}_left", f"{name}_right", f"{name}_similarity"):
                        if key not in columns:
                            columns.append(key)
                rows.append(row)
    return [*columns, "decision", "note"], rows


def export_review(settings: Settings, out: Path, fmt: ExportFormat, force: bool,
                  level: str | None = None) -> int:
    """Write the review queue; the file is logged like a lead export, so that an erasure
    finds it (both sides of each pair are personal data)."""
    check_output(out, settings)
    columns, rows = review_rows(settings, level)
    written = write_rows(out, columns, rows, fmt=fmt, force=force)
    write_journal(settings.db_path, ExportLogEntry.new(
        "review", by=None, channel="review", filters={"level": level}, fmt=fmt, path=out))
    log_pending_exports(settings)
    return written


def _read_decisions(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".xlsx":
        sheet = load_workbook(path, read_only=True).active
        if sheet is None:
            return []
        values = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in values[0]] if values else []
        return [dict(zip(header, row, strict=False)) for row in values[1:]]
    csv.field_size_limit(sys.maxsize)
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") \
        else ","
    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


@dataclass(frozen=True)
class ReviewImportReport:
    decisions: int
    match: MatchResult
    """The re-match the decisions took effect in."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `review import` and of `ops.runs`: the re-match as the object `match`
        prints with `--json`, not the text of a Python object."""
        return {"decisions": self.decisions, "match": report_json(self.match)}


def import_review(settings: Settings, path: Path, decided_by: str) -> ReviewImportReport:
    """Store the merge/split decisions of a filled-in review file and re-match at once."""
    decisions: list[Decision] = []
    for line, row in enumerate(_read_decisions(path), start=2):
        decision = str(row.get("decision") or "").strip().lower()
        if not decision:
            continue
        if decision not in ("merge", "split"):
            raise InputFileError(path, line, "decision",
                                 f"{decision!r}: write merge, split or leave it empty")
        decisions.append((str(row["entity_type"]), str(row["left_id"]).lstrip("'"),
                          str(row["right_id"]).lstrip("'"), decision,
                          str(row.get("note") or "") or None))

    return _store_decisions(settings, decisions, decided_by, path, {"path": str(path)})


Decision = tuple[str, str, str, str, str | None]
"""(entity_type, left_id, right_id, merge | split, note)"""


def _store_decisions(settings: Settings, decisions: list[Decision], decided_by: str,
                     source: Path, parameters: dict[str, Any]) -> ReviewImportReport:
    """Store decisions and re-match in one logged run; a conflict stores nothing."""
    from stages.match import match_pending

    def job(wh: Warehouse, run_id: str) -> ReviewImportReport:
        for entity, left, right, decision, note in decisions:
            store.record_decision(wh, entity, left, right, decision, decided_by, note)
        try:
            return ReviewImportReport(len(decisions), match_pending(wh, settings))
        except ConstraintConflict as conflict:
            raise InputFileError(
                source, None, "decision",
                f"{conflict}. A split cannot keep apart records that a merge decision joins "
                "(in this file or an earlier one): remove one of the two and import again; "
                "nothing was stored") from None

    with open_warehouse(settings, write=True, purpose="review import", publish=True) as wh:
        _, report = run_job(wh, "review-import", parameters, job, ReviewImportReport.as_dict)
    return report


def decide_pair(settings: Settings, entity_type: str, left_id: str, right_id: str,
                decision: str, decided_by: str, note: str | None = None) -> ReviewImportReport:
    """One pair decided in the workspace: stored and re-matched as `review import` does."""
    if decision not in ("merge", "split"):
        raise InputFileError(Path("(workspace)"), None, "decision",
                             f"{decision!r}: the decision is merge or split")
    if entity_type not in ENTITY_LEVELS:
        raise InputFileError(Path("(workspace)"), None, "entity_type",
                             f"{entity_type!r}: one of {', '.join(ENTITY_LEVELS)}")
    return _store_decisions(settings, [(entity_type, left_id, right_id, decision, note)],
                            decided_by, Path("(workspace)"),
                            {"pair": [entity_type, left_id, right_id], "decision": decision,
                             "by": decided_by})


@dataclass(frozen=True)
class PairRecord:
    """One record of a pair as it came in: its source and the row's original columns."""

    record_id: str
    source_kind: str
    file_name: str | None
    vendor: str | None
    row_number: int | None
    values: dict[str, Any]


def pair_records(settings: Settings, left_id: str, right_id: str) -> list[PairRecord]:
    """Both records of a pair with every column they arrived with (the review page shows
    them beside the comparisons, which see only the matched fields)."""
    with open_warehouse(settings, write=False) as wh:
        rows = {r["record_id"]: r for r in records_payloads(wh, [left_id, right_id])}
    found = []
    for record_id in (left_id, right_id):
        row = rows.get(record_id)
        if row is None:
            continue
        payload = row["payload"]
        values = json.loads(payload) if isinstance(payload, str) else dict(payload or {})
        found.append(PairRecord(record_id, row["source_kind"], row["file_name"], row["vendor"],
                                row["row_number"], values if isinstance(values, dict) else {}))
    return found


def review_queue(settings: Settings) -> list[OpenPair]:
    """The pairs still waiting for a person, every level, most likely matches first."""
    with open_warehouse(settings, write=False) as wh:
        return open_review_pairs(wh)


@dataclass(frozen=True)
class StageSeconds:
    """Wall-clock seconds per step of one `dedupe-file` run."""

    read: float
    """Decoding and mapping the list (`prepare_list`)."""
    enrich: float
    match: float
    """Matching all levels. From `PARALLEL_FROM` rows the levels run side by side
    (`matched_levels`), so the three steps below, summed over the levels, add up to more."""
    block: float
    """Blocking rules and strong keys."""
    compare: float
    """Comparing candidate pairs, training and scoring them."""
    cluster: float
    write: float


@dataclass(frozen=True)
class DedupeReport:
    rows: int
    clusters: int
    duplicates: int
    """Rows beyond the first of their cluster."""
    unmatched_rows: int
    out: str
    written_at: str
    seconds: StageSeconds


@dataclass(frozen=True)
class ListRows:
    """One list as `dedupe-file` reads it: the prepared CSV (the rows as delivered, decoded),
    its header and the column mapping. Rows are read from the file when needed, never held."""

    csv_path: Path
    header: list[str]
    mapping: dict[str, str]
    data_rows: int

    def rows(self) -> Iterator[list[str]]:
        """The data rows, each padded or cut to the header's width."""
        width = len(self.header)
        with open(self.csv_path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for row in reader:
                yield row[:width] if len(row) >= width else row + [""] * (width - len(row))

    def table(self) -> MappedTable | None:
        """The whole list as Arrow columns, for workers to read their rows from; None when a
        row is not as wide as the header (`read_prepared_table`)."""
        table = read_prepared_table(self.csv_path, len(self.header))
        return None if table is None else MappedTable.of(table, self.header, self.mapping)

    def records(self) -> Iterator[dict[str, str]]:
        """Each row's mapped fields (the first non-empty column of a field wins); row k of
        the list (header = row 1) has the id `row-k`."""
        mapped = mapped_columns(self.header, self.mapping)
        fields = [field for _, field in mapped]
        for row in self.rows():
            yield mapped_record([row[i] for i, _ in mapped], fields)


@contextmanager
def read_list_rows(settings: Settings, path: Path, mapping: Path | None) -> Iterator[ListRows]:
    """The list through ingest's reader and column mapping into a temporary prepared CSV,
    nothing stored; the file goes when the block ends."""
    with tempfile.TemporaryDirectory(prefix="leadpipe-dedupe-") as tmp:
        prepared = prepare_list(path, Path(tmp), mapping, config_dir=settings.config_dir)
        csv.field_size_limit(sys.maxsize)
        with open(prepared.csv_path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        yield ListRows(prepared.csv_path, header, dict(prepared.mapping),
                       prepared.data_row_count)


LEVELS: tuple[str, ...] = ("contact", "consumer", "company")


def match_fields(settings: Settings) -> list[str]:
    """The enriched columns the levels' matching reads, and the three that pick the level."""
    names = ["company_name", "first_name", "last_name"]
    for level in LEVELS:
        names += load_match_settings(level, settings.config_dir).value.columns_read()
    return [n for n in dict.fromkeys(names) if n != "record_id"]


def enrich_list_records(settings: Settings, records: Iterable[dict[str, str]] | RecordTable,
                        *, workers: int = 2) -> pd.DataFrame:
    """The enriched columns matching compares, one row per record in order, with `record_id`
    `row-<spreadsheet row>`: `enrichment.record.match_columns` over `workers` processes."""
    use_config_dir(settings.config_dir)
    columns = match_columns(records, match_fields(settings), source_kind="purchased_list",
                            workers=workers)
    rows = len(next(iter(columns.values())))
    ids = np.array([f"row-{k + 2}" for k in range(rows)], dtype=object)
    # object columns: None stays None, text stays str; taken over as they are, not copied
    return pd.DataFrame({"record_id": ids, **columns}, dtype=object, copy=False)


def level_members(enriched: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """Every row on one level: contacts (company and a name), consumers (no company: also a
    row with no name, compared on whatever it has), companies (no name); empty levels left
    out."""
    company, first, last = (np.fromiter(map(bool, enriched[name]), bool, len(enriched))
                            for name in ("company_name", "first_name", "last_name"))
    person = first | last
    for level, condition in zip(LEVELS, (company & person, ~company, company & ~person),
                                strict=True):
        if condition.any():
            yield level, enriched[condition]


def match_level(settings: Settings, level: str, members: pd.DataFrame) -> LevelResult:
    """One level matched: with the shipped parameters for a small list, else trained on the
    list itself within the same run."""
    config = load_match_settings(level, settings.config_dir)
    shipped = shipped_params(level, config.value)
    params = shipped if shipped is not None and len(members) < MIN_TRAINING_RECORDS else None
    return dedupe(members, config.value, trained_params=params)


@dataclass(frozen=True)
class LevelOutcome:
    """What `dedupe_file` keeps of one level's matching."""

    clusters: dict[str, str]
    """Record id → cluster id: the level and the row of the cluster's first record."""
    scores: dict[str, float]
    """Record id → the highest probability among its matched pairs."""
    seconds: dict[str, float]


def level_outcome(settings: Settings, level: str, members: pd.DataFrame) -> LevelOutcome:
    result = match_level(settings, level, members)
    matched = result.band == 2
    best = np.full(len(result.record_ids), -1.0)
    for side in (result.left[matched], result.right[matched]):
        np.maximum.at(best, side, result.probability[matched])
    scored = np.flatnonzero(best >= 0)
    return LevelOutcome(
        {rid: f"{level}-{cid.removeprefix('row-')}" for rid, cid in result.clusters.items()},
        dict(zip([result.record_ids[k] for k in scored.tolist()], best[scored].tolist(),
                 strict=True)),
        result.seconds)


def matched_levels(settings: Settings, levels: list[tuple[str, pd.DataFrame]], *,
                   side_by_side: bool) -> list[LevelOutcome]:
    """Each level's outcome, each level's rows freed when it is done. With `side_by_side`,
    the largest level is matched in one thread and the others, one after the other, in a
    second: one level's matching keeps a second core busy only while it compares, and
    NumPy, pandas and rapidfuzz release the GIL for their array work."""

    def run(todo: list[tuple[str, pd.DataFrame]]) -> list[LevelOutcome]:
        outcomes = []
        while todo:
            level, members = todo.pop(0)
            outcomes.append(level_outcome(settings, level, members))
            del members
        return outcomes

    if not side_by_side or len(levels) < 2:
        return run(levels)
    levels.sort(key=lambda item: -len(item[1]))
    largest, rest = levels[:1], levels[1:]
    levels.clear()
    with ThreadPoolExecutor(max_workers=1) as pool:
        others = pool.submit(run, rest)
        return run(largest) + others.result()


RESULT_COLUMNS = ("cluster_id", "match_score")
"""What `dedupe_file` adds to every row; a list ending in them is an earlier run's output, and
checking it again replaces them rather than adding a second pair."""


def _write_dedupe_output(rows_in: ListRows, out: Path, cluster_of: dict[str, str],
                         score_of: dict[str, float], force: bool) -> None:
    """Every input row with all its columns as delivered, then its cluster and score. An
    earlier output checked again has its two result columns replaced, not repeated. A cell
    an export neutralised (`'+49 …`) is written as its value, so the writer marks it as it
    was, not once more (`''+49 …`)."""
    header = rows_in.header
    again = tuple(header[-2:]) == RESULT_COLUMNS
    if again:
        header = header[:-2]
    columns = [*header, *RESULT_COLUMNS]
    ids = [f"row-{k + 2}" for k in range(rows_in.data_rows)]
    clusters = [cluster_of.get(rid) for rid in ids]
    scores = [round(score_of[rid], 4) if rid in score_of else None for rid in ids]
    table = rows_in.table() if out.suffix.lower() != ".xlsx" else None
    if table is not None:  # the whole list in Arrow's kernels (`write_csv_columns`)
        write_csv_columns(out, columns, pa.Table.from_arrays(
            [*map(cell_values, table.table.columns[:len(header)]),
             pa.array(clusters, pa.string()),
             pa.array([None if p is None else repr(p) for p in scores], pa.string())],
            names=[f"column_{k}" for k in range(len(columns))]), force=force)
        return

    def written(start: int, stop: int | None) -> Iterator[list[Any]]:
        """The output rows from `start` to `stop` (data rows, counted from 0)."""
        for k, row in enumerate(islice(rows_in.rows(), start, stop), start):
            yield [*(without_text_marker(cell) for cell in row[:len(header)]), clusters[k],
                   scores[k]]

    rows = rows_in.data_rows
    if out.suffix.lower() == ".xlsx":
        write_table(out, columns, written(0, None), fmt="xlsx", force=force)
    elif rows < PARALLEL_FROM:
        write_table(out, columns, written(0, None), fmt="csv", force=force)
    else:  # two processes, each writing half the rows
        write_csv_in_parts(out, columns, [partial(written, 0, rows // 2),
                                          partial(written, rows // 2, None)], force=force)


def dedupe_file(settings: Settings, path: Path, out: Path, mapping: Path | None,
                force: bool) -> DedupeReport:
    """Deduplicate one list: every input row, all its columns, plus cluster_id and score."""
    check_output(out, settings)
    clock = perf_counter()
    with read_list_rows(settings, path, mapping) as rows_in:
        read = perf_counter() - clock
        parallel = rows_in.data_rows >= PARALLEL_FROM  # two processes pay off as in nightly
        table = rows_in.table()
        enriched = enrich_list_records(settings, table or rows_in.records(),
                                       workers=2 if parallel else 1)
        del table  # read again to write: held through matching, it would raise the peak
        enrich = perf_counter() - clock - read
        rows = len(enriched)
        levels = list(level_members(enriched))
        del enriched  # the levels hold every row: free the whole table before matching
        clock = perf_counter()
        outcomes = matched_levels(settings, levels, side_by_side=parallel)
        match = perf_counter() - clock
        cluster_of = {rid: cid for outcome in outcomes for rid, cid in outcome.clusters.items()}
        score_of = {rid: p for outcome in outcomes for rid, p in outcome.scores.items()}
        engine = {step: sum(outcome.seconds[step] for outcome in outcomes)
                  for step in ("block", "compare", "cluster")}
        clock = perf_counter()
        _write_dedupe_output(rows_in, out, cluster_of, score_of, force)
        write = perf_counter() - clock
    clusters = set(cluster_of.values())
    return DedupeReport(rows, len(clusters), len(cluster_of) - len(clusters),
                        rows - len(cluster_of), str(out), datetime.now(UTC).isoformat(),
                        StageSeconds(read=round(read, 2), enrich=round(enrich, 2),
                                     match=round(match, 2),
                                     block=round(engine["block"], 2),
                                     compare=round(engine["compare"], 2),
                                     cluster=round(engine["cluster"], 2),
                                     write=round(write, 2)))

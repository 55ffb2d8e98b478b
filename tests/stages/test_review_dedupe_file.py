"""`dedupe-file`'s lean path (matching-only enrichment, one training run, streamed output)
writes the very file the full path wrote: same rows, columns, cluster ids and scores."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from bench.generate_leads import generate, write
from enrichment.record import enrich_many
from foundation.settings import Settings
from ingest.prepare import prepare_list
from matching.engine import dedupe
from matching.priors import MIN_TRAINING_RECORDS, shipped_params
from matching.settings import load_match_settings
from scoring.export_files import write_rows
from stages import review
from stages.review import dedupe_file


def _full_path(settings: Settings, path: Path, out: Path, work: Path) -> None:
    """dedupe-file as it was: every row a dict, the 60-field enrichment, a training run and
    then the scoring run per level (shipped parameters for a small list), every cell written
    through `write_rows`."""
    prepared = prepare_list(path, work, None, config_dir=settings.config_dir)
    with open(prepared.csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        originals = [dict(zip(header, row, strict=False)) for row in reader]
    records = []
    for index, original in enumerate(originals):
        record: dict[str, Any] = {"record_id": f"row-{index + 2}"}
        for column, field in prepared.mapping.items():
            value = (original.get(column) or "").strip() or None
            if value is not None and record.get(field) is None:
                record[field] = value
        records.append(record)
    enriched = [{"record_id": e.record_id, **e.to_row()}
                for e in enrich_many(records, source_kind="purchased_list", workers=1)]
    cluster_of: dict[str, str] = {}
    score_of: dict[str, float] = {}
    person = [bool(r.get("last_name") or r.get("first_name")) for r in enriched]
    for level, keep in (("contact", lambda r, p: r.get("company_name") and p),
                        ("consumer", lambda r, p: not r.get("company_name")),
                        ("company", lambda r, p: r.get("company_name") and not p)):
        members = [r for r, p in zip(enriched, person, strict=True) if keep(r, p)]
        if not members:
            continue
        config = load_match_settings(level, settings.config_dir).value
        shipped = shipped_params(level, config)
        params = shipped if shipped is not None and len(members) < MIN_TRAINING_RECORDS \
            else dedupe(members, config).params
        result = dedupe(members, config, trained_params=params)
        for pair in result.pairs(("match",)):
            for rid in (pair["left_id"], pair["right_id"]):
                score_of[rid] = max(score_of.get(rid, 0.0), pair["match_probability"])
        for rid, cid in result.clusters.items():
            cluster_of[rid] = f"{level}-{cid.removeprefix('row-')}"
    rows = [{**original, "cluster_id": cluster_of.get(f"row-{i + 2}"),
             "match_score": round(score_of[f"row-{i + 2}"], 4)
             if f"row-{i + 2}" in score_of else None}
            for i, original in enumerate(originals)]
    write_rows(out, [*header, "cluster_id", "match_score"], rows, fmt="csv")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    root = tmp_path_factory.mktemp("dedupe-file")
    settings = Settings(data_dir=root / "data", db_path=root / "data" / "db.duckdb",
                        config_dir=root / "config")
    path = root / "leads.csv"
    write(path, generate(1500, seed=5, dup_rate=0.25), root / "leads.truth.csv")
    return settings, path


def test_output_is_the_file_the_full_path_wrote(generated: tuple[Settings, Path],
                                                tmp_path: Path) -> None:
    settings, path = generated
    report = dedupe_file(settings, path, tmp_path / "lean.csv", None, force=False)
    _full_path(settings, path, tmp_path / "full.csv", tmp_path)
    lean = (tmp_path / "lean.csv").read_bytes()
    assert lean == (tmp_path / "full.csv").read_bytes()
    assert report.rows == 1500
    assert report.duplicates > 200
    assert lean.decode().splitlines()[0].endswith(",cluster_id,match_score")
    assert all(getattr(report.seconds, step) >= 0 for step in
               ("read", "enrich", "block", "compare", "cluster", "write"))
    assert report.seconds.enrich > 0
    assert report.seconds.compare > 0


def test_a_large_list_written_by_two_processes_is_the_file_one_process_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From `PARALLEL_FROM` rows on, each half of the output is written by a process of its
    own (and the enrichment runs in two workers): the file is byte for byte the same."""
    settings = Settings(data_dir=tmp_path / "data", db_path=tmp_path / "data" / "db.duckdb",
                        config_dir=tmp_path / "config")
    path, rows = tmp_path / "leads.csv", review.PARALLEL_FROM + 7
    write(path, generate(rows, seed=7, dup_rate=0.2), tmp_path / "leads.truth.csv")
    report = dedupe_file(settings, path, tmp_path / "two.csv", None, force=False)
    assert report.seconds.match > 0
    monkeypatch.setattr(review, "PARALLEL_FROM", 10**9)
    dedupe_file(settings, path, tmp_path / "one.csv", None, force=False)
    two = (tmp_path / "two.csv").read_bytes()
    assert two == (tmp_path / "one.csv").read_bytes()
    assert two.count(b"\n") == rows + 1


def test_formulas_and_empty_cells_are_written_as_before(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", db_path=tmp_path / "data" / "db.duckdb",
                        config_dir=tmp_path / "config")
    path = tmp_path / "liste.csv"
    path.write_text("Firma;Vorname;Nachname;PLZ;E-Mail;Notiz\n"
                    "=HYPERLINK(\"x\");Erika;Beispiel;80331;e@mueller.de;+49 89 1\n"
                    "Müller GmbH;Erika;Beispiel;80331;e@mueller.de;\n"
                    "＝1+1;Hans;Kollege;80331;h@mueller.de;@SUM\n"
                    ";;Privat;50667;\t-1;-\n", encoding="utf-8")
    dedupe_file(settings, path, tmp_path / "lean.csv", None, force=False)
    _full_path(settings, path, tmp_path / "full.csv", tmp_path)
    assert (tmp_path / "lean.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()
    assert "'=HYPERLINK" in (tmp_path / "lean.csv").read_text(encoding="utf-8")


def test_an_earlier_output_checked_again_reads_its_numbers_and_keeps_one_result(
        generated: tuple[Settings, Path], tmp_path: Path) -> None:
    """The output neutralises `+49 …` phones as `'+49 …`; deduplicating that output again
    (a list edited and checked once more) must read the numbers, not lose them, and find the
    same clusters and scores, in the same two result columns rather than a second pair."""
    settings, path = generated
    dedupe_file(settings, path, tmp_path / "once.csv", None, force=False)
    dedupe_file(settings, tmp_path / "once.csv", tmp_path / "twice.csv", None, force=False)
    tables = []
    for name in ("once.csv", "twice.csv"):
        with open(tmp_path / name, encoding="utf-8", newline="") as fh:
            tables.append(list(csv.reader(fh)))
    (header, *once), (header_again, *twice) = tables
    assert header_again == header
    assert header[-2:] == ["cluster_id", "match_score"]
    assert any(cell.startswith("'+49") for row in once for cell in row)

    def partition(rows: list[list[str]]) -> list[list[int]]:
        members: dict[str, list[int]] = {}
        for k, row in enumerate(rows):
            members.setdefault(row[-2], []).append(k)
        return sorted(members.values())

    assert partition(twice) == partition(once)
    assert [row[-1] for row in twice] == [row[-1] for row in once]  # the scores
    assert [row[:-2] for row in twice] == [row[:-2] for row in once]


def test_a_list_with_ragged_rows_is_read_and_written_row_by_row_as_before(
        tmp_path: Path) -> None:
    """A row shorter or longer than the header cannot be read as Arrow columns: such a list
    goes through Python's reader and writer, and its output is the full path's."""
    settings = Settings(data_dir=tmp_path / "data", db_path=tmp_path / "data" / "db.duckdb",
                        config_dir=tmp_path / "config")
    path = tmp_path / "liste.csv"
    rows = [f"Firma {k} GmbH;Erika;Beispiel;8033{k};e@firma{k}.de" for k in range(8)]
    path.write_text("Firma;Vorname;Nachname;PLZ;E-Mail\n" + "\n".join(rows) + "\n"
                    "Firma 1 GmbH;Erika;Beispiel;80331\n"
                    "Firma 2 GmbH;Hans;Kollege;80332;h@firma2.de;;\n", encoding="utf-8")
    dedupe_file(settings, path, tmp_path / "lean.csv", None, force=False)
    _full_path(settings, path, tmp_path / "full.csv", tmp_path)
    assert (tmp_path / "lean.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()

"""The scale benchmark's harness without Splink: list files, outside measurement, report."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from bench import bench_scale


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> bench_scale.ListFiles:
    return bench_scale.write_list(300, tmp_path_factory.mktemp("scale"))


def test_list_is_delivered_with_german_headers_and_its_truth(
        files: bench_scale.ListFiles) -> None:
    with files.csv.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[0] == "Kundennummer"  # never `Nr`: it would be mapped to the house number
    assert {"Firma", "Vorname", "Nachname", "Straße", "PLZ", "E-Mail"} <= set(header)
    truth = bench_scale.read_truth(files.truth)
    assert len(truth) == 300
    assert len(set(truth.values())) == 300 - round(300 * bench_scale.DUP_RATE)
    assert files.splink_input.stat().st_size > 0


def test_perfect_clusters_score_one_and_singletons_zero(files: bench_scale.ListFiles) -> None:
    truth = bench_scale.read_truth(files.truth)
    assert bench_scale.quality(truth, files.truth) == bench_scale.Quality(1.0, 1.0, 1.0)
    assert bench_scale.quality({}, files.truth).recall == 0.0


def test_process_tree_is_measured_from_outside(tmp_path: Path) -> None:
    code = "import subprocess, sys; b = bytearray(60_000_000); print('{\"rows\": 3}'); " \
           "subprocess.run([sys.executable, '-c', 'x = bytearray(30_000_000)'], check=True)"
    run = bench_scale.measure_process([sys.executable, "-c", code], cwd=tmp_path)
    assert run.stdout.strip() == '{"rows": 3}'
    assert run.peak_process_mb >= 60
    assert run.cpu_s > 0
    with pytest.raises(bench_scale.ProcessFailed, match="boom") as failed:
        bench_scale.measure_process(
            [sys.executable, "-c", "import sys; sys.exit('boom')"], cwd=tmp_path)
    assert failed.value.run.exit_code == 1


def test_stage_timings_are_read_under_either_shape_and_may_be_absent() -> None:
    assert bench_scale.stage_seconds({"rows": 3, "seconds": {"read": 1.5, "write": 2}}) \
        == {"read": 1.5, "write": 2.0}
    assert bench_scale.stage_seconds({"rows": 3, "read_seconds": 0.5}) == {"read": 0.5}
    assert bench_scale.stage_seconds({"rows": 3, "out": "x.csv"}) == {}


def test_report_marks_a_small_run_as_smoke(files: bench_scale.ListFiles) -> None:
    run = bench_scale.ProcessRun(2.0, 1.5, 300.0, 420.0, 0.5, 1.2, 0.9, 0, "", "")
    runs = [bench_scale.ToolRun(300, "leadpipe dedupe-file", run,
                                bench_scale.Quality(0.99, 0.9, 0.943), {"read": 0.2}),
            bench_scale.ToolRun(300, "Splink 5 (DuckDB)", run,
                                bench_scale.Quality(0.8, 0.99, 0.885), {"train": 1.0}, 0.5, 280.0),
            bench_scale.ToolRun(300, bench_scale.NIGHTLY, run, None, failure="failed, exit -9")]
    text = bench_scale.report_markdown(runs, [files], bench_scale.machine())
    assert text.startswith("## Scale: dedupe-file vs Splink")
    assert "Smoke run" in text
    assert "| 300 | leadpipe dedupe-file | 0.990 / 0.900 / **0.943** | 2.0 s |" in text
    assert "1.5 s (2.0 s with evaluation)" in text
    assert "0.41 GB (0.29 GB); 0.27 GB before evaluation" in text
    assert "| 300 | `leadpipe run nightly --no-crawl` | failed, exit -9 |" in text


def test_an_earlier_runs_rows_are_shown_beside_this_runs_and_marked(
        files: bench_scale.ListFiles, tmp_path: Path) -> None:
    run = bench_scale.ProcessRun(2.0, 1.5, 300.0, 420.0, 0.5, 1.2, 0.9, 0, "", "")
    facts = bench_scale.machine()
    earlier = bench_scale.ToolRun(3_000_000, "leadpipe dedupe-file", run,
                                  bench_scale.Quality(0.99, 0.97, 0.98), {"read": 2.5})
    big = bench_scale.ListFiles(3_000_000, tmp_path / "big.csv", Path(), Path(), 450.0)
    bench_scale.write_reports([earlier], [big], facts, tmp_path / "old.md", tmp_path / "old.json")
    runs, lists = bench_scale.included_runs(tmp_path / "old.json")
    assert runs[0].measured.startswith(str(facts["date"]))
    now = bench_scale.ToolRun(300, "leadpipe dedupe-file", run, bench_scale.Quality(1, 1, 1))
    text = bench_scale.report_markdown([*runs, now], [*lists, files], facts)
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[1].startswith("| 300 | leadpipe dedupe-file |")  # by size, not by origin
    assert table[2].startswith("| 3,000,000 | leadpipe dedupe-file † | 0.990 / 0.970 /")
    assert f"† Taken over from an earlier run (`--include`): measured {facts['date']}" in text


def test_included_runs_alone_make_a_report(tmp_path: Path) -> None:
    """`--sizes` and `--tools` empty: nothing runs, the included runs are put together."""
    run = bench_scale.ProcessRun(2.0, 1.5, 300.0, 420.0, 0.5, 1.2, 0.9, 0, "", "")
    nightly = bench_scale.ToolRun(1_000_000, bench_scale.NIGHTLY, run, None)
    listed = bench_scale.ListFiles(1_000_000, tmp_path / "leads.csv", Path(), Path(), 9.0)
    bench_scale.write_reports([nightly], [listed], bench_scale.machine(),
                              tmp_path / "a.md", tmp_path / "a.json")
    bench_scale.main(["--sizes", "--tools", "--include", str(tmp_path / "a.json"),
                      "--leadpipe", sys.executable, "--workdir", str(tmp_path / "work"),
                      "--report", str(tmp_path / "b.md"), "--json", str(tmp_path / "b.json")])
    assert "| 1,000,000 | `leadpipe run nightly --no-crawl` † | – | 2.0 s |" in (
        tmp_path / "b.md").read_text(encoding="utf-8")

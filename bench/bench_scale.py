"""Issue #18's scale targets through the user's door: `leadpipe dedupe-file` vs Splink 5.

For each size N (default 100k, 1M and 3M rows) it generates a German lead list with
bench/generate_leads.py (20 % duplicates, seed 1, headers as users deliver them, first column
`Kundennummer` — a column named `Nr` would be mapped to the house number), then runs, one
after the other and never in parallel:

- `leadpipe dedupe-file LIST --out OUT --json` as a subprocess through the installed entry
  point, exactly as a user would; per-stage timings are read from its JSON when it prints
  them;
- Splink 5 on DuckDB in a subprocess (this script's `_splink` mode) with bench_matching's
  lead-set configuration (names with TF, e-mail, company, street, house number, phone,
  postcode) on the same records, normalised beforehand with leadpipe's enrichment functions
  as bench_matching does (not counted in Splink's time), clustered at match probability 0.5;
- optionally (`--nightly`) `leadpipe run nightly --no-crawl` over an inbox holding the list.

Every process tree is measured from outside: wall time, CPU seconds (user + sys of the
process and the children it waited for, from wait4), peak RSS of the largest process (wait4)
and the peak of the whole tree's summed PSS (psutil, sampled every 0.2 s; PSS splits pages
that forked workers share, so they are not counted twice), and the load
average while it ran. Quality is person-level (all pairs within a cluster against all pairs
within a true person, bench/analyse_precision.py's `person_scores`).

    /tmp/wbench/venv/bin/python bench/bench_scale.py [--sizes 100000 1000000 3000000]
        [--workdir /tmp/bench_scale] [--nightly] [--keep-lists] [--report bench/report_scale.md]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

SEED = 1
DUP_RATE = 0.2
GERMAN_HEADER = {"record_id": "Kundennummer", "company": "Firma", "salutation": "Anrede",
                 "first_name": "Vorname", "last_name": "Nachname", "street": "Straße",
                 "house_number": "Hausnummer", "postcode": "PLZ", "city": "Ort",
                 "phone": "Telefon", "email": "E-Mail", "website": "Website"}
SAMPLE_SECONDS = 0.2
MB = 1024 * 1024
DEDUPE_FILE, SPLINK, NIGHTLY = ("leadpipe dedupe-file", "Splink 5 (DuckDB)",
                                "`leadpipe run nightly --no-crawl`")


@dataclass(frozen=True)
class ProcessRun:
    """One measured process tree."""

    wall_s: float
    cpu_s: float
    peak_process_mb: float
    """Largest single process (ru_maxrss of the process and its waited-for children)."""
    peak_tree_mb: float
    """Highest sampled sum of PSS (RSS where PSS is unreadable) over the process tree."""
    load_start: float
    load_max: float
    load_end: float
    exit_code: int
    stdout: str
    stderr_tail: str


class ProcessFailed(RuntimeError):
    """A measured process that exited with an error (killed for memory, say): its numbers."""

    def __init__(self, cmd: Sequence[str], run: ProcessRun) -> None:
        super().__init__(f"{' '.join(cmd)} exited with {run.exit_code}:\n{run.stderr_tail}")
        self.run = run


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class ToolRun:
    """One tool on one list: its measured process and the quality of its clusters."""

    records: int
    tool: str
    process: ProcessRun
    quality: Quality | None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    eval_s: float = 0.0
    """Scoring against the truth inside the measured process (Splink only)."""
    peak_before_eval_mb: float = 0.0
    """The process's peak RSS when its clusters were done (Splink only)."""
    failure: str = ""
    measured: str = ""
    """When and on which leadpipe a run taken over from an earlier report (`--include`) was
    measured; empty for this run's own."""


@dataclass(frozen=True)
class ListFiles:
    rows: int
    csv: Path
    truth: Path
    splink_input: Path
    prepare_s: float


def measure_process(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None
                    ) -> ProcessRun:
    """Run `cmd` to its end and measure it from outside; `ProcessFailed` if it fails."""
    load_start = os.getloadavg()[0]
    peaks = {"tree": 0, "load": load_start}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err, \
            subprocess.Popen(list(cmd), cwd=cwd, env={**os.environ, **(env or {})},
                             stdout=subprocess.PIPE, stderr=err, text=True) as proc:
        done = threading.Event()

        def sample() -> None:
            root = psutil.Process(proc.pid)
            while not done.wait(SAMPLE_SECONDS):
                total = 0
                try:
                    for p in [root, *root.children(recursive=True)]:
                        try:
                            total += _proportional_memory(p)
                        except psutil.Error:
                            continue
                except psutil.Error:
                    return
                peaks["tree"] = max(peaks["tree"], total)
                peaks["load"] = max(peaks["load"], os.getloadavg()[0])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out_chunks: list[str] = []
        reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()),  # type: ignore[union-attr]
                                  daemon=True)
        reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        reader.join()
        sampler.join()
        err.seek(0)
        stderr = err.read()
    run = ProcessRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                     peaks["tree"] / MB, load_start, peaks["load"], os.getloadavg()[0],
                     proc.returncode, "".join(out_chunks), stderr[-4000:])
    if proc.returncode != 0:
        raise ProcessFailed(cmd, run)
    return run


def _proportional_memory(process: psutil.Process) -> int:
    """PSS in bytes: shared pages split among the processes sharing them; else RSS."""
    try:
        return int(process.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(process.memory_info().rss)


def write_list(rows: int, folder: Path, keep: bool = False) -> ListFiles:
    """The list as a user delivers it, its truth file, and the normalised input for Splink;
    with `keep`, files an earlier `--keep-lists` run left in `folder` are used again."""
    stamp = folder / f"leads_{rows}.prepared_s"
    if keep and stamp.exists():
        return ListFiles(rows, folder / f"leads_{rows}.csv", folder / f"leads_{rows}.truth.csv",
                         folder / f"leads_{rows}.splink.parquet", float(stamp.read_text()))
    import duckdb
    from bench_matching import normalise
    from generate_leads import COLUMNS, TRUTH_COLUMNS, generate

    folder.mkdir(parents=True, exist_ok=True)
    files = ListFiles(rows, folder / f"leads_{rows}.csv", folder / f"leads_{rows}.truth.csv",
                      folder / f"leads_{rows}.splink.parquet", 0.0)
    started = time.perf_counter()
    normalised_csv = folder / f"leads_{rows}.normalised.csv"
    with files.csv.open("w", encoding="utf-8", newline="") as out, \
            files.truth.open("w", encoding="utf-8", newline="") as truth_out, \
            normalised_csv.open("w", encoding="utf-8", newline="") as norm_out:
        writer, truth_writer, norm_writer = (csv.writer(out), csv.writer(truth_out),
                                             csv.writer(norm_out))
        writer.writerow([GERMAN_HEADER[c] for c in COLUMNS])
        truth_writer.writerow(TRUTH_COLUMNS)
        norm_header: list[str] = []
        for item in generate(rows, SEED, DUP_RATE):
            writer.writerow([item.row[c] for c in COLUMNS])
            truth_writer.writerow((item.row["record_id"], item.cluster_id, item.company_id))
            normalised = normalise(item.row)
            if not norm_header:
                norm_header = list(normalised)
                norm_writer.writerow(norm_header)
            norm_writer.writerow(["" if v is None else v for v in normalised.values()])
    # all text, empty cells NULL: the frame bench_matching's Splink code expects
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{normalised_csv}', all_varchar = true, "
                   f"header = true)) TO '{files.splink_input}' (FORMAT parquet)")
    normalised_csv.unlink()
    prepared = time.perf_counter() - started
    if keep:
        stamp.write_text(f"{prepared:.1f}")
    return ListFiles(files.rows, files.csv, files.truth, files.splink_input, prepared)


def read_truth(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["record_id"]: row["cluster_id"] for row in csv.DictReader(fh)}


def quality(cluster_of: dict[str, str], truth_path: Path) -> Quality:
    from analyse_precision import person_scores

    return Quality(*person_scores(cluster_of, read_truth(truth_path)))


def stage_seconds(report: dict[str, object]) -> dict[str, float]:
    """Per-stage seconds from `dedupe-file --json` (a mapping of seconds; older versions: none)."""
    for key, value in report.items():
        if isinstance(value, dict) and value and \
                all(isinstance(v, int | float) for v in value.values()) and \
                any(word in key for word in ("second", "timing", "stage")):
            return {str(k): float(v) for k, v in value.items()}
    return {key.removesuffix("_seconds"): float(value) for key, value in report.items()
            if key.endswith("_seconds") and isinstance(value, int | float)}


def run_dedupe_file(files: ListFiles, leadpipe: Path, work: Path) -> ToolRun:
    out = work / f"leads_{files.rows}.deduped.csv"
    out.unlink(missing_ok=True)
    run = measure_process([str(leadpipe), "dedupe-file", str(files.csv), "--out", str(out),
                           "--json"], cwd=work)
    report = json.loads(run.stdout)
    id_column = GERMAN_HEADER["record_id"]
    with out.open(encoding="utf-8", newline="") as fh:
        cluster_of = {row[id_column]: row["cluster_id"] for row in csv.DictReader(fh)
                      if row["cluster_id"]}
    out.unlink()
    return ToolRun(files.rows, DEDUPE_FILE, run, quality(cluster_of, files.truth),
                   stage_seconds(report))


def run_splink(files: ListFiles, work: Path) -> ToolRun:
    result_path = work / f"splink_{files.rows}.json"
    run = measure_process([sys.executable, str(Path(__file__).resolve()), "_splink",
                           str(files.splink_input), str(files.truth), str(result_path)],
                          cwd=work)
    child = json.loads(result_path.read_text(encoding="utf-8"))
    result_path.unlink()
    return ToolRun(files.rows, SPLINK, run, Quality(**child["quality"]),
                   child["stage_seconds"], child["eval_s"], child["peak_before_eval_mb"])


def splink_child(parquet: Path, truth: Path, result_path: Path) -> None:
    """In a fresh process: train, predict and cluster at 0.5 as a user of Splink would."""
    from bench_matching import LEADS_LOAD, LEADS_SPLINK_TRAINED

    stages: dict[str, float] = {}
    t = time.perf_counter()
    scope: dict[str, object] = {}
    exec(LEADS_LOAD.format(path=str(parquet)), scope)
    stages["read"] = time.perf_counter() - t
    t = time.perf_counter()
    exec(LEADS_SPLINK_TRAINED, scope)
    stages["train"] = time.perf_counter() - t
    t = time.perf_counter()
    exec("pred = linker.inference.predict(threshold_match_probability=0.5)", scope)
    stages["predict"] = time.perf_counter() - t
    t = time.perf_counter()
    exec("clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.5)"
         ".as_pandas_dataframe()", scope)
    stages["cluster"] = time.perf_counter() - t
    peak_before_eval_mb = _peak_rss_mb()
    t = time.perf_counter()
    clusters = scope["clusters"]
    cluster_of = dict(zip(clusters["unique_id"].astype(str),  # type: ignore[index]
                          clusters["cluster_id"].astype(str), strict=True))  # type: ignore[index]
    scores = quality(cluster_of, truth)
    eval_s = time.perf_counter() - t
    result_path.write_text(json.dumps({"quality": asdict(scores), "stage_seconds": stages,
                                       "eval_s": eval_s,
                                       "peak_before_eval_mb": peak_before_eval_mb}),
                           encoding="utf-8")


def _peak_rss_mb() -> float:
    """This process's peak RSS so far (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_nightly(files: ListFiles, leadpipe: Path, work: Path) -> ToolRun:
    """The nightly flow, crawl off, with the list as the only new file in a fresh inbox."""
    nightly = work / f"nightly_{files.rows}"
    shutil.rmtree(nightly, ignore_errors=True)
    lists = nightly / "inbox" / "lists"
    lists.mkdir(parents=True)
    os.link(files.csv, lists / files.csv.name)
    (lists / f"{files.csv.name}.yaml").write_text(
        "vendor: Scale benchmark\nacquired_on: 2026-12-01\nlicence_end: 2027-12-01\n"
        "permitted_use: postal and telephone marketing, B2B\nprovenance_documented: true\n",
        encoding="utf-8")
    startup = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
    try:
        run = measure_process([str(leadpipe), "run", "nightly", "--no-crawl", "--inbox",
                               str(nightly / "inbox"), "--db", str(nightly / "leadpipe.duckdb"),
                               "--json"], cwd=nightly,
                              env={"PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                                   "PREFECT_HOME": str(nightly / "prefect"),
                                   # as `make`: a busy machine starts the server slowly
                                   startup: os.environ.get(startup, "90")})
    finally:
        shutil.rmtree(nightly, ignore_errors=True)  # a 1M warehouse is gigabytes
    return ToolRun(files.rows, NIGHTLY, run, None)


def attempt(tool: str, run: Callable[[], ToolRun], rows: int) -> ToolRun:
    """The tool's run, or its measured failure: a 3M run killed for memory is a result too."""
    try:
        return run()
    except ProcessFailed as failed:
        _log(str(failed))
        return ToolRun(rows, tool, failed.run, None, failure=f"failed, exit {failed.run.exit_code}")


def included_runs(path: Path) -> tuple[list[ToolRun], list[ListFiles]]:
    """The runs and lists of an earlier report's JSON, each run marked with when and on which
    leadpipe it was measured."""
    data = json.loads(path.read_text(encoding="utf-8"))
    facts = data["machine"]
    measured = f"{facts['date']}, leadpipe from {facts['leadpipe_source']}"
    runs = [ToolRun(
        r["records"], r["tool"], ProcessRun(**{**r["process"], "stdout": ""}),
        Quality(**r["quality"]) if r["quality"] else None, r["stage_seconds"], r["eval_s"],
        r["peak_before_eval_mb"], r["failure"], r.get("measured") or measured)
        for r in data["runs"]]
    lists = [ListFiles(f["rows"], Path(f["csv"]), Path(), Path(), f["prepare_s"])
             for f in data["lists"]]
    return runs, lists


def machine() -> dict[str, object]:
    """Facts a reader needs to compare the numbers with their own machine."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    versions = {name: _version(name) for name in
                ("leadpipe", "splink", "duckdb", "pandas", "numpy", "rapidfuzz", "psutil")}
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu": model,
            "cores": os.cpu_count(), "memory_gib": round(total / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release(),
            "leadpipe_source": leadpipe_source(), "versions": versions}


def leadpipe_source() -> str:
    """Which checkout the measured entry point runs: its folder, commit and local changes."""
    try:
        url = json.loads(metadata.distribution("leadpipe").read_text("direct_url.json") or "{}")
    except metadata.PackageNotFoundError:
        return "no installed leadpipe"
    folder = str(url.get("url", "")).removeprefix("file://")
    if not folder:
        return "an installed wheel"

    def git(*words: str) -> str:
        return subprocess.run(["git", "-C", folder, *words], capture_output=True, text=True,
                              check=False).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench", ":!docs",
                ":!tests")
    return (f"{folder} at {git('rev-parse', '--short', 'HEAD')} "
            f"({git('branch', '--show-current')})"
            f"{' with uncommitted changes to its code' if dirty else ''}")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _gb(mb: float) -> str:
    return f"{mb / 1024:.2f} GB"


def report_markdown(runs: list[ToolRun], lists: list[ListFiles],
                    facts: dict[str, object]) -> str:
    """The section for docs/benchmarks.md (bench/build_report.py picks it up)."""
    smoke = max(f.rows for f in lists) < 100_000
    order = (DEDUPE_FILE, SPLINK, NIGHTLY)
    runs = sorted(runs, key=lambda r: (r.records, order.index(r.tool) if r.tool in order
                                       else len(order)))
    lists = sorted(lists, key=lambda f: f.rows)
    earlier = list(dict.fromkeys(r.measured for r in runs if r.measured))
    lines = ["## Scale: dedupe-file vs Splink at 100k / 1M / 3M", ""]
    if smoke:
        lines += [f"**Smoke run of the harness at {', '.join(f'{f.rows:,}' for f in lists)} "
                  "rows only — not the issue's sizes and not a result: the run at 100k / 1M / "
                  "3M on the merged code replaces this table.**", ""]
    lines += [
        "Produced by `bench/bench_scale.py` (issue #18): lists from `bench/generate_leads.py` "
        f"(seed {SEED}, {DUP_RATE:.0%} duplicates, German headers, no mapping file); "
        "`leadpipe dedupe-file --json` through the installed entry point and Splink 5 on "
        "DuckDB (bench_matching's lead-set settings, input normalised beforehand with "
        "leadpipe's enrichment functions, not timed; clusters at match probability 0.5) run "
        "one after the other. Person-level P / R / F1 = all pairs within a cluster against "
        "all pairs within a true person. Wall and CPU (user + sys) from outside each process; "
        "peak memory = the highest sampled sum of PSS over the process tree (the largest "
        "single process in brackets). On a shared machine compare CPU seconds. The nightly "
        "row: the list as the only new file of a fresh inbox and warehouse, crawl off, "
        "Prefect's temporary server included in the process tree. The issue's own table came "
        "from a generator of the reporter's; these lists are ours, so compare tools within "
        "one run, not with the issue's numbers.", "",
        "Run: a bench venv with the leadpipe to measure installed into it (`python3 -m venv "
        "/tmp/wbench/venv && /tmp/wbench/venv/bin/pip install -c constraints.txt -e "
        "'.[dev,bench]'` from that checkout), then `/tmp/wbench/venv/bin/python "
        "bench/bench_scale.py --sizes 100000 1000000 3000000 --nightly`. It rewrites this "
        "section (`bench/report_scale.md`, after every run, so a crash keeps what was "
        "measured) and `bench/report_scale.json`; `python bench/build_report.py` puts it into "
        "docs/benchmarks.md. A run that fails (killed for memory, say) is a row with its exit "
        "code and what it had used. `--include <earlier report.json>` shows an earlier run's "
        "rows beside this run's, marked with when and on which leadpipe they were measured.",
        "",
        "| records | tool | person-level P / R / F1 | wall | CPU | peak memory | load avg |",
        "|---|---|---|---|---|---|---|"]
    for r in runs:
        q, proc = r.quality, r.process
        pr = f"{q.precision:.3f} / {q.recall:.3f} / **{q.f1:.3f}**" if q else \
            (r.failure or "–")
        wall = f"{proc.wall_s:.1f} s"
        memory = f"{_gb(proc.peak_tree_mb)} ({_gb(proc.peak_process_mb)})"
        if r.eval_s:
            wall = f"{proc.wall_s - r.eval_s:.1f} s ({proc.wall_s:.1f} s with evaluation)"
            memory += f"; {_gb(r.peak_before_eval_mb)} before evaluation"
        lines.append(f"| {r.records:,} | {r.tool}{_mark(r, earlier)} | {pr} | {wall} | "
                     f"{proc.cpu_s:.1f} s | {memory} | {proc.load_start:.1f} → max "
                     f"{proc.load_max:.1f} |")
    lines += ["", "Stage timings (seconds, as each tool reports them; dedupe-file's from its "
              "`--json`, Splink's from the benchmark process):", ""]
    for r in runs:
        if r.tool != NIGHTLY:
            stages = ", ".join(f"{k} {v:.1f}" for k, v in r.stage_seconds.items()) or \
                "not reported by this version"
            lines.append(f"- {r.records:,} {r.tool}{_mark(r, earlier)}: {stages}")
    prep = ", ".join(f"{f.rows:,} rows {f.prepare_s:.1f} s" for f in lists)
    versions = facts["versions"]
    assert isinstance(versions, dict)
    lines += [
        "", f"Generating the list, its truth and Splink's normalised input (not timed in "
        f"either tool): {prep}.", "",
        f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory_gib']} GiB, Linux "
        f"{facts['kernel']}, Python {facts['python']}; run {facts['date']}, leadpipe from "
        f"{facts['leadpipe_source']}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".", ""]
    lines += [f"{'†' * (k + 1)} Taken over from an earlier run (`--include`): measured "
              f"{when}." for k, when in enumerate(earlier)] + ([""] if earlier else [])
    return "\n".join(line if line.startswith(("|", "- ")) else textwrap.fill(line, 95)
                     for line in lines)


def _mark(run: ToolRun, earlier: list[str]) -> str:
    return " " + "†" * (earlier.index(run.measured) + 1) if run.measured else ""


def write_reports(runs: list[ToolRun], lists: list[ListFiles], facts: dict[str, object],
                  report: Path, json_path: Path) -> None:
    report.write_text(report_markdown(runs, lists, facts), encoding="utf-8")
    json_path.write_text(json.dumps({
        "machine": facts,
        "lists": [{"rows": f.rows, "csv": f.csv.name, "prepare_s": f.prepare_s} for f in lists],
        "runs": [{**asdict(r), "process": {k: v for k, v in asdict(r.process).items()
                                           if k != "stdout"}} for r in runs],
    }, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000, 3_000_000],
                        help="list sizes to run (none: only put the --include runs together)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_scale"))
    parser.add_argument("--nightly", action="store_true",
                        help="also run the nightly flow (crawl off) on each list")
    parser.add_argument("--tools", nargs="*", choices=("leadpipe", "splink"),
                        default=["leadpipe", "splink"],
                        help="the tools to run beside the nightly (none: the nightly alone)")
    parser.add_argument("--leadpipe", type=Path, default=Path(sys.executable).parent / "leadpipe",
                        help="the installed entry point (default: next to this Python)")
    parser.add_argument("--keep-lists", action="store_true",
                        help="keep the generated lists in --workdir and use them again next time")
    parser.add_argument("--include", type=Path, nargs="+", default=[],
                        help="earlier runs' JSON reports to show beside this run's (marked "
                             "with when and on which leadpipe they were measured)")
    parser.add_argument("--report", type=Path, default=BENCH / "report_scale.md")
    parser.add_argument("--json", type=Path, default=BENCH / "report_scale.json")
    args = parser.parse_args(argv)
    if not args.leadpipe.exists():
        parser.error(f"no leadpipe entry point at {args.leadpipe}: install leadpipe into this "
                     "Python's environment (pip install -e .) or give --leadpipe")
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    facts = machine()
    runs: list[ToolRun] = []
    lists: list[ListFiles] = []
    for path in args.include:
        earlier_runs, earlier_lists = included_runs(path)
        runs += earlier_runs
        lists += [f for f in earlier_lists if f.rows not in {x.rows for x in lists}]
    for rows in args.sizes:
        files = write_list(rows, work, args.keep_lists)
        lists = [f for f in lists if f.rows != rows] + [files]  # not an included list too
        _log(f"{rows:,} rows written in {files.prepare_s:.1f} s")
        tools: dict[str, tuple[str, Callable[[], ToolRun]]] = {
            "leadpipe": (DEDUPE_FILE, partial(run_dedupe_file, files, args.leadpipe, work)),
            "splink": (SPLINK, partial(run_splink, files, work)),
            "nightly": (NIGHTLY, partial(run_nightly, files, args.leadpipe, work))}
        for name in [*args.tools, *(["nightly"] if args.nightly else [])]:
            tool, run = tools[name]
            runs.append(attempt(tool, run, rows))
            _log(_summary(runs[-1]))
            write_reports(runs, lists, facts, args.report, args.json)  # a crash keeps the rest
        if not args.keep_lists:
            for path in (files.csv, files.truth, files.splink_input):
                path.unlink()
    write_reports(runs, lists, facts, args.report, args.json)  # also with --include alone
    _log(f"report: {args.report}, {args.json}")


def _summary(run: ToolRun) -> str:
    q = run.quality
    quality_text = f"P {q.precision:.3f} R {q.recall:.3f} F1 {q.f1:.3f}" if q else run.failure
    return (f"{run.records:,} {run.tool}: {quality_text} wall {run.process.wall_s:.1f} s "
            f"CPU {run.process.cpu_s:.1f} s peak {run.process.peak_tree_mb:.0f} MB")


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["_splink"]:
        splink_child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()

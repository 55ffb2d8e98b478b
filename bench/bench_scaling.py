"""The enrich stage beyond one process: in process, in partitions, and as Prefect tasks on a
Dask LocalCluster of 1, 2 and 4 worker processes (docs/scaling.md, bench/report_scaling.md).

    python bench/bench_scaling.py --rows 200000 --work /tmp/wdask/scaling

Generates a purchased list (bench/generate_leads.py), loads it once into a base warehouse,
then runs every configuration on its own copy of that warehouse in a child process under
`/usr/bin/time -v`, so CPU seconds (user + system of the child and its Dask workers) and peak
memory come from the kernel. A temporary Prefect server runs beside them (its own CPU is not
counted). Each child prints what it measured inside: the stage's wall time, the time spent
waiting for the partitions, and each partition's CPU and wall seconds on its worker.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _time_v(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `argv` under /usr/bin/time -v; its JSON line plus the kernel's CPU and memory."""
    proc = subprocess.run(["/usr/bin/time", "-v", *argv], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    found = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(found[-1]) if found else {}

    def grab(label: str) -> float:
        match = re.search(rf"{re.escape(label)}: ([\d.:]+)", proc.stderr)
        if not match:
            return 0.0
        text = match.group(1)
        if ":" in text:  # wall clock h:mm:ss or m:ss
            seconds = 0.0
            for part in text.split(":"):
                seconds = seconds * 60 + float(part)
            return seconds
        return float(text)

    result["user_s"] = grab("User time (seconds)")
    result["sys_s"] = grab("System time (seconds)")
    result["cpu_s"] = round(result["user_s"] + result["sys_s"], 1)
    result["process_wall_s"] = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    result["peak_rss_mb"] = round(grab("Maximum resident set size (kbytes)") / 1024)
    result["load_before"] = os.getloadavg()[0]
    return result


def _prepare(rows: int, work: Path, env: dict[str, str]) -> Path:
    """The generated list loaded into `base.duckdb` (once; reused when present)."""
    base = work / "base.duckdb"
    if base.exists():
        return base
    csv = work / f"leads_{rows}.csv"
    if not csv.exists():
        subprocess.run([PY, "bench/generate_leads.py", "--rows", str(rows), "--out", str(csv),
                        "--seed", "18"], check=True, cwd=ROOT, env=env)
    subprocess.run([str(Path(PY).parent / "leadpipe"), "ingest", "list", str(csv), "--vendor",
                    "Bench Scaling", "--acquired-on", "2026-11-20", "--db", str(base)],
                   check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return base


def parent(args: argparse.Namespace) -> None:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "LEADPIPE_DATA_DIR": str(work / "data"), "LEADPIPE_CONFIG_DIR": str(work / "config")}
    (work / "config" / "flows").mkdir(parents=True, exist_ok=True)
    (work / "config" / "flows" / "parallel.yaml").write_text(
        f"partitions:\n  enrich_records: {args.per_partition}\n", encoding="utf-8")
    base = _prepare(args.rows, work, env)

    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # the server, too
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=120)
    env["PREFECT_API_URL"] = server.api_url
    plan = [(mode, 0) for mode in ("in_process", "partitions_serial") if mode in args.modes]
    plan += [("dask", n) for n in args.workers if "dask" in args.modes]
    results = []
    try:
        for round_ in range(args.repeat):
            for mode, workers in plan:
                db = work / "run.duckdb"
                shutil.copy(base, db)
                result = _time_v([PY, str(Path(__file__)), "child", "--mode", mode,
                                  "--workers", str(workers), "--db", str(db)], env)
                result |= {"mode": mode, "workers": workers, "round": round_ + 1}
                print(json.dumps(result), flush=True)
                results.append(result)
                db.unlink()
    finally:
        server.stop()
    (args.results or work / "results.json").write_text(json.dumps(results, indent=1),
                                                       encoding="utf-8")


def child(args: argparse.Namespace) -> None:
    """One configuration, on the warehouse copy `args.db`; prints one JSON line."""
    from flows.parallel import LocalCluster, parallel_config, task_runner
    from foundation.settings import load_settings
    from stages.enrich import (
        EnrichPartition,
        PartitionDone,
        enrich_new,
        enrich_partition,
        enrich_partitioned,
    )

    settings = load_settings().with_db(args.db)
    config = parallel_config(settings)
    waited: dict[str, Any] = {}

    def timed(run: Any) -> Any:
        def run_partitions(partitions: list[EnrichPartition]) -> list[PartitionDone]:
            waited["plan_wall_s"] = round(time.perf_counter() - started, 2)
            waited["plan_writer_cpu_s"] = round(time.process_time(), 2)
            begun = time.perf_counter()
            done = run(partitions)
            waited["partitions_wall_s"] = round(time.perf_counter() - begun, 2)
            waited["partitions"] = [[d.records, d.cpu_s, d.wall_s] for d in done]
            return done
        return run_partitions

    started = time.perf_counter()
    folder = config.partitions_folder(settings)
    if args.mode == "in_process":
        result = enrich_new(settings)
    elif args.mode == "partitions_serial":
        result = enrich_partitioned(
            settings, timed(lambda parts: [enrich_partition(p) for p in parts]), folder,
            config.partitions.enrich_records)
    else:
        from prefect import flow

        from flows.enrich import run_partition_tasks

        runner = task_runner(config.model_copy(update={
            "runner": "local_cluster", "local_cluster": LocalCluster(workers=args.workers)}))

        @flow(name="bench-enrich-partitions")
        def on_dask() -> Any:
            return enrich_partitioned(settings, timed(run_partition_tasks), folder,
                                      config.partitions.enrich_records)

        result = on_dask.with_options(task_runner=runner)()
    print(json.dumps({"stage_wall_s": round(time.perf_counter() - started, 2),
                      "writer_process_cpu_s": round(time.process_time(), 2),
                      "records": result.records_enriched, "values": result.values,
                      **waited}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run")
    run.add_argument("--rows", type=int, default=200_000)
    run.add_argument("--work", type=Path, default=Path("/tmp/wdask/scaling"))
    run.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    run.add_argument("--per-partition", type=int, default=20_000)
    run.add_argument("--repeat", type=int, default=2)
    run.add_argument("--modes", nargs="+", default=["in_process", "partitions_serial", "dask"],
                     help="repeat some configurations only (the key points)")
    run.add_argument("--results", type=Path, default=None,
                     help="file to write the measurements to (default <work>/results.json)")
    one = sub.add_parser("child")
    one.add_argument("--mode", choices=["in_process", "partitions_serial", "dask"])
    one.add_argument("--workers", type=int, default=0)
    one.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.command == "child":
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()

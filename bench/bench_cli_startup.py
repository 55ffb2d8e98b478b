"""Benchmark: how long the `leadpipe` command takes to start, as a user runs it.

    .venv/bin/python bench/bench_cli_startup.py
    .venv/bin/python bench/bench_cli_startup.py --baseline /tmp/before \
        --report bench/report_cli_startup.md

Every command runs through the installed `leadpipe` script (`.venv/bin/leadpipe`) in a fresh
process, once to warm the file cache and then `--runs` times; the table shows the median wall
time. PYTHONPATH points the script at the checkout measured, so one venv serves both sides
of a comparison: `--baseline` is another checkout of the repository (e.g.
`git archive main | tar -x -C /tmp/before`), measured the same way right before this one.
`status` reads a small warehouse this script creates with `leadpipe ingest list`; its stdout
is a pipe, so it prints JSON, as it does in a script.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIST_CSV = ("Firma;PLZ;Ort;E-Mail\n"
            "Müller Maschinenbau GmbH;80331;München;j.mueller@mueller-maschinenbau.de\n"
            "Weiß & Söhne KG;50667;Köln;info@weiss-soehne.de\n")


def leadpipe_script() -> Path:
    """The checkout's `.venv/bin/leadpipe`, else the one next to this interpreter."""
    local = REPO / ".venv" / "bin" / "leadpipe"
    return local if local.exists() else Path(sys.executable).parent / "leadpipe"


def run(argv: list[str], checkout: Path) -> float:
    """Wall time of one run of `argv` with `checkout` first on the import path."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=checkout, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def median_time(argv: list[str], checkout: Path, runs: int) -> float:
    run(argv, checkout)
    return statistics.median(run(argv, checkout) for _ in range(runs))


def commands(db: Path) -> dict[str, list[str]]:
    script = str(leadpipe_script())
    return {
        "`python -c pass` (the interpreter alone)": [sys.executable, "-c", "pass"],
        "`leadpipe --help`": [script, "--help"],
        "`leadpipe leads export --help`": [script, "leads", "export", "--help"],
        "`leadpipe status` (small warehouse)": [script, "status", "--db", str(db)],
    }


def make_warehouse(tmp: Path) -> Path:
    """A warehouse with one two-row list, loaded by this checkout's `leadpipe ingest list`."""
    db, csv = tmp / "lp.duckdb", tmp / "liste.csv"
    csv.write_bytes(LIST_CSV.encode("cp1252"))
    run([str(leadpipe_script()), "ingest", "list", str(csv), "--vendor", "V",
         "--acquired-on", "2026-11-20", "--db", str(db)], REPO)
    return db


def table(results: dict[str, dict[str, float]]) -> str:
    sides = list(next(iter(results.values())))
    lines = ["| command | " + " | ".join(sides) + " |",
             "|---|" + "---:|" * len(sides)]
    lines += [f"| {name} | " + " | ".join(f"{t:.2f} s" for t in times.values()) + " |"
              for name, times in results.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="Another checkout to measure first.")
    parser.add_argument("--report", type=Path, help="Also write the report section here.")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    checkouts = {"this checkout": REPO}
    if args.baseline:
        checkouts = {"baseline": args.baseline.resolve(), **checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        todo = commands(make_warehouse(Path(tmp)))
        results = {name: {side: median_time(argv, checkout, args.runs)
                          for side, checkout in checkouts.items()}
                   for name, argv in todo.items()}
    report = (
        "## CLI start-up\n\n"
        f"`.venv/bin/python bench/bench_cli_startup.py"
        f"{' --baseline ' + str(args.baseline) if args.baseline else ''}` on "
        f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load:.1f} at the start). Each command runs through "
        "`.venv/bin/leadpipe` in a fresh process, once to warm up and then "
        f"{args.runs} times; median wall time. `status` reads a two-row warehouse made by "
        "`leadpipe ingest list` and prints JSON (its stdout is a pipe). Target: under 0.5 s "
        "for `--help` and the light commands.\n\n" + table(results) + "\n")
    print(report)
    if args.report:
        args.report.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()

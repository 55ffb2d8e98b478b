"""Assemble docs/benchmarks.md from the reports each benchmark writes (bench/report_*.md).

    python bench/build_report.py

Each benchmark writes its own report when run with `--report`; this script only puts them
in one page, in pipeline order, under a header that says how they were measured.
"""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent
ORDER = ("ingest", "enrich", "crawl", "matching", "scale", "score_export", "forms", "erasure",
         "workspace", "lead_detail", "forecast",
         "cli_startup", "refactor_checks")
HEADER = """# Benchmarks

Measured on this project's development machine: 2 cores, 24 GiB, Python 3.11. Every number
comes from a benchmark in `bench/` that anyone can re-run (`make bench`, or one script at a
time); each script writes its section below (`bench/report_<name>.md`), and
`python bench/build_report.py` puts them together. Wall times were measured while other
work shared the machine unless a section says otherwise; where a target is missed, the
section says so and why.

"""


def main() -> None:
    parts = [HEADER]
    for name in ORDER:
        report = BENCH / f"report_{name}.md"
        if report.exists():
            text = report.read_text(encoding="utf-8").strip()
            if not text.startswith("## "):  # a report with its own title goes one level down
                text = "\n".join("#" + line if line.startswith("#") else line
                                  for line in text.splitlines())
            parts.append(text + "\n\n")
    (BENCH.parent / "docs" / "benchmarks.md").write_text("".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()

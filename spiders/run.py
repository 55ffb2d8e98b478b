"""Run a company_site crawl in a subprocess and summarise its JSONL output.

Scrapy's Twisted reactor cannot be restarted inside one process, so every crawl is its own
`python -m scrapy crawl` process: any number of crawls per flow run, a hard timeout, memory
isolation, and the caller (the only DuckDB writer) loads the JSONL afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from enrichment.domains import registrable_domain

REPO_ROOT = Path(__file__).resolve().parent.parent
LOG_TAIL_CHARS = 4000


@dataclass
class CrawlReport:
    out_path: Path
    returncode: int | None
    duration_s: float
    domains: int = 0
    pages: int = 0
    items: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)     # domain -> error of its start page
    incomplete: list[str] = field(default_factory=list)      # targets without an outcome record
    timed_out: bool = False
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _setting_value(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def crawl_command(targets_file: Path, out_path: Path, settings: Mapping[str, Any]) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "company_site",
           "-a", f"targets_file={targets_file}", "-O", f"{out_path}:jsonlines"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={_setting_value(value)}"]
    return cmd


def read_records(out_path: Path) -> list[dict[str, Any]]:
    """The JSONL records of a crawl; a torn last line (killed process) is ignored."""
    if not out_path.exists():
        return []
    records = []
    for line in out_path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def summarise(report: CrawlReport, records: Iterable[Mapping[str, Any]],
              targets: list[str]) -> CrawlReport:
    skipped: Counter[str] = Counter()
    outcomes: set[str] = set()
    for rec in records:
        report.items += 1
        kind = rec.get("record_type")
        if kind == "page":
            report.pages += 1
        elif kind == "skip":
            skipped[str(rec.get("reason"))] += 1
        elif kind == "outcome":
            report.domains += 1
            outcomes.add(str(rec.get("domain")))
            if rec.get("error"):
                report.errors[str(rec["domain"])] = str(rec["error"])
    report.skipped = dict(sorted(skipped.items()))
    from spiders.crawlers.company_site import site_key, start_url

    report.incomplete = sorted({site_key(start_url(t)) for t in targets} - outcomes)
    return report


def run_crawl(targets: list[str], out_path: Path, *, overrides: dict[str, Any] | None = None,
              allow_private: bool = False, timeout_s: float = 3600) -> CrawlReport:
    """Crawl `targets` (registrable domains or URLs) into `out_path` (JSONL) and summarise.

    `overrides` are Scrapy settings (e.g. {"LEADPIPE_PRIVATE_ALLOWLIST": ["127.0.0.1/32"],
    "DOWNLOAD_DELAY": 0}). The spider closes itself after `timeout_s`; the process is killed
    60 s later if it has not ended.
    """
    out_path = Path(out_path).resolve()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {"CLOSESPIDER_TIMEOUT": int(timeout_s)}
    if allow_private:
        settings["LEADPIPE_ALLOW_PRIVATE"] = True
    settings.update(overrides or {})
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                        os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="leadpipe-crawl-") as tmp:
        targets_file = Path(tmp) / "targets.txt"
        targets_file.write_text("\n".join(targets) + "\n", encoding="utf-8")
        cmd = crawl_command(targets_file, out_path, settings)
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                  timeout=timeout_s + 60, check=False)
            report = CrawlReport(out_path, proc.returncode, 0.0,
                                 log_tail=proc.stderr[-LOG_TAIL_CHARS:])
        except subprocess.TimeoutExpired as exc:
            stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) \
                else (exc.stderr or "")
            report = CrawlReport(out_path, None, 0.0, timed_out=True,
                                 log_tail=stderr[-LOG_TAIL_CHARS:])
    report.duration_s = round(time.monotonic() - started, 2)
    return summarise(report, read_records(out_path), targets)


def _freemail_domains() -> frozenset[str]:
    """Freemail domains from enrichment's e-mail configuration (one list for the project)."""
    from enrichment.config import email_config

    return frozenset(d.lower() for d in email_config().value.freemail_domains)


def select_targets(leads: Iterable[Mapping[str, Any]], crawled_at: Mapping[str, datetime],
                   now: datetime, recrawl_after_days: int) -> list[str]:
    """Registrable domains worth crawling: from the website field, else a business e-mail.

    Freemail domains are never targets (gmx.de says nothing about the company). A domain
    crawled less than `recrawl_after_days` ago is left out. Order: first appearance.
    """
    freemail = _freemail_domains()
    cutoff = now - timedelta(days=recrawl_after_days)
    chosen: dict[str, None] = {}
    for lead in leads:
        candidates = [lead.get("website"), lead.get("email")]
        for value in candidates:
            domain = registrable_domain(str(value)) if value else None
            if domain is None or domain in freemail:
                continue
            last = crawled_at.get(domain)
            if last is None or last < cutoff:
                chosen.setdefault(domain, None)
            break
    return list(chosen)

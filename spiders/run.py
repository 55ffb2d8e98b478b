"""Run a company_site crawl in a subprocess and summarise its JSONL output.

Scrapy's Twisted reactor cannot be restarted inside one process, so every crawl is its own
`python -m scrapy crawl` process: any number of crawls per flow run, a hard timeout, memory
isolation, and the caller (the only DuckDB writer) loads the JSONL afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from enrichment.domains import registrable_domain
from foundation.children import die_with_parent
from spiders.config import crawl_config, scrapy_settings

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
    """The JSONL records of a crawl; a torn last line (killed process) is ignored.

    Lines end at "\n" only: the JSON is written unescaped, and `str.splitlines` would also cut
    a record where a page's text holds U+2028 or U+2029, losing both halves.
    """
    if not out_path.exists():
        return []
    *whole, last = out_path.read_text(encoding="utf-8").split("\n")
    records = [json.loads(line) for line in whole if line.strip()]
    with contextlib.suppress(ValueError):
        if last.strip():
            records.append(json.loads(last))
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


class _OutcomeCounter:
    """Counts the sites a running crawl has finished, from the lines of its output file."""

    MARK = b'"record_type": "outcome"'

    def __init__(self, path: Path, on_site_done: Callable[[int], None]) -> None:
        self.path, self.on_site_done = path, on_site_done
        self.offset, self.tail = 0, b""

    def poll(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            chunk = fh.read()
        self.offset += len(chunk)
        lines = (self.tail + chunk).split(b"\n")
        self.tail = lines.pop()
        done = sum(self.MARK in line for line in lines)
        if done:
            self.on_site_done(done)


def _wait(proc: subprocess.Popen[str], timeout_s: float, counter: _OutcomeCounter | None
          ) -> tuple[int | None, bool]:
    """Wait for the crawl process, reporting finished sites; (returncode, timed out)."""
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        if counter is not None:
            counter.poll()
    timed_out = proc.poll() is None
    if timed_out:
        proc.kill()
    proc.wait()
    if counter is not None:
        counter.poll()
    return (None if timed_out else proc.returncode), timed_out


def run_crawl(targets: list[str], out_path: Path, *, config_dir: Path | None = None,
              overrides: dict[str, Any] | None = None, allow_private: bool = False,
              proxy: str | None = None, timeout_s: float = 3600,
              on_site_done: Callable[[int], None] | None = None) -> CrawlReport:
    """Crawl `targets` (registrable domains or URLs) into `out_path` (JSONL) and summarise.

    `config_dir` is the installation's configuration directory (None: the defaults); the crawl
    process gets its settings and the directory on the command line. `overrides` are Scrapy
    settings (e.g. {"LEADPIPE_PRIVATE_ALLOWLIST": ["127.0.0.1/32"],
    "DOWNLOAD_DELAY": 0}). The spider closes itself after `timeout_s`; the process is killed
    60 s later if it has not ended. `on_site_done(n)` hears of sites as they finish.
    `proxy` (an HTTP proxy for every request) is set in the crawl process's environment only.
    """
    out_path = Path(out_path).resolve()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {**scrapy_settings(crawl_config(config_dir).value),
                                "LEADPIPE_CONFIG_DIR": config_dir or "",
                                "CLOSESPIDER_TIMEOUT": int(timeout_s)}
    if allow_private:
        settings["LEADPIPE_ALLOW_PRIVATE"] = True
    settings.update(overrides or {})
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                        os.environ.get("PYTHONPATH")]))}
    if proxy:
        env.update({"http_proxy": proxy, "https_proxy": proxy,
                    "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"})
    started = time.monotonic()
    # next to the output, named with our pid: swept by the next run if this one is killed
    with tempfile.TemporaryDirectory(prefix=f".crawl-{os.getpid()}-",
                                     dir=out_path.parent) as tmp:
        targets_file = Path(tmp) / "targets.txt"
        targets_file.write_text("\n".join(targets) + "\n", encoding="utf-8")
        cmd = crawl_command(targets_file, out_path, settings)
        # stderr goes to a file, not a pipe: a long crawl's log would fill a pipe and stall it
        with (Path(tmp) / "crawl.log").open("w+", encoding="utf-8") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log,
                                    text=True, preexec_fn=die_with_parent)
            counter = _OutcomeCounter(out_path, on_site_done) if on_site_done else None
            returncode, timed_out = _wait(proc, timeout_s + 60, counter)
            log.seek(0, 2)
            log.seek(max(0, log.tell() - 4 * LOG_TAIL_CHARS))
            report = CrawlReport(out_path, returncode, 0.0, timed_out=timed_out,
                                 log_tail=log.read()[-LOG_TAIL_CHARS:])
    report.duration_s = round(time.monotonic() - started, 2)
    return summarise(report, read_records(out_path), targets)


def _freemail_domains(config_dir: Path | None) -> frozenset[str]:
    """Freemail domains from enrichment's e-mail configuration (one list for the project)."""
    from enrichment.config import email_config

    return frozenset(d.lower() for d in email_config(config_dir).value.freemail_domains)


def select_targets(leads: Iterable[Mapping[str, Any]], crawled_at: Mapping[str, datetime],
                   now: datetime, recrawl_after_days: int,
                   config_dir: Path | None = None) -> list[str]:
    """Registrable domains worth crawling: from the website field, else a business e-mail.

    Freemail domains are never targets (gmx.de says nothing about the company). A domain
    crawled less than `recrawl_after_days` ago is left out. Order: first appearance.
    """
    freemail = _freemail_domains(config_dir)
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

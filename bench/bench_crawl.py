"""Benchmark: crawl a local farm of small company sites; pages/s against a bare-Scrapy floor.

    .venv/bin/python bench/bench_crawl.py --sites 500 --pages 5 --report bench/report_crawl.md
    .venv/bin/python bench/bench_crawl.py --sites 50        # quick check while developing

The farm is one asyncio process listening on one loopback address per site (127.0.1.1, …),
so Scrapy sees N different hosts and runs them in parallel with its per-domain limits. Three
crawls of the same pages, each in its own `scrapy` subprocess with the same project settings
(politeness delays off: they would measure the sleep, not the crawler):

- floor: `FloorSpider` below, a bare spider that follows every link of the home page and
  yields nothing (no SSRF guard, no parsing, no items), with Scrapy's default scheduler queue;
- the same floor with leadpipe's scheduler queue (`spiders.scheduling`, which company_site
  uses), so the report shows what the queue alone saves and the overhead against both floors;
- company_site without the extraction pipeline (the crawler's own cost);
- company_site with the Impressum extractor on impressum and contact pages (the real crawl).

Each crawl runs `--repeat` times, interleaved in a rotating order, and the fastest counts: the
machine's CPU is shared, and the minimum is the least disturbed measurement. Time is Scrapy's
`elapsed_time_seconds` (engine start to close; the process start-up and the one-off spaCy
load are reported separately as wall time). CPU time is that of the crawl process and its
children (the extraction worker included), start-up included: extraction in a worker
process shortens the engine time, not the work.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy

REPO = Path(__file__).resolve().parent.parent
PAGES = [("/", "home"), ("/impressum.html", "Impressum"), ("/kontakt.html", "Kontakt"),
         ("/ueber-uns.html", "Über uns"), ("/team.html", "Team"), ("/produkte.html", "Produkte"),
         ("/referenzen.html", "Referenzen"), ("/jobs.html", "Karriere")]
STREETS = ["Hauptstraße", "Industriestraße", "Am Markt", "Bahnhofstraße", "Lindenweg"]
CITIES = [("10115", "Berlin"), ("20457", "Hamburg"), ("80331", "München"), ("50667", "Köln")]


class FloorSpider(scrapy.Spider):
    """Fetches each site's home page and every page it links to; nothing else."""

    name = "floor"

    def __init__(self, targets_file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = Path(targets_file).read_text().split()

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse_home)

    def parse_home(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_page)

    def parse_page(self, response: scrapy.http.Response) -> None:
        return None


# ---------------------------------------------------------------------------
# The farm
# ---------------------------------------------------------------------------
def site_ip(i: int) -> str:
    return str(ipaddress.IPv4Address("127.0.1.1") + i)


def page_body(i: int, path: str, pages: int) -> bytes:
    links = " ".join(f'<a href="{p}">{label}</a>' for p, label in PAGES[1:pages])
    street = STREETS[i % len(STREETS)]
    postcode, city = CITIES[i % len(CITIES)]
    if path == "/impressum.html":
        main = (f"<h1>Impressum</h1><p>Beispiel {i} GmbH<br>{street} {i % 90 + 1}<br>"
                f"{postcode} {city}</p><p>Telefon: 030 {1000000 + i}<br>E-Mail: info@firma{i}.de"
                f"</p><p>Geschäftsführer: Max Muster{i}</p><p>Registergericht: Amtsgericht "
                f"Charlottenburg<br>HRB {10000 + i}</p><p>USt-IdNr.: DE{100000000 + i}</p>")
    elif path == "/kontakt.html":
        main = (f"<h1>Kontakt</h1><p>Beispiel {i} GmbH, {street} {i % 90 + 1}, {postcode} "
                f"{city}</p><p>Tel. +49 30 {1000000 + i}</p>")
    else:
        main = f"<h1>Beispiel {i}</h1>" + "<p>Wir fertigen seit Jahrzehnten.</p>" * 20
    html = (f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>Beispiel {i}"
            f"</title></head><body><nav>{links}</nav><main>{main}</main></body></html>")
    return html.encode("utf-8")


async def _serve(sites: int, pages: int, ready: Path) -> None:
    paths = {p for p, _ in PAGES[:pages]}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        site = (int(ipaddress.IPv4Address(writer.get_extra_info("sockname")[0]))
                - int(ipaddress.IPv4Address("127.0.1.1")))
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                if path in paths:
                    status, body = "200 OK", page_body(site, path, pages)
                else:
                    status, body = "404 Not Found", b"not found"
                writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                             f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, site_ip(i), 8088) for i in range(sites)]
    ready.write_text("ok")
    await asyncio.gather(*(s.serve_forever() for s in servers))


# ---------------------------------------------------------------------------
# The crawls
# ---------------------------------------------------------------------------
COMMON = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "INFO",
          "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scrapy_run(args: list[str], settings: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    """(engine seconds, wall seconds, selected stats + "cpu_s") of one crawl subprocess."""
    cmd = [sys.executable, "-m", "scrapy", *args]
    for key, value in {**COMMON, **settings}.items():
        cmd += ["-s", f"{key}={json.dumps(value) if isinstance(value, dict) else value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings", "PYTHONPATH": str(REPO)}
    started, cpu = time.monotonic(), _children_cpu()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    wall, cpu = time.monotonic() - started, _children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    stats = {key: float(value) for key, value in
             re.findall(r"'([\w/]+)': ([\d.]+)[,}]", proc.stderr)}
    return stats["elapsed_time_seconds"], wall, {**stats, "cpu_s": cpu}


def run(sites: int, pages: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "ready"
        server = subprocess.Popen([sys.executable, __file__, "--serve", "--sites", str(sites),
                                   "--pages", str(pages), "--ready", str(ready)])
        try:
            while not ready.exists():
                if server.poll() is not None:
                    raise SystemExit("farm did not start")
                time.sleep(0.1)
            targets = Path(tmp) / "targets.txt"
            targets.write_text("\n".join(f"http://{site_ip(i)}:8088/" for i in range(sites)))
            crawl = ["crawl", "company_site", "-a", f"targets_file={targets}", "-O"]
            ours = {"LEADPIPE_PRIVATE_ALLOWLIST": "127.0.0.0/8",
                    "LEADPIPE_MAX_PAGES_PER_DOMAIN": pages}
            floor_args = ["runspider", __file__, "-a", f"targets_file={targets}"]
            no_extraction = {**ours, "ITEM_PIPELINES": {"spiders.pipelines.CountItems": 900}}
            bare_floor: dict[str, Any] = {"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}}
            queue = {"SCHEDULER_PRIORITY_QUEUE": "spiders.scheduling.IdleSlotFirstQueue"}
            crawls: list[tuple[list[str], dict[str, Any]]] = [
                (floor_args, bare_floor), (floor_args, {**bare_floor, **queue}),
                ([*crawl, f"{tmp}/bare.jsonl:jsonlines"], no_extraction),
                ([*crawl, f"{tmp}/full.jsonl:jsonlines"], ours)]
            runs: list[list[tuple[float, float, dict[str, Any]]]] = [[] for _ in crawls]
            for round_ in range(repeat):
                # interleaved, so a busy moment hits all four alike; the order rotates each
                # round, because the run after the extraction crawl was seen to be slower
                for k in range(len(crawls)):
                    i = (round_ + k) % len(crawls)
                    runs[i].append(scrapy_run(*crawls[i]))
            floor, tuned, bare, full = (min(r, key=lambda x: x[0]) for r in runs)
            extracted = sum(1 for line in Path(f"{tmp}/full.jsonl").read_text().splitlines()
                            if '"extracted": {' in line)
        finally:
            server.terminate()
            server.wait()
    html_pages = sites * pages

    def row(name: str, result: tuple[float, float, dict[str, Any]]) -> dict[str, Any]:
        engine, wall, stats = result
        fetched = stats.get("downloader/response_status_count/200", 0)
        if fetched < html_pages:  # a broken farm or crawl must not produce a number
            raise SystemExit(f"{name}: {fetched} pages fetched, expected {html_pages}")
        return {"name": name, "engine_s": round(engine, 2), "wall_s": round(wall, 2),
                "cpu_s": round(stats["cpu_s"], 2),
                "responses": int(stats.get("response_received_count", 0)),
                "pages_per_s": round(html_pages / engine, 1)}

    rows = [row("floor (bare spider)", floor), row("floor with leadpipe's queue", tuned),
            row("company_site, no extraction", bare), row("company_site + extraction", full)]
    return {"sites": sites, "pages_per_site": pages, "repeat": repeat, "rows": rows,
            "extracted": extracted,
            "overhead_vs_floor": round(full[0] / floor[0] - 1, 3),
            "overhead_vs_floor_with_queue": round(full[0] / tuned[0] - 1, 3),
            "extraction_overhead": round(full[0] / bare[0] - 1, 3),
            "round_overheads": [round(f[0] / b[0] - 1, 3) for f, b in zip(runs[3], runs[0],
                                                                           strict=True)]}


def write_report(result: dict[str, Any], path: Path) -> None:
    lines = [
        "# Crawl benchmark",
        "",
        f"Local farm: {result['sites']} sites × {result['pages_per_site']} HTML pages "
        "(+ robots.txt each), one loopback address per site, on this 2-core machine (the farm "
        "process shares the CPU). Same project settings for every run; politeness delays off, "
        "CONCURRENT_REQUESTS=32, 2 per domain. Each crawl ran "
        f"{result['repeat']} times, interleaved in a rotating order; the fastest run counts. "
        "Produced by "
        "`bench/bench_crawl.py`.",
        "",
        "| crawl | engine s | wall s | CPU s | responses | pages/s |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {r['name']} | {r['engine_s']} | {r['wall_s']} | {r['cpu_s']} | {r['responses']} | "
          f"{r['pages_per_s']} |" for r in result["rows"]),
        "",
        f"- Pages with an extraction attached: {result['extracted']}.",
        f"- company_site + extraction vs the floor: {result['overhead_vs_floor']:+.1%} "
        "engine time (target: under +25%).",
        "- The same, per round (each round runs all four crawls within about half a minute, "
        "so a slow phase of the shared machine hits both): "
        f"{', '.join(f'{r:+.1%}' for r in result['round_overheads'])}; median "
        f"{statistics.median(result['round_overheads']):+.1%}.",
        f"- company_site + extraction vs the floor with leadpipe's scheduler queue: "
        f"{result['overhead_vs_floor_with_queue']:+.1%}.",
        f"- Extraction alone (with vs without the pipeline): "
        f"{result['extraction_overhead']:+.1%}.",
        "- Wall time includes process start-up; the crawl with extraction also loads spaCy.",
        "- CPU s: the crawl process and its children (the extraction worker), start-up "
        "included, in the same (fastest) run.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--pages", type=int, default=5, choices=range(2, len(PAGES) + 1))
    parser.add_argument("--repeat", type=int, default=4,
                        help="runs of each crawl; the fastest counts (the CPU is shared)")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ready", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.sites, args.pages, args.ready))
        return
    result = run(args.sites, args.pages, args.repeat)
    print(json.dumps(result, indent=2))
    if args.report:
        write_report(result, args.report)


if __name__ == "__main__":
    main()

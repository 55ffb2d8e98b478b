"""Benchmark: enrich synthetic leads with DNS off (leads/s, wall time, peak memory), and count
DNS lookups per lead with DNS on against a fake resolver.

    .venv/bin/python bench/bench_enrich.py --n 1000000 --workers 2
    .venv/bin/python bench/bench_enrich.py --n 100000 --dns
    .venv/bin/python bench/bench_enrich.py --csv leads.csv

Synthetic leads are built from small pools (names, companies, streets) with random numbers,
phones and house numbers, so values repeat the way they do in real lists (companies have
several contacts; domains repeat) while phones and addresses stay mostly unique.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrichment.dns import DomainChecker
from enrichment.record import enrich_many

FIRST = ["Anna", "Max", "Petra", "Jan", "Lena", "Tobias", "Sabine", "Mehmet", "Julia", "Klaus",
         "Eva-Maria", "Hans-Peter", "Sophie", "Lukas", "Fatma", "Jürgen"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "von der Heide", "Yilmaz",
        "Schröder", "Neumann", "Schwarz", "Zimmermann"]
TRADE = ["Maschinenbau", "Logistik", "Software", "Bäckerei", "Elektrotechnik", "Bau",
         "Consulting", "Druckerei", "Metallbau", "Medizintechnik", "Fotografie", "Autohaus"]
FORMS = ["GmbH", "GmbH & Co. KG", "AG", "UG (haftungsbeschränkt)", "e.K.", "KG", "OHG", "GbR",
         "G.m.b.H.", "SE", "", "e.V.", "PartG mbB"]
POSITIONS = ["Geschäftsführer", "Geschäftsführerin", "Leiterin Einkauf", "Head of Sales",
             "Einkäufer", "Assistentin der Geschäftsführung", "CTO", "Inhaber", "Prokurist",
             "Teamleiter Vertrieb", "Sachbearbeiterin", "", "Marketing Manager"]
STREETS = ["Hauptstr.", "Bahnhofstraße", "Am Markt", "Industriestr.", "Lindenweg",
           "Straße des 17. Juni", "Gartenstraße", "Schulstr.", "Berliner Allee"]
CITIES = [("80331", "München"), ("10115", "Berlin"), ("20095", "Hamburg"), ("50667", "Köln"),
          ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("04109", "Leipzig")]
AREA = ["30", "40", "69", "89", "221", "211", "711", "6196", "351", "511"]
FREEMAIL = ["gmx.de", "web.de", "t-online.de", "gmail.com"]
ROLE = ["info", "kontakt", "vertrieb", "office"]


def synthetic(n: int, seed: int = 7, companies: int = 100_000) -> Iterator[dict[str, str | None]]:
    """`n` canonical lead records; about `companies` distinct companies and mail domains."""
    rng = random.Random(seed)
    for i in range(n):
        c = rng.randrange(companies)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company_last = LAST[c % len(LAST)]
        trade = TRADE[c % len(TRADE)]
        form = FORMS[c % len(FORMS)]
        company = f"{trade} {company_last} {c}" + (f" {form}" if form else "")
        domain = f"{trade.lower().replace('ä', 'ae')}-{c}.de"
        roll = rng.random()
        email: str | None
        if roll < 0.6:
            local = f"{first.lower()}.{last.lower().replace(' ', '')}".replace("ü", "ue")
            email = f"{local}@{domain}"
        elif roll < 0.8:
            email = f"{rng.choice(ROLE)}@{domain}"
        elif roll < 0.95:
            email = f"{first.lower()}{rng.randrange(100)}@{rng.choice(FREEMAIL)}"
        else:
            email = rng.choice(["kaputt@@x", "", "a\u200b@x.de", None])
        postcode, city = rng.choice(CITIES)
        record: dict[str, str | None] = {
            "record_id": f"bench:{i}",
            "company": company,
            "salutation": rng.choice(["Herr", "Frau", None]),
            "first_name": first if roll < 0.9 else first.upper(),
            "last_name": last if roll < 0.9 else last.upper(),
            "position": rng.choice(POSITIONS) or None,
            "street_full": f"{rng.choice(STREETS)} {rng.randrange(1, 200)}"
                           f"{rng.choice(['', '', 'a', '-3'])}",
            "postcode": postcode,
            "city": city,
            "country": rng.choice(["DE", "Deutschland", None]),
            "phone": f"0{rng.choice(AREA)} {rng.randrange(100000, 9999999)}",
            "mobile": f"017{rng.randrange(10)} {rng.randrange(1000000, 9999999)}"
                      if rng.random() < 0.3 else None,
            "email": email,
            "website": f"www.{domain}" if rng.random() < 0.7 else None,
            "wz_code": f"{rng.choice(['28', '62', '46', '10', '71'])}.{rng.randrange(10, 99)}",
            "employees": rng.choice(["1-9", "10-49", "50-249", "250+", None]),
            "register": f"Amtsgericht {city} HRB {10000 + c}" if form in
                        ("GmbH", "AG", "SE", "G.m.b.H.") else None,
            "vat_id": None,
        }
        yield record


def from_csv(path: Path) -> Iterator[dict[str, str | None]]:
    with path.open(newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            row.setdefault("record_id", f"csv:{i}")
            yield {k: (v if v != "" else None) for k, v in row.items()}


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished workers: comparable across runs even
    when other jobs share the machine (wall time is not)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_dns_off(records: Iterator[dict[str, str | None]], workers: int,
                chunk: int) -> dict[str, float]:
    start = time.perf_counter()
    count = 0
    statuses: dict[str, int] = {}
    for enriched in enrich_many(records, source_kind="purchased_list", workers=workers,
                                chunk_size=chunk, now=datetime.now(UTC)):
        row = enriched.to_row()
        statuses[row["audience"]] = statuses.get(row["audience"], 0) + 1
        count += 1
    wall = time.perf_counter() - start
    own, children = peak_rss_mb()
    cpu = cpu_seconds()
    return {"leads": count, "wall_s": wall, "leads_per_s": count / wall,
            "cpu_s": cpu, "cpu_us_per_lead": cpu / count * 1e6,
            "load_avg_1min": os.getloadavg()[0],
            "peak_rss_parent_mb": own, "peak_rss_worker_mb": children, **statuses}


def run_dns_on(records: list[dict[str, str | None]], workers: int, chunk: int) -> dict[str, float]:
    """Lookups per lead with a fake resolver that answers instantly (MX for every domain)."""

    def resolver(domain: str, rdtype: str, timeout_s: float) -> list[str]:
        return ["10 mx.example."] if rdtype == "MX" and not domain.startswith("x.") else []

    checker = DomainChecker(resolver, workers=16)
    start = time.perf_counter()
    count = sum(1 for _ in enrich_many(records, source_kind="purchased_list", workers=workers,
                                       chunk_size=chunk, dns=checker))
    wall = time.perf_counter() - start
    first_lookups = checker.lookups
    # A second batch with the same domains: everything comes from the cache.
    sum(1 for _ in enrich_many(records[:1000], source_kind="purchased_list", workers=1,
                               dns=checker))
    return {"leads": count, "wall_s": wall, "lookups": first_lookups,
            "lookups_per_lead": first_lookups / count,
            "lookups_second_batch": checker.lookups - first_lookups,
            "cache_hits": checker.cache_hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic leads")
    parser.add_argument("--csv", type=Path, help="enrich this CSV (canonical field names)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--dns", action="store_true", help="DNS-on mode with a fake resolver")
    args = parser.parse_args()
    records = from_csv(args.csv) if args.csv else synthetic(args.n)
    if args.dns:
        result = run_dns_on(list(records), args.workers, args.chunk)
    else:
        result = run_dns_off(records, args.workers, args.chunk)
    for key, value in result.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()

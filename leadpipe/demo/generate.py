"""Decide which true persons each source shows, write all sources, truth and manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from leadpipe.demo.customers import plan_customers, write_customer_export
from leadpipe.demo.sites import write_sites
from leadpipe.demo.sources import TruthRow, write_forms, write_list_a, write_list_b
from leadpipe.demo.world import Person, World, build_world

LIST_A = "lists/adressverlag_nord_2026.csv"
LIST_B = "lists/b2b_data_gmbh_q3.xlsx"
FORMS = "forms/webform_export.ndjson"
CUSTOMERS = "customers/kunden_erp_export.csv"
TRUTH = "truth/entities.csv"
SITES = "sites"
TRUTH_HEADERS = ("source_file", "row_number", "submission_id", "person_id", "company_id",
                 "household_id", "oddities")
CONSENT_MIX = (("doi", 40), ("unconfirmed", 30), ("phone", 25), ("none", 20),
               ("newsletter", 22), ("pre_ticked", 4), ("sms", 4))
"""Web-form submissions per consent situation (sums to the number of submissions)."""


@dataclass(frozen=True)
class ManifestFile:
    path: str
    rows: int | None
    sha256: str


@dataclass(frozen=True)
class DemoManifest:
    seed: int
    out_dir: Path
    files: tuple[ManifestFile, ...]
    sites: tuple[str, ...]

    def file(self, path: str) -> ManifestFile:
        return next(f for f in self.files if f.path == path)


def plan_sources(world: World, rng: random.Random
                 ) -> tuple[list[Person], list[Person], list[tuple[Person, str]]]:
    """Pick the persons behind each source so that they overlap the way real sources do.

    List A: 385 persons (business contacts, sole traders, consumers) plus 15 of them again.
    List B: 300 persons, 165 of them also in list A. Forms: 145 submissions, 60 by persons
    from the lists, plus 5 people who submitted twice (newsletter, then a demo request).
    """
    persons = list(world.persons)
    rng.shuffle(persons)
    traps = [p for p in persons if p.trap]
    others = [p for p in persons if not p.trap]
    pool = traps + others  # trap persons first so both sides of every trap reach the lists
    list_a_people = pool[:385]
    rest = pool[385:]
    list_a = list_a_people + rng.sample(list_a_people, 15)
    rng.shuffle(list_a)
    list_b = rng.sample(list_a_people, 165) + rest[:135]
    rng.shuffle(list_b)
    in_lists = list_a_people + rest[:135]
    form_people = rng.sample(in_lists, 60) + rest[135:135 + 85]
    kinds = [kind for kind, n in CONSENT_MIX for _ in range(n)]
    rng.shuffle(kinds)
    forms = list(zip(form_people, kinds[: len(form_people)], strict=True))
    for person in rng.sample(form_people, 5):
        forms.append((person, "newsletter"))
    rng.shuffle(forms)
    return list_a, list_b, forms


def _by_id(person: Person) -> str:
    return person.id


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_truth(rows: list[TruthRow], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRUTH_HEADERS)
    for row in rows:
        record = asdict(row)
        record["oddities"] = ";".join(row.oddities)
        writer.writerow([record[h] for h in TRUTH_HEADERS])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def generate_demo(out_dir: Path, seed: int = 42) -> DemoManifest:
    """Write the demo data set under `out_dir` (replacing generated parts) and its manifest."""
    out_dir = Path(out_dir)
    for sub in ("lists", "forms", "customers", "sites", "truth"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
        (out_dir / sub).mkdir(parents=True)
    world = build_world(seed)
    rng = random.Random(seed * 7919 + 1)
    list_a, list_b, forms = plan_sources(world, rng)
    truth = write_list_a(world, list_a, out_dir / LIST_A, random.Random(rng.random()))
    truth += write_list_b(world, list_b, out_dir / LIST_B, random.Random(rng.random()))
    truth += write_forms(world, forms, out_dir / FORMS, random.Random(rng.random()))
    sites = write_sites(world, out_dir / SITES, 40, random.Random(rng.random()))
    customer_rng = random.Random(rng.random())  # drawn last: the other files stay as they were
    sourced = {p.id for p in (*list_a, *list_b, *(p for p, _ in forms))}
    customers = plan_customers(world, sorted({p.id: p for p in list_a}.values(), key=_by_id),
                               [p for p in world.persons if p.id not in sourced], customer_rng)
    truth += write_customer_export(world, customers, out_dir / CUSTOMERS, customer_rng)
    _write_truth(truth, out_dir / TRUTH)
    counts = {LIST_A: len(list_a), LIST_B: len(list_b), FORMS: len(forms),
              CUSTOMERS: len(customers), TRUTH: len(truth)}
    files = [ManifestFile(rel, counts[rel], _sha256(out_dir / rel))
             for rel in (LIST_A, LIST_B, FORMS, CUSTOMERS, TRUTH)]
    for site_file in sorted((out_dir / SITES).rglob("*")):
        if site_file.is_file():
            rel = site_file.relative_to(out_dir).as_posix()
            files.append(ManifestFile(rel, None, _sha256(site_file)))
    manifest = DemoManifest(seed, out_dir, tuple(files), tuple(s.domain for s in sites))
    (out_dir / "manifest.json").write_text(json.dumps({
        "seed": seed,
        "files": [asdict(f) for f in files],
        "sites": [asdict(s) for s in sites],
        "world": {"companies": len(world.companies), "persons": len(world.persons),
                  "domains": sorted({c.domain for c in world.companies if c.domain})},
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest

"""Large synthetic German lead lists with known truth, for ingest and matching benchmarks.

    python bench/generate_leads.py --rows 1000000 --out bench/out/leads_1m.csv \
        [--truth bench/out/leads_1m.truth.csv] [--dup-rate 0.3] [--seed 1] [--cp1252] \
        [--names uniform|realistic]

Faker is far too slow per row, so it fills pools of names, streets and towns once; entities
are then drawn with numpy and rows rendered in plain Python. Duplicates carry the demo's
corruption (`leadpipe.demo.corrupt`): typos, "G.m.b.H.", "Str.", ä→ae, swapped names,
missing fields, other e-mail domains and phone notations. Colleagues share their company's
address, website and often its switchboard number; couples share address and landline; so
a matcher has to separate them by person. `generate()` is the importable form.

`--names realistic` draws first and last names and streets with the skew of real German
lists (bench/names_de.yaml: Müller, Thomas, Hauptstraße … over Faker's long tail) and gives
people the e-mail addresses real people have: one of several local-part styles, and digits
when the address is already taken (a mailbox belongs to one person). `uniform` (default)
draws uniformly from Faker's pools, as before, and yields the same rows as before.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import yaml
from faker import Faker

from leadpipe.demo.corrupt import (
    ascii_umlauts,
    email_variant,
    legal_form_variant,
    phone_notation,
    street_variant,
    typo,
)
from leadpipe.demo.vocabulary import vocabulary

COLUMNS = ("record_id", "company", "salutation", "first_name", "last_name", "street",
           "house_number", "postcode", "city", "phone", "email", "website")
TRUTH_COLUMNS = ("record_id", "cluster_id", "company_id")
NAMES_TABLE = Path(__file__).with_name("names_de.yaml")
NameStyle = Literal["uniform", "realistic"]
LEGAL_FORMS = ("GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.",
               "UG (haftungsbeschränkt)", "OHG")


class Generated(NamedTuple):
    """One output row and its truth: the person cluster and the company ('' for consumers)."""

    row: dict[str, str]
    cluster_id: str
    company_id: str


@dataclass(frozen=True)
class Pools:
    female: list[str]
    male: list[str]
    last: list[str]
    streets: list[str]
    towns: list[tuple[str, str, str]]  # (postcode, town, area code)
    weights: dict[str, np.ndarray] | None = None
    """Draw probabilities of `female`, `male`, `last` and `streets`; None draws uniformly."""


def build_pools(seed: int, size: int = 3000, names: NameStyle = "uniform") -> Pools:
    """Draw name, street and town pools from Faker once; rows only sample from them."""
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    voc = vocabulary()
    towns = [(c.postcode, c.name, c.area_code) for c in voc.cities["DE"]]
    seen = {t[0] for t in towns}
    while len(towns) < size:
        postcode = fake.postcode()
        if postcode in seen:
            continue
        seen.add(postcode)
        area = "0" + str(rng.randint(2, 9)) + "".join(
            str(rng.randint(0, 9)) for _ in range(rng.choice((1, 2, 3))))
        towns.append((postcode, fake.city_name(), area))
    pools = Pools(
        female=sorted({fake.first_name_female() for _ in range(size)}),
        male=sorted({fake.first_name_male() for _ in range(size)}),
        last=sorted({fake.last_name() for _ in range(size * 2)}),
        streets=sorted(set(voc.streets) | {fake.street_name() for _ in range(size)}),
        towns=towns,
    )
    return _skewed(pools) if names == "realistic" else pools


def _skewed(pools: Pools) -> Pools:
    """The table's names first, weighted by their counts to `head_share` of all draws; the
    rest of Faker's pool (surnames: plus the table's compounds) shares the remainder evenly
    (the long tail)."""
    table = yaml.safe_load(NAMES_TABLE.read_text("utf-8"))
    compounds = [stem + ending for stem in table["surname_tail"]["stems"]
                 for ending in table["surname_tail"]["endings"]]
    lasts = sorted(set(pools.last) | set(compounds))
    lists: dict[str, list[str]] = {}
    weights: dict[str, np.ndarray] = {}
    for key, table_key, pool in (("female", "female", pools.female), ("male", "male", pools.male),
                                 ("last", "surnames", lasts),
                                 ("streets", "streets", pools.streets)):
        head: dict[str, int] = table[table_key]["counts"]
        share = float(table[table_key]["head_share"])
        tail = [name for name in pool if name not in head]
        counts = np.array(list(head.values()), dtype=np.float64)
        lists[key] = [*head, *tail]
        weights[key] = np.concatenate([share * counts / counts.sum(),
                                       np.full(len(tail), (1 - share) / len(tail))])
    return Pools(lists["female"], lists["male"], lists["last"], lists["streets"], pools.towns,
                 weights)


def _draw(rng: np.random.Generator, pools: Pools, key: str, size: int) -> np.ndarray:
    """Indexes into one pool: uniform, or by the pool's weights."""
    if pools.weights is None:
        return rng.integers(0, len(getattr(pools, key)), size=size)
    return rng.choice(len(pools.weights[key]), size=size, p=pools.weights[key])


EMAIL_STYLES = ("{f}.{l}", "{f}{l}", "{i}.{l}", "{f}_{l}", "{l}.{f}", "{f}.{l}{y}",
                "{f}{l}{y}", "{f}{li}{y}")
EMAIL_STYLE_WEIGHTS = (0.35, 0.12, 0.1, 0.05, 0.05, 0.15, 0.1, 0.08)


class _Mailboxes:
    """Personal addresses as people have them: a local-part style each, and a mailbox belongs
    to one person, so a namesake who finds `thomas.mueller@gmx.de` taken adds digits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def address(self, first: str, last: str, domain: str, business: bool) -> str:
        f = ascii_umlauts(first.lower()).replace(" ", "")
        ln = ascii_umlauts(last.lower()).replace(" ", "")
        style = "{f}.{l}" if business else self.rng.choices(
            EMAIL_STYLES, EMAIL_STYLE_WEIGHTS)[0]
        year = str(self.rng.randint(50, 99)) if self.rng.random() < 0.7 else str(
            self.rng.randint(1, 999))
        local = style.format(f=f, l=ln, i=f[:1], li=ln[:1], y=year)
        address, n = f"{local}@{domain}", 2
        while address in self.taken:  # a business adds a number, a consumer picks digits
            suffix = str(n) if business else str(self.rng.randint(1, 9999))
            address, n = f"{local}{suffix}@{domain}", n + 1
        self.taken.add(address)
        return address


def _slug(text: str) -> str:
    text = ascii_umlauts(text.lower()).replace("&", "und").replace(" ", "-")
    return "".join(ch for ch in text if ch.isalnum() or ch == "-").strip("-")[:28]


class _Companies:
    """Company attributes by index, rendered once (their people share them)."""

    def __init__(self, count: int, pools: Pools, np_rng: np.random.Generator) -> None:
        words = vocabulary().company_words
        lasts = _draw(np_rng, pools, "last", count)
        partners = _draw(np_rng, pools, "last", count)
        styles = np_rng.integers(0, 3, size=count)
        word_idx = np_rng.integers(0, len(words), size=count)
        forms = np_rng.integers(0, len(LEGAL_FORMS), size=count)
        towns = np_rng.integers(0, len(pools.towns), size=count)
        streets = _draw(np_rng, pools, "streets", count)
        numbers = np_rng.integers(1, 200, size=count)
        subscribers = np_rng.integers(200000, 9999999, size=count)
        self.shared_switchboard = np_rng.random(size=count) < 0.5
        self.name: list[str] = []
        self.domain: list[str] = []
        self.street: list[str] = []
        self.number: list[str] = []
        self.town: list[tuple[str, str, str]] = []
        self.subscriber: list[str] = []
        used: set[str] = set()
        for i in range(count):
            last, word = pools.last[lasts[i]], words[word_idx[i]]
            town = pools.towns[towns[i]]
            if styles[i] == 0:
                stem = f"{last} {word}"
            elif styles[i] == 1:
                stem = f"{last} & {pools.last[partners[i]]}"
            else:
                stem = f"{word} {town[1].split()[0]}"
            self.name.append(f"{stem} {LEGAL_FORMS[forms[i]]}")
            base = _slug(stem)
            domain, n = f"{base}.de", 2
            while domain in used:
                domain, n = f"{base}{n}.de", n + 1
            used.add(domain)
            self.domain.append(domain)
            self.street.append(pools.streets[streets[i]])
            self.number.append(str(numbers[i]))
            self.town.append(town)
            self.subscriber.append(str(subscribers[i]))


def generate(rows: int, seed: int = 1, dup_rate: float = 0.3,
             pools: Pools | None = None, names: NameStyle = "uniform") -> Iterator[Generated]:
    """Yield `rows` lead rows in random order with their true cluster; deterministic per seed.

    `dup_rate` is the share of rows that repeat an entity already in the list. About 70% of
    entities are contacts at companies (2.5 per company on average), the rest consumers,
    half of them in two-person households.
    """
    if rows <= 0:
        return
    pools = pools or build_pools(seed, names=names)
    np_rng = np.random.default_rng(seed)
    rng = random.Random(seed)
    entities = max(1, rows - round(rows * dup_rate))
    entity_of_row = np.concatenate([np.arange(entities),
                                    np_rng.integers(0, entities, size=rows - entities)])
    np_rng.shuffle(entity_of_row)
    business = np_rng.random(size=entities) < 0.7
    n_companies = max(1, int(business.sum() / 2.5))
    companies = _Companies(n_companies, pools, np_rng)
    company_of = np_rng.integers(0, n_companies, size=entities)
    female = np_rng.random(size=entities) < 0.5
    if pools.weights is None:
        first_idx = np_rng.integers(0, min(len(pools.female), len(pools.male)), size=entities)
    else:
        first_idx = np.where(female, _draw(np_rng, pools, "female", entities),
                             _draw(np_rng, pools, "male", entities))
    last_idx = _draw(np_rng, pools, "last", entities)
    extension = np_rng.integers(10, 99, size=entities)
    freemail = np_rng.integers(0, len(vocabulary().free_email_domains), size=entities)
    street_idx = _draw(np_rng, pools, "streets", entities)
    number = np_rng.integers(1, 200, size=entities)
    town_idx = np_rng.integers(0, len(pools.towns), size=entities)
    subscriber = np_rng.integers(200000, 9999999, size=entities)
    # a consumer at an odd index forms a household with the one before it (half the time)
    household = (~business) & (np.arange(entities) % 2 == 1) & (np_rng.random(entities) < 0.5)
    household &= np.concatenate([[False], ~business[:-1]])
    domains = vocabulary().free_email_domains
    seen = [False] * entities
    mailboxes = _Mailboxes(random.Random(seed + 1)) if pools.weights is not None else None
    address_of: dict[int, str] = {}
    # plain lists: indexing numpy arrays one scalar at a time is several times slower
    business, female, household = business.tolist(), female.tolist(), household.tolist()
    company_of, first_idx, last_idx = company_of.tolist(), first_idx.tolist(), last_idx.tolist()
    extension, freemail, street_idx = extension.tolist(), freemail.tolist(), street_idx.tolist()
    number, town_idx, subscriber = number.tolist(), town_idx.tolist(), subscriber.tolist()
    shared = companies.shared_switchboard.tolist()
    for record, e in enumerate(entity_of_row.tolist()):
        base = e - 1 if household[e] else e  # whose address and phone this person shares
        first = (pools.female if female[e] else pools.male)[first_idx[e]]
        last = pools.last[last_idx[base]] if household[e] and rng.random() < 0.8 else (
            pools.last[last_idx[e]])
        if business[e]:
            c = company_of[e]
            company, domain = companies.name[c], companies.domain[c]
            street, num = companies.street[c], companies.number[c]
            postcode, city, area = companies.town[c]
            sub = companies.subscriber[c]
            ext = "0" if shared[c] else str(extension[e])
            email = f"{ascii_umlauts(first.lower())}.{ascii_umlauts(last.lower())}@{domain}"
            website = f"www.{domain}"
            company_id = f"C{c}"
        else:
            company, website, company_id, ext = "", "", "", ""
            street, num = pools.streets[street_idx[base]], str(number[base])
            postcode, city, area = pools.towns[town_idx[base]]
            sub = str(subscriber[base])
            email = (f"{ascii_umlauts(first.lower())}.{ascii_umlauts(last.lower())}"
                     f"@{domains[freemail[e]]}")
            domain = domains[freemail[e]]
        if mailboxes is not None:
            if e not in address_of:
                address_of[e] = mailboxes.address(first, last, email.split("@")[1],
                                                  business[e])
            email = address_of[e]
        row = {"record_id": str(record), "company": company,
               "salutation": "Frau" if female[e] else "Herr", "first_name": first,
               "last_name": last, "street": street, "house_number": num, "postcode": postcode,
               "city": city, "phone": phone_notation("49", area, sub, ext, rng),
               "email": email.replace(" ", ""), "website": website}
        if seen[e]:
            _corrupt(row, domain, rng)
        seen[e] = True
        yield Generated(row, f"P{e}", company_id)


def _corrupt(row: dict[str, str], domain: str, rng: random.Random) -> None:
    """Apply a few of the oddities real duplicates carry, each independently."""
    r = rng.random
    if r() < 0.15:
        row["last_name"] = typo(row["last_name"], rng)
    if r() < 0.08:
        row["first_name"] = typo(row["first_name"], rng)
    if r() < 0.06:
        row["first_name"], row["last_name"] = row["last_name"], row["first_name"]
    if row["company"] and r() < 0.35:
        row["company"] = legal_form_variant(row["company"], rng)
    if row["company"] and r() < 0.05:
        row["company"] = typo(row["company"], rng)
    if r() < 0.4:
        row["street"] = street_variant(row["street"], rng)
    if r() < 0.1:
        for key in ("first_name", "last_name", "company", "street", "city"):
            row[key] = ascii_umlauts(row[key])
    if r() < 0.12:
        row["email"] = email_variant(row["first_name"], row["last_name"], domain, rng)
    for key, p in (("email", 0.1), ("phone", 0.1), ("house_number", 0.03),
                   ("website", 0.2), ("salutation", 0.1)):
        if r() < p:
            row[key] = ""


def write(path: Path, items: Iterator[Generated], truth_path: Path, cp1252: bool = False
          ) -> int:
    """Write rows (UTF-8 comma CSV, or cp1252 semicolon CSV) and the truth file; count rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    encoding, delimiter = ("cp1252", ";") if cp1252 else ("utf-8", ",")
    count = 0
    with path.open("w", encoding=encoding, errors="replace", newline="") as out, \
            truth_path.open("w", encoding="utf-8", newline="") as truth_out:
        writer = csv.writer(out, delimiter=delimiter)
        truth_writer = csv.writer(truth_out)
        writer.writerow(COLUMNS)
        truth_writer.writerow(TRUTH_COLUMNS)
        for item in items:
            writer.writerow([item.row[c] for c in COLUMNS])
            truth_writer.writerow((item.row["record_id"], item.cluster_id, item.company_id))
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, default=None,
                        help="truth CSV (default: OUT with suffix .truth.csv)")
    parser.add_argument("--dup-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cp1252", action="store_true", help="cp1252, semicolon-separated")
    parser.add_argument("--names", choices=("uniform", "realistic"), default="uniform",
                        help="uniform Faker pools, or German name/street frequencies "
                             "(bench/names_de.yaml) with real-world e-mail styles")
    args = parser.parse_args(argv)
    if not 0 <= args.dup_rate < 1:
        parser.error("--dup-rate must be in [0, 1)")
    truth = args.truth or args.out.with_suffix(".truth.csv")
    started = time.perf_counter()
    count = write(args.out, generate(args.rows, args.seed, args.dup_rate,
                                    names=args.names), truth, args.cp1252)
    print(f"{count} rows -> {args.out} (truth {truth}) in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

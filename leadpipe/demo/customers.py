"""The demo company's own customers: an ERP customer export, and later a CRM's deals export.

A small firm's customer master data comes out of its ERP or accounting program as a
semicolon CSV in cp1252 with German headers ("Kundenstamm"), one row per customer with the
last purchase. The demo's export holds some of the people the purchased lists also sell (so
leadpipe has to recognise them as customers among prospects) and some nobody sells; their
last purchases spread over the §7(3) recency limits (24 and 48 months) and over product
groups, so a campaign has similar and dissimilar buyers. Noise is low: the firm typed these
addresses itself.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from leadpipe.demo.rows import view
from leadpipe.demo.sources import FIXED_TIME, TruthRow, cp1252_safe, truth_row
from leadpipe.demo.world import Person, World

CUSTOMER_HEADERS = ("Kundennummer", "Firma", "Anrede", "Vorname", "Nachname", "Straße", "PLZ",
                    "Ort", "Telefon", "E-Mail", "Letzter Kauf", "Warengruppe",
                    "Auftragswert", "Beim Kauf erhoben", "Widerspruchshinweis")
PRODUCT_GROUPS = (("Verbrauchsmaterial", 30), ("Ersatzteile", 20), ("Maschinen", 20),
                  ("Wartungsverträge", 15), ("Schulungen", 15))
"""The demo firm's product groups (Warengruppen) and how often each was the last purchase."""
PURCHASE_AGE_MONTHS = ((0, 12, 60), (12, 24, 15), (24, 48, 15), (48, 72, 10))
"""(from, to, percent): how long ago the last purchase was — within §7(3)'s two years for
most, under review for some, too old for a few."""


def plan_customers(world: World, listed: list[Person], unlisted: list[Person],
                   rng: random.Random) -> list[Person]:
    """35 business contacts the lists also sell, and 10 customers no list knows."""
    def business(p: Person) -> bool:
        return p.company_id is not None and not p.trap

    known = [p for p in listed if business(p)]
    unknown = [p for p in unlisted if business(p)]
    chosen = rng.sample(known, min(35, len(known))) + rng.sample(unknown, min(10, len(unknown)))
    rng.shuffle(chosen)
    return chosen


def _weighted(choices: tuple[tuple[str, int], ...], rng: random.Random) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _last_purchase(rng: random.Random) -> date:
    start, end, _ = rng.choices(PURCHASE_AGE_MONTHS,
                                weights=[w for _, _, w in PURCHASE_AGE_MONTHS])[0]
    days = rng.randint(start * 30 + 1, end * 30 - 1)
    return FIXED_TIME.date() - timedelta(days=days)


def write_customer_export(world: World, customers: list[Person], path: Path,
                          rng: random.Random) -> list[TruthRow]:
    """Kundenstamm of the demo firm's ERP: cp1252, semicolons, German dates and amounts."""
    truth: list[TruthRow] = []
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CUSTOMER_HEADERS)
    for row_number, person in enumerate(customers, start=2):
        v = view(world, person, rng, noise=0.2)
        bought = _last_purchase(rng)
        value = rng.choice((180, 420, 950, 2400, 7800, 15500))
        writer.writerow([cp1252_safe(x) for x in (
            f"K-{10400 + row_number}", v.company_name, v.salutation, v.first_name, v.last_name,
            f"{v.street} {v.number}".strip(), v.postcode, v.city, v.phone, v.email,
            bought.strftime("%d.%m.%Y"), _weighted(PRODUCT_GROUPS, rng),
            f"{value:,}".replace(",", ".") + ",00",
            "ja" if rng.random() < 0.9 else "nein",
            "ja" if rng.random() < 0.85 else "nein")])
        truth.append(truth_row(path.name, row_number, v))
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return truth


DEMO_CAMPAIGN = {
    "name": "verbrauchsmaterial-winter", "channel": "email",
    "product_category": "Verbrauchsmaterial", "similar_categories": ["Ersatzteile"],
}
"""The demo firm's e-mail campaign: consumables, which §7(3) allows to customers who bought
consumables or spare parts for their machines (same typical use), not to buyers of training."""

DEAL_STAGES = (("Closed Won", 22), ("Closed Lost", 18), ("Appointment Scheduled", 20),
               ("Qualified To Buy", 25), ("Contract Sent", 15))
"""How the deals sales opened for exported leads stand in the CRM a few weeks later."""
DEAL_HEADERS = ("Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date",
                "Create Date", "Deal owner", "Associated Contact", "Associated Company",
                "leadpipe_id")


def write_deals_export(leads: list[dict[str, str]], path: Path, today: date,
                       rng: random.Random) -> int:
    """A HubSpot deals export, as sales' CRM would give it back weeks after leadpipe's files
    were imported: one deal for about half of the exported leads, each carrying the
    `leadpipe_id` the import file brought in. `leads` are rows of those files (HubSpot
    format). Returns the number of deals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DEAL_HEADERS)
    deals = 0
    for lead in leads:
        if rng.random() < 0.5:
            continue
        deals += 1
        stage = _weighted(DEAL_STAGES, rng)
        opened = today - timedelta(days=rng.randint(20, 60))
        closed = opened + timedelta(days=rng.randint(5, 19)) if stage.startswith("Closed") else None
        person = f"{lead.get('First Name', '')} {lead.get('Last Name', '')}".strip()
        company = lead.get("Company Name", "")
        writer.writerow((
            str(80000 + deals), f"{company or person} – Verbrauchsmaterial", stage,
            "Sales Pipeline", str(rng.choice((450, 1200, 2600, 5400))) if stage != "Closed Lost"
            else "", closed.isoformat() + " 10:00" if closed else "",
            opened.isoformat() + " 09:00", "demo@leadpipe.example", person, company,
            lead["leadpipe_id"]))
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return deals

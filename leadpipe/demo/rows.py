"""Noisy renderings of true persons/companies, one per source row, with the oddities applied.

A `View` is what one source says about one person: the fields after corruption, plus the
list of oddities so `truth/entities.csv` can say why a row looks the way it does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from leadpipe.demo.corrupt import (
    ascii_umlauts,
    email_variant,
    legal_form_variant,
    phone_notation,
    street_variant,
    typo,
)
from leadpipe.demo.world import COUNTRY_CODES, Address, Company, Person, Phone, World


@dataclass
class View:
    person: Person
    company: Company | None
    salutation: str
    title: str
    first_name: str
    last_name: str
    position: str
    company_name: str
    street: str
    number: str
    postcode: str
    city: str
    country: str
    phone: str
    mobile: str
    fax: str
    email: str
    website: str
    oddities: list[str] = field(default_factory=list)


def render_phone(phone: Phone | None, rng: random.Random) -> str:
    if phone is None:
        return ""
    return phone_notation(COUNTRY_CODES[phone.country], phone.area, phone.subscriber,
                          phone.extension, rng)


def website(domain: str | None, rng: random.Random) -> str:
    if not domain:
        return ""
    return rng.choice((f"www.{domain}", f"https://www.{domain}", f"http://{domain}", domain,
                       f"https://www.{domain}/"))


def view(world: World, person: Person, rng: random.Random, noise: float = 1.0) -> View:
    """One source's view of `person`; `noise` scales the probability of every oddity."""
    odd: list[str] = []
    company = world.company(person.company_id)
    if person.former_company_id and rng.random() < 0.7 * noise:
        company = world.company(person.former_company_id)
        odd.append("stale_person_left")
    address: Address | None = company.address if company else person.address
    if company and company.old_address and rng.random() < 0.6 * noise:
        address = company.old_address
        odd.append("stale_moved")
    assert address is not None
    first, last = person.first_name, person.last_name
    if rng.random() < 0.06 * noise:
        first, last = last, first
        odd.append("swapped_names")
    if rng.random() < 0.08 * noise:
        last = typo(last, rng)
        odd.append("typo_last_name")
    if rng.random() < 0.04 * noise:
        first = typo(first, rng)
        odd.append("typo_first_name")
    company_name = company.name if company else ""
    if company_name and rng.random() < 0.3 * noise:
        varied = legal_form_variant(company_name, rng)
        if varied != company_name:
            company_name = varied
            odd.append("legal_form_variant")
    if company_name and rng.random() < 0.05 * noise:
        company_name = typo(company_name, rng)
        odd.append("typo_company")
    street = address.street
    if rng.random() < 0.4 * noise:
        varied = street_variant(street, rng)
        if varied != street:
            street = varied
            odd.append("street_variant")
    email = person.email
    if rng.random() < 0.12 * noise:
        email = email_variant(person.first_name, person.last_name,
                              company.domain if company and company.domain else "gmx.de", rng)
        odd.append("other_email")
    phone = render_phone(person.phone, rng)
    if rng.random() < 0.1 * noise:
        email = ""
        odd.append("missing_email")
    if rng.random() < 0.08 * noise:
        phone = ""
        odd.append("missing_phone")
    v = View(
        person=person, company=company, salutation=person.salutation, title=person.title,
        first_name=first, last_name=last,
        position=person.position,
        company_name=company_name, street=street, number=address.number,
        postcode=address.city.postcode, city=address.city.name, country=address.city.country,
        phone=phone, mobile=render_phone(person.mobile, rng),
        fax=render_phone(company.fax, rng) if company else "",
        email=email, website=website(company.domain if company else None, rng), oddities=odd,
    )
    if rng.random() < 0.08 * noise:
        for name in ("first_name", "last_name", "company_name", "street", "city"):
            setattr(v, name, ascii_umlauts(getattr(v, name)))
        odd.append("ascii_umlauts")
    return v

"""The hidden true world behind the demo: companies, their people, and private consumers.

Sources (lists, forms, sites) are noisy views of this world; `truth/entities.csv` maps each
source row back to it. Built from one `random.Random` and one seeded Faker, so it is a pure
function of the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker
from stdnum.at import uid as at_uid
from stdnum.ch import uid as ch_uid
from stdnum.iso7064 import mod_11_10

from leadpipe.demo.corrupt import ascii_umlauts
from leadpipe.demo.vocabulary import City, vocabulary

COUNTRY_CODES = {"DE": "49", "AT": "43", "CH": "41"}


@dataclass(frozen=True)
class Phone:
    """A number as country code, national area code (with 0), subscriber and extension."""

    country: str
    area: str
    subscriber: str
    extension: str = ""

    @property
    def e164(self) -> str:
        return f"+{COUNTRY_CODES[self.country]}{self.area[1:]}{self.subscriber}{self.extension}"


@dataclass
class Address:
    street: str
    number: str
    city: City


@dataclass
class Company:
    id: str
    name: str
    legal_form: str
    kind: str  # "company" | "sole_trader"
    address: Address
    phone: Phone
    fax: Phone | None
    domain: str | None
    industry: tuple[str, str]
    employees: int
    revenue_eur: int
    register_court: str | None
    register_number: str | None
    vat_id: str | None
    tax_number: str | None
    directors: list[str] = field(default_factory=list)
    old_address: Address | None = None

    @property
    def country(self) -> str:
        return self.address.city.country


@dataclass
class Person:
    id: str
    salutation: str
    title: str
    first_name: str
    last_name: str
    position: str
    email: str
    phone: Phone
    mobile: Phone | None
    company_id: str | None
    address: Address | None = None  # consumers only
    former_company_id: str | None = None
    household: str | None = None
    trap: str = ""  # why this person shares identifiers with another one


@dataclass
class World:
    companies: list[Company]
    persons: list[Person]

    def company(self, company_id: str | None) -> Company | None:
        return next((c for c in self.companies if c.id == company_id), None)


def de_vat_id(rng: random.Random) -> str:
    body = str(rng.randint(10_000_000, 99_999_999))
    return "DE" + body + mod_11_10.calc_check_digit(body)


def at_vat_id(rng: random.Random) -> str:
    body = str(rng.randint(1_000_000, 9_999_999))
    return "ATU" + body + at_uid.calc_check_digit("U" + body)


def ch_vat_id(rng: random.Random) -> str:
    while True:
        body = str(rng.randint(10_000_000, 99_999_999))
        check = ch_uid.calc_check_digit(body)
        if check != "10":
            digits = body + check
            return f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]} MWST"


def _slug(text: str) -> str:
    out = ascii_umlauts(text.lower())
    return "".join(ch for ch in out if ch.isalnum() or ch == "-").strip("-")


class WorldBuilder:
    """Draws the world; counts are chosen so every source can be sampled from it."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("de_DE")
        self.fake.seed_instance(seed)
        self.voc = vocabulary()
        self.companies: list[Company] = []
        self.persons: list[Person] = []
        self.domains: set[str] = set()

    def phone(self, city: City, extension: str = "") -> Phone:
        length = 7 if len(city.area_code) <= 4 else 6
        if city.country == "CH":  # fixed 9-digit national numbers, no direct-dial suffix
            length = 7 - len(extension)
        first = self.rng.choice("2345789")
        subscriber = first + "".join(self.rng.choice("0123456789") for _ in range(length - 1))
        return Phone(city.country, city.area_code, subscriber, extension)

    def mobile(self) -> Phone:
        prefix = self.rng.choice(("0151", "0152", "0160", "0170", "0171", "0172", "0176"))
        return Phone("DE", prefix, "".join(self.rng.choice("0123456789") for _ in range(7)))

    def address(self, city: City) -> Address:
        number = str(self.rng.randint(1, 180))
        if self.rng.random() < 0.15:
            number += self.rng.choice("abc")
        street = self.rng.choice(self.voc.streets) if self.rng.random() < 0.7 else (
            self.fake.street_name())
        return Address(street, number, city)

    def person_name(self) -> tuple[str, str, str]:
        if self.rng.random() < 0.5:
            return "Frau", self.fake.first_name_female(), self.fake.last_name()
        return "Herr", self.fake.first_name_male(), self.fake.last_name()

    def domain_for(self, stem: str, country: str) -> str:
        tld = {"DE": "de", "AT": "at", "CH": "ch"}[country]
        base = _slug(stem.replace(" ", "-").replace("&", "und"))[:30].strip("-")
        candidate = f"{base}.{tld}"
        n = 2
        while candidate in self.domains:
            candidate = f"{base}{n}.{tld}"
            n += 1
        self.domains.add(candidate)
        return candidate

    def company(self, index: int, country: str, kind: str) -> Company:
        city = self.rng.choice(self.voc.cities[country])
        owner_salutation, owner_first, owner_last = self.person_name()
        word = self.rng.choice(self.voc.company_words)
        if kind == "sole_trader":
            legal = self.rng.choice(("e.K.", "", ""))
            stem = f"{word} {owner_first} {owner_last}" if legal == "" else f"{owner_last} {word}"
            name = f"{stem} {legal}".strip()
        else:
            legal = {"DE": self.rng.choice(("GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG",
                                            "OHG", "UG (haftungsbeschränkt)")),
                     "AT": "GmbH", "CH": self.rng.choice(("AG", "GmbH"))}[country]
            style = self.rng.randrange(3)
            if style == 0:
                stem = f"{owner_last} {word}"
            elif style == 1:
                stem = f"{owner_last} & {self.fake.last_name()}"
            else:
                stem = f"{word} {city.name.split()[0]}"
            name = f"{stem} {legal}"
        address = self.address(city)
        switchboard = self.phone(city, "0")
        company_id = f"C{index:04d}"
        register_court = register_number = None
        if legal:
            register_court = city.court
            prefix = "HRB" if legal in ("GmbH", "AG", "UG (haftungsbeschränkt)") else "HRA"
            number = str(self.rng.randint(1000, 240000))
            if country == "DE":
                berlin = city.court == "Amtsgericht Charlottenburg" and prefix == "HRB"
                register_number = f"{prefix} {number}{' B' if berlin else ''}"
            elif country == "AT":
                letter = self.rng.choice("abdfghkmpstvwxyz")
                register_number = f"FN {self.rng.randint(100000, 599999)}{letter}"
        vat: str | None = {"DE": de_vat_id, "AT": at_vat_id, "CH": ch_vat_id}[country](self.rng)
        if country == "CH" and vat:
            register_number = vat.removesuffix(" MWST")  # the UID is the register number
        if kind == "sole_trader" and self.rng.random() < 0.4:
            vat = None  # Kleinunternehmer: only a Steuernummer
        tax_number = None
        if country == "DE":
            parts = (self.rng.randint(10, 99), self.rng.randint(100, 999),
                     self.rng.randint(10000, 99999))
            tax_number = "/".join(map(str, parts))
        company = Company(
            id=company_id, name=name, legal_form=legal or "Einzelunternehmen", kind=kind,
            address=address, phone=switchboard,
            fax=(self.phone(city) if country == "CH" else Phone(
                country, city.area_code, switchboard.subscriber, "99"))
            if self.rng.random() < 0.6 else None,
            domain=self.domain_for(stem, country) if kind == "company" or self.rng.random() < 0.7
            else None,
            industry=self.rng.choice(self.voc.industries),
            employees=1 if kind == "sole_trader" else self.rng.choice((5, 12, 25, 48, 120, 900)),
            revenue_eur=self.rng.randint(1, 400) * 250_000,
            register_court=register_court, register_number=register_number,
            vat_id=vat, tax_number=tax_number,
        )
        owner = self.new_person(company, owner_salutation, owner_first, owner_last,
                                position="Inhaber" if kind == "sole_trader" else (
                                    "Geschäftsführerin" if owner_salutation == "Frau"
                                    else "Geschäftsführer"))
        company.directors.append(f"{owner.first_name} {owner.last_name}")
        if self.rng.random() < 0.12:
            company.old_address = self.address(city)
        return company

    def new_person(self, company: Company, salutation: str, first: str, last: str,
                   position: str, share_switchboard: bool = False) -> Person:
        pid = f"P{len(self.persons) + 1:05d}"
        if salutation == "Herr":
            position = position.replace("erin", "er")
        title = self.rng.choice(self.voc.titles)
        local = f"{ascii_umlauts(first.lower())}.{ascii_umlauts(last.lower())}".replace(" ", "")
        domain = company.domain or self.rng.choice(self.voc.free_email_domains)
        if share_switchboard or company.kind == "sole_trader":
            phone = company.phone
        elif company.country == "CH":
            phone = self.phone(company.address.city)
        else:
            phone = Phone(company.phone.country, company.phone.area, company.phone.subscriber,
                          str(self.rng.randint(10, 89)))
        person = Person(pid, salutation, title, first, last, position, f"{local}@{domain}",
                        phone, self.mobile() if self.rng.random() < 0.4 else None, company.id)
        self.persons.append(person)
        return person

    def consumer(self, household: str | None = None, partner: Person | None = None) -> Person:
        salutation, first, last = self.person_name()
        if partner is not None:
            last = partner.last_name if self.rng.random() < 0.8 else last
            salutation = "Herr" if partner.salutation == "Frau" else "Frau"
            first = (self.fake.first_name_male() if salutation == "Herr"
                     else self.fake.first_name_female())
            address, phone = partner.address, partner.phone
        else:
            address = self.address(self.rng.choice(self.voc.cities["DE"]))
            phone = self.phone(address.city)
        local = f"{ascii_umlauts(first.lower())}.{ascii_umlauts(last.lower())}".replace(" ", "")
        email = f"{local}@{self.rng.choice(self.voc.free_email_domains)}"
        if partner is not None and self.rng.random() < 0.3:
            email = partner.email  # a shared family mailbox
        pid = f"P{len(self.persons) + 1:05d}"
        person = Person(pid, salutation, "", first, last, "", email, phone,
                        self.mobile() if self.rng.random() < 0.5 else None, None,
                        address=address, household=household,
                        trap="household" if partner is not None else "")
        if partner is not None:
            partner.trap = "household"
        self.persons.append(person)
        return person

    def build(self, companies_de: int = 220, companies_at: int = 10, companies_ch: int = 8,
              sole_traders: int = 30, households: int = 15, singles: int = 35) -> World:
        plan = ([("DE", "company")] * companies_de + [("AT", "company")] * companies_at
                + [("CH", "company")] * companies_ch + [("DE", "sole_trader")] * sole_traders)
        for index, (country, kind) in enumerate(plan, start=1):
            company = self.company(index, country, kind)
            self.companies.append(company)
            if kind == "sole_trader":
                continue
            extra = self.rng.choice((1, 1, 2, 2, 3))
            shared = self.rng.random() < 0.3
            for _ in range(extra):
                salutation, first, last = self.person_name()
                person = self.new_person(company, salutation, first, last,
                                         self.rng.choice(self.voc.positions), shared)
                if shared:
                    person.trap = "colleague_switchboard"
                    owner = next(p for p in self.persons if p.company_id == company.id)
                    owner.phone = company.phone
                    owner.trap = "colleague_switchboard"
        companies_only = [c for c in self.companies if c.kind == "company"]
        movers = self.rng.sample([p for p in self.persons if p.company_id], 12)
        for person in movers:
            new = self.rng.choice(companies_only)
            if new.id != person.company_id:
                person.former_company_id, person.company_id = person.company_id, new.id
        for h in range(households):
            head = self.consumer(household=f"H{h + 1:03d}")
            self.consumer(household=head.household, partner=head)
        for _ in range(singles):
            self.consumer()
        return World(self.companies, self.persons)


def build_world(seed: int) -> World:
    return WorldBuilder(seed).build()

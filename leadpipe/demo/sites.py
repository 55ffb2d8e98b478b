"""Small static company websites with Impressum pages, and the extraction each should yield.

Every site varies what real sites vary: where the Impressum link is (footer text "Impressum",
"Imprint", "Legal notice"; paths /impressum, /imprint, /legal, /kontakt, /ueber-uns), how
the Impressum is laid out (`<br>` blocks, one blob paragraph, a table, a definition list,
no markup at all, English), how e-mails are hidden, how phones are written, and which third
parties share the page. `truth.json` holds the expected extraction in the keys of
`leadpipe extract --json`; `site.json` says which page is the Impressum and what it tests.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadpipe.demo.corrupt import ascii_umlauts
from leadpipe.demo.rows import render_phone
from leadpipe.demo.vocabulary import vocabulary
from leadpipe.demo.world import Company, World

LAYOUTS = ("br", "blob", "table", "dl", "plain", "english")
LINKS = (
    ("Impressum", "impressum/index.html", "/impressum/"),
    ("Imprint", "imprint/index.html", "/imprint/"),
    ("Legal notice", "legal/index.html", "/legal/"),
    ("Impressum", "impressum.html", "impressum.html"),
    ("Kontakt & Impressum", "kontakt/index.html", "/kontakt/"),
    ("Über uns", "ueber-uns/index.html", "/ueber-uns/"),
)


@dataclass(frozen=True)
class Site:
    domain: str
    company_id: str
    impressum_page: str
    layout: str
    traps: tuple[str, ...]


def _obfuscate(email: str, style: int) -> str:
    """HTML for an e-mail address as sites hide it from harvesters."""
    local, domain = email.split("@")
    name, _, tld = domain.rpartition(".")
    if style == 0:
        return f'<a href="mailto:{email}">{email}</a>'
    if style == 1:
        return f"{local} [at] {name} [punkt] {tld}"
    if style == 2:
        return f"{local}(at){domain}"
    if style == 3:
        return "".join(f"&#{ord(ch)};" for ch in email)
    if style == 4:
        return f"{local} @ {name} . {tld}"
    encoded = "".join(f"%{ord(ch):02X}" for ch in email)
    return f'<a href="mailto:{encoded}">E-Mail schreiben</a>'


def _legal_form(company: Company) -> str | None:
    """The form the page shows; a sole trader without one is an Einzelunternehmen
    (docs/extraction.md: a natural person in business)."""
    if company.name.endswith(company.legal_form):
        return company.legal_form
    return "Einzelunternehmen" if company.kind == "sole_trader" else None


def truth_for(company: Company, street_text: str, email: str, responsible: bool
              ) -> dict[str, Any]:
    # docs/extraction.md: DE/AT compact ("DE…", "ATU…"), Swiss as written ("CHE-… MWST")
    vat = company.vat_id
    if vat and company.country != "CH":
        vat = "".join(ch for ch in vat if ch.isalnum())
    return {
        "company_name": company.name,
        "legal_form": _legal_form(company),
        "street": street_text,
        "postcode": company.address.city.postcode,
        "city": company.address.city.name,
        "country": company.country,
        "phones": [company.phone.e164],
        "fax": company.fax.e164 if company.fax else None,
        "emails": [email.lower()],
        "managing_directors": list(company.directors),
        "register_court": company.register_court,
        "register_number": company.register_number,
        "vat_id": vat,
        "responsible_persons": [company.directors[0]] if responsible else [],
    }


def _fields(company: Company, street_text: str, email_html: str, phone: str, fax: str,
            english: bool, responsible: bool) -> list[tuple[str, str]]:
    """Label/value pairs of an Impressum, in the page's language."""
    a = company.address
    director_label = {
        "Einzelunternehmen": "Inhaber", "e.K.": "Inhaber", "AG": "Vorstand",
    }.get(company.legal_form, "Geschäftsführer")
    if english:
        director_label = "Owner" if company.kind == "sole_trader" else "Managing Director"
    rows: list[tuple[str, str]] = [
        ("", html.escape(company.name)),
        ("", html.escape(street_text)),
        ("", f"{a.city.postcode} {html.escape(a.city.name)}"),
    ]
    if company.legal_form == "GmbH & Co. KG" and company.register_number:
        # a second legal entity on the page: the general partner, with its own register entry
        stem = company.name.removesuffix(" GmbH & Co. KG")
        number = int("".join(ch for ch in company.register_number if ch.isdigit())) // 3 + 1000
        label = "General partner" if english else "Persönlich haftende Gesellschafterin"
        rows.append((label, html.escape(f"{stem} Verwaltungs-GmbH, {company.register_court}, "
                                        f"HRB {number}")))
    if company.country != "DE" or english:
        rows.append(("", {"DE": "Germany" if english else "Deutschland", "AT": "Österreich",
                          "CH": "Schweiz"}[company.country]))
    rows.append(("Phone" if english else "Telefon", html.escape(phone)))
    if fax:
        rows.append(("Fax", html.escape(fax)))
    rows.append(("E-mail" if english else "E-Mail", email_html))
    rows.append((director_label, html.escape(", ".join(company.directors))))
    if company.register_number:
        if english:
            rows.append(("Registration court", html.escape(company.register_court or "")))
            rows.append(("Registration number", html.escape(company.register_number)))
        elif company.country == "CH":
            rows.append(("Handelsregister", html.escape(company.register_court or "")))
            rows.append(("UID", html.escape(company.register_number)))
        elif company.country == "AT":
            rows.append(("Firmenbuchnummer", html.escape(company.register_number)))
            rows.append(("Firmenbuchgericht", html.escape(company.register_court or "")))
        else:
            rows.append(("Registergericht", html.escape(company.register_court or "")))
            rows.append(("Registernummer", html.escape(company.register_number)))
    if company.vat_id:
        vat_label = {"DE": "USt-IdNr. gem. § 27a UStG", "AT": "UID-Nummer", "CH": "MWST-Nr."}
        rows.append(("VAT ID" if english else vat_label[company.country], company.vat_id))
    if company.tax_number:
        rows.append(("Tax number" if english else "Steuernummer", company.tax_number))
    if responsible:
        label = ("Responsible for content" if english
                 else "Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV")
        rows.append((label, html.escape(company.directors[0])))
    return rows


def _render(rows: list[tuple[str, str]], layout: str) -> str:
    def line(label: str, value: str) -> str:
        return f"{label}: {value}" if label else value

    if layout in ("br", "english"):
        return "<p>" + "<br>\n".join(line(k, v) for k, v in rows) + "</p>"
    if layout == "blob":
        return "<p>" + " ".join(line(k, v) + ("," if not k else ".") for k, v in rows) + "</p>"
    if layout == "table":
        body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>\n" for k, v in rows[3:])
        head = "<br>".join(v for _, v in rows[:3])
        return f"<p><strong>{head}</strong></p>\n<table>\n{body}</table>"
    if layout == "dl":
        body = "".join(f"<dt>{k}</dt><dd>{v}</dd>\n" for k, v in rows[3:])
        head = "<br>".join(v for _, v in rows[:3])
        return f"<address>{head}</address>\n<dl>\n{body}</dl>"
    return "<div>" + "  ".join(line(k, v) for k, v in rows) + "</div>"


def _domain_of(name: str) -> str:
    """A plausible domain for a third party, so its e-mail differs from the company's."""
    words = [w for w in ascii_umlauts(name.lower()).split() if w.isalpha() and len(w) > 2]
    return "-".join(words[:2]) + ".de"


def _third_parties(rng: random.Random, company: Company, english: bool) -> str:
    tp = vocabulary().third_parties
    agency = rng.choice(tp["agencies"])
    parts = [
        f"<p>{'Web design' if english else 'Webdesign'}: {html.escape(agency)}, "
        f"Tel. 0221 {rng.randint(2000000, 9999999)}, info@{_domain_of(agency)}</p>",
        f"<p>Hosting: {html.escape(rng.choice(tp['hosters']))}</p>",
    ]
    if rng.random() < 0.5:
        parts.append(f"<p>Zuständige Kammer: {html.escape(rng.choice(tp['chambers']))}</p>")
    if rng.random() < 0.4:
        parts.append(f"<p>Aufsichtsbehörde: {html.escape(rng.choice(tp['authorities']))}</p>")
    if rng.random() < 0.4:
        dpo = rng.choice(tp["dpo_firms"])
        parts.append(f"<p>Datenschutzbeauftragter: {html.escape(dpo)}, "
                     f"datenschutz@{_domain_of(dpo)}</p>")
    if rng.random() < 0.3:
        parts.append(f"<p>Berufshaftpflichtversicherung: {html.escape(rng.choice(tp['insurers']))}"
                     f", Geltungsbereich: Deutschland</p>")
    if company.tax_number is None and company.country == "DE":
        parts.append("<p>Kleinunternehmer gem. § 19 UStG</p>")
    return "\n".join(parts)


def _page(title: str, body: str, footer: str, head: str = "") -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n{body}\n"
            f"<footer>{footer}</footer>\n</body>\n</html>\n")


def _jsonld(company: Company, email: str) -> str:
    a = company.address
    data = {
        "@context": "https://schema.org", "@type": "Organization", "name": company.name,
        "url": f"https://www.{company.domain}/",
        "telephone": company.phone.e164, "email": email,
        "address": {"@type": "PostalAddress", "streetAddress": f"{a.street} {a.number}",
                    "postalCode": a.city.postcode, "addressLocality": a.city.name,
                    "addressCountry": company.country},
    }
    if company.vat_id:
        data["vatID"] = company.vat_id
    return ('<script type="application/ld+json">' + json.dumps(data, ensure_ascii=False)
            + "</script>\n")


def write_site(root: Path, company: Company, index: int, rng: random.Random) -> Site:
    assert company.domain is not None
    layout = LAYOUTS[index % len(LAYOUTS)]
    english = layout == "english"
    link_text, impressum_file, href = LINKS[(index // len(LAYOUTS) + index) % len(LINKS)]
    if english and link_text in ("Impressum", "Kontakt & Impressum", "Über uns"):
        link_text = "Imprint"
    traps: list[str] = [f"layout_{layout}", f"link_{href.strip('/').split('.')[0]}"]
    if company.legal_form == "GmbH & Co. KG":
        traps.append("general_partner_entity")
    street = company.address.street
    if rng.random() < 0.4 and street.endswith("straße"):
        street = street[: -len("straße")] + "str."
        traps.append("street_abbreviated")
    street_text = f"{street} {company.address.number}"
    email = f"{rng.choice(('info', 'kontakt', 'office', 'hallo'))}@{company.domain}"
    email_style = index % 6
    traps.append(f"email_style_{email_style}")
    phone = render_phone(company.phone, rng)
    fax = render_phone(company.fax, rng) if company.fax else ""
    responsible = index % 2 == 0
    rows = _fields(company, street_text, _obfuscate(email, email_style), phone, fax, english,
                   responsible)
    heading = "Legal notice" if english else "Impressum"
    intro = ("<p>Information according to § 5 TMG / § 5 DDG</p>" if english
             else "<p>Angaben gemäß § 5 DDG</p>")
    body = (f"<h1>{heading}</h1>\n{intro}\n{_render(rows, layout)}\n"
            f"{_third_parties(rng, company, english)}")
    site_dir = root / company.domain
    home_link = '<a href="/">Start</a>'
    footer_link = f'<a href="{href}">{html.escape(link_text)}</a>'
    if impressum_file.startswith(("kontakt", "ueber-uns")):
        contact_file = impressum_file
    else:
        contact_file = "kontakt.html"
    footer = f"{home_link} · <a href=\"/{contact_file.replace('index.html', '')}\">Kontakt</a>"
    footer += f" · {footer_link} · <a href=\"/datenschutz.html\">Datenschutz</a>"
    pages: dict[str, str] = {
        impressum_file: _page(f"{heading} – {company.name}", body, footer),
        "datenschutz.html": _page("Datenschutz", "<h1>Datenschutzerklärung</h1><p>Verantwortlich "
                                  "ist die im Impressum genannte Stelle.</p>", footer),
    }
    if contact_file not in pages:
        pages[contact_file] = _page(
            "Kontakt", f"<h1>Kontakt</h1><p>Rufen Sie uns an: {html.escape(phone)}</p>"
                       f"<form action=\"/kontakt\" method=\"post\"><input name=\"email\"></form>",
            footer)
    head = _jsonld(company, email) if index % 3 == 0 else ""
    if head:
        traps.append("jsonld")
    about = (f"<h1>{html.escape(company.name)}</h1>\n<p>Ihr Partner für "
             f"{html.escape(company.industry[0])} in {html.escape(company.address.city.name)} "
             f"seit {rng.randint(1950, 2020)}.</p>")
    pages["index.html"] = _page(company.name, about, footer, head)
    if index % 4 == 1:
        pages["robots.txt"] = "User-agent: *\nDisallow: /intern/\n"
        traps.append("robots_txt")
    for rel, text in pages.items():
        path = site_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    truth = truth_for(company, street_text, email, responsible)
    (site_dir / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    site = Site(company.domain, company.id, impressum_file, layout, tuple(traps))
    (site_dir / "site.json").write_text(json.dumps({
        "company_id": site.company_id, "impressum_page": site.impressum_page,
        "layout": site.layout, "traps": list(site.traps)}, indent=1) + "\n", encoding="utf-8")
    return site


def choose_site_companies(world: World, count: int, rng: random.Random) -> list[Company]:
    """Mostly German companies, plus Austrian, Swiss and sole-trader sites."""
    with_domain = [c for c in world.companies if c.domain]
    foreign = [c for c in with_domain if c.country != "DE"]
    sole = [c for c in with_domain if c.kind == "sole_trader"]
    german = [c for c in with_domain if c.country == "DE" and c.kind == "company"]
    berlin = [c for c in german if c.address.city.name == "Berlin" and c.register_number]
    chosen = rng.sample(foreign, min(6, len(foreign))) + rng.sample(sole, min(4, len(sole)))
    chosen += rng.sample(berlin, min(2, len(berlin)))
    german = [c for c in german if c not in chosen]
    chosen += rng.sample(german, count - len(chosen))
    return sorted(chosen, key=lambda c: c.id)


def write_sites(world: World, root: Path, count: int, rng: random.Random) -> list[Site]:
    return [write_site(root, company, i, rng)
            for i, company in enumerate(choose_site_companies(world, count, rng))]

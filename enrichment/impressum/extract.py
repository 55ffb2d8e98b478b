"""Assemble company data from one page, in the order a reader follows:

page.py (lines, labels, roles, small print) → e-mails, register and VAT (company text only) →
people.py → names.py (the company among legal-form candidates) or, without a legal form,
provider.py and sole_trader.py → addresses.py (address and country) → phones → schema.org
gaps → explain.py when asked. Pure: no I/O beyond the pattern files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from enrichment.company import split_legal_form
from enrichment.config import email_config
from enrichment.impressum import fields as f
from enrichment.impressum.addresses import Address, decide_country, find_addresses
from enrichment.impressum.contract import CONTRACT_KEYS, ImpressumData
from enrichment.impressum.emails import dedupe, find_emails, mailto_address
from enrichment.impressum.evidence import EvidenceLog
from enrichment.impressum.explain import explain_chosen
from enrichment.impressum.fields import first_names
from enrichment.impressum.names import choose_name, name_in_heading, plausible_name, stated_form
from enrichment.impressum.page import Page, domain_label, squash
from enrichment.impressum.people import (
    form_words,
    names_below,
    noted_roles,
    role_follows,
    unique,
)
from enrichment.impressum.provider import in_business, person_evidence, provider_lines
from enrichment.impressum.schema_org import organisations
from enrichment.impressum.segments import COMPANY, THIRD_PARTY
from enrichment.impressum.sole_trader import (
    SoleTrader,
    owner_in_trade,
    read_sole_trader,
)
from enrichment.register import find_court, find_register_number, find_vat, typed_numbers

__all__ = ["CONTRACT_KEYS", "ImpressumData", "extract_impressum"]

_DE_MAIL = re.compile(r"\.de-mail\.de$")
"""`postfach@hopsten.de-mail.de`: a De-Mail address names its body before `.de-mail.de`."""
_PHONE_LABELS = frozenset({None, "L_PHONE", "L_ADDR", "L_NAME", "L_EMAIL"})


def extract_impressum(html: str, url: str | None = None, explain: bool = False) -> ImpressumData:
    """Company data from one Impressum/contact page. Never raises for odd pages: fields that
    cannot be read are None or empty lists. With `explain`, `evidence` says why each value
    was chosen and what was rejected."""
    p = Page(html)
    data = ImpressumData()
    log = EvidenceLog(enabled=explain)
    schema = organisations(p.page.jsonld, p.page.microdata)
    company_text = p.text_of((COMPANY,))
    third_text = " ".join(t for _, t in p.text_of((THIRD_PARTY,)))

    # e-mails: company text first, then mailto links whose address no third party owns
    emails = _before_legal_text(p, [(line, e) for line, t in company_text
                                    for e in find_emails(t, p.page.rtl_hint)],
                                lambda e: e.split("@")[-1])
    third_emails = set(find_emails(third_text, p.page.rtl_hint))
    if not emails:
        emails = [a for a in (mailto_address(h) for h in p.page.mailtos) if a] or [
            e for text in p.page.noscripts for e in find_emails(text, p.page.rtl_hint)]
    data.emails = [e for e in dedupe(emails) if e not in third_emails]
    for e in sorted(third_emails):
        log.add("emails", e, False, "in a third party's block (agency, hoster, authority, …)")
    host = urlsplit(url).hostname if url else None
    hosts = [h for h in [host, *(e.split("@")[1] for e in data.emails)] if h]
    domains = [d for d in (domain_label(h) for h in hosts) if d]

    # register and VAT: company text only (not the general partner's, not third parties')
    reg_lines = sorted(company_text, key=lambda lt: not any(
        s.label == "L_REG" for s in p.by_line.get(lt[0], [])))
    for line, text in reg_lines:
        labelled = any(s.label == "L_REG" for s in p.by_line.get(line, []))
        hit = find_register_number(text, labelled)
        if hit:
            data.register_number = hit.number
            data.register_court = find_court(text)
            break
    if data.register_court is None:
        for _line, text in sorted(company_text, key=lambda lt: not any(
                s.label == "L_REG" for s in p.by_line.get(lt[0], []))):
            court = find_court(text)
            if court:
                data.register_court = court
                break
    for line, text in company_text:
        if all(s.label == "L_TAX" for s in p.by_line.get(line, []) if s.role == COMPANY):
            continue
        data.vat_id = find_vat(text)
        if data.vat_id:
            break

    # people
    forms = form_words()
    for seg in p.segments:
        if seg.role == THIRD_PARTY:
            continue
        if seg.label == "L_MD":
            data.managing_directors += f.parse_persons(seg.text, forms) + names_below(p, seg)
        elif seg.label == "L_RESP":
            data.responsible_persons += f.parse_persons(seg.text, forms) + names_below(p, seg)
        elif seg.role == COMPANY and role_follows(p, seg):
            # "Schuster Hannes, Geschäftsführung": the name before its role
            data.managing_directors += f.parse_persons(seg.text, forms)
        for note, names in noted_roles(p, seg, forms):
            (data.managing_directors if note == "L_MD" else
             data.responsible_persons).extend(names)
    data.managing_directors = unique(data.managing_directors)
    data.responsible_persons = unique(data.responsible_persons)
    # company name and address
    addresses = sorted(find_addresses(p), key=lambda a: p.in_legal_text(a.line))
    name, form, name_line = choose_name(p, addresses, schema, domains, log)
    name, form, name_line, sole = _provider_without_form(p, addresses, data, hosts, name, form,
                                                         name_line, log)
    addr = None
    if name_line is not None:
        near = [a for a in addresses if 0 <= a.line - name_line <= 6]
        # a house address beats a PO box, a PO box beats a postcode without street
        addr = next((a for a in near if a.street and not a.street.startswith("Post")), None) \
            or next((a for a in near if a.street), None) or (near[0] if near else None)
    addr = addr or next((a for a in addresses if a.street), None) or \
        (addresses[0] if addresses else None)
    data.company_name, data.legal_form = name, form
    own_mail = _own_mailboxes(data.emails, host, name)
    for e in data.emails:
        if e not in own_mail:
            log.add("emails", e, False, "another organisation's domain, nothing on the page "
                    "ties it to the provider")
    data.emails = own_mail
    if name:
        # the canonical legal form is enrichment.company's (the `inspect company` contract);
        # the pattern id found the entity and stands in where company.py has no form
        shared = split_legal_form(name)[1]
        if shared is not None:
            data.legal_form = shared.canonical
    if addr is not None:
        data.street, data.postcode, data.city = addr.street, addr.postcode, addr.city
    if data.legal_form is None:
        data.legal_form = stated_form(company_text)
    _register_of_the_form(data, reg_lines)
    data.country = decide_country(p, addr, data, hosts)
    region = data.country if data.country in ("DE", "AT", "CH", "LI", "LU") else "DE"

    # phones and fax from labelled (or unlabelled) company segments
    found_phones: list[tuple[int, str]] = []
    found_faxes: list[tuple[int, str]] = []
    for seg in p.segments:
        if seg.role != COMPANY:
            continue
        if seg.label == "L_FAX":
            found_faxes += [(seg.line, x) for x in f.find_phones(seg.text, region)]
        elif seg.label == "L_PHONE":
            found_phones += [(seg.line, x) for x in f.find_phones(seg.text, region)]
        elif seg.label in _PHONE_LABELS:
            found_phones += [(seg.line, x) for x in f.find_phones(seg.text, region, strict=True)]
    phones = _before_legal_text(p, found_phones, lambda _x: "")
    faxes = _before_legal_text(p, found_faxes, lambda _x: "")
    if not phones:
        phones = [e for e in (f.parse_phone(t, region) for t in p.page.tels) if e]
    data.fax = faxes[0] if faxes else None
    data.phones = [x for x in dict.fromkeys(phones) if x not in faxes]

    owner = None
    if not data.managing_directors and data.legal_form in (None, "e.K.", "e.U.",
                                                            "Einzelunternehmen"):
        owner = sole.owner or (owner_in_trade(data.company_name, first_names())
                               if data.company_name else None)
        if owner:
            data.managing_directors = [owner]
    elif form is None and data.legal_form is None and len(data.managing_directors) == 1:
        owner = data.managing_directors[0]  # "Inhaber: …"
    if data.legal_form is None and owner and in_business(p, data, sole, owner):
        data.legal_form = "Einzelunternehmen"

    _fill_from_schema(data, schema, region)
    if log.enabled:
        explain_chosen(p, data, addr, addresses, log)
        data.evidence = log.entries
    return data


_REGISTER_OF_FORM = {"GmbH & Co. KG": "HRA", "UG (haftungsbeschränkt) & Co. KG": "HRA", "KG": "HRA",
                     "OHG": "HRA", "e.K.": "HRA", "GmbH": "HRB", "UG (haftungsbeschränkt)": "HRB",
                     "AG": "HRB", "SE": "HRB", "gGmbH": "HRB", "KGaA": "HRB", "e.V.": "VR",
                     "eG": "GnR", "PartG": "PR", "PartG mbB": "PR"}
"""The register a legal form is entered in (a GmbH & Co. KG in HRA, its Komplementär in HRB)."""


def _register_of_the_form(data: ImpressumData, reg_lines: list[tuple[int, str]]) -> None:
    """`Komplementär: X Verwaltungs-GmbH, HRB 68252 … Registernummer: HRA 201757`: when several
    register numbers stand in the provider's text, the one of its own legal form's register."""
    wanted = _REGISTER_OF_FORM.get(data.legal_form or "")
    if wanted is None or (data.register_number or "").startswith(wanted):
        return
    for _line, text in reg_lines:
        for hit in typed_numbers(text):
            if hit.number.startswith(wanted + " "):
                data.register_number = hit.number
                at = max(0, text.find(hit.number.split()[1]) - 40)
                data.register_court = find_court(text[at:]) or data.register_court
                return


def _provider_without_form(p: Page, addresses: list[Address], data: ImpressumData,
                           hosts: list[str], name: str | None, form: str | None,
                           name_line: int | None, log: EvidenceLog
                           ) -> tuple[str | None, str | None, int | None, SoleTrader]:
    """The provider when the page shows no legal form of its own: the lines above the address
    (a sole trader), else the page heading. A legal entity below the address block of a
    provider that names a person is another's (the insurer of a lawyer) and gives way. The
    provider's lines are read only when one of these applies: most pages name a company."""
    below = name is not None and name_line is not None and _below_own_block(name_line, addresses)
    if name is not None and not below:
        return name, form, name_line, SoleTrader(None, None)
    provider = provider_lines(p, addresses)
    evidence = person_evidence(data.emails, hosts, [*data.managing_directors,
                                                     *data.responsible_persons])
    if below and name_line is not None:
        # "Volker Seiring / Dreikönigstraße 12 …", later "… R+V Versicherung AG"
        person = read_sole_trader([t for _, t in provider if plausible_name(t)], evidence)
        if person.owner is None:
            return name, form, name_line, SoleTrader(None, None)
        log.add("company_name", name, False, "a legal entity below the provider's own "
                "address block, which names a person", name_line, p.lines[name_line].text)
    sole = read_sole_trader([t for _, t in provider if plausible_name(t.split(": ")[-1])],
                            evidence)
    name = sole.company_name
    name_line = next((line for line, text in provider if name and name in text),
                     provider[0][0] if provider else None)
    if name is not None and name_line is not None:
        log.add("company_name", name, True, "no legal form on the page: the provider's "
                f"lines above the address (owner: {sole.owner or 'none named'})",
                name_line, p.lines[name_line].text)
        return name, None, name_line, sole
    name, name_line = name_in_heading(p)
    if name is not None:  # "Impressum – Dr. med. dent. Daniel Neuhauser": a person
        sole = read_sole_trader([name], evidence)
        name = sole.company_name
    log.add("company_name", name, True, "named in the page heading", name_line,
            p.lines[name_line].text if name_line is not None else None)
    return name, None, name_line, sole


def _below_own_block(line: int, addresses: list[Address]) -> bool:
    """Whether `line` stands below the first address of the provider's text by more than the
    lines a name block takes (the name stands above its address)."""
    first = next((a for a in addresses if a.street), None)
    return first is not None and line > first.line + 2


@lru_cache(maxsize=1)
def _freemail() -> frozenset[str]:
    return frozenset(email_config().value.freemail_domains)


def _own_mailboxes(emails: list[str], host: str | None, company: str | None) -> list[str]:
    """The provider's e-mail addresses: at the site's domain, at the domain of its first
    address, at a domain named like the company, or at a freemail service. Another
    organisation's mailbox on the page (the agency of the person responsible for content, a
    youth-protection officer's law firm) has none of this evidence and is left out."""
    domains = [_DE_MAIL.sub("", e.split("@")[-1]) for e in emails]  # De-Mail: the body's name
    first_own = next((d for d in domains if d not in _freemail()), None)
    owns = {d.removeprefix("www.") for d in (host, first_own) if d}
    labels = {domain_label(d) for d in owns if d.count(".") == 1}
    name = squash(company or "")

    def own(domain: str) -> bool:
        # "bmds.bund.de" and "digitalservice.bund.de" are two bodies: deeper hosts must match
        label = domain_label(domain) or "" if domain.count(".") == 1 else domain
        return domain in _freemail() or domain in owns or label in labels or (
            len(label) >= 4 and label in name)

    return [e for e, d in zip(emails, domains, strict=True) if own(d)]


def _before_legal_text(p: Page, found: list[tuple[int, str]],
                       kin: Callable[[str], str]) -> list[str]:
    """Values from the Impressum's own block; values from the legal small print only when the
    block gave none, or when they share a kin key (an e-mail's domain) with the block's."""
    own = [v for line, v in found if not p.in_legal_text(line)]
    kins = {kin(v) for v in own}
    later = [v for line, v in found if p.in_legal_text(line) and (not own or kin(v) in kins)]
    return own + later


def _fill_from_schema(data: ImpressumData, schema: list[dict[str, object]], region: str) -> None:
    """schema.org fills what the page text did not give."""
    for org in schema:
        if data.company_name is None:
            data.company_name = str(org.get("legal_name") or org.get("name") or "") or None
        if data.street is None and data.postcode is None and org.get("postcode"):
            data.street = org.get("street")  # type: ignore[assignment]
            data.postcode = str(org["postcode"])
            data.city = org.get("city")  # type: ignore[assignment]
        if not data.phones:
            data.phones = [e for e in (f.parse_phone(str(t), region)
                                       for t in org["phones"]) if e]  # type: ignore[attr-defined]
        if data.fax is None and org.get("fax"):
            data.fax = f.parse_phone(str(org["fax"]), region)
        if not data.emails:
            data.emails = dedupe(list(org["emails"]))  # type: ignore[call-overload]
        if data.vat_id is None and org.get("vat"):
            data.vat_id = find_vat(str(org["vat"]))
        if data.country is None and org.get("country"):
            data.country = str(org["country"])[:2].upper()

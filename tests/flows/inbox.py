"""A small inbox (one purchased list with its metadata file, one form export) for flow tests."""

from __future__ import annotations

import json
from pathlib import Path

LIST_CSV = (
    "Firma;Anrede;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    "Müller Maschinenbau GmbH;Herr;Jürgen;Müller;Hauptstraße;12a;80331;München;"
    "089 1234560;j.mueller@mueller-maschinenbau.de\n"
    "Weiß & Söhne KG;Frau;Anna;Weiß;Am Markt;3-5;50667;Köln;0221 987654;info@weiss-soehne.de\n"
    ";;;;Nirgendwo;1;12345;Irgendwo;;\n"
)

SIDECAR = "vendor: Adressverlag Test\nacquired_on: 2026-11-20\nprovenance_documented: true\n"

FORM = {
    "submission_id": "sub-1", "form_id": "contact-de", "page_url": "https://example.de/kontakt",
    "submitted_at": "2026-11-25T10:15:00+01:00", "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0", "request_type": "demo", "message": "Bitte Demo",
    "company": "Beispiel GmbH", "first_name": "Erika", "last_name": "Beispiel",
    "email": "erika.beispiel@beispiel.de", "phone": "+49 30 1234567",
    "consent": {"channels": ["email"], "consent_text_version": "v3",
                "consent_text": "Ja, Beispiel GmbH darf mir E-Mails senden.",
                "pre_ticked": False, "doi_confirmed_at": "2026-11-25T10:20:00+01:00",
                "phone_verified": False},
}


def make_inbox(root: Path) -> Path:
    """Write the inbox under `root` and return it: 3 list rows (1 to quarantine), 1 form."""
    (root / "lists").mkdir(parents=True)
    (root / "forms").mkdir(parents=True)
    (root / "lists" / "testliste.csv").write_bytes(LIST_CSV.encode("cp1252"))
    (root / "lists" / "testliste.csv.yaml").write_text(SIDECAR, encoding="utf-8")
    (root / "forms" / "export.ndjson").write_text(json.dumps(FORM) + "\n", encoding="utf-8")
    return root

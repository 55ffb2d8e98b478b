"""Companies: legal forms, match names, register lines, VAT IDs, domains, WZ, size class."""

from __future__ import annotations

import pytest

from enrichment.company import domains_agree, enrich_company, size_class, wz_section


@pytest.mark.parametrize(
    ("value", "legal_form", "match_name"),
    [
        ("Müller Maschinenbau GmbH", "GmbH", "mueller maschinenbau"),
        ("Müller Maschinenbau G.m.b.H.", "GmbH", "mueller maschinenbau"),
        ("MUELLER MASCHINENBAU GMBH", "GmbH", "mueller maschinenbau"),
        ("Müller Maschinenbau Gesellschaft mit beschränkter Haftung", "GmbH",
         "mueller maschinenbau"),
        ("Straßenbau Groß gGmbH", "gGmbH", "strassenbau gross"),
        ("Beispiel AG", "AG", "beispiel"),
        ("Beispiel SE", "SE", "beispiel"),
        ("Start UG (haftungsbeschränkt)", "UG (haftungsbeschränkt)", "start"),
        ("Bäckerei Schmidt GmbH & Co. KG", "GmbH & Co. KG", "baeckerei schmidt"),
        ("Bäckerei Schmidt GmbH & Co KG", "GmbH & Co. KG", "baeckerei schmidt"),
        ("Start UG (haftungsbeschränkt) & Co. KG", "UG (haftungsbeschränkt) & Co. KG", "start"),
        ("Start UG & Co. KG", "UG (haftungsbeschränkt) & Co. KG", "start"),
        ("Meier KG", "KG", "meier"),
        ("Meier & Söhne OHG", "OHG", "meier soehne"),
        ("Weber und Klein GbR", "GbR", "weber klein"),
        ("Weber Partner PartG", "PartG", "weber partner"),
        ("Weber Partner PartG mbB", "PartG mbB", "weber partner"),
        ("Blumen Meier e.K.", "e.K.", "blumen meier"),
        ("Blumen Meier e.Kfm.", "e.K.", "blumen meier"),
        ("Blumen Meier e. Kfr.", "e.K.", "blumen meier"),
        ("Volksbank Musterstadt eG", "eG", "volksbank musterstadt"),
        ("Sportverein Grün-Weiß e.V.", "e.V.", "sportverein gruen weiss"),
        ("Bürgerstiftung Musterstadt Stiftung", "Stiftung", "buergerstiftung musterstadt"),
        ("Handwerkskammer Musterstadt KdöR", "KdöR", "handwerkskammer musterstadt"),
        ("Alpen Holz Ges.m.b.H.", "GesmbH", "alpen holz"),
        ("Alpen Holz GesmbH", "GesmbH", "alpen holz"),
        ("Wien Tech FlexCo", "FlexCo", "wien tech"),
        ("Graz Partner OG", "OG", "graz partner"),
        ("Atelier Dupont Sàrl", "Sàrl", "atelier dupont"),
        ("Atelier Dupont S.à r.l.", "Sàrl", "atelier dupont"),
        ("Genève Montres SA", "SA", "geneve montres"),
        ("Müller Einzelunternehmen", "Einzelunternehmen", "mueller"),
        ("Die Firma Müller & Co. GmbH", "GmbH", "mueller"),
    ],
)
def test_legal_forms(value: str, legal_form: str, match_name: str) -> None:
    result = enrich_company(value)
    assert result.legal_form == legal_form
    assert result.match_name == match_name


def test_no_legal_form_is_a_reason() -> None:
    result = enrich_company("Fotografie Petra Weber")
    assert result.legal_form is None
    assert "legal_form_not_found" in result.reasons
    assert result.match_name == "fotografie petra weber"


@pytest.mark.parametrize(
    ("value", "court", "number"),
    [
        ("Amtsgericht München HRB 123456", "Amtsgericht München", "HRB 123456"),
        ("AG München, HRB 123456", "Amtsgericht München", "HRB 123456"),
        ("Registergericht: Amtsgericht Berlin-Charlottenburg, HRB 98765 B",
         "Amtsgericht Charlottenburg", "HRB 98765 B"),
        ("Amtsgericht Berlin HRB 98765 B", "Amtsgericht Charlottenburg", "HRB 98765 B"),
        ("HRB 12345 B Berlin (Charlottenburg)", "Amtsgericht Charlottenburg", "HRB 12345 B"),
        ("Amtsgericht Frankfurt a.M. HRA 5", "Amtsgericht Frankfurt am Main", "HRA 5"),
        ("Handelsregister: HRB 1.234, Amtsgericht Köln", "Amtsgericht Köln", "HRB 1234"),
        ("VR 1234 Amtsgericht Köln", "Amtsgericht Köln", "VR 1234"),
        ("Amtsgericht Hamburg GnR 123", "Amtsgericht Hamburg", "GnR 123"),
        ("Partnerschaftsregister Amtsgericht Essen PR 12", "Amtsgericht Essen", "PR 12"),
    ],
)
def test_register_lines(value: str, court: str, number: str) -> None:
    result = enrich_company(value)
    assert (result.register_court, result.register_number) == (court, number)
    assert result.name is None


def test_everything_in_one_string() -> None:
    result = enrich_company("Muster GmbH, Amtsgericht München HRB 123456, USt-IdNr. DE136695976")
    assert (result.name, result.legal_form, result.register_court, result.register_number,
            result.vat_id) == ("Muster GmbH", "GmbH", "Amtsgericht München", "HRB 123456",
                               "DE136695976")
    assert result.reasons == []


@pytest.mark.parametrize(
    ("value", "vat"),
    [
        ("USt-IdNr. DE136695976", "DE136695976"),
        ("USt-ID: DE 136 695 976", "DE136695976"),
        ("DE136695976", "DE136695976"),
        ("UID: ATU13585627", "ATU13585627"),
        ("MWST-Nr. CHE-116.281.710 MWST", "CHE-116.281.710 MWST"),
        ("VAT FR40303265045", "FR40303265045"),
    ],
)
def test_valid_vat_ids(value: str, vat: str) -> None:
    assert enrich_company(value).vat_id == vat


@pytest.mark.parametrize("value", ["USt-IdNr. DE136695977", "UID: ATU13585628", "VAT: DE12"])
def test_invalid_vat_is_null_with_reason(value: str) -> None:
    result = enrich_company(value)
    assert result.vat_id is None
    assert any(r.startswith("vat_invalid") for r in result.reasons)


@pytest.mark.parametrize(
    ("value", "reason"), [(None, "missing"), ("", "empty"), ("  \u200b ", "empty")]
)
def test_empty_and_missing(value: str | None, reason: str) -> None:
    assert enrich_company(value).reasons == [reason]


def test_emoji_removed_with_reason() -> None:
    result = enrich_company("Blumen 🌸 Meier GmbH")
    assert result.name == "Blumen Meier GmbH"
    assert "emoji_removed" in result.reasons


@pytest.mark.parametrize(
    ("website", "email_domain", "agree"),
    [
        ("https://www.mueller.de/impressum", "mueller.de", True),
        ("shop.mueller.de", "mail.mueller.de", True),
        ("www.mueller.de", "mueller-gmbh.de", False),
        ("www.mueller.co.uk", "mueller.co.uk", True),
        (None, "mueller.de", None),
    ],
)
def test_domains_agree(website: str | None, email_domain: str, agree: bool | None) -> None:
    assert domains_agree(website, email_domain) is agree


@pytest.mark.parametrize(
    ("code", "canonical", "section"),
    [("62.01", "62.01", "J"), ("6201", "62.01", "J"), ("J 62.01.0", "62.01", "J"),
     ("28", "28", "C"), ("47.11", "47.11", "G"), ("86.21", "86.21", "Q")],
)
def test_wz_sections(code: str, canonical: str, section: str) -> None:
    assert wz_section(code)[:2] == (canonical, section)


def test_unknown_wz_division_has_reason() -> None:
    assert wz_section("04.11") == (None, None, ["wz_division_unknown: 04"])


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        ("5", None, "micro"),
        ("10-49", None, "small"),
        ("50 bis 249", None, "medium"),
        ("1.200", None, "large"),
        ("ca. 250", None, "large"),
        (None, "1,5 Mio. €", "micro"),
        (None, "8.000.000", "small"),
        (None, "45 Mio EUR", "medium"),
        (None, "2 Mrd.", "large"),
        ("12", "99 Mrd.", "small"),  # employees win over revenue
        (None, None, None),
    ],
)
def test_size_class(employees: str | None, revenue: str | None, expected: str | None) -> None:
    assert size_class(employees, revenue)[0] == expected


def test_unreadable_employees_has_reason() -> None:
    assert size_class("viele", None) == (None, ["employees_unreadable: viele"])

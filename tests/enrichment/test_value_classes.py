"""The forms real values take, one test per class of issue #16 (items 7-14).

Each case is written here in the shape it was seen in public lists and Impressum pages; the
expected values follow shared/contracts/inspect.md.
"""

from __future__ import annotations

import pytest

from enrichment.address import enrich_address
from enrichment.company import enrich_company
from enrichment.email import enrich_email
from enrichment.person import enrich_person_line
from enrichment.phone import enrich_phone


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("Stadtwerke Nord mbH", "GmbH"),
        ("Schulz Bau m.b.H.", "GmbH"),
        ("Gesellschaft mit beschränkter Haftung Meier Bau", "GmbH"),
        ("MEIER LOGISTIK GMBH & CO KG", "GmbH & Co. KG"),
        ("MÜLLER BAU GMBH", "GmbH"),
        ("Hofmann GmbH & Co Kommanditgesellschaft", "GmbH & Co. KG"),
        ("Lebenshilfe Werkstätten gemeinnützige GmbH", "gGmbH"),
        ("Schmidt & Partner Gbr", "GbR"),
        ("Raiffeisenbank Oberland e.G.", "eG"),
        ("Roth Kanzlei PartG mbB", "PartG mbB"),
        ("Roth Partnerschaftsgesellschaft mit beschränkter Berufshaftung", "PartG mbB"),
        ("Handwerkskammer Trier KdöR", "KdöR"),
        ("Bürgerstiftung Hamburg", "Stiftung"),
        ("Hans-Böckler-Stiftung", "Stiftung"),
        ("Merck SE & Co. KGaA", "SE & Co. KGaA"),
        ("Henkel AG & Co. KGaA", "AG & Co. KGaA"),
    ],
)
def test_legal_forms_written_out_in_capitals_or_dotted(value: str, form: str) -> None:
    assert enrich_company(value).legal_form == form


@pytest.mark.parametrize(
    "value", ["Ev. Kirchengemeinde Köln", "Tag und Nacht Kg Service", "Stiftungsrat Meier"])
def test_no_legal_form_read_from_ordinary_words(value: str) -> None:
    assert enrich_company(value).legal_form is None


@pytest.mark.parametrize(
    ("value", "court", "number"),
    [
        ("Registergericht Köln HRB 1234", "Amtsgericht Köln", "HRB 1234"),
        ("Registration Court: District Court Munich, HRB 12345", "Amtsgericht München",
         "HRB 12345"),
        ("Amtsgericht Berlin (Charlottenburg) HRB 1234 B", "Amtsgericht Charlottenburg",
         "HRB 1234 B"),
        ("Amtsgericht München (Registergericht) HRB 1", "Amtsgericht München", "HRB 1"),
        ("Registergericht: Amtsgericht Köln HRB-Nr. 5678", "Amtsgericht Köln", "HRB 5678"),
        ("HRB: 1234, Amtsgericht Bonn", "Amtsgericht Bonn", "HRB 1234"),
        ("HRB 12 345, Amtsgericht Essen", "Amtsgericht Essen", "HRB 12345"),
        ("Handelsregister HR B 4711, Amtsgericht Kiel", "Amtsgericht Kiel", "HRB 4711"),
        ("Vereinsregister Amtsgericht Hamburg VR 12345", "Amtsgericht Hamburg", "VR 12345"),
        ("Genossenschaftsregister Amtsgericht Hannover GnR 123", "Amtsgericht Hannover",
         "GnR 123"),
        ("Partnerschaftsregister Amtsgericht Essen PR 1234", "Amtsgericht Essen", "PR 1234"),
        ("Registergericht: Amtsgericht Düsseldorf\nRegisternummer: HRB 98765",
         "Amtsgericht Düsseldorf", "HRB 98765"),
    ],
)
def test_register_strings_in_the_forms_they_occur(value: str, court: str, number: str) -> None:
    result = enrich_company(value)
    assert (result.register_court, result.register_number) == (court, number)
    assert result.name is None


def test_several_facts_on_one_line_separated_by_bars() -> None:
    result = enrich_company("Firma GmbH | Amtsgericht Stuttgart | HRB 12345 | "
                            "USt-IdNr. DE136695976")
    assert (result.name, result.legal_form, result.register_court, result.register_number,
            result.vat_id) == ("Firma GmbH", "GmbH", "Amtsgericht Stuttgart", "HRB 12345",
                               "DE136695976")


@pytest.mark.parametrize(
    "value", ["USt-ID: DE 136 695 976", "UST-IdNr.: DE136695976", "Ust-ID DE136695976",
              "Umsatzsteuer-Identifikationsnummer gemäß § 27a UStG: DE 136695976"])
def test_vat_ids_with_spaces_and_label_variants(value: str) -> None:
    assert enrich_company(value).vat_id == "DE136695976"


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("Tel.: +49 (0) 30 / 123 45-6", "+4930123456"),
        ("T +49 30 1234567", "+49301234567"),
        ("Fon: 030 123456", "+4930123456"),
        ("Handy: 0171 1234567", "+491711234567"),
        ("Mobil 0171-1234567", "+491711234567"),
        ("Tel.:030/123 456", "+4930123456"),
        ("Tel.-Nr.: 0221 - 12 34 56", "+49221123456"),
        ("+49 (0)89 - 12 34 56", "+4989123456"),
    ],
)
def test_phone_numbers_with_labels_trunk_prefix_and_spaced_separators(value: str,
                                                                      e164: str) -> None:
    result = enrich_phone(value, "DE")
    assert (result.e164, result.valid) == (e164, True)


@pytest.mark.parametrize(
    ("value", "title", "first", "last"),
    [
        ("Dr. Anna von der Heide", "Dr.", "Anna", "von der Heide"),
        ("Prof. Dr. Hans vor dem Esche", "Prof. Dr.", "Hans", "vor dem Esche"),
        ("Max Müller genannt Schmidt", None, "Max", "Müller genannt Schmidt"),
        ("Karl zu Guttenberg", None, "Karl", "zu Guttenberg"),
        ("Dipl.-Kff. Maria Schulz", "Dipl.-Kff.", "Maria", "Schulz"),
        ("Dipl.-Sozialpäd. (FH) Jana Berg", "Dipl.-Sozialpäd. (FH)", "Jana", "Berg"),
        ("Müller, Hans", None, "Hans", "Müller"),
        ("Notar Dr. Klaus Berg", "Dr.", "Klaus", "Berg"),
        ("Rechtsanwältin Eva Roth", None, "Eva", "Roth"),
    ],
)
def test_names_with_particles_degrees_and_professions(value: str, title: str | None,
                                                      first: str, last: str) -> None:
    result = enrich_person_line(value)
    assert (result.title, result.first_name, result.last_name) == (title, first, last)


@pytest.mark.parametrize(
    ("value", "role", "seniority"),
    [
        ("Anna Schmidt | Sachbearbeiterin", None, "staff"),
        ("Bernd Meier | Referent Öffentlichkeitsarbeit", None, "staff"),
        ("Jan Roth | Außendienstmitarbeiter", "Vertrieb", "staff"),
        ("Eva Lang | Verwaltungsangestellte", None, "staff"),
        ("Jana Kühn | Systemadministratorin", "IT", "staff"),
        ("Tom Hill | CEO & Founder", "Geschäftsführung", "owner"),
        ("Tom Hill | Gründer und Geschäftsführer", "Inhaber", "owner"),
    ],
)
def test_roles_and_seniority_of_staff_and_english_titles(value: str, role: str | None,
                                                         seniority: str) -> None:
    result = enrich_person_line(value)
    assert (result.role, result.seniority) == (role, seniority)
    assert result.decision_maker is (seniority in ("owner", "executive", "head"))


@pytest.mark.parametrize(
    "address", ["poststelle@stadt-musterhausen.de", "verwaltung@verein.de",
                "zentrale@firma.de", "buchhaltung@firma.de", "sekretariat@gymnasium.de",
                "info.koeln@firma.de", "vertrieb-nord@firma.de"])
def test_role_mailboxes_of_german_organisations(address: str) -> None:
    assert enrich_email(address).kind == "role"


def test_a_person_is_not_a_role_mailbox() -> None:
    assert enrich_email("anna.schmidt@firma.de").kind == "personal_business"


@pytest.mark.parametrize(
    ("value", "country", "street", "number", "postcode", "city"),
    [
        ("Hauptstr. 12a, 80331 München.", "DE", "Hauptstr.", "12a", "80331", "München"),
        ("Musterweg 3 . 12345 Berlin", "DE", "Musterweg", "3", "12345", "Berlin"),
        ("Am Markt 1 · 54290 Trier", "DE", "Am Markt", "1", "54290", "Trier"),
        ("Hauptstr. 12 80331 München", "DE", "Hauptstr.", "12", "80331", "München"),
        ("Bahnhofstraße 5, D-10115 Berlin", "DE", "Bahnhofstraße", "5", "10115", "Berlin"),
        ("Lange Gasse 6/1/242, 1080 Wien", "AT", "Lange Gasse", "6/1/242", "1080", "Wien"),
        ("c/o Firma X, Bahnhofstr. 5, 10115 Berlin", "DE", "Bahnhofstr.", "5", "10115",
         "Berlin"),
        ("Mainzer Landstr. 5, 60329 Frankfurt a.M.", "DE", "Mainzer Landstr.", "5", "60329",
         "Frankfurt a.M."),
    ],
)
def test_addresses_with_full_stops_dot_separators_and_austrian_numbers(
        value: str, country: str, street: str, number: str, postcode: str, city: str) -> None:
    result = enrich_address(value, default_country=country)
    assert (result.street, result.house_number, result.postcode, result.city) == (
        street, number, postcode, city)


@pytest.mark.parametrize(
    ("value", "court", "number"),
    [
        ("Register Number: FN 657256 d", None, "FN 657256d"),
        ("Firmenbuchnummer: FN 412345k, Handelsgericht Wien", "Handelsgericht Wien",
         "FN 412345k"),
        ("Registry court: Munich Local Court, HRB 224466", "Amtsgericht München",
         "HRB 224466"),
        ("Vereinsregister: VR – 5538, Amtsgericht Aachen", "Amtsgericht Aachen", "VR 5538"),
    ],
)
def test_austrian_and_english_register_strings_seen_held_out(value: str, court: str | None,
                                                             number: str) -> None:
    result = enrich_company(value)
    assert (result.register_court, result.register_number) == (court, number)


@pytest.mark.parametrize(("value", "form"), [("pfm medical ag", "AG"), ("bawaco gmbh", "GmbH")])
def test_names_in_lower_case_are_read_ignoring_case(value: str, form: str) -> None:
    assert enrich_company(value).legal_form == form


def test_vat_label_variant_ustr_idnr() -> None:
    assert enrich_company("UStr-IDNr: DE136695976").vat_id == "DE136695976"


def test_house_number_glued_to_an_abbreviated_street() -> None:
    result = enrich_address("Ernst-Barlach-Str.3, 23843 Bad Oldesloe")
    assert (result.street, result.house_number) == ("Ernst-Barlach-Str.", "3")


@pytest.mark.parametrize(
    ("value", "salutation", "seniority"),
    [("Claudia Edmund | Geschäftsinhaberin", "Frau", "owner"),
     ("Petra Lange | Abteilungsdirektorin", "Frau", "head")],
)
def test_feminine_compound_titles(value: str, salutation: str, seniority: str) -> None:
    result = enrich_person_line(value)
    assert (result.salutation, result.seniority) == (salutation, seniority)


def test_diplom_degree_written_with_a_space() -> None:
    result = enrich_person_line("Dipl. Phys. Hans Beckhoff")
    assert (result.first_name, result.last_name) == ("Hans", "Beckhoff")

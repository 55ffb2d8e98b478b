"""Impressum extraction: micro-F1 over the fixture pages, and one test per trap."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrichment.impressum import build_nlp, extract_impressum
from enrichment.impressum.emails import find_emails, mailto_address
from enrichment.impressum.extract import CONTRACT_KEYS
from enrichment.impressum.fields import find_phones
from enrichment.impressum.html import decode_html, parse_html
from enrichment.register import find_vat
from tests.enrichment.impressum.scoring import Report, compare, load_fixture, score_dir

FIXTURES = Path(__file__).parents[2] / "fixtures" / "impressum"


def _page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"


# ------------------------------------------------------------------------------ quality bar
@pytest.mark.parametrize("subset", ["dev", "heldout"])
def test_micro_f1_at_least_090(subset: str) -> None:
    report = score_dir(FIXTURES / subset)
    assert report.total.f1 >= 0.90, "\n".join(report.errors)


def test_fixture_set_is_large_enough() -> None:
    assert len(list(FIXTURES.glob("*/*.html"))) >= 30


def test_scoring_counts_wrong_values_twice_and_lists_as_sets() -> None:
    report = Report()
    expected = {"company_name": "A GmbH", "emails": ["a@a.de", "b@a.de"], "vat_id": None}
    predicted = {"company_name": "B GmbH", "emails": ["A@a.de", "c@a.de"], "vat_id": None}
    compare("x", predicted, expected, report)
    assert (report.total.tp, report.total.fp, report.total.fn) == (1, 2, 2)


# -------------------------------------------------------------------------------- contract
def test_contract_has_exactly_the_keys_and_types() -> None:
    data = extract_impressum(_page("<p>Beispiel GmbH<br>Hauptstr. 1<br>10115 Berlin</p>"))
    contract = data.to_contract()
    assert tuple(contract) == CONTRACT_KEYS
    for key in ("phones", "emails", "managing_directors", "responsible_persons"):
        assert isinstance(contract[key], list)
    assert contract["fax"] is None
    assert contract["vat_id"] is None


@pytest.mark.parametrize("html", ["", "<html></html>", "<<<>>>", "\x00\x01", "<p>Hallo</p>"])
def test_odd_pages_do_not_raise(html: str) -> None:
    contract = extract_impressum(html).to_contract()
    assert contract["company_name"] is None
    assert contract["phones"] == []


def test_pipeline_is_built_once() -> None:
    assert build_nlp() is build_nlp()


# ---------------------------------------------------------------------------------- layout
def test_html_keeps_field_boundaries() -> None:
    page = parse_html(_page(
        "<nav>Menü Impressum</nav><p>A GmbH<br>Weg 1</p><table><tr><td>Tel</td><td>030 1</td></tr>"
        "</table><dl><dt>Fax</dt><dd>030 2</dd></dl><script>var x=1</script>"
        "<ul><li>a</li><li>b</li></ul>"
    ))
    chunks = [c.lines for c in page.chunks]
    assert ["A GmbH", "Weg 1"] in chunks
    assert ["Tel | 030 1"] in chunks
    assert ["Fax", "030 2"] in chunks
    assert not any("Menü" in line or "var x" in line for c in chunks for line in c)


def test_iso_8859_1_bytes_decode() -> None:
    raw = _page("<p>Bäckerei Größ GmbH<br>Straße 1<br>12345 Köln</p>").replace(
        "utf-8", "iso-8859-1").encode("latin-1")
    data = extract_impressum(decode_html(raw))
    assert data.company_name == "Bäckerei Größ GmbH"
    assert data.city == "Köln"


# ---------------------------------------------------------------------------------- e-mails
@pytest.mark.parametrize("text", [
    "info [at] firma [punkt] de", "info(at)firma.de", "info at firma dot de", "info (ät) firma.de",
    "info{at}firma(dot)de", "INFO@FIRMA.DE", "ed.amrif@ofni", "info @ firma . de",
])
def test_obfuscated_emails(text: str) -> None:
    assert find_emails(text) == ["info@firma.de"]


def test_percent_encoded_and_cloudflare_mailto() -> None:
    assert mailto_address("%69%6E%66%6F%40firma.de?subject=Hi") == "info@firma.de"
    key = 0x42
    encoded = f"{key:02x}" + "".join(f"{ord(c) ^ key:02x}" for c in "post@firma.de")
    html = _page(f"<p>Firma GmbH<br>E-Mail: <span data-cfemail='{encoded}'>[email protected]"
                 "</span></p>")
    assert extract_impressum(html).emails == ["post@firma.de"]


def test_reversed_email_with_css_hint() -> None:
    html = ("<html><head><style>.r{direction:rtl;unicode-bidi:bidi-override}</style></head><body>"
            "<p>Muster GmbH, Weg 2, 12345 Ort</p><p>Mail: <span class='r'>"
            "ed.retsum@retsum.xam</span></p></body></html>")
    assert extract_impressum(html).emails == ["max.muster@muster.de"]


# ----------------------------------------------------------------------------------- phones
@pytest.mark.parametrize("text", [
    "030 12345678", "030/12345678", "(030) 123 456 78", "+49 30 12345678", "+49 (0)30 12345678",
    "0049 30 12345678", "030-123 456 78", "+49 (0) 30 / 123 456 78", "030 / 12 34 56 78",
])
def test_german_phone_notations(text: str) -> None:
    assert find_phones(text, "DE") == ["+493012345678"]


def test_phone_and_fax_separated_and_durchwahl_kept() -> None:
    html = _page("<p>Firma GmbH<br>Tel.: 0711 / 34 56 78-0 · Fax: 0711 / 34 56 78-99</p>")
    data = extract_impressum(html)
    assert data.phones == ["+497113456780"]
    assert data.fax == "+4971134567899"


# ------------------------------------------------------------------------------------ traps
BASE = ("<h1>Impressum</h1><p>Angaben gemäß § 5 DDG</p><p>Kern Werkzeug GmbH<br>Talweg 4<br>"
        "72070 Tübingen</p><p>Telefon: 07071 55 66 77<br>E-Mail: info@kern-werkzeug.de</p>"
        "<p>Geschäftsführer: Ralf Kern</p><p>Amtsgericht Stuttgart HRB 123456</p>")


@pytest.mark.parametrize("third_party", [
    "<h3>Konzept &amp; Design</h3><p>Blauwerk Agentur GmbH<br>Neue Str. 9<br>89073 Ulm<br>"
    "Tel. 0731 999 888<br>mail@blauwerk.de</p>",
    "<p>Hosting: Webhost Deutschland AG, Serverweg 1, 90402 Nürnberg, support@webhost.de</p>",
    "<h3>Datenschutzbeauftragter</h3><p>Dr. Ina Scholz<br>Privacy Partner GmbH<br>Ring 3<br>"
    "50667 Köln<br>E-Mail: scholz@privacy-partner.de<br>Telefon: 0221 11 22 33</p>",
    "<p>Zuständige Aufsichtsbehörde: Landratsamt Tübingen, Wilhelm-Keil-Str. 50, "
    "72072 Tübingen</p>",
    "<p>Mitglied der Industrie- und Handelskammer Reutlingen, Hindenburgstr. 54, "
    "72762 Reutlingen</p>",
    "<p>Berufshaftpflichtversicherung: Sicher Versicherung AG, Platz 1, 80331 München, "
    "Amtsgericht München HRB 999999</p>",
    "<p>Bildnachweis: Studio Licht GmbH, Fotoweg 3, 10115 Berlin</p>",
    "<p>Online-Streitbeilegung: https://ec.europa.eu/consumers/odr/ – Wir nehmen nicht teil.</p>",
])
def test_third_parties_are_not_the_company(third_party: str) -> None:
    for html in (_page(BASE + third_party), _page(third_party + BASE)):
        data = extract_impressum(html)
        assert data.company_name == "Kern Werkzeug GmbH"
        assert (data.street, data.postcode, data.city) == ("Talweg 4", "72070", "Tübingen")
        assert data.emails == ["info@kern-werkzeug.de"]
        assert data.phones == ["+497071556677"]
        assert data.register_number == "HRB 123456"
        assert data.register_court == "Amtsgericht Stuttgart"
        assert data.managing_directors == ["Ralf Kern"]


def test_steuernummer_is_not_a_vat_id() -> None:
    html = _page(BASE + "<p>Steuernummer: 86118/12345<br>Finanzamt Tübingen</p>")
    assert extract_impressum(html).vat_id is None


def test_vat_with_bad_check_digits_is_null() -> None:
    assert find_vat("USt-IdNr.: DE534640972") is None
    assert find_vat("USt-IdNr.: DE 534 640 971") == "DE534640971"


def test_kg_is_the_company_not_its_general_partner() -> None:
    html = _page(
        "<p>Komplementärin: Alt Verwaltungs GmbH, Amtsgericht Ulm HRB 7001</p>"
        "<p>Alt Bau GmbH &amp; Co. KG<br>Bahnhofplatz 1<br>89073 Ulm</p>"
        "<p>Registergericht: Amtsgericht Ulm, HRA 5005</p>"
        "<p>Geschäftsführer der Komplementärin: Jana Alt und Uwe Alt</p>")
    data = extract_impressum(html)
    assert data.company_name == "Alt Bau GmbH & Co. KG"
    assert data.legal_form == "GmbH & Co. KG"
    assert data.register_number == "HRA 5005"
    assert data.managing_directors == ["Jana Alt", "Uwe Alt"]


def test_managing_director_lists_are_split() -> None:
    html = _page(BASE.replace("Ralf Kern", "Dr. Max Muster, Erika Beispiel und Prof. Hans Test"))
    expected = ["Max Muster", "Erika Beispiel", "Hans Test"]
    assert extract_impressum(html).managing_directors == expected


def test_responsible_person_after_legal_reference() -> None:
    html = _page(BASE + "<p>Verantwortlich für den Inhalt nach § 55 Abs. 2 RStV: Petra Kern, "
                        "Talweg 4, 72070 Tübingen</p>")
    assert extract_impressum(html).responsible_persons == ["Petra Kern"]


def test_austrian_page() -> None:
    html = _page("<p>Offenlegung gem. § 25 MedienG</p><p>Donau Bau GmbH<br>Hafenstraße 3<br>"
                 "4020 Linz</p><p>FN 98765 b, Landesgericht Linz<br>UID: ATU24419555<br>"
                 "Tel: 0732 123456</p>")
    data = extract_impressum(html)
    assert (data.country, data.register_number, data.register_court, data.vat_id) == (
        "AT", "FN 98765b", "Landesgericht Linz", "ATU24419555")
    assert data.phones == ["+43732123456"]


def test_swiss_page() -> None:
    html = _page("<p>Berg Uhren AG<br>Marktgasse 5<br>3011 Bern</p><p>Tel. 031 123 45 67</p>"
                 "<p>Handelsregisteramt des Kantons Bern, CHE-423.012.418, "
                 "MWST CHE-423.012.418</p>")
    data = extract_impressum(html)
    assert (data.country, data.register_number, data.vat_id) == (
        "CH", "CHE-423.012.418", "CHE-423.012.418 MWST")
    assert data.phones == ["+41311234567"]


def test_english_imprint() -> None:
    html = _page("<h1>Legal notice</h1><p>Rivet Labs GmbH<br>Hafenweg 2<br>48155 Münster</p>"
                 "<p>Represented by: Tom Reed<br>Phone: +49 251 123456<br>"
                 "Email: hi@rivet-labs.de</p>"
                 "<p>Register court: Local Court of Münster, HRB 4242</p>")
    data = extract_impressum(html)
    assert data.managing_directors == ["Tom Reed"]
    assert (data.register_court, data.register_number) == ("Amtsgericht Münster", "HRB 4242")


def test_schema_org_fills_gaps() -> None:
    html = ('<html><head><script type="application/ld+json">{"@type":"LocalBusiness",'
            '"name":"Café Sonne GmbH","telephone":"+49 89 123456","email":"hallo@cafe-sonne.de",'
            '"address":{"streetAddress":"Sonnenstr. 1","postalCode":"80331",'
            '"addressLocality":"München"}}</script></head><body><p>Impressum</p></body></html>')
    data = extract_impressum(html)
    assert (data.company_name, data.street, data.postcode, data.city) == (
        "Café Sonne GmbH", "Sonnenstr. 1", "80331", "München")
    assert data.phones == ["+4989123456"]
    assert data.emails == ["hallo@cafe-sonne.de"]


def test_load_fixture_reads_expected_next_to_page() -> None:
    html, expected = load_fixture(next((FIXTURES / "dev").glob("*.html")))
    assert "<html" in html.lower()
    assert set(expected) == set(CONTRACT_KEYS)


def test_bank_details_are_neither_phone_nor_vat() -> None:
    html = _page(BASE + "<p>Bankverbindung: Sparkasse Tübingen<br>"
                        "IBAN: DE89 3704 0044 0532 0130 00<br>BIC: SOLADES1TUB</p>")
    data = extract_impressum(html)
    assert data.phones == ["+497071556677"]
    assert data.vat_id is None


def test_fields_laid_out_with_runs_of_spaces() -> None:
    html = _page("<div>Lenz Kältetechnik GmbH  Ringstr. 4  04109 Leipzig  Telefon: 0341 998877  "
                 "E-Mail: info @ lenz-kaelte . de  Geschäftsführer: Uwe Lenz  "
                 "Registergericht: Amtsgericht Leipzig  Registernummer: HRB 5151</div>"
                 "<p>Web design: Studio Blau, Tel. 0221 123456, hallo@studio-blau.de</p>")
    data = extract_impressum(html)
    assert (data.street, data.city) == ("Ringstr. 4", "Leipzig")
    assert data.emails == ["info@lenz-kaelte.de"]
    assert data.phones == ["+49341998877"]
    assert data.managing_directors == ["Uwe Lenz"]


def test_mailto_behind_link_text_keeps_its_block_role() -> None:
    agency = '<p>Webdesign: <a href="mailto:hallo@agentur.de">Agentur Blau</a></p>'
    own = '<p>E-Mail: <a href="mailto:%69%6E%66%6F%40kern-werkzeug.de">Schreiben Sie uns</a></p>'
    html = _page(BASE.replace("<br>E-Mail: info@kern-werkzeug.de", "") + own + agency)
    assert extract_impressum(html).emails == ["info@kern-werkzeug.de"]


def test_dates_and_opening_hours_are_not_phones() -> None:
    html = _page(BASE + "<p>Stand: 01.01.2024</p><p>Öffnungszeiten: Mo–Fr 08:00 – 17:00 Uhr</p>"
                        "<p>Seit 1998 für Sie da.</p>")
    assert extract_impressum(html).phones == ["+497071556677"]


@pytest.mark.parametrize(("body", "name", "owner"), [
    ("<p>Angaben gemäß § 5 TMG<br>Max Muster<br>Musterweg 1<br>12345 Musterstadt</p>",
     "Max Muster", ["Max Muster"]),
    ("<p><b>Impressum</b><br>Anna Berg Fotografie<br>Musterweg 1<br>12345 Musterstadt</p>",
     "Anna Berg Fotografie", ["Anna Berg"]),
    ("<p>Impressum:<br>Kontakt<br>Fischhaus Meier<br>Hafen 3<br>27568 Bremerhaven</p>",
     "Fischhaus Meier", []),
])
def test_name_without_legal_form_is_the_line_above_the_address(
        body: str, name: str, owner: list[str]) -> None:
    data = extract_impressum(_page(body))
    assert data.company_name == name
    assert data.managing_directors == owner


# ------------------------------------------------------------------ phenomenon classes (#16)
CLASSES = {
    "c1": "company name from boilerplate (liability text, a label, a disclaimer heading)",
    "c2": "third parties on the page (privacy policy, agency, broker register, bank, members)",
    "c3": "sole traders: owner, trading name, practice with owner, private person",
    "c4": "GmbH & Co. KG whose Komplementär is named first",
    "c5": "layouts: markdown lines, one-line address, D- prefix, c/o, labelled fields, spans",
    "c6": "titles and professions in people, capitals, English labels",
}


@pytest.mark.parametrize("prefix", sorted(CLASSES))
def test_each_phenomenon_class_is_read_without_error(prefix: str) -> None:
    report = Report()
    pages = sorted((FIXTURES / "classes").glob(f"{prefix}_*.html"))
    assert pages, f"no fixture for class {prefix}: {CLASSES[prefix]}"
    for page in pages:
        html, expected = load_fixture(page)
        compare(page.stem, extract_impressum(html).to_contract(), expected, report)
    assert report.total.f1 == 1.0, "\n".join(report.errors)


def test_an_address_written_by_script_is_read_from_its_noscript_fallback() -> None:
    data = extract_impressum(_page(
        "<p>Muster GmbH<br>Hauptstr. 1<br>10115 Berlin<br>E-Mail: <span id='mail'></span>"
        "<noscript>info [at] muster-gmbh [dot] de</noscript></p>"))
    assert data.emails == ["info@muster-gmbh.de"]

"""Expectations for the twelve real address lists in ../shared/real-world/lists (issue #15).

The lists are not copied here: this module only knows, per file, how many data rows it really
has and what a few spot rows must look like in staging. Counts were taken with Python's csv
module and openpyxl: rows after the real header, not counting a `sep=;` line, `#` comment
lines or trailing empty rows; a quoted value spanning lines is one row; error rows (#WERT!)
and a footer row with one value are rows (they belong in quarantine, so they count in `in`).

A spot row is found by `key`, a value that occurs in exactly one row of the file, looked up in
the raw payloads of the batch, so a row whose fields landed in the wrong columns is still found
and reported field by field. Staging keeps raw trimmed strings, so expected values are the
file's values; only the splits and joins of issue #15 differ (PLZ+Ort in one cell, area code
and number in two cells). A tuple lists values that are all right (a school with two e-mail
columns). Files 09 (election candidates) and 10 (head teachers) name persons: 09 is checked on
name fields only, 10 on the school's fields only, and messages never show their values.

The helpers at the end load a file through the CLI and score the spot rows; the tests and
bench/bench_list_mapping.py share them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from tests.conftest import REPO

LISTS_DIR = REPO.parent / "shared" / "real-world" / "lists"

Expected = str | tuple[str, ...]


@dataclass(frozen=True)
class SpotRow:
    key: str
    """A value found in exactly one row of the file (its e-mail, its name)."""
    expect: dict[str, Expected]
    """Canonical staging field -> the value it must hold."""


@dataclass(frozen=True)
class RealList:
    file: str
    rows: int
    """True number of data rows: what the load report's `in` must say."""
    spots: tuple[SpotRow, ...]
    personal: bool = False
    """The file names persons: keep its values out of messages and reports."""


LISTS: tuple[RealList, ...] = (
    RealList("01_berlin_schulen.csv", 917, (
        # `Name` holds school names; `Adresse` is street and number; +49 phones.
        SpotRow("sekretariat@berlin-kolleg.de", {
            "company": "Berlin-Kolleg", "postcode": "10551", "street_full": "Turmstr. 75",
            "phone": "+49 30 901838210", "email": "sekretariat@berlin-kolleg.de",
            "website": "https://www.berlin-kolleg.de"}),
        SpotRow("Sekretariat@oszkim.de", {
            "company": "OSZ Kommunikations-, Informations- und Medientechnik",
            "postcode": "13359", "street_full": "Osloer Str. 23-26", "phone": "+49 30 493070",
            "email": "Sekretariat@oszkim.de", "website": "https://www.oszkim.de/wp"}),
        SpotRow("sekretariat@tmgberlin.de", {
            "company": "Thomas-Mann-Gymnasium", "postcode": "13439",
            "street_full": "Königshorster Str. 10", "phone": "+49 30 414763670",
            "email": "sekretariat@tmgberlin.de", "website": "https://www.tmgberlin.de"}),
    )),
    RealList("02_nrw_schuldaten.csv", 2000, (
        # `sep=;` above the header; Schulbezeichnung_1 is the name (rows whose _2/_3 are
        # empty); Telefonvorwahl + Telefon; `Rechtsform` is a code (1 public, 2 private),
        # staged raw like every value.
        SpotRow("100036@schule.nrw.de", {
            "company": "Gesamtschule Helios", "postcode": "50825", "city": "Köln",
            "street_full": "Borsigstr. 13", "phone": "0221 500558512",
            "email": "100036@schule.nrw.de",
            "website": "https://www.heliosschule.com/sekundarstufe/", "legal_form": "1"}),
        SpotRow("100097@schule.nrw.de", {
            "company": "Förderschule Atheneé Royal", "postcode": "52351", "city": "Düren",
            "street_full": "Rudolf-Diesel-Str. 19", "phone": "02421 2245400",
            "email": "100097@schule.nrw.de", "website": "http://www.ar-dueren.de",
            "legal_form": "1"}),
        SpotRow("100030@schule.nrw.de", {
            "company": "Freie Waldorfschule Rheine", "postcode": "48429", "city": "Rheine",
            "street_full": "Meisenstr. 30", "phone": "05971 9808310",
            "email": "100030@schule.nrw.de", "website": "http://www.waldorfschule-rheine.de",
            "legal_form": "2"}),
    )),
    RealList("03_bochum_schulen_poi.csv", 277, (
        # `name`, `str_hausnr`, `plz_ort` ("44894 Bochum"); one description spans two lines.
        SpotRow("Rupert-Neudeck-Schule", {
            "company": "Rupert-Neudeck-Schule", "street_full": "Dr.-C.-Otto-Straße 88",
            "postcode": "44879", "city": "Bochum", "website": "www.rupert-neudeck-schule.de/"}),
        SpotRow("Amtmann-Kreyenfeld-Schule", {
            "company": "Amtmann-Kreyenfeld-Schule", "street_full": "Kreyenfeldstraße 80",
            "postcode": "44894", "city": "Bochum",
            "website": "www.amtmann-kreyenfeld-schule.de/"}),
        SpotRow("SKM - Wattenscheider Berufsbildungszentrum gGmbH", {
            "company": "SKM - Wattenscheider Berufsbildungszentrum gGmbH",
            "street_full": "Westenfelder Straße 56a", "postcode": "44867", "city": "Bochum",
            "website": "www.wbz-bochum.de"}),
    )),
    RealList("04_hochschulen.csv", 423, (
        # `Hochschulname`; area codes without their 0 ("241"); a postal address beside it.
        SpotRow("Fachhochschule Aachen", {
            "company": "Fachhochschule Aachen", "street_full": "Bayernallee 11",
            "postcode": "52066", "city": "Aachen", "phone": "0241 6009-0",
            "website": "http://www.fh-aachen.de"}),
        SpotRow("Hochschule Zittau/Görlitz", {
            "company": "Hochschule Zittau/Görlitz", "street_full": "Theodor-Körner-Allee 16",
            "postcode": "02763", "city": "Zittau", "phone": "03583 6120",
            "website": "http://www.hszg.de/"}),
        SpotRow("Westsächsische Hochschule Zwickau", {
            "company": "Westsächsische Hochschule Zwickau", "street_full": "Kornmarkt 1",
            "postcode": "08056", "city": "Zwickau", "phone": "0375 536-0",
            "website": "http://www.fh-zwickau.de"}),
    )),
    RealList("05_rehasport_mitglieder.csv", 685, (
        # `Firma`; `Straße` holds street and number.
        SpotRow("Ilius / Meister GbR", {
            "company": "Ilius / Meister GbR", "postcode": "12209", "city": "Berlin",
            "street_full": "Ferdinandstrasse 33"}),
        SpotRow("ZWANZIG-NEUN-FÜNF Mülheim GmbH", {
            "company": "ZWANZIG-NEUN-FÜNF Mülheim GmbH", "postcode": "45468",
            "city": "Mülheim an der Ruhr", "street_full": "Schloßstr. 22"}),
        SpotRow("Cimini & Riemenschneider GmbH", {
            "company": "Cimini & Riemenschneider GmbH", "postcode": "66663", "city": "Merzig",
            "street_full": "Kieserweg 7"}),
    )),
    RealList("06_ladesaeulen_koeln.csv", 292, (
        # `Betreiber` is the operator; `Straße` + `Hausnummer`; `Postleitzahl`.
        SpotRow("EnBW mobility+ AG und Co.KG", {
            "company": "EnBW mobility+ AG und Co.KG", "street": "Deutz-Kalker-Str.",
            "house_number": "103", "postcode": "50679", "city": "Köln Deutz"}),
        SpotRow("Fuka elevator parts", {
            "company": "Fuka elevator parts", "street": "Richard-Byrd-Str.",
            "house_number": "43", "postcode": "50829", "city": "Köln"}),
        SpotRow("Nikolausstraße", {
            "company": "Rheinenergie AG", "street": "Nikolausstraße", "house_number": "50",
            "postcode": "51149", "city": "Köln"}),
    )),
    RealList("07_hilfe_einrichtungen_berlin.csv", 252, (
        # cp1252; `Einrichtung` (not `Träger`); multi-line texts; four #WERT! rows; 132
        # trailing empty rows.
        SpotRow("u25@caritas-berlin.de", {
            "company": "[U25] Online Suizidprävention - Reines Onlineangebot",
            "street": "Große Hamburger Straße", "house_number": "18", "postcode": "10115",
            "phone": "030 66633488", "email": "u25@caritas-berlin.de",
            "website": "https://www.u25-berlin.de"}),
        SpotRow("zuverdienst_zentralefk@ajb-berlin.de", {
            "company": "AJB Zuverdienst Friedrichshain-Kreuzberg", "street": "Oranienstraße",
            "house_number": "52", "postcode": "10969", "phone": "030 3156387-1",
            "email": "zuverdienst_zentralefk@ajb-berlin.de",
            "website": "https://www.ajb-berlin.de"}),
        SpotRow("charlottenburg@vistaberlin.de", {
            "company": "Alkohol- und Medikamentenberatung Charlottenburg",
            "street": "Kaiser-Friedrich-Straße", "house_number": "81", "postcode": "10585",
            "phone": "030 34800948", "email": "charlottenburg@vistaberlin.de",
            "website": "https://vistaberlin.de/einrichtungen/"
                       "alkohol-und-medikamentenberatung-charlottenburg/"}),
    )),
    RealList("08_galvanik_leads.csv", 2452, (
        # A plain `name` header over company names; `ansprechpartner_name` is always empty.
        SpotRow("info@metallveredlung-kotsch.de", {
            "company": "Metallveredlung Kotsch GmbH", "postcode": "08289",
            "city": "Schneeberg", "phone": "03772-35 887-70",
            "email": "info@metallveredlung-kotsch.de", "website": "http://www.Galvanik.info"}),
        SpotRow("info@jatzke-hartchrom.de", {
            "company": "Rudolf Jatzke Galvanik-Hartchrom", "postcode": "33689",
            "city": "Bielefeld", "phone": "05205-52 88", "email": "info@jatzke-hartchrom.de",
            "website": "http://www.Galvanik.info"}),
        SpotRow("info@anderlohr-stahlbau.de", {
            "company": "Anderlohr Stahlbau GmbH", "postcode": "97816", "city": "Lohr",
            "phone": "09352-21 69", "email": "info@anderlohr-stahlbau.de",
            "website": "http://www.Metallbau-Stahlbau.de"}),
    )),
    RealList("09_btw21_kandidaturen.csv", 2000, (
        # Eight `#` lines above the header; `Nachname` / `Vornamen`. Name fields only.
        SpotRow("Nicolaisen", {"last_name": "Nicolaisen", "first_name": "Petra"}),
        SpotRow("Brzezicha", {"last_name": "Brzezicha", "first_name": "Franziska Maria"}),
        SpotRow("Anastasiadis", {"last_name": "Anastasiadis",
                                 "first_name": "Christoph Georgios"}),
    ), personal=True),
    RealList("10_sachsen_oberschulen.xlsx", 32, (
        # English headers; `street` (with number) beside `street_name` + `house_number`;
        # `community` is the city; phone_code_1 + phone_number_1; two e-mail columns.
        SpotRow("9-oberschule-dresden@web.de", {
            "company": '9. Oberschule "Am Elbe Park"', "street": "Lommatzscher Straße",
            "house_number": "121", "postcode": "01139", "city": "Dresden",
            "phone": "0351 8492491",
            "email": ("9-oberschule-dresden@web.de", "oaos-dresden-009@schulportal.sachsen.de"),
            "website": "http://9-oberschule-dresden.de"}),
        SpotRow("sekretariat@evangelische-oberschule-klipphausen.de", {
            "company": "Evangelische Oberschule Klipphausen (Schule in freier Trägerschaft)",
            "street": "Taubenheimer Straße", "house_number": "34", "postcode": "01665",
            "city": "Klipphausen", "phone": "035204 188590",
            "email": ("sekretariat@evangelische-oberschule-klipphausen.de",
                      "faos-klipphausen-sesg@schulportal.sachsen.de"),
            "website": "https://www.evangelisches-gymnasium-tharandt.de/index.php/oberschule"}),
        SpotRow("andert-ms-ebersbach@t-online.de", {
            "company": "Andert-Oberschule Ebersbach", "street": "Sachsenstraße",
            "house_number": "41", "postcode": "02730", "city": "Ebersbach-Neugersdorf",
            "phone": "03586 370970",
            "email": ("andert-ms-ebersbach@t-online.de",
                      "oaos-ebersbach.n@schulportal.sachsen.de"),
            "website": "http://www.andert-oberschule.de"}),
    ), personal=True),
    RealList("11_kulturakteure_berlin.xlsx", 520, (
        # `Institution`; `Adresse` is street and number; the last row holds one value only.
        SpotRow("Acker Stadt Palast - Freie Bühne Mitte e.V.", {
            "company": "Acker Stadt Palast - Freie Bühne Mitte e.V.",
            "street_full": "Ackerstr. 169/170", "postcode": "10115", "city": "Berlin",
            "website": "www.ackerstadtpalast.de"}),
        SpotRow("Adolf-Reichwein-Bibliothek", {
            "company": "Adolf-Reichwein-Bibliothek", "street_full": "Berkaer Platz 1",
            "postcode": "14199", "city": "Berlin",
            "website": "https://www.wir-bieten-vielfalt-einen-ort.de/adolf-reichwein-bibliothek/"}),
        SpotRow("Musikschule Reinickendorf, Unterrichtsstätte Frohnau", {
            "company": "Musikschule Reinickendorf, Unterrichtsstätte Frohnau",
            "street_full": "Fuchssteinerweg 15", "postcode": "13465", "city": "Berlin",
            "website": "https://www.berlin.de/ba-reinickendorf/service/einrichtungen/"
                       "musikschule/"}),
    )),
    RealList("12_berlin_schulen_unicode.txt", 1036, (
        # UTF-16, tab-separated; Berlin numbers without their area code.
        SpotRow("leitung@berlin-kolleg.de", {
            "company": "Berlin-Kolleg", "postcode": "10551", "street_full": "Turmstr. 75",
            "phone": "901838210", "email": "leitung@berlin-kolleg.de",
            "website": "http://www.berlin-kolleg.de"}),
        SpotRow("info@technikerschule-berlin.de", {
            "company": "Staatliche Technikerschule Berlin", "postcode": "10555",
            "street_full": "Bochumer Str. 8 B", "phone": "3900060",
            "email": "info@technikerschule-berlin.de",
            "website": "http://www.technikerschule-berlin.de"}),
        SpotRow("info@hotelfachschule-berlin.de", {
            "company": "Staatliche Wirtschaftsfachschule für Hotellerie und Gastronomie Berlin",
            "postcode": "10117", "street_full": "Niederwallstr. 6-7", "phone": "20613130",
            "email": "info@hotelfachschule-berlin.de",
            "website": "http://www.hotelfachschule-berlin.de"}),
    )),
)

STAGING_COLUMNS = (
    "company", "salutation", "title", "first_name", "last_name", "full_name", "position",
    "street", "house_number", "street_full", "postcode", "city", "country", "phone", "mobile",
    "fax", "email", "website", "industry", "wz_code", "employees", "revenue", "register",
    "vat_id", "legal_form",
)


# --- comparing -----------------------------------------------------------------------------

def norm_text(value: object) -> str:
    """Casefolded, whitespace collapsed: staging keeps the file's spelling, not its case."""
    return " ".join(str(value).split()).casefold() if value is not None else ""


def norm_phone(value: object) -> str:
    """The digits without country code and leading zeros: +49 30 1, 030 1 and 30|1 agree."""
    digits = re.sub(r"\D", "", str(value or ""))
    for prefix in ("0049", "49"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    return digits.lstrip("0")


def norm_postcode(value: object) -> str:
    """Five digits: an XLSX postcode that lost its leading zero may stay so in staging."""
    text = norm_text(value)
    return text.zfill(5) if text.isdigit() else text


def same(fieldname: str, expected: Expected, actual: object) -> bool:
    """Whether the staged value is (one of) the expected value(s), compared per field kind."""
    norm = {"phone": norm_phone, "postcode": norm_postcode}.get(fieldname, norm_text)
    wanted = expected if isinstance(expected, tuple) else (expected,)
    return actual is not None and any(norm(actual) == norm(w) and norm(w) for w in wanted)


# --- loading and scoring -------------------------------------------------------------------

@dataclass
class Load:
    """What `leadpipe ingest list` made of one file."""
    exit_code: int
    output: str
    db: Path
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldCheck:
    key: str
    field: str
    expected: Expected
    actual: object
    ok: bool
    landed_in: tuple[str, ...]
    """Staging columns holding the expected value instead (what went where)."""


@contextmanager
def _own_dirs(workdir: Path) -> Iterator[None]:
    """Key and scratch files of the command go to `workdir`, not ./data of the checkout."""
    saved = {k: os.environ.get(k) for k in ("LEADPIPE_DATA_DIR", "LEADPIPE_CONFIG_DIR")}
    os.environ["LEADPIPE_DATA_DIR"] = str(workdir / "data")
    os.environ["LEADPIPE_CONFIG_DIR"] = str(workdir / "config")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def load_list(real: RealList, workdir: Path) -> Load:
    """Load the file the way a user does: the CLI, into a fresh warehouse in `workdir`."""
    from typer.testing import CliRunner

    from leadpipe.cli.main import app

    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "w.duckdb"
    with _own_dirs(workdir):
        result = CliRunner().invoke(app, [
            "ingest", "list", str(LISTS_DIR / real.file), "--vendor", "Test",
            "--acquired-on", "2026-11-01", "--json", "--db", str(db)])
    load = Load(result.exit_code, result.output, db)
    if result.exit_code == 0:
        with suppress(json.JSONDecodeError):
            load.report = json.loads(result.output)
    return load


def _staged_rows(db: Path, batch_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(raw payloads with record ids, staging rows by record id) of the batch."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        raw = con.execute("SELECT record_id, payload FROM raw.records WHERE batch_id = ?",
                          [batch_id]).fetchall()
        cur = con.execute("SELECT * FROM staging.stg_purchased_list__records "
                          "WHERE batch_id = ?", [batch_id])
        names = [d[0] for d in cur.description]
        staged = {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    finally:
        con.close()
    payloads = [{"record_id": rid, **json.loads(p)} for rid, p in raw]
    return payloads, staged


def _candidates(key: str, payloads: list[dict[str, Any]],
                staged: dict[str, Any]) -> list[dict[str, Any]]:
    """Staging rows of the record(s) whose raw row, else staged row, holds the key."""
    wanted = norm_text(key)
    rids = [p["record_id"] for p in payloads
            if any(norm_text(v) == wanted for k, v in p.items() if k != "record_id")]
    rows = [staged[r] for r in rids if r in staged]
    return rows or [row for row in staged.values()
                    if any(norm_text(row.get(c)) == wanted for c in STAGING_COLUMNS)]


def _right(spot: SpotRow, row: dict[str, Any]) -> int:
    return sum(same(f, e, row.get(f)) for f, e in spot.expect.items())


def check_spots(real: RealList, load: Load) -> list[FieldCheck]:
    """One check per spot-row field; a file that did not load gets every field wrong."""
    payloads: list[dict[str, Any]] = []
    staged: dict[str, Any] = {}
    if load.exit_code == 0 and load.report.get("batch_id"):
        payloads, staged = _staged_rows(load.db, str(load.report["batch_id"]))
    checks: list[FieldCheck] = []
    for spot in real.spots:
        rows = _candidates(spot.key, payloads, staged) or [{}]
        best = max(rows, key=partial(_right, spot))
        for name, expected in spot.expect.items():
            actual = best.get(name)
            landed = tuple(c for c in STAGING_COLUMNS
                           if c != name and same(name, expected, best.get(c)))
            checks.append(FieldCheck(spot.key, name, expected, actual,
                                     same(name, expected, actual), landed))
    return checks


def describe(real: RealList, check: FieldCheck) -> str:
    """A wrong field in one line; values of persons' files are left out."""
    found = f", found in {', '.join(check.landed_in)}" if check.landed_in else ""
    if real.personal:
        return f"{check.field}: wrong (values not shown: the file names persons){found}"
    return (f"[{check.key}] {check.field}: expected {check.expected!r}, "
            f"staged {check.actual!r}{found}")

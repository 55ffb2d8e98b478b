"""The demo data set: deterministic, in the promised formats, and carrying its traps."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import phonenumbers
from openpyxl import load_workbook
from stdnum.at import uid as at_uid
from stdnum.ch import vat as ch_vat
from stdnum.de import vat as de_vat

from leadpipe.demo import DemoManifest, generate_demo
from leadpipe.demo.generate import FORMS, LIST_A, LIST_B, TRUTH
from leadpipe.demo.sources import LIST_A_HEADERS, LIST_B_HEADERS


def _all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _truth(demo_dir: Path) -> list[dict[str, str]]:
    with (demo_dir / TRUTH).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _list_a(demo_dir: Path) -> list[dict[str, str]]:
    text = (demo_dir / LIST_A).read_bytes().decode("cp1252")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _e164(text: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(text, "DE"),
                                      phonenumbers.PhoneNumberFormat.E164)


def test_same_seed_gives_identical_bytes(demo_dir: Path, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", seed=42)
    assert _all_files(again.out_dir) == _all_files(demo_dir)
    other = generate_demo(tmp_path / "other", seed=7)
    assert (other.out_dir / LIST_A).read_bytes() != (demo_dir / LIST_A).read_bytes()


def test_manifest_lists_every_file_with_its_hash(demo: DemoManifest) -> None:
    manifest = json.loads((demo.out_dir / "manifest.json").read_text("utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = set(_all_files(demo.out_dir)) - {"manifest.json"}
    assert set(listed) == on_disk
    assert listed[LIST_A]["rows"] == 400
    assert listed[LIST_B]["rows"] == 300
    assert 140 <= listed[FORMS]["rows"] <= 160
    assert len(manifest["sites"]) == 40


def test_list_a_is_cp1252_with_semicolons_and_umlauts(demo_dir: Path) -> None:
    raw = (demo_dir / LIST_A).read_bytes()
    first_line = raw.split(b"\r\n", 1)[0]
    assert first_line.decode("cp1252").split(";") == list(LIST_A_HEADERS)
    assert "Straße".encode("cp1252") in first_line
    assert b"\x80" in raw  # € in Umsatz
    assert any(ch.encode("cp1252") in raw for ch in "äöü")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("list A decodes as UTF-8; it must be cp1252")
    assert len(_list_a(demo_dir)) == 400


def test_xlsx_opens_with_expected_headers(demo_dir: Path) -> None:
    sheet = load_workbook(demo_dir / LIST_B, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == LIST_B_HEADERS
    assert len(rows) == 301
    contacts = [r[1] for r in rows[1:] if r[1]]
    assert any("," in c for c in contacts)  # "Nachname, Vorname"
    assert any(isinstance(r[4], int) for r in rows[1:])  # zip that lost its leading zero


def test_truth_covers_every_source_row(demo_dir: Path) -> None:
    per_file: dict[str, set[int]] = defaultdict(set)
    for row in _truth(demo_dir):
        per_file[row["source_file"]].add(int(row["row_number"]))
    lines = (demo_dir / FORMS).read_text("utf-8").splitlines()
    assert per_file[Path(LIST_A).name] == set(range(2, 402))
    assert per_file[Path(LIST_B).name] == set(range(2, 302))
    assert per_file[Path(FORMS).name] == set(range(1, len(lines) + 1))


def test_sources_overlap_per_truth(demo_dir: Path) -> None:
    people: dict[str, set[str]] = defaultdict(set)
    companies: dict[str, set[str]] = defaultdict(set)
    for row in _truth(demo_dir):
        people[row["source_file"]].add(row["person_id"])
        if row["company_id"]:
            companies[row["source_file"]].add(row["company_id"])
    a, b, forms = (people[Path(p).name] for p in (LIST_A, LIST_B, FORMS))
    assert len(a & b) >= 100
    assert len(forms & (a | b)) >= 30
    assert len(a & b & forms) >= 5
    assert len(companies[Path(LIST_A).name] & companies[Path(LIST_B).name]) >= 80


def test_distinct_people_share_address_and_phone(demo_dir: Path) -> None:
    """The dedupe trap: colleagues behind one switchboard, couples in one flat."""
    truth = {int(r["row_number"]): r for r in _truth(demo_dir)
             if r["source_file"] == Path(LIST_A).name}
    by_key: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for number, row in enumerate(_list_a(demo_dir), start=2):
        if not row["Telefon"]:
            continue
        street = row["Straße"].lower().replace("strasse", "str.").replace("straße", "str.")
        key = (row["PLZ"], street.split()[0], _e164(row["Telefon"]))
        by_key[key].add(truth[number]["person_id"])
    shared = [people for people in by_key.values() if len(people) > 1]
    assert len(shared) >= 5
    households = defaultdict(set)
    for row in truth.values():
        if row["household_id"]:
            households[row["household_id"]].add(row["person_id"])
    assert any(len(members) == 2 for members in households.values())


def test_every_vat_id_is_valid(demo_dir: Path) -> None:
    validators = {"DE": de_vat.is_valid, "AT": at_uid.is_valid, "CH": ch_vat.is_valid}
    site_vats = []
    for truth_file in (demo_dir / "sites").glob("*/truth.json"):
        truth = json.loads(truth_file.read_text("utf-8"))
        if truth["vat_id"]:
            site_vats.append(truth["vat_id"])
            assert validators[truth["country"]](truth["vat_id"]), truth_file
    list_vats = [r["USt-IdNr"] for r in _list_a(demo_dir) if r["USt-IdNr"]]
    assert len(site_vats) >= 30
    assert len(list_vats) >= 50
    for vat in list_vats:  # as printed: "DE…", "ATU…", "CHE-….… MWST"
        assert de_vat.is_valid(vat) or at_uid.is_valid(vat) or ch_vat.is_valid(vat), vat
    assert {v[:2] for v in site_vats} == {"DE", "AT", "CH"}


def test_site_truth_phones_are_valid_e164(demo_dir: Path) -> None:
    for truth_file in (demo_dir / "sites").glob("*/truth.json"):
        truth = json.loads(truth_file.read_text("utf-8"))
        for number in [*truth["phones"], truth["fax"]]:
            if number:
                assert phonenumbers.is_valid_number(phonenumbers.parse(number)), (truth_file,
                                                                                  number)


def test_forms_carry_malformed_lines_injections_and_consent_mix(demo_dir: Path) -> None:
    lines = (demo_dir / FORMS).read_text("utf-8").splitlines()
    parsed, broken = [], []
    for number, line in enumerate(lines, start=1):
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            broken.append(number)
    flagged = [int(r["row_number"]) for r in _truth(demo_dir)
               if r["source_file"] == Path(FORMS).name and "malformed_json" in r["oddities"]]
    assert broken == sorted(flagged)
    assert len(broken) == 3
    text = "\n".join(lines)
    assert "<script>" in text
    assert "=HYPERLINK(" in text
    consents = [p["consent"] for p in parsed]
    assert any(c["doi_confirmed_at"] for c in consents)
    assert any(c["channels"] and not c["doi_confirmed_at"] for c in consents)
    assert any("phone" in c["channels"] for c in consents)
    assert any(not c["channels"] for c in consents)
    assert any(c["pre_ticked"] for c in consents)
    assert {p["request_type"] for p in parsed} >= {"demo", "callback", "brochure", "newsletter",
                                                   "contact"}

"""The marketing pages of the workspace (uploads, review, runs) and the GDPR admin page,
through FastAPI's TestClient on a small real warehouse."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from foundation.settings import Settings
from stages.enrich import enrich_new
from stages.ingest import ListOptions, ingest_list_file
from stages.match import match_all
from stages.review import review_queue
from warehouse.db import open_warehouse
from workspace.app import create_app
from workspace.auth import COOKIE, hash_password, log_in
from workspace.config import UploadConfig, load_workspace_config
from workspace.store import Role, Store, store_path

LIST = (
    "Firma;Vorname;Nachname;Straße;PLZ;Ort;Telefon;E-Mail\n"
    "Müller GmbH;Erika;Beispiel;Hauptstraße 12;80331;München;089 1234560;e.beispiel@mueller.de\n"
    "Müller G.m.b.H.;Erika;Beispiel;Hauptstr. 12;80331;München;+49 89 123456-0;"
    "e.beispiel@mueller.de\n"
    "Müller GmbH;Hans;Kollege;Hauptstraße 12;80331;München;089 1234560;h.kollege@mueller.de\n"
    "Müller GmbH;Hanna;Kollege;Hauptstraße 12;80331;München;089 1234560;\n"
    "Schulz AG;Peter;Schmitt;Ring 4;10115;Berlin;030 777777;\n"
    "Schulz AG;Petra;Schmidt;Ring 4;10115;Berlin;;\n"
    ";Anna;Privat;Am Markt 3;50667;Köln;0221 55555;anna.privat@gmx.de\n"
    ";Anna;Privat;Am Markt 5;50667;Köln;;\n"
    ";Anna;;Am Markt 3;50667;Köln;0221 55555;anna.privat@gmx.de\n"
    ";;;Ringstraße 1;50667;Köln;;\n"
    "Beispiel Consulting;Erika;Beispiel;Seeweg 1;20095;Hamburg;;\n"
    ";Karl;Weber;Lindenweg 1;20095;Hamburg;;\n"
    ";Karl;Weber;Lindenweg 7;20095;Hamburg;;\n"
    ";K.;Weber;Lindenweg 1;20095;Hamburg;;\n"
    "Müller GmbH;Erika;Beispiel;;80331;München;;\n"
)
"""A list whose near-duplicates land in the review band under the test's wide band."""

UPLOAD = (
    "Firma;Ansprechpartner Nachname;Kennung;PLZ;Ort;Telefon\n"
    "Alpha GmbH;Maier;A-1;80331;München;089 555111\n"
    "Beta KG;Huber;B-2;10115;Berlin;030 444222\n"
    ";;C-3;;;\n"
    "Gamma AG;Schulz;D-4;20095;Hamburg;040 333444\n"
)


@dataclass
class World:
    settings: Settings
    store: Store
    app: TestClient

    def client(self, role: Role) -> tuple[TestClient, str]:
        """A client logged in as a user of `role`, and the user's CSRF token."""
        name = f"{role}-user"
        if self.store.user(name) is None:
            self.store.add_user(name, role, hash_password("ein-langes-passwort"))
        login = log_in(self.store, load_workspace_config(None).value, name,
                       "ein-langes-passwort", "testclient")
        client = TestClient(self.app.app, follow_redirects=False)
        client.cookies.set(COOKIE, login.token)
        return client, login.csrf_token


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    # a wide review band, so that the small list has pairs to review
    (settings.config_dir / "matching").mkdir(parents=True)
    for level in ("contact", "consumer", "company"):
        (settings.config_dir / "matching" / f"{level}.yaml").write_text(
            "bands:\n  match: 0.999\n  review: 0.01\n", encoding="utf-8")
    source = tmp_path / "liste.csv"
    source.write_bytes(LIST.encode("cp1252"))
    ingest_list_file(settings, source, ListOptions(vendor="V", acquired_on=date(2026, 11, 1)))
    enrich_new(settings)
    match_all(settings)
    store = Store(store_path(settings.data_dir))
    app = create_app(settings, load_workspace_config(None).value, store)
    yield World(settings, store, TestClient(app))
    store.close()


def wait_for_job(client: TestClient, url: str) -> str:
    for _ in range(120):
        page = client.get(url).text
        if 'http-equiv="refresh"' not in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} still running")


def test_upload_preview_corrected_mapping_ingest(world: World) -> None:
    client, csrf = world.client("marketing")
    response = client.post("/uploads", data={"csrf_token": csrf, "vendor": "Adressverlag Nord",
                                             "acquired_on": "2026-11-20"},
                           files={"file": ("../../Neue Liste (1).csv", UPLOAD.encode("cp1252"),
                                           "text/csv")})
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    upload_id = target.rsplit("/", 1)[1]
    folder = world.settings.data_dir / "uploads" / upload_id
    assert (folder / "Neue_Liste__1_.csv").exists()   # sanitised, inside the upload folder
    page = client.get(target)
    assert page.status_code == 200
    assert "cp1252" in page.text
    assert "Kennung" in page.text
    selects = re.findall(r'<select name="(field_\d+)"[^>]*>(.*?)</select>', page.text, re.S)
    headers = UPLOAD.split("\n")[0].split(";")
    chosen = {name: (re.search(r'<option value="([^"]*)" selected', body) or [None, "-"])[1]
              for name, body in selects}
    # the user maps "Kennung" to nothing and the last name column to last_name
    form = {"csrf_token": csrf, **chosen}
    form[f"field_{headers.index('Kennung')}"] = "-"
    form[f"field_{headers.index('Ansprechpartner Nachname')}"] = "last_name"
    assert client.post(f"{target}/mapping", data=form).status_code == 303
    mapping = (folder / "mapping.yaml").read_text(encoding="utf-8")
    assert '"Kennung": null' in mapping
    assert '"Ansprechpartner Nachname": last_name' in mapping
    assert "auto_map: false" in mapping
    again = client.get(target).text
    assert "Es gilt Ihre Zuordnung" in again
    started = client.post(f"{target}/ingest", data={"csrf_token": csrf})
    assert started.status_code == 303
    report = wait_for_job(client, started.headers["location"])
    assert "fertig" in report, report
    numbers = dict(re.findall(r"<th>([^<]+)</th><td class=\"num\">([^<]*)</td>", report))
    assert numbers["Zeilen gelesen"] == "4"
    assert numbers["geladen"] == "3"
    assert numbers["in Quarantäne"] == "1"
    assert "Zeilen in Quarantäne" in report
    assert re.search(r'<td class="num">4</td>', report)   # the bad row, by its row number
    actions = [a.action for a in world.store.audit_entries()]
    assert {"list_uploaded", "list_previewed", "list_mapping_set",
            "list_ingest_started"} <= set(actions)


def test_upload_without_vendor_is_refused_in_german(world: World) -> None:
    client, csrf = world.client("marketing")
    response = client.post("/uploads", data={"csrf_token": csrf, "vendor": "",
                                             "acquired_on": "20.11.2026"},
                           files={"file": ("liste.csv", UPLOAD.encode(), "text/csv")})
    assert response.status_code == 400
    assert "Bitte geben Sie den Lieferanten" in response.text
    assert not any((world.settings.data_dir / "uploads").iterdir())
    bad_date = client.post("/uploads", data={"csrf_token": csrf, "vendor": "V",
                                             "acquired_on": "morgen"},
                           files={"file": ("liste.csv", UPLOAD.encode(), "text/csv")})
    assert "ist kein Datum" in bad_date.text


def test_review_decision_is_stored_and_the_next_pair_opens(world: World) -> None:
    client, csrf = world.client("marketing")
    queue = review_queue(world.settings)
    assert len(queue) >= 2
    listing = client.get("/review")
    assert listing.status_code == 200
    assert queue[0].left_id in listing.text
    page = client.get("/review/next")
    assert page.status_code == 200
    assert "gleiche Person/Firma" in page.text
    assert "Gewicht" in page.text
    assert "wie sie geliefert wurden" in page.text
    assert "liste.csv" in page.text
    pair = queue[0]
    decided = client.post("/review/decide", data={
        "csrf_token": csrf, "level": pair.entity_type, "left": pair.left_id,
        "right": pair.right_id, "decision": "split", "note": "zwei Personen"})
    assert decided.status_code == 303
    assert decided.headers["location"] == "/review/next"
    after = review_queue(world.settings)
    assert (pair.entity_type, pair.left_id, pair.right_id) not in {
        (p.entity_type, p.left_id, p.right_id) for p in after}
    assert len(after) == len(queue) - 1
    with open_warehouse(world.settings, write=False) as wh:
        stored = wh.fetchall("SELECT entity_type, left_id, right_id, decision, decided_by, note "
                             "FROM core.match_decisions")
        run = wh.fetchone("SELECT flow, status FROM ops.runs ORDER BY started_at DESC LIMIT 1")
    assert stored == [(pair.entity_type, pair.left_id, pair.right_id, "split",
                       "marketing-user", "zwei Personen")]
    assert run == ("review-import", "succeeded")
    nxt = client.get("/review/next")
    assert after[0].left_id in nxt.text
    assert "gleiche Person/Firma" in nxt.text


def test_runs_page_lists_runs_and_explains_prefect(world: World) -> None:
    client, _ = world.client("marketing")
    page = client.get("/runs")
    assert page.status_code == 200
    assert "ingest-purchased-list" in page.text      # the fixture's load
    assert "erfolgreich" in page.text
    assert "Dubletten zu prüfen" in page.text
    assert "PREFECT_API_URL" in page.text            # no server: how to set one up
    assert "/runs/start/nightly" not in page.text


MARKETING_GETS = ("/uploads", "/uploads/0123456789abcdef", "/uploads/jobs/0123456789abcdef",
                  "/review", "/review/next", "/review/pair?level=contact&left=a&right=b",
                  "/runs")
MARKETING_POSTS = ("/uploads", "/uploads/0123456789abcdef/mapping",
                   "/uploads/0123456789abcdef/ingest", "/review/decide", "/runs/start/nightly",
                   "/runs/start/crawl")
ADMIN_GETS = ("/admin/gdpr",)
ADMIN_POSTS = ("/admin/gdpr/access", "/admin/gdpr/object", "/admin/gdpr/erase/check",
               "/admin/gdpr/erase", "/admin/gdpr/consent")


def test_sales_gets_403_on_every_marketing_and_admin_page(world: World) -> None:
    client, csrf = world.client("sales")
    form = {"csrf_token": csrf, "identifier": "e.beispiel@mueller.de", "confirm": "yes",
            "level": "contact", "left": "a", "right": "b", "decision": "merge"}
    for path in (*MARKETING_GETS, *ADMIN_GETS):
        assert client.get(path).status_code == 403, path
    for path in (*MARKETING_POSTS, *ADMIN_POSTS):
        response = client.post(path, data=form)
        assert response.status_code == 403, path
        assert "Keine Berechtigung" in response.text
    marketing, csrf = world.client("marketing")
    for path in ADMIN_GETS:
        assert marketing.get(path).status_code == 403, path
    for path in ADMIN_POSTS:
        assert marketing.post(path, data={**form, "csrf_token": csrf}).status_code == 403, path
    with open_warehouse(world.settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.match_decisions") == 0
        assert wh.scalar("SELECT count(*) FROM ops.gdpr_requests") == 0


def test_posts_without_csrf_token_are_refused(world: World) -> None:
    client, _ = world.client("admin")
    pair = review_queue(world.settings)[0]
    for path, data in (("/review/decide", {"level": pair.entity_type, "left": pair.left_id,
                                           "right": pair.right_id, "decision": "merge"}),
                       ("/admin/gdpr/erase", {"identifier": "e.beispiel@mueller.de",
                                              "confirm": "yes"}),
                       ("/runs/start/nightly", {})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "falsch"}).status_code == 403
    refused = client.post("/uploads", data={"vendor": "V", "acquired_on": "2026-11-20"},
                          files={"file": ("liste.csv", UPLOAD.encode(), "text/csv")})
    assert refused.status_code == 403
    assert not any((world.settings.data_dir / "uploads").iterdir())
    with open_warehouse(world.settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM core.match_decisions") == 0


def test_gdpr_access_consent_objection_and_erasure(world: World) -> None:
    client, csrf = world.client("admin")
    person = {"csrf_token": csrf, "identifier": "anna.privat@gmx.de"}
    shown = client.post("/admin/gdpr/access", data={**person, "format": "html"})
    assert shown.status_code == 200
    assert "Am Markt 3" in shown.text
    download = client.post("/admin/gdpr/access", data={**person, "format": "json"})
    assert download.headers["content-type"].startswith("application/json")
    assert "attachment" in download.headers["content-disposition"]
    assert download.json()["subject"]["email"] == "anna.privat@gmx.de"
    assert client.post("/admin/gdpr/consent", data=person).status_code == 200
    objected = client.post("/admin/gdpr/object", data=person)
    assert "Widerspruch" in objected.text
    assert "eingetragen" in objected.text
    nobody = client.post("/admin/gdpr/access", data={**person, "identifier": "kein-telefon"})
    assert nobody.status_code == 400
    assert "weder eine E-Mail-Adresse noch eine Telefonnummer" in nobody.text

    check = client.post("/admin/gdpr/erase/check", data=person)
    assert "Endgültig löschen" in check.text
    assert "Privat" in check.text
    with open_warehouse(world.settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM ops.gdpr_requests WHERE kind = 'erasure'") == 0
    unconfirmed = client.post("/admin/gdpr/erase", data=person)
    assert "Bitte bestätigen Sie die Löschung" in unconfirmed.text
    erased = client.post("/admin/gdpr/erase", data={**person, "confirm": "yes"})
    assert erased.status_code == 200
    assert "ausgeführt" in erased.text
    with open_warehouse(world.settings, write=False) as wh:
        left = wh.scalar("SELECT count(*) FROM raw.records "
                         "WHERE payload::VARCHAR LIKE '%anna.privat%'")
    assert left == 0
    actions = [a for a in world.store.audit_entries() if a.action.startswith(("gdpr", "consent"))]
    assert {a.action for a in actions} == {"gdpr_access", "consent_lookup", "gdpr_objection",
                                           "gdpr_erasure_checked", "gdpr_erasure"}
    # the audit names requests and keyed hashes, never the person's address
    assert not any("anna" in a.detail for a in actions)


def _upload(client: TestClient, csrf: str, content: bytes, name: str = "liste.csv"
            ) -> Response:
    return client.post("/uploads", data={"csrf_token": csrf, "vendor": "V",
                                         "acquired_on": "2026-11-20"},
                       files={"file": (name, content, "text/csv")})


def test_upload_size_limit_and_list_types(world: World) -> None:
    state = cast(FastAPI, world.app.app).state.workspace
    state.config = state.config.model_copy(
        update={"uploads": UploadConfig(max_megabytes=1)})
    client, csrf = world.client("marketing")
    row = "Alpha GmbH;Maier;80331;München\n".encode()
    huge = _upload(client, csrf, row * (2 * 1024 * 1024 // len(row)))
    assert huge.status_code == 413
    assert "größer als 1 MB" in huge.text
    just_over = _upload(client, csrf, row * (1024 * 1024 // len(row) + 200))
    assert just_over.status_code == 413
    assert not any((world.settings.data_dir / "uploads").iterdir())
    exe = _upload(client, csrf, b"MZ", name="tool.exe")
    assert exe.status_code == 400
    assert "keine Liste" in exe.text


def test_a_list_that_cannot_load_is_explained(world: World) -> None:
    client, csrf = world.client("marketing")
    response = _upload(client, csrf, UPLOAD.encode("cp1252"))
    target = response.headers["location"]
    columns = len(UPLOAD.split("\n")[0].split(";"))
    # every column set to "nicht übernehmen": no company and no name left to load
    client.post(f"{target}/mapping", data={"csrf_token": csrf,
                                           **{f"field_{i}": "-" for i in range(columns)}})
    preview = client.get(target).text
    assert "kann so nicht geladen werden" in preview
    assert "Liste jetzt laden" not in preview
    started = client.post(f"{target}/ingest", data={"csrf_token": csrf})
    report = wait_for_job(client, started.headers["location"])
    assert "fehlgeschlagen" in report
    assert "Die Datei wurde nicht geladen" in report
    with open_warehouse(world.settings, write=False) as wh:
        failed = wh.fetchone("SELECT flow, status FROM ops.runs ORDER BY started_at DESC LIMIT 1")
    assert failed == ("ingest-purchased-list", "failed")

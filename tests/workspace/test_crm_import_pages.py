"""Kunden hochladen and CRM-Ergebnisse importieren: the CRM round trip's files through the
workspace (FastAPI's TestClient on one small warehouse shared by the module)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foundation.settings import Settings
from stages.customers import CustomerOptions, ingest_customer_file
from stages.enrich import enrich_new
from stages.match import match_all
from tests.workspace.test_marketing_pages import wait_for_job
from warehouse.db import open_warehouse
from workspace.app import create_app
from workspace.auth import COOKIE, hash_password, log_in
from workspace.config import load_workspace_config
from workspace.store import Role, Store, store_path

CUSTOMERS = Path(__file__).resolve().parents[1] / "fixtures" / "customers"

DEALS = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Status,Deal - Stage,"
    "Deal - Won time,Deal - Lost time,Deal - Lost reason,Person - Name,Person - Email,"
    "Person - Phone,Person - Marketing status,Organization - Name\n"
    "71,Druckmaschine Kowalski,\"4.800,00\",EUR,won,Negotiations Started,"
    "2026-11-20 10:00:00,,,Jana Kowalski,jana.kowalski@kowalski-druck.de,,Subscribed,"
    "Kowalski Druck GmbH\n"
    "72,Möbel Yilmaz,0,EUR,open,Qualified,,,,Mira Yilmaz,mira.yilmaz@yilmaz-moebel.de,,"
    "Unsubscribed,Yilmaz Möbelwerkstatt\n"
    "73,Fremdfirma,100,EUR,won,Negotiations Started,2026-11-20 10:00:00,,,Erika Fremd,"
    "erika@fremd.example,,Subscribed,Fremd KG\n"
)
"""A Pipedrive deals export (as tests/fixtures/crm/pipedrive_deals.csv) of the customers of
hubspot_contacts.csv: one won by e-mail, one unsubscribed (an objection), one unknown."""


@dataclass
class World:
    settings: Settings
    store: Store
    app: TestClient

    def client(self, role: Role) -> tuple[TestClient, str]:
        name = f"{role}-user"
        if self.store.user(name) is None:
            self.store.add_user(name, role, hash_password("ein-langes-passwort"))
        login = log_in(self.store, load_workspace_config(None).value, name,
                       "ein-langes-passwort", "testclient")
        client = TestClient(self.app.app, follow_redirects=False)
        client.cookies.set(COOKIE, login.token)
        return client, login.csrf_token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("wsimport")
    settings = Settings(data_dir=root / "data", db_path=root / "data" / "leadpipe.duckdb",
                        config_dir=root / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    store = Store(store_path(settings.data_dir))
    app = create_app(settings, load_workspace_config(None).value, store)
    yield World(settings, store, TestClient(app))
    store.close()


@pytest.fixture(scope="module")
def customers_matched(world: World) -> World:
    """The HubSpot customers loaded (again: skipped if a test did it), enriched and matched."""
    ingest_customer_file(world.settings, CUSTOMERS / "hubspot_contacts.csv",
                         CustomerOptions(collected_in_sale=True, notice_at_collection=True))
    enrich_new(world.settings)
    match_all(world.settings)
    return world


def _numbers(page: str) -> dict[str, str]:
    return dict(re.findall(r"<th>([^<]+)</th><td class=\"num\">([^<]*)</td>", page))


def test_customer_export_previewed_then_loaded_as_a_job(world: World) -> None:
    client, csrf = world.client("marketing")
    data = (CUSTOMERS / "hubspot_contacts.csv").read_bytes()
    response = client.post("/customers", data={
        "csrf_token": csrf, "crm": "auto", "collected_in_sale": "yes",
        "notice_at_collection": "yes"}, files={"file": ("HubSpot Kontakte.csv", data,
                                                         "text/csv")})
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    preview = client.get(target)
    assert preview.status_code == 200
    assert "HubSpot contacts" in preview.text
    assert "Record ID" in preview.text
    assert "Produktkategorie" in preview.text
    assert preview.text.count("ja, für alle") == 2
    started = client.post(f"{target}/ingest", data={"csrf_token": csrf})
    assert started.status_code == 303
    report = wait_for_job(client, started.headers["location"])
    assert "fertig" in report, report
    numbers = _numbers(report)
    assert int(numbers["Zeilen gelesen"]) == (int(numbers["geladen"]) + int(
        numbers["in Quarantäne"]) + int(numbers["übersprungen"])) == 5
    assert numbers["geladen"] == "3"   # 5103 is empty, 5105's "im Frühjahr" is no date
    assert "Zeilen in Quarantäne" in report
    with open_warehouse(world.settings, write=False) as wh:
        loaded = wh.fetchall("SELECT count(*) FROM staging.stg_customer__records")
    assert loaded == [(3,)]
    actions = {a.action for a in world.store.audit_entries()}
    assert {"customers_uploaded", "customers_previewed", "customers_ingest_started"} <= actions


def test_outcome_dry_run_then_confirm_stores_outcomes_and_objection(
        customers_matched: World) -> None:
    world = customers_matched
    client, csrf = world.client("marketing")
    response = client.post("/crm-imports", data={"csrf_token": csrf, "kind": "outcomes",
                                                 "source": "auto"},
                           files={"file": ("deals.csv", DEALS.encode(), "text/csv")})
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    dry = client.get(target).text
    numbers = _numbers(dry)
    assert numbers["Zeilen gelesen"] == "3"
    assert numbers["… über E-Mail"] == "2"
    assert numbers["in Quarantäne"] == "1"
    assert numbers["Ergebnisse neu"] == "2"   # the won deal, and the open one's stage
    assert numbers["Widersprüche neu"] == "1"
    assert "als „nicht kontaktieren“ markiert" in dry
    with open_warehouse(world.settings, write=False) as wh:
        assert wh.fetchall("SELECT count(*) FROM core.lead_outcomes") == [(0,)]
    done = client.post(f"{target}/import", data={"csrf_token": csrf})
    assert done.status_code == 200, done.text
    assert _numbers(done.text)["Ergebnisse neu"] == "2"
    with open_warehouse(world.settings, write=False) as wh:
        stored = wh.fetchall("SELECT outcome, value_eur, source FROM core.lead_outcomes")
    assert len(stored) == 2
    assert ("won", 4800.0, "deals.csv") in [(o, v and float(v), s) for o, v, s in stored]
    actions = {a.action for a in world.store.audit_entries()}
    assert {"outcomes_uploaded", "outcomes_previewed", "crm_outcomes_imported"} <= actions
    assert "deals.csv" in client.get("/crm-imports").text   # listed as a recent import


def test_newsletter_report_on_the_same_page(customers_matched: World) -> None:
    client, csrf = customers_matched.client("marketing")
    report = ("email,campaign,opens,clicks\n"
              "jana.kowalski@kowalski-druck.de,Herbst,2,1\n"
              "niemand@example.org,Herbst,1,0\n")
    response = client.post("/crm-imports", data={"csrf_token": csrf, "kind": "engagement",
                                                 "source": "auto"},
                           files={"file": ("klicks.csv", report.encode(), "text/csv")})
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    assert _numbers(client.get(target).text)["lesbar mit Öffnung oder Klick"] == "2"
    done = client.post(f"{target}/import", data={"csrf_token": csrf})
    numbers = _numbers(done.text)
    assert (numbers["übernommen"], numbers["in Quarantäne"]) == ("1", "1")
    assert numbers["Anrufgründe neu"] != "0"


def test_sales_is_refused_and_a_post_without_csrf_too(world: World) -> None:
    sales, csrf = world.client("sales")
    for path in ("/customers", "/crm-imports"):
        assert sales.get(path).status_code == 403
        assert sales.post(path, data={"csrf_token": csrf}).status_code == 403
    marketing, _ = world.client("marketing")
    refused = marketing.post("/customers", data={"crm": "auto"},
                             files={"file": ("k.csv", b"Record ID\n1\n", "text/csv")})
    assert refused.status_code == 403
    assert not (world.settings.data_dir / "uploads" / "crm").exists() or not any(
        p.name == "k.csv" for p in (world.settings.data_dir / "uploads" / "crm").rglob("*"))


def test_a_bad_file_is_named_by_row_and_field_in_german(world: World) -> None:
    client, csrf = world.client("marketing")
    bad = "leadpipe_id,outcome,value_eur\ncontact-1,won,viel\n"
    response = client.post("/crm-imports", data={"csrf_token": csrf, "kind": "outcomes",
                                                 "source": "generic"},
                           files={"file": ("ergebnisse.csv", bad.encode(), "text/csv")})
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Zeilen in Quarantäne" in page.text
    assert re.search(r'<td class="num">2</td><td>value_eur</td><td>\'viel\' is not an amount',
                     page.text.replace("&#39;", "'")), page.text
    unknown = client.post("/customers", data={"csrf_token": csrf, "crm": "auto"},
                          files={"file": ("kunden.csv",
                                          (CUSTOMERS / "unknown_export.csv").read_bytes(),
                                          "text/csv")})
    preview = client.get(unknown.headers["location"])
    assert preview.status_code == 200
    assert "Die Datei kann so nicht geladen werden: Datei „kunden.csv“, Zeile 1" in \
        preview.text

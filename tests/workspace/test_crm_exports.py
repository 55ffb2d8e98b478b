"""The list page's CRM import formats, customer choice and campaign export, through FastAPI's
TestClient on a small warehouse with customers.

Karl Lindner (a customer who bought saw blades, and on a purchased list) and Maria Huber (a
customer only) against Otto Vogel (a prospect on the purchased list). A campaign for circular
saws may mail both customers under §7(3); one starting tomorrow and an SMS campaign may not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from compliance.campaigns import new_campaign, write_campaign
from foundation.settings import Settings
from scoring.crm_formats import crm_headers, load_crm_formats
from stages.customers import CustomerOptions, ingest_customer_file
from stages.decide import decide_all
from stages.enrich import enrich_new
from stages.export import ExportRequest, export_leads
from stages.ingest import ListOptions, ingest_list_file
from stages.lead_lists import ListFilter, list_lead_ids
from stages.match import match_all
from stages.score import score_all
from workspace.app import create_app
from workspace.auth import COOKIE, hash_password, log_in
from workspace.config import load_workspace_config
from workspace.store import Store, store_path

TODAY = date.today()
KARL, MARIA, OTTO = "k.lindner@holzbau-lindner.de", "maria.huber@web.de", "otto.vogel@web.de"
BOUGHT = (TODAY - timedelta(days=60)).strftime("%d.%m.%Y")
CUSTOMERS = (
    "Kundennummer;Firma;Anrede;Vorname;Nachname;Straße;PLZ;Ort;Telefon;E-Mail;Letzter Kauf;"
    "Warengruppe;Beim Kauf erhoben;Widerspruchshinweis\n"
    f"K-1;Holzbau Lindner GmbH;Herr;Karl;Lindner;Industriestr. 4;86150;Augsburg;0821 455120;"
    f"{KARL};{BOUGHT};Sägeblätter;ja;ja\n"
    f"K-2;;Frau;Maria;Huber;Gartenweg 3;80995;München;;{MARIA};{BOUGHT};Sägeblätter;ja;ja\n")
PURCHASED = (
    "Firma;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;Telefon;E-Mail\n"
    f"Holzbau Lindner GmbH;Karl;Lindner;Industriestr.;4;86150;Augsburg;0821 455120;{KARL}\n"
    f";Otto;Vogel;Ahornweg;5;70173;Stuttgart;;{OTTO}\n")


@dataclass
class World:
    settings: Settings
    store: Store
    app: TestClient

    def sales(self) -> tuple[TestClient, str]:
        """A client logged in as a sales rep, and its CSRF token."""
        if self.store.user("vera") is None:
            self.store.add_user("vera", "sales", hash_password("ein-langes-passwort"))
        login = log_in(self.store, load_workspace_config(None).value, "vera",
                       "ein-langes-passwort", "testclient")
        client = TestClient(self.app.app, follow_redirects=False)
        client.cookies.set(COOKIE, login.token)
        return client, login.csrf_token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("wsexport")
    settings = Settings(data_dir=home / "data", db_path=home / "data" / "leadpipe.duckdb",
                        config_dir=home / "config", lock_timeout_s=30.0, read_wait_s=2.0)
    (home / "kunden.csv").write_text(CUSTOMERS, encoding="utf-8")
    (home / "liste.csv").write_text(PURCHASED, encoding="utf-8")
    ingest_customer_file(settings, home / "kunden.csv", CustomerOptions(crm="generic"))
    ingest_list_file(settings, home / "liste.csv",
                     ListOptions(vendor="Adressbroker", acquired_on=TODAY))
    for stage in (enrich_new, match_all, decide_all, score_all):
        stage(settings)
    for name, channel, starts in (("saegen", "email", TODAY),
                                  ("spaeter", "email", TODAY + timedelta(days=30)),
                                  ("sms-aktion", "sms", TODAY)):
        write_campaign(settings.config_dir, new_campaign({
            "name": name, "channel": channel, "product_category": "Kreissägen",
            "similar_categories": ["Sägeblätter"], "starts": starts}))
    store = Store(store_path(settings.data_dir))
    app = create_app(settings, load_workspace_config(None).value, store)
    yield World(settings, store, TestClient(app))
    store.close()


def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def _names(rows: list[dict[str, str]], column: str) -> set[str]:
    """The non-empty values of a column (a company's own row has no person's name)."""
    return {r[column] for r in rows if r[column]}


def test_each_crm_format_downloads_with_its_import_header(world: World) -> None:
    client, csrf = world.sales()
    spec = load_crm_formats(world.settings.config_dir).value.formats
    for fmt in ("hubspot", "pipedrive"):
        got = client.post("/exports", data={"csrf_token": csrf, "channel": "post",
                                            "format": fmt})
        assert got.status_code == 200, got.text
        assert got.headers["content-type"].startswith("text/csv")
        header = next(csv.reader(io.StringIO(got.content.decode("utf-8"))))
        assert header == list(crm_headers(spec[fmt])), fmt
    got = client.post("/exports", data={"csrf_token": csrf, "channel": "post",
                                        "format": "centralstation"})
    assert got.status_code == 200, got.text
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(crm_headers(spec["centralstation"]))


def test_the_download_is_what_the_cli_writes_for_the_page(world: World, tmp_path: Path
                                                          ) -> None:
    client, csrf = world.sales()
    got = client.post("/exports", data={"csrf_token": csrf, "channel": "post", "review": "1",
                                        "format": "hubspot"})
    ids = list_lead_ids(world.settings, ListFilter(channel="post", include_review=True))
    cli = export_leads(world.settings, ExportRequest(
        channel="post", out=tmp_path / "cli.csv", fmt="hubspot", min_grade="D",
        include_review=True, lead_ids=ids))
    assert cli.leads == 4
    assert got.content == (tmp_path / "cli.csv").read_bytes()


def test_new_only_and_customers_only_filter_the_page(world: World) -> None:
    client, csrf = world.sales()
    # Otto's post decision is review (a purchased list's provenance): the page shows it too
    form = {"csrf_token": csrf, "channel": "post", "review": "1", "format": "hubspot"}
    everyone = _names(_csv(client.post("/exports", data=form).content), "Last Name")
    new = _names(_csv(client.post("/exports", data={**form, "customers": "new"}).content),
                 "Last Name")
    customers = client.post("/exports", data={**form, "format": "csv",
                                              "customers": "customers"})
    assert everyone == {"Lindner", "Huber", "Vogel"}
    assert new == {"Vogel"}
    assert _names(_csv(customers.content), "name") == {"Karl Lindner", "Maria Huber"}
    logged = client.get("/exports").text
    assert "new_only: True" in logged
    assert "customers_only: True" in logged


def test_crm_formats_refuse_a_layout_in_german(world: World) -> None:
    client, csrf = world.sales()
    for extra in ({"layout": "serienbrief"}, {"per_address": "1"}):
        got = client.post("/exports", data={"csrf_token": csrf, "channel": "post",
                                            "format": "pipedrive", **extra})
        assert got.status_code == 400
        assert "Pipedrive-Import (CSV) schreibt die Importspalten" in got.text
    page = client.get("/leads?channel=post").text
    assert "HubSpot-Import (CSV)" in page
    assert "nur Neukunden (nicht im CRM)" in page
    assert "Kampagne (§ 7 Abs. 3 UWG)" not in page       # only on the e-mail tab


def test_a_campaign_exports_its_customers_under_7_3(world: World) -> None:
    client, csrf = world.sales()
    page = client.get("/leads?channel=email").text
    assert "Kampagne (§ 7 Abs. 3 UWG)" in page
    assert "saegen (Kreissägen" in page
    assert "sms-aktion" not in page
    got = client.post("/exports/campaign", data={"csrf_token": csrf, "campaign": "saegen",
                                                 "format": "csv"})
    assert got.status_code == 200, got.text
    rows = {r["email"]: r for r in _csv(got.content)}
    assert set(rows) == {KARL, MARIA}            # Maria is on no page: e-mail waits for §7(3)
    for row in rows.values():
        assert row["reason_code"] == "uwg7_3_existing_customer"
        assert row["legal_basis"].startswith("UWG §7(3)")
        assert row["legal_basis"].endswith("campaign saegen (Kreissägen)")
    logged = client.get("/exports").text
    # Karl and Maria; Karl's company (a customer lead without an e-mail address of its own)
    # is not mailed
    assert "Bestandskunde (§ 7 Abs. 3 UWG): 2" in logged


def test_campaign_refusals_are_german_pages(world: World) -> None:
    client, csrf = world.sales()
    for name, says in (("spaeter", "heute kann sie nicht exportiert werden"),
                       ("sms-aktion", "nicht für E-Mail"),
                       ("gibtsnicht", "keine gültige Kampagne")):
        got = client.post("/exports/campaign", data={"csrf_token": csrf, "campaign": name})
        assert got.status_code == 400, name
        assert says in got.text, name


def test_exports_need_a_login_and_the_csrf_token(world: World) -> None:
    anonymous = TestClient(world.app.app, follow_redirects=False)
    client, _ = world.sales()
    for path, data in (("/exports", {"channel": "post", "format": "hubspot"}),
                       ("/exports/campaign", {"campaign": "saegen"})):
        assert anonymous.post(path, data=data).status_code in (303, 401), path
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "falsch"}).status_code == 403

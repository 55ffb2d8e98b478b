"""The runs page's buttons against a real Prefect server: a click creates a flow run of the
configured deployment (and does not wait for it); an unknown deployment is explained."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foundation.settings import Settings
from tests.flows.prefect_server import PrefectServer, running, start_server
from workspace.app import create_app
from workspace.auth import COOKIE, hash_password, log_in
from workspace.config import load_workspace_config
from workspace.store import Store, store_path

pytestmark = [pytest.mark.deployment]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    yield from running(*start_server(tmp_path_factory.mktemp("prefect")))


def test_start_nightly_creates_a_flow_run(server: PrefectServer, settings: Settings,
                                          tmp_path: Path) -> None:
    config = load_workspace_config(None).value
    flow, name = config.prefect.nightly.split("/")
    flow_id = server.post("/flows/", {"name": flow})["id"]
    deployment = server.post("/deployments/", {"name": name, "flow_id": flow_id})["id"]
    store = Store(store_path(settings.data_dir))
    app = create_app(settings, config, store)
    app.state.workspace.prefect_api_url = server.api
    store.add_user("mia", "marketing", hash_password("ein-langes-passwort"))
    login = log_in(store, config, "mia", "ein-langes-passwort", "testclient")
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(COOKIE, login.token)

    page = client.get("/runs")
    assert "/runs/start/nightly" in page.text
    assert "Es gibt noch kein Warehouse" in page.text
    started = client.post("/runs/start/nightly", data={"csrf_token": login.csrf_token})
    assert started.status_code == 303, started.text
    runs = server.post("/flow_runs/filter", {"deployments": {"id": {"any_": [deployment]}}})
    assert len(runs) == 1
    assert runs[0]["state_type"] == "SCHEDULED"        # created, not waited for
    assert "workspace" in runs[0]["tags"]
    assert runs[0]["name"] in client.get(started.headers["location"]).text
    audit = [a for a in store.audit_entries() if a.action == "flow_started"]
    assert runs[0]["id"] in audit[0].detail

    # the crawl deployment was never deployed on this server: the page says what to do
    refused = client.post("/runs/start/crawl", data={"csrf_token": login.csrf_token,
                                                     "targets": "beispiel.de"})
    assert refused.status_code == 200
    assert "kennt der Server nicht" in refused.text
    assert "prefect --no-prompt deploy --all" in refused.text
    store.close()

"""Every deployment runs, through both setups docs/operations.md offers.

A real `prefect server start`, a fresh checkout of this tree, and then what a user types:
(a) `prefect work-pool create`, `prefect --no-prompt deploy --all` and `prefect worker start`;
(b) `python -m flows.serve`. Each deployment is started with `prefect deployment run … --param`
as marketing ops would, and the test checks its final state, its run name, its artifact and
its effect on the warehouse (rows loaded, decisions written, export file present).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from leadpipe.cli.demo import DEMO_CONFIG
from leadpipe.demo.site_server import DemoSites
from tests.flows.inbox import FORM, LIST_CSV, make_inbox
from tests.flows.prefect_server import (
    PrefectServer,
    fresh_checkout,
    running,
    start_server,
    stop,
    wait_for,
)
from tests.smtp_sink import Smtp, free_port

pytestmark = [pytest.mark.flow, pytest.mark.deployment]

SITE = "acme-maschinenbau.de"
IMPRESSUM = ("<html><body><h1>Impressum</h1><p>Acme Maschinenbau GmbH<br>Hafenstraße 5<br>"
             "20457 Hamburg</p><p>Geschäftsführer: Hanna Weber</p><p>Telefon: 040 1234567</p>"
             "<p>Registergericht: Amtsgericht Hamburg, HRB 123456</p></body></html>")
FLOWS = ("nightly", "ingest-purchased-list", "ingest-web-forms", "crawl-companies",
         "export-leads", "forecast", "notify-operator")
CHOICES = {"export-leads": ("channel", "format", "min_grade"), "forecast": ("by",)}
WORKER_SETUP = {flow: "nightly" if flow == "nightly" else "on-demand" for flow in FLOWS}
"""prefect.yaml: `nightly/nightly`, the flows marketing ops start are `<flow>/on-demand`."""
SERVE_SETUP = dict.fromkeys(FLOWS, "serve")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    yield from running(*start_server(tmp_path_factory.mktemp("prefect")))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_checkout(tmp_path_factory.mktemp("checkout"))


@dataclass
class World:
    """One setup's inputs and warehouse, the environment its runs see, its mail server."""

    root: Path
    env: dict[str, str]
    smtp: Smtp

    @property
    def db(self) -> Path:
        return self.root / "data" / "leadpipe.duckdb"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A list, a form export, an inbox, a bad inbox and a website to crawl (on this machine)."""
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "kammer.csv").write_bytes(LIST_CSV.encode("cp1252"))
    (tmp_path / "files" / "export.ndjson").write_text(
        json.dumps({**FORM, "submission_id": "sub-2", "email": "b@beispiel.de"}) + "\n",
        encoding="utf-8")
    make_inbox(tmp_path / "inbox")
    (tmp_path / "bad-inbox" / "lists").mkdir(parents=True)
    (tmp_path / "bad-inbox" / "lists" / "ohne_metadaten.csv").write_bytes(
        LIST_CSV.encode("cp1252"))
    site = tmp_path / "sites" / SITE
    site.mkdir(parents=True)
    (site / "index.html").write_text('<a href="/impressum.html">Impressum</a>',
                                     encoding="utf-8")
    (site / "impressum.html").write_text(IMPRESSUM, encoding="utf-8")
    smtp = Smtp(free_port())
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flows").mkdir(parents=True, exist_ok=True)
    (tmp_path / "config" / "flows" / "notify.yaml").write_text(
        "email: {enabled: true, to: [ops@beispiel.de], when: always}\n", encoding="utf-8")
    (tmp_path / "config" / "intake-forms.yaml").write_text(
        f"smtp: {{host: 127.0.0.1, port: {smtp.port}}}\n", encoding="utf-8")
    # the website is served on this machine: the demo's crawl settings, no politeness delays
    (tmp_path / "config" / "spiders").mkdir()
    (tmp_path / "config" / "spiders" / "crawl.yaml").write_text(
        yaml.safe_dump(DEMO_CONFIG["spiders/crawl.yaml"]), encoding="utf-8")
    smtp.start()
    with DemoSites(tmp_path / "sites") as proxy:
        yield World(tmp_path, {
            "LEADPIPE_DATA_DIR": str(tmp_path / "data"),
            "LEADPIPE_CONFIG_DIR": str(tmp_path / "config"),
            "LEADPIPE_CRAWL_ALLOWLIST": SITE,
            "http_proxy": proxy, "https_proxy": proxy, "no_proxy": "127.0.0.1,localhost",
        }, smtp)
    smtp.stop()


def run_deployment(server: PrefectServer, checkout: Path, name: str,
                   **params: str) -> dict[str, Any]:
    """`prefect deployment run NAME --param k=v … --watch`; the finished flow run."""
    args = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    done = server.cli("prefect", "deployment", "run", name, *args, "--watch",
                      "--watch-timeout", "300", cwd=checkout, timeout=360)
    found = re.search(r"UUID: ([0-9a-f-]{36})", done.stdout)
    assert found, done.stdout + done.stderr
    return server.flow_run(found.group(1))


def assert_no_traceback(server: PrefectServer, run: dict[str, Any]) -> None:
    assert not [m for m in server.logs_of(run["id"]) if "Traceback" in m]


def check_parameter_forms(server: PrefectServer, setup: dict[str, str]) -> None:
    """Every parameter has its help text in the UI form; choices are dropdowns."""
    for flow, name in setup.items():
        deployment = server.deployment(flow, name)
        assert deployment is not None, f"{flow}/{name} not deployed"
        assert deployment["entrypoint"].startswith("flows."), deployment["entrypoint"]
        properties = deployment["parameter_openapi_schema"]["properties"]
        assert properties, flow
        undocumented = [n for n, p in properties.items() if not p.get("description")]
        assert not undocumented, f"{flow}: no help text for {undocumented}"
        for choice in CHOICES.get(flow, ()):
            assert properties[choice].get("enum"), f"{flow}.{choice} is not a dropdown"


def run_every_deployment(server: PrefectServer, checkout: Path, world: World,
                         setup: dict[str, str]) -> None:
    """Each deployment with its documented parameters: final state and effect."""

    def named(flow: str) -> str:
        return f"{flow}/{setup[flow]}"

    ingested = run_deployment(server, checkout, named("ingest-purchased-list"),
                              path=str(world.root / "files" / "kammer.csv"),
                              vendor="IHK Export", acquired_on="20.11.2026")
    assert ingested["state_type"] == "COMPLETED", ingested["state"]
    assert ingested["name"] == "ingest kammer.csv"
    assert world.query("SELECT vendor, acquired_on::VARCHAR, rows_loaded FROM raw.batches "
                       "WHERE source_kind = 'purchased_list'") == [("IHK Export", "2026-11-20",
                                                                     2)]

    refused = run_deployment(server, checkout, named("ingest-purchased-list"),
                             path=str(world.root / "bad-inbox" / "lists" / "ohne_metadaten.csv"),
                             vendor="IHK Export")
    assert refused["state_type"] == "FAILED"
    assert "acquired_on" in refused["state"]["message"]
    assert_no_traceback(server, refused)

    forms = run_deployment(server, checkout, named("ingest-web-forms"),
                           path=str(world.root / "files" / "export.ndjson"))
    assert forms["state_type"] == "COMPLETED", forms["state"]
    assert world.query("SELECT count(*) FROM raw.batches WHERE source_kind = 'web_form'") \
        == [(1,)]

    crawled = run_deployment(server, checkout, named("crawl-companies"),
                             targets=json.dumps([SITE]))
    assert crawled["state_type"] == "COMPLETED", crawled["state"]
    assert crawled["name"] == f"crawl {SITE}"
    assert world.query("SELECT count(*) > 0 FROM raw.records WHERE source_kind = 'crawl'") \
        == [(True,)]

    night = run_deployment(server, checkout, named("nightly"),
                           inbox=str(world.root / "inbox"), crawl="false")
    assert night["state_type"] == "COMPLETED", night["state"]
    assert night["name"].startswith("nightly 20")
    summary = server.artifact("nightly-summary", night["id"])
    assert summary
    assert "rows in = loaded + quarantined + skipped" in summary
    assert world.query("SELECT count(*) > 0 FROM core.eligibility_decisions") == [(True,)]
    assert not list((world.root / "inbox" / "lists").glob("*.csv"))  # moved to done/

    bad_night = run_deployment(server, checkout, named("nightly"),
                               inbox=str(world.root / "bad-inbox"), crawl="false")
    assert bad_night["state_type"] == "FAILED"
    assert "ohne_metadaten.csv" in bad_night["state"]["message"]
    bad_summary = server.artifact("nightly-summary", bad_night["id"])
    assert bad_summary
    assert "ohne_metadaten.csv.yaml" in bad_summary
    assert_no_traceback(server, bad_night)

    out = world.root / "data" / "exports" / "post.csv"  # LEADPIPE_DATA_DIR/exports
    exported = run_deployment(server, checkout, named("export-leads"), channel="post",
                              file_name=out.name, min_grade="D")
    assert exported["state_type"] == "COMPLETED", exported["state"]
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    (export_id,) = world.query("SELECT export_id FROM ops.exports")[0]
    export_note = server.artifact("export-leads", exported["id"])
    assert export_note
    assert export_id in export_note
    assert str(out) in export_note


def deploy_prefect_yaml(server: PrefectServer, checkout: Path, *names: str) -> None:
    """The worker setup's first two steps: the work pool (once), then `prefect deploy`."""
    created = server.cli("prefect", "work-pool", "create", "leadpipe-local", "--type",
                         "process", cwd=checkout)
    assert created.returncode == 0 or "already exists" in created.stdout, created.stdout
    which = [arg for name in names for arg in ("--name", name)] or ["--all"]
    deployed = server.cli("prefect", "--no-prompt", "deploy", *which, cwd=checkout)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr


def test_prefect_yaml_deployments_run_under_a_worker(
    server: PrefectServer, checkout: Path, world: World
) -> None:
    deploy_prefect_yaml(server, checkout)
    check_parameter_forms(server, WORKER_SETUP)
    nightly = server.deployment("nightly", "nightly")
    assert nightly is not None
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in nightly["schedules"]] \
        == [("0 2 * * *", "Europe/Berlin")]
    worker = server.start("worker", "prefect", "worker", "start", "--pool", "leadpipe-local",
                          cwd=checkout, env=world.env)
    try:
        run_every_deployment(server, checkout, world, WORKER_SETUP)
        check_a_crash_reaches_the_operator(server, checkout, world, WORKER_SETUP)
    finally:
        stop(worker)


def crashed_nightly_run(server: PrefectServer, setup: dict[str, str]) -> str:
    """A nightly run that ends Crashed, as when its process is killed; its id."""
    nightly = server.deployment("nightly", setup["nightly"])
    assert nightly is not None
    run = server.post(f"/deployments/{nightly['id']}/create_flow_run", {"state": {
        "type": "SCHEDULED", "state_details": {"scheduled_time": "2099-01-01T02:00:00Z"}}})
    server.post(f"/flow_runs/{run['id']}/set_state", {"force": True, "state": {
        "type": "CRASHED", "name": "Crashed", "message": "the process was killed"}})
    return str(run["id"])


def assert_crash_mail(world: World) -> None:
    (mail,) = world.smtp.inbox.wait(1, timeout=180)
    assert "ACTION NEEDED" in mail["Subject"]
    assert "Crashed" in mail["Subject"]
    assert "the process was killed" in mail.get_content()


def check_a_crash_reaches_the_operator(server: PrefectServer, checkout: Path, world: World,
                                       setup: dict[str, str]) -> None:
    """`python -m flows.automations`, then a nightly run that crashes: the operator hears."""
    installed = server.cli("python", "-m", "flows.automations", cwd=checkout)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    world.smtp.inbox.messages.clear()
    crashed_nightly_run(server, setup)
    assert_crash_mail(world)


def test_flows_serve_runs_every_deployment_and_owns_the_only_nightly_schedule(
    server: PrefectServer, checkout: Path, world: World
) -> None:
    deploy_prefect_yaml(server, checkout, "nightly")
    refused = server.cli("python", "-m", "flows.serve", cwd=checkout, timeout=120)
    assert refused.returncode == 2
    assert "prefect deployment delete nightly/nightly" in refused.stderr
    deleted = server.cli("prefect", "deployment", "delete", "nightly/nightly", cwd=checkout)
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr

    served = server.start("serve", "python", "-m", "flows.serve", cwd=checkout, env=world.env)
    try:
        wait_for(lambda: all(server.deployment(f, n) for f, n in SERVE_SETUP.items()), 120,
                 "flows.serve to register its deployments")
        check_parameter_forms(server, SERVE_SETUP)
        active = [d for d in server.post("/deployments/filter", {
            "flows": {"name": {"any_": ["nightly"]}}}) if any(
            s["active"] for s in d["schedules"]) and not d["paused"]]
        assert [d["name"] for d in active] == ["serve"]
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"])
                for s in active[0]["schedules"]] == [("0 2 * * *", "Europe/Berlin")]
        run_every_deployment(server, checkout, world, SERVE_SETUP)
        world.smtp.inbox.messages.clear()
        told = run_deployment(server, checkout, "notify-operator/serve",
                              flow_run_id=crashed_nightly_run(server, SERVE_SETUP))
        assert told["state_type"] == "COMPLETED", told["state"]
        assert_crash_mail(world)
    finally:
        stop(served)

"""`leadpipe demo`: generate the bundled demo data and run the nightly flow on it."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from leadpipe.cli.common import DbOption, console, settings_for, user_errors

if TYPE_CHECKING:
    from foundation.settings import Settings
    from workspace.store import Role

DEMO_LISTS: dict[str, dict[str, Any]] = {
    "adressverlag_nord_2026.csv": {
        "vendor": "Adressverlag Nord", "acquired_days_ago": 10, "provenance_documented": True,
        "permitted_use": "postal and telephone marketing (B2B)", "licence_days": 365,
    },
    "b2b_data_gmbh_q3.xlsx": {
        "vendor": "B2B Data GmbH", "acquired_days_ago": 45, "provenance_documented": False,
        "permitted_use": "marketing, one year", "licence_days": 365,
    },
}
"""Metadata a buyer records for the two demo lists: one fresh and documented, one older
than the Art. 14 month and without documented provenance, so the rules have work to do."""


def write_list_metadata(lists_dir: Path, today: date) -> None:
    """Write `<list>.yaml` next to each demo list (vendor, acquisition date, licence)."""
    import yaml

    for name, meta in DEMO_LISTS.items():
        acquired = today - timedelta(days=int(meta["acquired_days_ago"]))
        sidecar = {
            "vendor": meta["vendor"], "acquired_on": acquired.isoformat(),
            "licence_end": (acquired + timedelta(days=int(meta["licence_days"]))).isoformat(),
            "permitted_use": meta["permitted_use"],
            "provenance_documented": meta["provenance_documented"],
        }
        (lists_dir / f"{name}.yaml").write_text(yaml.safe_dump(sidecar, allow_unicode=True),
                                                encoding="utf-8")


DEMO_CONFIG = {
    "ingest/forms.yaml": {"controller_names": ["Leadpipe Demo GmbH"]},
    "spiders/crawl.yaml": {"download_delay_s": 0.0, "autothrottle": False, "retry_times": 0},
}
"""Configuration a real user writes once: the advertiser's name, as consent texts name it.
The crawl's politeness delays are for other people's servers; the demo's sites are served
on this machine, so the demo does not wait between its requests."""


def demo(
    out: Annotated[Path, typer.Option(help="Where to write the demo inputs.")] = Path("data/demo"),
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 42,
    fresh: Annotated[bool, typer.Option(
        "--fresh/--keep", help="Start from an empty warehouse and new demo files.",
    )] = True,
    db: DbOption = None,
) -> None:
    """Generate demo lists, forms and websites, then run the nightly flow on them."""
    import yaml

    from leadpipe.cli.run import run_nightly_flow
    from leadpipe.cli.summary import print_nightly
    from leadpipe.demo import generate_demo
    from leadpipe.demo.site_server import DemoSites

    settings = settings_for(db)
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
        for path in (settings.db_path, settings.snapshot_path,
                     settings.db_path.with_name(settings.db_path.name + ".wal")):
            path.unlink(missing_ok=True)
    if not (out / "manifest.json").exists():
        console.print(f"Generating demo data in {out} (seed {seed}) …")
        generate_demo(out, seed=seed)
        write_list_metadata(out / "lists", date.today())
    config_dir = out / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    for name, content in DEMO_CONFIG.items():
        (config_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (config_dir / name).write_text(yaml.safe_dump(content, allow_unicode=True),
                                       encoding="utf-8")
    console.print("Running the nightly flow (a temporary Prefect server starts first) …")
    sites = DemoSites(out / "sites")
    world = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["world"]
    with user_errors(), sites as proxy:
        # The demo world is closed: every one of its domains goes to the local demo server
        # (leadpipe.demo.site_server) without a DNS lookup, so the demo neither waits for the
        # network nor reaches real sites that share a made-up name. The server answers a
        # company without a website as a proxy does (502). The flow reads its settings from
        # the environment, as a deployment's worker does; these reach foundation.settings
        # alone, which the stages pass on (the proxy to the crawl process only).
        run_environment = {
            "LEADPIPE_CONFIG_DIR": str(config_dir), "LEADPIPE_CRAWL_PROXY": proxy,
            "LEADPIPE_CRAWL_ALLOWLIST": ",".join(sorted({*sites.domains,
                                                         *world.get("domains", [])}))}
        from unittest import mock  # here: at the top it costs every command ~35 ms (asyncio, ssl)

        with mock.patch.dict(os.environ, run_environment):
            report = run_nightly_flow(out, settings.db_path)
            print_nightly(report, console)
            _crm_round_trip(out, settings_for(db), seed)
    db_option = "" if db is None else f" --db {settings.db_path}"
    console.print(
        f"\nThe warehouse is [bold]{settings.db_path}[/bold]. Look around with:\n"
        f"  .venv/bin/leadpipe status{db_option}\n"
        f"  .venv/bin/leadpipe leads export --channel post --min-grade C --out post.csv"
        f"{db_option}\n"
        f"  .venv/bin/leadpipe funnel --chart funnel.html{db_option}\n"
        f"  .venv/bin/leadpipe review export --out review.xlsx{db_option}\n"
        f"  .venv/bin/leadpipe sql \"SELECT * FROM marts.qualified_leads LIMIT 5\"{db_option}",
        soft_wrap=True,
    )
    _print_workspace(settings.data_dir, db_option)


def _crm_round_trip(out: Path, settings: Settings, seed: int) -> None:
    """After the nightly: the campaign, the lists in HubSpot's import format, and the deals
    sales' CRM reports back on them weeks later (docs/customers.md walks the same path)."""
    import csv
    import random

    from compliance.campaigns import load_campaign, new_campaign, write_campaign
    from leadpipe.demo.customers import DEMO_CAMPAIGN, write_deals_export
    from stages.crm_outcomes import import_outcomes
    from stages.export import ExportRequest, export_leads

    write_campaign(settings.config_dir, new_campaign(
        {**DEMO_CAMPAIGN, "starts": date.today().isoformat()}), force=True)
    campaign = load_campaign(settings.config_dir, str(DEMO_CAMPAIGN["name"])).campaign
    exports, crm = settings.data_dir / "exports", out / "crm"
    exports.mkdir(exist_ok=True)
    crm.mkdir(exist_ok=True)
    warm = export_leads(settings, ExportRequest(
        channel="email", out=exports / f"{campaign.name}_hubspot.csv", fmt="hubspot",
        campaign=campaign.name, customers_only=True, force=True, by="demo"))
    cold = export_leads(settings, ExportRequest(
        channel="phone", out=exports / "anrufliste_neukunden_hubspot.csv", fmt="hubspot",
        min_grade="C", new_only=True, force=True, by="demo"))
    rows: list[dict[str, str]] = []
    for result in (warm, cold):
        with open(result.path, encoding="utf-8", newline="") as f:
            rows += list(csv.DictReader(f))
    deals = crm / "hubspot_deals_export.csv"
    write_deals_export(rows, deals, date.today(), random.Random(seed))
    imported = import_outcomes(settings, deals, crm="hubspot", by="demo")
    decided = ", ".join(f"{n} {reason}" for reason, n in sorted(warm.campaign_decisions.items()))
    console.print(
        f"\n[bold]Customers and the CRM round trip[/bold]\n"
        f"  campaign {campaign.name} ({campaign.product_category}, similar: "
        f"{', '.join(campaign.similar_categories)}): {warm.leads} customers may get the e-mail"
        f" ({decided}) → {warm.path}\n"
        f"  phone list of new prospects only (customers left out: {cold.left_out_by_crm}): "
        f"{cold.leads} leads → {cold.path}\n"
        f"  the CRM's deals export back: {imported.rows_in} deals, {imported.outcomes_new} "
        f"outcomes stored, {imported.quarantined} quarantined ← {deals}\n"
        f"  the campaign is {settings.config_dir / 'campaigns' / campaign.name}.yaml; "
        f"export it again with:\n"
        f"    LEADPIPE_CONFIG_DIR={settings.config_dir} .venv/bin/leadpipe leads export "
        f"--channel email --campaign {campaign.name} --format xlsx --out kampagne.xlsx\n"
        f"  what the outcomes say about the next weeks: .venv/bin/leadpipe forecast",
        soft_wrap=True, highlight=False)


DEMO_USERS: dict[str, Role] = {"vertrieb": "sales", "marketing": "marketing", "admin": "admin"}
"""The demo's workspace logins, one per role; each demo run gives them a new password."""


def _print_workspace(data_dir: Path, db_option: str) -> None:
    """Create (or renew) one demo login per role and say how to open the workspace."""
    import secrets

    from workspace.auth import hash_password
    from workspace.store import Store, UserExists, store_path

    store = Store(store_path(data_dir))
    password = f"demo-{secrets.token_urlsafe(9)}"
    hashed = hash_password(password)
    for name, role in DEMO_USERS.items():
        try:
            store.add_user(name, role, hashed)
        except UserExists:
            store.set_password(name, hashed)
    store.close()
    console.print(
        f"\nThe workspace for sales and marketing (web pages):\n"
        f"  .venv/bin/leadpipe web{db_option}\n"
        f"  then open http://127.0.0.1:8090/ and log in as [bold]vertrieb[/bold] (sales), "
        f"[bold]marketing[/bold] or [bold]admin[/bold] with the password "
        f"[bold]{password}[/bold] (new on every demo run; create real users with "
        f"`leadpipe web user add NAME --role sales`).", soft_wrap=True, highlight=False)

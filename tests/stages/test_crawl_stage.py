"""The crawl stage against a local site: a real Scrapy subprocess, then the warehouse load."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from foundation.settings import Settings
from leadpipe.cli.demo import DEMO_CONFIG
from leadpipe.demo.site_server import DemoSites
from stages.crawl import crawl_and_load
from warehouse.db import open_warehouse

IMPRESSUM = """<html><body><h1>Impressum</h1>
<p>Angaben gemäß § 5 DDG</p>
<p>Acme Maschinenbau GmbH<br>Hafenstraße 5<br>20457 Hamburg</p>
<p>Vertreten durch den Geschäftsführer: Hanna Weber</p>
<p>Telefon: 040 1234567<br>E-Mail: info@acme-maschinenbau.de</p>
<p>Registergericht: Amtsgericht Hamburg<br>Registernummer: HRB 123456</p>
</body></html>"""


@pytest.fixture
def site(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # The site is served on this machine: the demo's crawl settings (no politeness delays),
    # not AutoThrottle's 5 s start delay between its pages.
    crawl_config = settings.config_dir / "spiders" / "crawl.yaml"
    crawl_config.parent.mkdir(parents=True)
    crawl_config.write_text(yaml.safe_dump(DEMO_CONFIG["spiders/crawl.yaml"]), encoding="utf-8")
    root = tmp_path / "sites" / "acme-maschinenbau.de"
    root.mkdir(parents=True)
    (root / "index.html").write_text(
        '<html><body><p>Willkommen</p><footer><a href="/impressum.html">Impressum</a>'
        "</footer></body></html>", encoding="utf-8")
    (root / "impressum.html").write_text(IMPRESSUM, encoding="utf-8")
    sites = DemoSites(tmp_path / "sites")
    proxy = sites.__enter__()
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.setenv("https_proxy", proxy)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    yield "acme-maschinenbau.de"
    sites.__exit__(None, None, None)


def test_crawled_impressum_becomes_a_company_and_a_decision_maker(
    settings: Settings, site: str
) -> None:
    with open_warehouse(settings, write=True, create=True):
        pass
    allowed = replace(settings, crawl_allowlist=(site,))
    result = crawl_and_load(allowed, targets=[site])
    assert result.batch.loaded == 1
    with open_warehouse(settings, write=False) as wh:
        rows = wh.dicts("SELECT company, full_name, position, postcode, register, url, "
                        "legal_form "
                        "FROM staging.stg_crawl__pages ORDER BY record_id")
        raw = wh.scalar("SELECT count(*) FROM raw.records WHERE source_kind = 'crawl'")
    assert rows[0]["company"].startswith("Acme Maschinenbau")
    assert rows[0]["register"] == "Amtsgericht Hamburg HRB 123456"
    assert rows[0]["legal_form"] == "GmbH"  # the Impressum's legal form is staged too
    assert (rows[1]["full_name"], rows[1]["position"]) == ("Hanna Weber", "Geschäftsführer")
    assert raw >= 3  # home page, Impressum, the derived director record
    assert not list((settings.data_dir / "crawl").glob("*.jsonl"))  # no copy outside


def test_private_targets_are_refused_without_the_allowlist(settings: Settings, site: str
                                                           ) -> None:
    with open_warehouse(settings, write=True, create=True):
        pass
    result = crawl_and_load(settings, targets=["http://127.0.0.1:9/"])
    assert result.skipped == {"loopback": 1}
    assert result.batch.loaded == 0

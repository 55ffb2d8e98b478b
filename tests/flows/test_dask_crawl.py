"""The crawl in shards on a Dask cluster (prefect-dask's DaskTaskRunner on a
`distributed.LocalCluster` of two worker processes, each shard a Scrapy subprocess) loads the
very warehouse the in-process crawl loads; docs/scaling.md.

Four small company sites served on this machine (the demo's site server, no politeness
delays), two per shard; one module-scoped pair of crawl-companies runs, compared table by
table as bench/snapshot_warehouse.py compares two warehouses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import distributed
import pytest
import yaml

from bench.snapshot_warehouse import differing_relations
from flows.crawl import crawl_companies
from leadpipe.cli.demo import DEMO_CONFIG
from leadpipe.demo.site_server import DemoSites
from stages.crawl import CrawlResult

pytestmark = [pytest.mark.flow, pytest.mark.crawl]

COMPANIES = {
    "acme-maschinenbau.de": ("Acme Maschinenbau GmbH", "Hanna Weber", "20457 Hamburg"),
    "brenner-logistik.de": ("Brenner Logistik GmbH", "Jonas Brenner", "28195 Bremen"),
    "kessler-druck.de": ("Kessler Druck GmbH", "Petra Kessler", "50667 Köln"),
    "sommer-elektro.de": ("Sommer Elektrotechnik GmbH", "Ali Sommer", "80331 München"),
}


def _write_site(root: Path, company: str, director: str, city: str) -> None:
    root.mkdir(parents=True)
    (root / "index.html").write_text(
        f"<html><body><p>Willkommen bei {company}</p><footer>"
        '<a href="/impressum.html">Impressum</a></footer></body></html>', encoding="utf-8")
    (root / "impressum.html").write_text(
        f"<html><body><h1>Impressum</h1><p>Angaben gemäß § 5 DDG</p>"
        f"<p>{company}<br>Hafenstraße 5<br>{city}</p>"
        f"<p>Vertreten durch den Geschäftsführer: {director}</p>"
        f"<p>Telefon: 040 1234567<br>E-Mail: info@{root.name}</p>"
        "<p>Registergericht: Amtsgericht Hamburg<br>Registernummer: HRB 123456</p>"
        "</body></html>", encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sites behind the demo's proxy server; yields the proxy's address."""
    root = tmp_path_factory.mktemp("sites")
    for domain, (company, director, city) in COMPANIES.items():
        _write_site(root / domain, company, director, city)
    with DemoSites(root) as proxy:
        yield proxy


def _crawl(root: Path, proxy: str, environment: dict[str, str]) -> tuple[Path, CrawlResult]:
    config = root / "config"
    # Extraction in the crawl process: two sites a crawl need no extraction processes, and
    # each would cost the test a Python start-up.
    crawl = {**DEMO_CONFIG["spiders/crawl.yaml"], "extract_workers": 0}
    for name, content in {**DEMO_CONFIG, "spiders/crawl.yaml": crawl,
                          "flows/parallel.yaml": {"partitions": {"crawl_targets": 2}}}.items():
        (config / name).parent.mkdir(parents=True, exist_ok=True)
        (config / name).write_text(yaml.safe_dump(content), encoding="utf-8")
    db = root / "data" / "leadpipe.duckdb"
    with mock.patch.dict(os.environ, {"LEADPIPE_DATA_DIR": str(root / "data"),
                                      "LEADPIPE_CONFIG_DIR": str(config),
                                      "LEADPIPE_CRAWL_PROXY": proxy,
                                      "LEADPIPE_CRAWL_ALLOWLIST": ",".join(COMPANIES),
                                      **environment}):
        result = crawl_companies(targets=list(COMPANIES), db=str(db))
    return db, result


@pytest.fixture(scope="module")
def runs(sites: str, cluster: distributed.LocalCluster,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, CrawlResult]]:
    return {
        "in_process": _crawl(tmp_path_factory.mktemp("in_process"), sites, {}),
        "dask": _crawl(tmp_path_factory.mktemp("dask"), sites,
                       {"LEADPIPE_DASK_SCHEDULER": cluster.scheduler_address}),
    }


def test_the_sharded_crawl_loads_the_warehouse_of_the_in_process_crawl(
        runs: dict[str, tuple[Path, CrawlResult]]) -> None:
    (plain_db, plain), (dask_db, on_dask) = runs["in_process"], runs["dask"]
    assert plain.batch is not None
    assert on_dask.batch is not None
    assert plain.batch.loaded == len(COMPANIES)  # every Impressum became a company
    assert (on_dask.targets, on_dask.pages, on_dask.skipped, on_dask.errors) == (
        plain.targets, plain.pages, plain.skipped, plain.errors)
    assert (on_dask.batch.rows_in, on_dask.batch.loaded) == (plain.batch.rows_in,
                                                             plain.batch.loaded)
    assert not differing_relations(plain_db, dask_db)


def test_no_shard_or_crawl_file_is_left_behind(
        runs: dict[str, tuple[Path, CrawlResult]]) -> None:
    data = runs["dask"][0].parent
    assert not list((data / "partitions").glob("**/*")), "shard files left behind"
    assert not list((data / "crawl").glob("*.jsonl")), "the merged crawl output left behind"


def test_the_shards_ran_on_both_worker_processes(
        runs: dict[str, tuple[Path, CrawlResult]], cluster: distributed.LocalCluster) -> None:
    with distributed.Client(cluster) as client:
        ran = client.run(lambda: "stages.crawl" in sys.modules)
    assert len(ran) == 2
    assert all(ran.values()), ran

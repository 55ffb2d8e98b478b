"""The sharded crawl's writer side without Scrapy or Dask: how targets become shards, and
how shard files become one batch (stages.crawl; docs/scaling.md)."""

from __future__ import annotations

import json
from pathlib import Path

from foundation.settings import Settings
from stages.crawl import CrawlShard, ShardDone, crawl_sharded, in_stable_order, shards_by_domain
from warehouse.db import open_warehouse


def test_a_domain_never_spans_two_shards() -> None:
    targets = ["a.de", "b.de", "www.a.de", "c.de", "https://a.de/impressum", "d.de", "e.de"]
    shards = shards_by_domain(targets, 2)
    assert shards == [["a.de", "www.a.de", "https://a.de/impressum"], ["b.de", "c.de"],
                      ["d.de", "e.de"]]
    assert shards_by_domain(targets, 2) == shards  # the same targets, the same shards


def _line(record_type: str, domain: str, path: str = "/", company: str | None = None) -> str:
    record = {"record_type": record_type, "domain": domain, "url": f"http://{domain}{path}",
              "final_url": f"http://{domain}{path}", "page_kind": "impressum", "status": 200,
              "fetched_at": "2026-12-07T06:00:00Z", "title": None, "jsonld": [],
              "extracted": {"company_name": company} if company else None}
    return json.dumps(record, ensure_ascii=False) + "\n"  # as Scrapy's utf-8 feed writes it


def test_crawl_lines_load_in_an_order_that_does_not_depend_on_who_answered_first() -> None:
    lines = [_line("page", "b.de"), _line("outcome", "a.de"), _line("page", "a.de", "/x"),
             _line("page", "a.de")]
    ordered = [line for line, _ in in_stable_order(lines)]
    assert ordered == [lines[1], lines[3], lines[2], lines[0]]
    assert in_stable_order(list(reversed(lines))) == in_stable_order(lines)


def test_the_writer_loads_every_shard_as_one_batch_and_removes_the_files(
        settings: Settings, tmp_path: Path) -> None:
    with open_warehouse(settings, write=True, create=True):
        pass
    seen: list[CrawlShard] = []

    def fake_workers(shards: list[CrawlShard]) -> list[ShardDone]:
        """What the shards' Scrapy processes would write; the second was killed mid-line."""
        seen.extend(shards)
        shards[0].out_file.parent.mkdir(parents=True, exist_ok=True)
        shards[0].out_file.write_text(_line("page", "a.de", company="A\u2028GmbH"),
                                      encoding="utf-8")
        shards[1].out_file.write_text(_line("page", "b.de", company="B GmbH")
                                      + _line("page", "b.de", "/k")[:40], encoding="utf-8")
        return [ShardDone(0, 1, {}, {}, False, 0.1), ShardDone(1, 1, {}, {}, True, 0.1)]

    folder = tmp_path / "partitions"
    result = crawl_sharded(settings, fake_workers, folder, 1, targets=["a.de", "b.de"])

    assert [s.targets for s in seen] == [("a.de",), ("b.de",)]
    assert (result.targets, result.pages, result.timed_out) == (2, 2, True)
    assert result.batch is not None
    assert (result.batch.rows_in, result.batch.loaded) == (2, 2)  # the torn line left out
    with open_warehouse(settings, write=False) as wh:
        assert wh.scalar("SELECT count(*) FROM raw.batches WHERE source_kind = 'crawl'") == 1
        assert wh.fetchall("SELECT company FROM staging.stg_crawl__pages "
                           "ORDER BY row_number") == [("A\u2028GmbH",), ("B GmbH",)]
    assert not list(folder.glob("**/*"))
    assert not list((settings.data_dir / "crawl").glob("*.jsonl"))

"""The feed exporter writes exactly what Scrapy's exporter writes, one line per record."""

from __future__ import annotations

from io import BytesIO

from scrapy.exporters import JsonLinesItemExporter

from spiders.exporters import JsonLinesExporter
from spiders.items import CompanyPage, CrawlOutcome, SiteCrawl, SkipRecord


def test_same_lines_as_scrapy() -> None:
    items = [
        CompanyPage(domain="a.de", url="http://a.de/", final_url="http://a.de/", page_kind="home",
                    status=200, fetched_at="2026-11-27T00:00:00Z", encoding="utf-8",
                    title="Ä \"x\"", html="<p>Grüße</p>", html_truncated=False,
                    jsonld=[{"@type": "Organization", "name": "Ä"}], extracted={"phones": []}),
        SkipRecord("a.de", "http://a.de/x.pdf", "non_html", "application/pdf", "t"),
        CrawlOutcome("a.de", "http://a.de/", 1, [{"url": "u", "reason": "r"}], None, None, "t"),
        {"other": "item"},
    ]
    ours, scrapys = BytesIO(), BytesIO()
    for exporter in (JsonLinesExporter(ours, encoding="utf-8"),
                     JsonLinesItemExporter(scrapys, encoding="utf-8")):
        for item in items:
            exporter.export_item(item)
    assert ours.getvalue() == scrapys.getvalue()


def test_a_site_is_written_as_one_line_per_record() -> None:
    records: list[CompanyPage | SkipRecord | CrawlOutcome] = [
        SkipRecord("a.de", "http://a.de/x.pdf", "non_html", "application/pdf", "t"),
        CrawlOutcome("a.de", "http://a.de/", 0, [{"url": "u", "reason": "r"}], None, None, "t")]
    one, each = BytesIO(), BytesIO()
    JsonLinesExporter(one, encoding="utf-8").export_item(SiteCrawl("a.de", records))
    exporter = JsonLinesExporter(each, encoding="utf-8")
    for record in records:
        exporter.export_item(record)
    assert one.getvalue() == each.getvalue()
    assert one.getvalue().count(b"\n") == 2

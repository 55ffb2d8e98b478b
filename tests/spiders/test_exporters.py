"""The feed exporter's short path writes exactly what Scrapy's exporter writes."""

from __future__ import annotations

from io import BytesIO

from scrapy.exporters import JsonLinesItemExporter

from spiders.exporters import JsonLinesExporter
from spiders.items import CompanyPage, CrawlOutcome, SkipRecord


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

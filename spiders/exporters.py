"""The JSON-lines feed exporter: one line per record, with a short path for the spider's own
dataclass items.

A SiteCrawl (all records of one target) is written as one line per record, so the feed format
stays one record per line. Scrapy's exporter wraps every item in an ItemAdapter and walks its
fields through three generic layers (populated names, declared order, per-field serializers);
for a page record that walk cost more than encoding its HTML. Our items are plain dataclasses
without field serializers, so the same JSON (same keys, same order, same encoder) comes from
their fields.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from spiders.items import CompanyPage, CrawlOutcome, SiteCrawl, SkipRecord

_FIELDS: dict[type, tuple[str, ...]] = {
    t: tuple(f.name for f in dataclasses.fields(t))
    for t in (CompanyPage, CrawlOutcome, SkipRecord)}


class JsonLinesExporter(JsonLinesItemExporter):
    def export_item(self, item: Any) -> None:
        if isinstance(item, SiteCrawl):
            for record in item.records:
                self.export_item(record)
            return
        names = _FIELDS.get(type(item))
        if names is None or self.fields_to_export is not None:
            super().export_item(item)
            return
        data = {name: getattr(item, name) for name in names}
        self.file.write(to_bytes(self.encoder.encode(data) + "\n", self.encoding))

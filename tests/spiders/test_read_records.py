"""Reading a crawl's JSONL output back: every whole record, a torn last line dropped."""

from __future__ import annotations

import json
from pathlib import Path

from spiders.run import read_records


def test_a_line_separator_in_page_text_does_not_cut_the_record(tmp_path: Path) -> None:
    out = tmp_path / "crawl.jsonl"
    records = [{"url": "https://a.example/impressum", "text": "Musterstraße 1\u2028Berlin"},
               {"url": "https://b.example/", "text": "Absatz\u2029Ende\x85"}]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
                   + '{"url": "https://c.exa', encoding="utf-8")
    assert read_records(out) == records

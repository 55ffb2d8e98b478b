"""A crawl's output lines as input rows: the page for raw, the records it yields for staging.

Each page line is one input row. A page whose extraction found a company yields a company
record; every managing director named there yields a derived record (a decision maker at
that company, position Geschäftsführer). Pages without company data (home, about) yield
none: they are kept in raw and counted as skipped. The warehouse stores what this returns;
which crawled field becomes which canonical field is decided here, as for lists and forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PAYLOAD_KEYS = ("domain", "url", "final_url", "page_kind", "status", "fetched_at", "title",
                "jsonld", "extracted")
"""What raw keeps of a page line."""


@dataclass(frozen=True)
class CrawledRecord:
    suffix: str
    """Appended to the page's record id: "" for the company, "#md1", "#md2" … for directors."""
    values: dict[str, Any]
    """Canonical fields of `staging.stg_crawl__pages`."""
    director: str | None = None
    """The managing director a derived record stands for (raw keeps the name and the page)."""


@dataclass(frozen=True)
class CrawledPage:
    row: int
    """The line's number in the crawl output (1-based)."""
    url: str
    fetched_at: Any
    payload: dict[str, Any]
    records: tuple[CrawledRecord, ...]


def _company(page: Mapping[str, Any], found: Mapping[str, Any]) -> dict[str, Any]:
    register = " ".join(v for v in (found.get("register_court"), found.get("register_number"))
                        if v) or None
    return {
        "url": page["url"], "domain": page["domain"], "page_kind": page.get("page_kind"),
        "fetched_at": page.get("fetched_at"), "company": found.get("company_name"),
        "street": found.get("street"), "postcode": found.get("postcode"),
        "city": found.get("city"), "country": found.get("country"),
        "phone": (found.get("phones") or [None])[0], "fax": found.get("fax"),
        "email": (found.get("emails") or [None])[0], "website": page["domain"],
        "register": register, "vat_id": found.get("vat_id"),
        "legal_form": found.get("legal_form"),
    }


def _records(page: Mapping[str, Any]) -> tuple[CrawledRecord, ...]:
    found = page.get("extracted") or {}
    if not found.get("company_name"):
        return ()
    company = _company(page, found)
    directors = []
    for index, name in enumerate(found.get("managing_directors") or [], start=1):
        parts = str(name).split()
        directors.append(CrawledRecord(
            f"#md{index}",
            {**company, "full_name": name, "first_name": " ".join(parts[:-1]) or None,
             "last_name": parts[-1] if parts else None, "position": "Geschäftsführer",
             "email": None},
            director=str(name)))
    return (CrawledRecord("", company), *directors)


def crawled_pages(lines: Iterable[Mapping[str, Any]]) -> list[CrawledPage]:
    """The page lines of a crawl output (other record types are the crawl's own log)."""
    return [CrawledPage(row, line["url"], line.get("fetched_at"),
                        {k: line.get(k) for k in PAYLOAD_KEYS}, _records(line))
            for row, line in enumerate(lines, start=1) if line.get("record_type") == "page"]

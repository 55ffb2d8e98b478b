"""The lead lists of the web workspace: one channel's workable leads, filtered, searched,
sorted and paged on the server.

A page reads `marts.lead_list`, the qualified leads materialised at the end of every run
that changes decisions or scores (`refresh_lead_list`), so a page costs two queries on one
table instead of grouping every lead's records. The list is as of its build: `built_at` says
when, `changed_since` names runs that brought data in after it. Objections recorded since
then are withheld by the caller (`exclude`). A page opens the warehouse for itself and closes
it before it returns: a nightly writer needs the file, and while it writes, pages come from
the published snapshot (`from_snapshot`). The file is attached to a DuckDB instance the
process keeps (`reuse_instance`): starting an instance per page cost more than the queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from enrichment.bundesland import bundesland_config, postcode_ranges
from enrichment.config import company_config
from foundation.settings import Settings, suppression_secret
from foundation.vocabulary import AUDIENCES, CHANNELS, GRADES
from stages.outcomes import objected_leads_in
from warehouse.db import Warehouse, open_warehouse
from warehouse.lead_lists import (
    SORT_KEYS,
    ListQuery,
    facet_values,
    latest_build,
    list_ids,
    list_page,
    rebuild_lead_list,
)

MAX_PAGE_SIZE = 200
MAX_TERMS = 8
MAX_VALUES = 50
"""At most this many values per filter field (postcode prefixes, vendors...)."""
LIST_READ_WAIT_S = 0.5
"""How long a page waits for a running writer before it reads the published snapshot."""
_PLZ_PREFIX = re.compile(r"^\d{1,5}$")
_INDUSTRY = re.compile(r"^(\d{1,2}(\.?\d{1,3}){0,2}|[A-Ua-u])$")


class BadListFilter(ValueError):
    """A filter the list cannot use; the message starts with the field's name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class ListFilter:
    """What the list page asks for. Empty tuples mean "any"."""

    channel: str
    grades: tuple[str, ...] = ()
    min_score: float | None = None
    postcodes: tuple[str, ...] = ()
    """German postcode prefixes, 1 to 5 digits (8, 80, 803)."""
    bundeslaender: tuple[str, ...] = ()
    """Land names as `list_facets` gives them (Bayern, Nordrhein-Westfalen)."""
    sources: tuple[str, ...] = ()
    """Source kinds (purchased_list, web_form, crawl, customer) or vendor names."""
    audiences: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    """WZ 2008 code prefixes (62, 62.01) or section letters (C)."""
    query: str = ""
    """Free text: every word must occur in the name, company, e-mail, city, contact or
    postcode (case, umlaut spelling and accents ignored; no wildcards)."""
    include_review: bool = False
    sort: str = "score"
    descending: bool = True
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class LeadListRow:
    lead_id: str
    channel: str
    decision: str
    reason_code: str
    legal_basis: str | None
    entity_type: str
    company: str | None
    person_name: str | None
    contact: str | None
    """This channel's contact value only (e-mail address, number, postal address)."""
    postcode: str | None
    city: str | None
    bundesland: str | None
    country: str | None
    grade: str | None
    score: float | None
    sources: tuple[str, ...]
    vendors: tuple[str, ...]
    audience: str | None
    wz_code: str | None
    wz_section: str | None
    first_seen: datetime | None


@dataclass(frozen=True)
class LeadListPage:
    rows: tuple[LeadListRow, ...]
    total: int
    """Rows matching the filter on all pages (after `exclude`)."""
    page: int
    page_size: int
    from_snapshot: bool
    """True when a run was writing and the page came from the last published snapshot."""
    built_at: datetime | None
    """When the list was built; None when no decide or score run has built it yet."""
    changed_since: tuple[str, ...] = ()
    """Runs (ingest, match, ...) that finished after the build: their leads and changes
    appear after the next decide or score run."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class FacetValue:
    value: str
    rows: int
    label: str | None = None
    """A readable name where the value is a code (WZ section → its German name)."""


@dataclass(frozen=True)
class ListFacets:
    """The values present in the list, for the filter form."""

    vendors: tuple[FacetValue, ...]
    sources: tuple[FacetValue, ...]
    bundeslaender: tuple[FacetValue, ...]
    audiences: tuple[FacetValue, ...]
    industries: tuple[FacetValue, ...]
    grades: tuple[FacetValue, ...]
    built_at: datetime | None
    from_snapshot: bool


def _values(flt: ListFilter, field: str) -> tuple[str, ...]:
    values = getattr(flt, field)
    if isinstance(values, str) or not isinstance(values, tuple):
        raise BadListFilter(field, f"give a tuple of values, got {values!r}")
    if len(values) > MAX_VALUES:
        raise BadListFilter(field, f"at most {MAX_VALUES} values, got {len(values)}")
    cleaned = tuple(str(v).strip() for v in values)
    if any(not v for v in cleaned):
        raise BadListFilter(field, "an empty value; leave it out instead")
    return cleaned


def validate(flt: ListFilter, lands: tuple[str, ...] = ()) -> None:
    """Raise BadListFilter naming the first field the list cannot use and how to fix it."""
    if flt.channel not in CHANNELS:
        raise BadListFilter("channel", f"unknown channel {flt.channel!r}; use one of "
                                       f"{', '.join(CHANNELS)}")
    bad = [g for g in _values(flt, "grades") if g not in GRADES]
    if bad:
        raise BadListFilter("grades", f"unknown grade {', '.join(bad)}; use "
                                      f"{', '.join(GRADES)}")
    if flt.min_score is not None and not 0 <= flt.min_score <= 100:
        raise BadListFilter("min_score", f"a score between 0 and 100, got {flt.min_score}")
    bad = [p for p in _values(flt, "postcodes") if not _PLZ_PREFIX.match(p)]
    if bad:
        raise BadListFilter("postcodes", f"{', '.join(bad)} is not a postcode prefix: use 1 to "
                                         "5 digits, e.g. 80 or 803")
    bad = [b for b in _values(flt, "bundeslaender") if lands and b not in lands]
    if bad:
        raise BadListFilter("bundeslaender", f"unknown Bundesland {', '.join(bad)}; use one "
                                             f"of {', '.join(lands)}")
    _values(flt, "sources")
    bad = [a for a in _values(flt, "audiences") if a not in AUDIENCES]
    if bad:
        raise BadListFilter("audiences", f"unknown audience {', '.join(bad)}; use "
                                         f"{', '.join(AUDIENCES)}")
    bad = [i for i in _values(flt, "industries") if not _INDUSTRY.match(i)]
    if bad:
        raise BadListFilter("industries", f"{', '.join(bad)} is not an industry: use a WZ "
                                          "2008 code prefix (62 or 62.01) or section letter (C)")
    if len(flt.query) > 200:
        raise BadListFilter("query", f"at most 200 characters, got {len(flt.query)}")
    if len(flt.query.split()) > MAX_TERMS:
        raise BadListFilter("query", f"at most {MAX_TERMS} words, got {len(flt.query.split())}")
    if flt.sort not in SORT_KEYS:
        raise BadListFilter("sort", f"unknown sort {flt.sort!r}; use one of "
                                    f"{', '.join(SORT_KEYS)}")
    if flt.page < 1:
        raise BadListFilter("page", f"pages count from 1, got {flt.page}")
    if not 1 <= flt.page_size <= MAX_PAGE_SIZE:
        raise BadListFilter("page_size", f"between 1 and {MAX_PAGE_SIZE}, got {flt.page_size}")


def land_names(settings: Settings) -> tuple[str, ...]:
    """Every Bundesland the postcode mapping knows, in alphabetical order."""
    return tuple(sorted(bundesland_config(settings.config_dir).value.lands.values()))


def to_query(flt: ListFilter, exclude: frozenset[str] = frozenset()) -> ListQuery:
    """The filter in the warehouse's terms (validated before)."""
    industries = _values(flt, "industries")
    return ListQuery(
        channel=flt.channel,
        decisions=("allowed", "review") if flt.include_review else ("allowed",),
        grades=_values(flt, "grades"), min_score=flt.min_score,
        postcode_prefixes=_values(flt, "postcodes"),
        bundeslaender=_values(flt, "bundeslaender"), sources=_values(flt, "sources"),
        audiences=_values(flt, "audiences"),
        wz_prefixes=tuple(i.replace(".", "") for i in industries if not i.isalpha()),
        wz_sections=tuple(i.upper() for i in industries if i.isalpha()),
        terms=tuple(dict.fromkeys(flt.query.split())), exclude=tuple(sorted(exclude)),
        sort=flt.sort, descending=flt.descending, limit=flt.page_size,
        offset=(flt.page - 1) * flt.page_size)


def _quick(settings: Settings) -> Settings:
    return settings.waiting_at_most(LIST_READ_WAIT_S)


def _page_in(wh: Warehouse, flt: ListFilter, exclude: frozenset[str]) -> LeadListPage:
    build = latest_build(wh)
    rows, total = list_page(wh, to_query(flt, exclude))
    return LeadListPage(
        rows=tuple(LeadListRow(**{**r, "sources": tuple(r["sources"] or ()),
                                  "vendors": tuple(r["vendors"] or ())}) for r in rows),
        total=total, page=flt.page, page_size=flt.page_size, from_snapshot=wh.is_snapshot,
        built_at=build.built_at if build else None,
        changed_since=build.changed_since if build else ())


def _facets_in(wh: Warehouse, settings: Settings, channel: str | None) -> ListFacets:
    sections = {s.section: s.name for s in company_config(settings.config_dir).value.wz_sections}
    build = latest_build(wh)
    by: dict[str, list[FacetValue]] = {}
    for facet, value, rows in facet_values(wh, channel):
        label = sections.get(value) if facet == "wz_section" else None
        by.setdefault(facet, []).append(FacetValue(value, rows, label))
    return ListFacets(
        vendors=tuple(by.get("vendor", [])), sources=tuple(by.get("source", [])),
        bundeslaender=tuple(by.get("bundesland", [])), audiences=tuple(by.get("audience", [])),
        industries=tuple(by.get("wz_section", [])), grades=tuple(by.get("grade", [])),
        built_at=build.built_at if build else None, from_snapshot=wh.is_snapshot)


def _check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        raise BadListFilter("channel", f"unknown channel {channel!r}; use one of "
                                       f"{', '.join(CHANNELS)}")


def lead_list(settings: Settings, flt: ListFilter, *,
              exclude: frozenset[str] = frozenset()) -> LeadListPage:
    """One page of a channel's list. `exclude`: lead ids the caller withholds (objections
    recorded since the list was built)."""
    validate(flt, land_names(settings))
    with open_warehouse(_quick(settings), write=False, reuse_instance=True) as wh:
        return _page_in(wh, flt, exclude)


def list_facets(settings: Settings, channel: str | None = None) -> ListFacets:
    """What the filter form offers: vendors, sources, Bundesländer, audiences, industries
    and grades present in the list (of one channel, or of all)."""
    _check_channel(channel)
    with open_warehouse(_quick(settings), write=False, reuse_instance=True) as wh:
        return _facets_in(wh, settings, channel)


@dataclass(frozen=True)
class ChannelList:
    """What the workspace's list page shows, read in one visit to the warehouse."""

    page: LeadListPage
    facets: ListFacets
    withheld: int
    """Leads left out for an objection or opt-out newer than their decision (also one still
    waiting in the journal); the next decide run blocks them for good."""


def channel_list(settings: Settings, flt: ListFilter) -> ChannelList:
    """A page of one channel's list with its filter choices, leaving out every lead with an
    objection since its decision: one warehouse read (a page opens it once, not three times)."""
    validate(flt, land_names(settings))
    secret = suppression_secret(settings)
    with open_warehouse(_quick(settings), write=False, reuse_instance=True) as wh:
        withheld = objected_leads_in(wh, secret).on(flt.channel)
        return ChannelList(_page_in(wh, flt, withheld), _facets_in(wh, settings, flt.channel),
                           len(withheld))


def refresh_lead_list(wh: Warehouse, settings: Settings, trigger: str) -> int:
    """Rebuild `marts.lead_list` inside the caller's transaction; returns its rows.

    Called at the end of the runs that change what the list shows: decide, score, an
    erasure (the person's rows must go at once), a batch undo."""
    ranges = postcode_ranges(bundesland_config(settings.config_dir).value)
    return rebuild_lead_list(wh, ranges, trigger, datetime.now(UTC))


def list_lead_ids(settings: Settings, flt: ListFilter, *,
                  exclude: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """All lead ids the filter lists (every page), so an export holds what the page showed."""
    validate(flt, land_names(settings))
    with open_warehouse(_quick(settings), write=False, reuse_instance=True) as wh:
        return tuple(list_ids(wh, to_query(flt, exclude)))

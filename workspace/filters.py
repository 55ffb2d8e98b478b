"""The list filter as the page's query string and forms carry it, both ways.

The list page, its paging links and its export form share one encoding, so the file a rep
downloads holds exactly the leads the page listed (the export passes their ids).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams

from foundation.vocabulary import CHANNELS
from stages.lead_lists import ListFilter
from workspace.config import WorkspaceConfig

LIST_PARAMS = {"grades": "grade", "postcodes": "plz", "bundeslaender": "land",
               "sources": "source", "audiences": "audience", "industries": "industry"}
"""The filter's list fields → their names in the query string (read and written here)."""


def _values(data: QueryParams | FormData, name: str) -> tuple[str, ...]:
    """Repeated fields and comma lists alike: `?plz=80,81&plz=90` → ("80", "81", "90")."""
    out: list[str] = []
    for value in data.getlist(name):
        if isinstance(value, str):
            out += [v.strip() for v in value.split(",") if v.strip()]
    return tuple(dict.fromkeys(out))


def _one(data: QueryParams | FormData, name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def filter_from_form(data: QueryParams | FormData, config: WorkspaceConfig) -> ListFilter:
    """Build the filter; `ListFilter` validates (its errors name the field)."""
    channel = _one(data, "channel") or CHANNELS[0]
    min_score = _one(data, "min_score").replace(",", ".")
    page = _one(data, "page")
    size = _one(data, "size")
    return ListFilter(
        channel=channel,
        min_score=float(min_score) if _number(min_score) else None,
        query=_one(data, "q"),
        include_review=_one(data, "review") == "1",
        sort=_one(data, "sort") or "score",
        descending=_one(data, "dir") != "asc",
        page=int(page) if page.isdigit() and int(page) > 0 else 1,
        page_size=min(int(size), config.lists.max_page_size) if size.isdigit() and int(size) > 0
        else config.lists.page_size,
        **{field: _values(data, name) for field, name in LIST_PARAMS.items()},
    )


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def filter_params(flt: ListFilter, page: int | None = None) -> list[tuple[str, str]]:
    """The filter as query parameters (for links and hidden form fields), with a page."""
    params: list[tuple[str, str]] = [("channel", flt.channel)]
    for field, name in LIST_PARAMS.items():
        params += [(name, v) for v in getattr(flt, field)]
    if flt.min_score is not None:
        params.append(("min_score", f"{flt.min_score:g}"))
    if flt.query:
        params.append(("q", flt.query))
    if flt.include_review:
        params.append(("review", "1"))
    params += [("sort", flt.sort), ("dir", "desc" if flt.descending else "asc")]
    if page is not None:
        params.append(("page", str(page)))
    return params


def filter_query(flt: ListFilter, page: int | None = None) -> str:
    return urlencode(filter_params(flt, page))

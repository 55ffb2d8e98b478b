"""Pure parsers for a fetched page: schema.org organisation data, link kinds, the title.

Kept free of Scrapy objects except `parsel.Selector`, so they are tested on strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from parsel import Selector

from spiders.config import PagePatterns

_SPACE = re.compile(r"\s+")
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_ITEMSCOPE = re.compile("itemscope", re.I)
_JS_CALL_URL = re.compile(r"""['"]((?:https?:)?/[^'"\s]*|[\w\-./]+\.html?)['"]""")


def _type_names(value: Any) -> list[str]:
    types = value if isinstance(value, list) else [value]
    return [str(t).rsplit("/", 1)[-1] for t in types if t]


def _walk_jsonld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _walk_jsonld(child)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _walk_jsonld(node["@graph"])


def organizations_jsonld(sel: Selector, types: list[str]) -> list[dict[str, Any]]:
    """Organisation-like JSON-LD objects; broken JSON blocks are ignored (common on real sites)."""
    wanted = set(types)
    found: list[dict[str, Any]] = []
    for raw in sel.xpath('//script[contains(@type, "ld+json")]/text()').getall():
        try:
            data = json.loads(raw.strip().rstrip(";"))
        except ValueError:
            continue
        for obj in _walk_jsonld(data):
            if wanted.intersection(_type_names(obj.get("@type"))):
                found.append(obj)
    return found


def _microdata_item(node: Selector) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": _type_names(node.attrib.get("itemtype", "").split())}
    own = node.xpath(".//*[@itemprop][count(ancestor::*[@itemscope]) = $n]",
                     n=len(node.xpath("ancestor-or-self::*[@itemscope]")))
    for prop in own:
        name = prop.attrib["itemprop"]
        if "itemscope" in prop.attrib:
            value: Any = _microdata_item(prop)
        else:
            value = (prop.attrib.get("content") or prop.attrib.get("href")
                     or _SPACE.sub(" ", " ".join(prop.xpath(".//text()").getall())).strip())
        if name in item:
            previous = item[name]
            item[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            item[name] = value
    return item


def organizations_microdata(sel: Selector, types: list[str]) -> list[dict[str, Any]]:
    """Top-level microdata items whose itemtype is an organisation type."""
    wanted = set(types)
    found = []
    for node in sel.xpath("//*[@itemscope][@itemtype][not(ancestor::*[@itemscope])]"):
        if wanted.intersection(_type_names(node.attrib.get("itemtype", "").split())):
            found.append(_microdata_item(node))
    return found


def schema_org(sel: Selector, html: str,
               types: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(JSON-LD, microdata) organisations; most pages have neither marker in their text, and
    for them the two tree searches are skipped."""
    jsonld = organizations_jsonld(sel, types) if "ld+json" in html else []
    microdata = organizations_microdata(sel, types) if _ITEMSCOPE.search(html) else []
    return jsonld, microdata


def page_title(sel: Selector) -> str | None:
    """XPath `normalize-space(//title)`, read from the lxml tree (an XPath call per page costs
    more than the lookup)."""
    title = next(sel.root.iter("title"), None)
    if title is None:
        return None
    return _XML_SPACE.sub(" ", "".join(title.itertext())).strip(" \t\r\n") or None


def classify_link(text: str, url: str, patterns: PagePatterns) -> str | None:
    """The page kind a link leads to, by its text first, then by its URL path."""
    label = _SPACE.sub(" ", text).strip().lower()
    path = unquote(urlsplit(url).path).lower()
    for kind, pats in patterns.kinds.items():
        if label and any(p in label for p in pats.text):
            return kind
    for kind, pats in patterns.kinds.items():
        if any(p in path for p in pats.url):
            return kind
    return None


def js_link_target(href: str, onclick: str) -> str | None:
    """What a JavaScript-only link seems to point at (for the skip record), else None."""
    for source in (href, onclick):
        match = _JS_CALL_URL.search(source or "")
        if match:
            return match.group(1)
    return None

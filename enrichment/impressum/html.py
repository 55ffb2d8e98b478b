"""HTML → text chunks that keep field boundaries, plus the structured data found on the way.

An Impressum's meaning lives in its layout: `<br>` separates address lines, table cells pair a
label with a value, `<dt>`/`<dd>` do the same. Flattening to one string loses that, so this
module emits *chunks* (one per block element, table row or definition term), each a list of
lines; table cells are joined with ` | ` so "label | value" reads like "label: value".
Scripts, styles and navigation are dropped; JSON-LD, microdata, mailto/tel links and
Cloudflare-protected e-mails are collected separately. Pure: no I/O.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import lxml.html
from lxml import etree

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "address",
    "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "dl", "dt", "dd", "blockquote",
    "form", "fieldset", "figure", "figcaption", "pre", "hr", "center", "body", "html",
    "h1", "h2", "h3", "h4", "h5", "h6",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
DROP_TAGS = frozenset({"script", "style", "noscript", "nav", "template", "svg", "iframe", "head",
                       "button", "select", "option", "object", "canvas"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_GAP = re.compile(r"(?<=[^\s:|,;])[ \u00a0]{2,}(?=\S)")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_ITEMSCOPE = re.compile("itemscope", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


@dataclass
class Chunk:
    """One block of the page: its lines and whether it is a heading."""

    lines: list[str]
    heading: bool = False


@dataclass
class PageText:
    chunks: list[Chunk]
    jsonld: list[Any] = field(default_factory=list)
    microdata: list[dict[str, Any]] = field(default_factory=list)
    mailtos: list[str] = field(default_factory=list)
    tels: list[str] = field(default_factory=list)
    noscripts: list[str] = field(default_factory=list)
    """Text shown when scripts are off; pages that write their e-mail address by script put
    it here (`<noscript>info [at] firma [dot] de</noscript>`)."""
    rtl_hint: bool = False
    lang: str | None = None


def decode_html(data: bytes) -> str:
    """Decode page bytes: declared charset first, then UTF-8, then Windows-1252 (a superset of
    ISO-8859-1 for the printable range), which never fails."""
    match = _CHARSET.search(data[:4096])
    candidates = [match.group(1).decode("ascii", "ignore")] if match else []
    candidates += ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def cf_decode(hexstr: str) -> str | None:
    """Cloudflare e-mail protection: first byte is the XOR key for the rest."""
    try:
        raw = bytes.fromhex(hexstr)
    except ValueError:
        return None
    if len(raw) < 2:
        return None
    return "".join(chr(b ^ raw[0]) for b in raw[1:])

_DATA_IN_HEADING = re.compile(r"@|\d{4}|\S:\s+\S")
_CLOSING_BR = re.compile(r"</br\s*>", re.I)
_WRAPPED_MIN_CHARS = 55
_SOURCE_BREAK = re.compile(r"\n(?![ \t])")
_LAYOUT_BREAK = re.compile(r"[ \t]*\n[ \t]*")
"""A line break the author typed; one followed by indentation is the markup's layout
(`<a>0176⏎            72830885</a>`) and reads as a space."""


def source_lines(text: str) -> list[str]:
    """The lines of a text block as its author wrote them. Markdown renders `Firma GmbH⏎
    Straße 1⏎12345 Ort` into one paragraph that a browser shows on one line, but each source
    line is one fact. A break inside a sentence is no line: the next line goes on in lower
    case, or both lines are long prose (hard-wrapped at a fixed width)."""
    if "\n" not in text:
        return [text]
    parts = [p for p in (_LAYOUT_BREAK.sub(" ", x).strip() for x in _SOURCE_BREAK.split(text))
             if p]
    lines: list[str] = []
    for part in parts:
        if lines and _continues(lines[-1], part):
            lines[-1] = f"{lines[-1]} {part}"
        else:
            lines.append(part)
    return lines


def _continues(before: str, after: str) -> bool:
    first = after.split(maxsplit=1)[0]
    if "@" in first or first.startswith(("www.", "http")):
        return False  # an address or a link on its own line
    if after[:1].islower():
        return True
    return len(before) >= _WRAPPED_MIN_CHARS and len(after) >= _WRAPPED_MIN_CHARS \
        and not before.endswith((":", ",", ";"))


def clean_text(text: str) -> str:
    """Collapse spaces; a run of two or more spaces between words inside one text (a common
    way to lay out fields without markup) becomes a ` | ` separator."""
    text = _GAP.sub(" | ", _INVISIBLE.sub("", text))
    return _SPACES.sub(" ", text).strip()


class _Builder:
    def __init__(self) -> None:
        self.chunks: list[Chunk] = []
        self.lines: list[str] = []
        self.current: list[str] = []
        self.heading = False

    def text(self, value: str | None) -> None:
        if value:
            self.current.append(value)

    def newline(self) -> None:
        text = "".join(self.current)
        self.current = []
        for line in source_lines(text):
            line = clean_text(line)
            if line:
                self.lines.append(line)

    def flush(self) -> None:
        self.newline()
        if self.lines:
            # a "heading" that holds an address, a number or an e-mail is text styled big
            # (Material UI renders body text as <h6>)
            heading = self.heading and not any(_DATA_IN_HEADING.search(ln) for ln in self.lines)
            self.chunks.append(Chunk(self.lines, heading))
        self.lines = []
        self.heading = False


def _walk(el: Any, out: _Builder, page: PageText) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.lower()
    if tag == "script":
        if el.text and "reverse()" in el.text:
            page.rtl_hint = True
        out.text(el.tail)
        return
    if tag == "style":
        if el.text and re.search(r"direction\s*:\s*rtl|unicode-bidi", el.text):
            page.rtl_hint = True
        out.text(el.tail)
        return
    if tag == "noscript":
        page.noscripts.append(el.text_content())  # a script's fallback: read for e-mails
    if not tag or tag in DROP_TAGS:
        out.text(el.tail)
        return
    style = el.get("style") or ""
    if "rtl" in style or el.get("dir") == "rtl":
        page.rtl_hint = True
    href = el.get("href") or ""
    mailto = None
    if tag == "a" and href[:7].lower() == "mailto:":
        page.mailtos.append(href[7:])
        if "@" not in el.text_content():
            mailto = href[7:]  # "E-Mail schreiben": the address goes where the link stands
    elif tag == "a" and href[:4].lower() == "tel:":
        page.tels.append(href[4:])
    elif tag == "a" and "/cdn-cgi/l/email-protection#" in href:
        decoded = cf_decode(href.rsplit("#", 1)[1])
        if decoded:
            page.mailtos.append(decoded)
    cf = el.get("data-cfemail")
    if cf:
        decoded = cf_decode(cf)
        out.text(decoded or "")
        out.text(el.tail)
        return
    block = tag in BLOCK_TAGS
    if block and tag != "dd":
        out.flush()
        out.heading = tag in HEADING_TAGS
    if tag == "br":
        out.newline()
        out.text(el.tail)
        return
    if tag in ("td", "th") and "".join(out.current).strip():
        out.text(" | ")
    out.text(el.text)
    previous = None
    for child in el:
        if previous is not None and not (previous.tail or "").strip() and _glued(out, child):
            out.text(" | ")  # <span>Adresse</span><span>Bocksrietweg 18</span>: two fields
        _walk(child, out, page)
        previous = child
    if mailto is not None:
        out.text(f" {unquote(mailto).split('?', 1)[0]} ")
    if tag == "dd" or tag == "li":
        out.newline()
    if block and tag not in ("dt", "dd"):
        out.flush()
    elif tag == "dt":
        out.newline()
    out.text(el.tail)


def _glued(out: _Builder, child: Any) -> bool:
    """Whether `child` starts a word right where its sibling element ended one: sibling
    elements laid out as label and value by CSS, with no space between them in the markup."""
    if not isinstance(child.tag, str) or child.tag.lower() in BLOCK_TAGS or \
            child.tag.lower() in ("td", "th", "br"):
        return False  # blocks and cells separate themselves
    before = out.current[-1][-1:] if out.current and out.current[-1] else ""
    after = (child.text or "")[:1]
    return before.isalnum() and (after.isalnum() or after in "+(")


def _microdata(root: Any) -> list[dict[str, Any]]:
    """Top-level itemscopes as nested dicts of itemprop → text (first value wins)."""
    def read(scope: Any) -> dict[str, Any]:
        item: dict[str, Any] = {"@type": (scope.get("itemtype") or "").rsplit("/", 1)[-1]}
        for prop in scope.iterfind(".//*[@itemprop]"):
            owner = prop.getparent()
            while owner is not None and owner.get("itemscope") is None:
                owner = owner.getparent()
            if owner is not scope:
                continue
            name = prop.get("itemprop")
            if prop.get("itemscope") is not None:
                value: Any = read(prop)
            else:
                value = prop.get("content") or prop.get("href") or clean_text(prop.text_content())
            item.setdefault(name, value)
        return item

    scopes = root.xpath("//*[@itemscope and not(@itemprop)]")
    return [read(s) for s in scopes]


def parse_html(html: str) -> PageText:
    """Parse `html` (already decoded) into chunks and side data; tolerant of broken markup."""
    page = PageText(chunks=[])
    if not html.strip():
        return page
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    html = _CLOSING_BR.sub("<br>", html)  # "</br>": a line break as browsers read it
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return page
    page.lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    for el in root.iter("script"):
        if (el.get("type") or "").lower() == "application/ld+json" and el.text:
            with contextlib.suppress(ValueError):
                page.jsonld.append(json.loads(el.text.strip()))
    if _ITEMSCOPE.search(html):  # most pages have no microdata: skip the tree search
        page.microdata = _microdata(root)
    out = _Builder()
    body = root.find("body")
    _walk(body if body is not None else root, out, page)
    out.flush()
    page.chunks = out.chunks
    return page

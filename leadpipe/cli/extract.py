"""`leadpipe extract PATH_OR_URL`: what the Impressum extractor makes of one page.

This is how a user checks a surprising crawl result: run it on the saved page (or the URL)
and see every field. `--json` (or a pipe) prints the contract object with exactly the keys of
`enrichment.impressum.extract.CONTRACT_KEYS`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from leadpipe.cli.common import console, err_console, plain, print_json, wants_json


def _load(target: str, allow_private: bool) -> tuple[str, str | None]:
    """(html, url) for a saved file or a URL; URLs go through spiders.fetch and its SSRF guard."""
    if re.match(r"^https?://", target, re.I):
        try:
            from spiders.fetch import fetch_html  # imported here: loads Scrapy
        except ImportError as exc:
            err_console.print("[red]error:[/red] fetching URLs needs spiders.fetch, which is not "
                              "available; save the page and pass the file instead.")
            raise typer.Exit(2) from exc
        try:
            page = fetch_html(target, allow_private=allow_private)
        except Exception as exc:  # a refused or failed fetch is a user-facing message
            err_console.print(f"[red]error:[/red] could not fetch {plain(target)}: {plain(exc)}")
            raise typer.Exit(2) from exc
        return page.html, page.final_url or target
    path = Path(target)
    if not path.is_file():
        err_console.print(f"[red]error:[/red] {plain(target)}: no such file (or not an "
                          "http/https URL)")
        raise typer.Exit(2)
    from enrichment.impressum.html import decode_html

    return decode_html(path.read_bytes()), None


def extract(
    target: Annotated[str, typer.Argument(metavar="PATH_OR_URL",
                                          help="A saved HTML file or an http(s) URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the contract JSON.")] = False,
    url: Annotated[str | None, typer.Option(
        help="The page's URL when extracting a saved file (its domain helps pick the company).",
    )] = None,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Allow URLs on private/loopback addresses (tests, demo).",
    )] = False,
) -> None:
    """Show the company data extracted from one Impressum, imprint or contact page."""
    from enrichment.impressum import extract_impressum

    html, page_url = _load(target, allow_private)
    data = extract_impressum(html, url=url or page_url).to_contract()
    if wants_json(as_json):
        print_json(data)
        return
    table = Table(title=f"Impressum: {plain(target)}", show_header=True)
    table.add_column("field")
    table.add_column("value")
    for key, value in data.items():
        if isinstance(value, list):
            shown = "\n".join(escape(str(v)) for v in value) if value else "[dim]—[/dim]"
        else:
            shown = escape(str(value)) if value is not None else "[dim]—[/dim]"
        table.add_row(plain(key), shown)
    console.print(table)

"""`leadpipe extract PATH_OR_URL...`: what the Impressum extractor makes of pages.

This is how a user checks a surprising crawl result: run it on the saved page (or the URL)
and see every field. `--json` (or a pipe) prints the contract object with exactly the keys of
`enrichment.impressum.extract.CONTRACT_KEYS`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from enrichment.impressum.extract import ImpressumData

from leadpipe.cli.common import (
    console,
    err_console,
    plain,
    print_json,
    user_failure,
    wants_json,
)


def _load(target: str, allow_private: bool, config_dir: Path) -> tuple[str, str | None]:
    """(html, url) for a saved file or a URL; URLs go through spiders.fetch and its SSRF guard."""
    if re.match(r"^https?://", target, re.I):
        try:
            from spiders.fetch import fetch_html  # imported here: loads Scrapy
        except ImportError as exc:
            err_console.print("[red]error:[/red] fetching URLs needs spiders.fetch, which is not "
                              "available; save the page and pass the file instead.")
            raise typer.Exit(2) from exc
        try:
            page = fetch_html(target, allow_private=allow_private, config_dir=config_dir)
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


_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".php", ".txt")


def _pages(targets: list[str]) -> list[str]:
    """The targets with folders expanded to their saved pages (sorted, recursive)."""
    out: list[str] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            out += sorted(str(p) for p in path.rglob("*")
                          if p.is_file() and p.suffix.lower() in _PAGE_SUFFIXES)
        else:
            out.append(target)
    return out


def extract(
    targets: Annotated[list[str], typer.Argument(
        metavar="PATH_OR_URL...",
        help="Saved HTML files, folders of them, or http(s) URLs.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the contract JSON.")] = False,
    url: Annotated[str | None, typer.Option(
        help="The page's URL when extracting a saved file (its domain helps pick the company).",
    )] = None,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Allow URLs on private/loopback addresses (tests, demo).",
    )] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Say why each value was chosen and what was rejected (JSON: an "
                          "extra `evidence` list).")] = False,
) -> None:
    """Show the company data extracted from Impressum, imprint or contact pages.

    One page prints a table (or, with --json or a pipe, the contract object). Several pages
    or a folder print JSON lines, one per page in order, each with its `source`; a page that
    cannot be read is reported on stderr and the others go on (exit status 1 at the end).
    """
    from enrichment.config import use_config_dir
    from enrichment.impressum import extract_impressum
    from foundation.settings import load_settings

    config_dir = load_settings().config_dir
    use_config_dir(config_dir)
    pages = _pages(targets)
    if not pages:
        raise user_failure(f"{' '.join(targets)}: no saved pages (.html, .htm) found")
    if len(pages) == 1:
        html, page_url = _load(pages[0], allow_private, config_dir)
        result = extract_impressum(html, url=url or page_url, explain=explain)
        _show(pages[0], result, as_json, explain)
        return
    failed = 0
    for page in pages:
        try:
            html, page_url = _load(page, allow_private, config_dir)
        except typer.Exit:
            failed += 1
            continue
        result = extract_impressum(html, url=page_url, explain=explain)
        sys.stdout.write(json.dumps({"source": page, **_contract(result, explain)},
                                    ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if failed:
        err_console.print(f"{failed} of {len(pages)} pages could not be read (see above)")
        raise typer.Exit(1)


def _contract(result: ImpressumData, explain: bool) -> dict[str, object]:
    data = result.to_contract()
    if explain:
        data["evidence"] = [e.as_dict() for e in result.evidence]
    return data


def _show(target: str, result: ImpressumData, as_json: bool, explain: bool) -> None:
    if wants_json(as_json):
        print_json(_contract(result, explain))
        return
    table = Table(title=f"Impressum: {plain(target)}", show_header=True)
    table.add_column("field")
    table.add_column("value")
    for key, value in result.to_contract().items():
        if isinstance(value, list):
            shown = "\n".join(escape(str(v)) for v in value) if value else "[dim]—[/dim]"
        else:
            shown = escape(str(value)) if value is not None else "[dim]—[/dim]"
        table.add_row(plain(key), shown)
    console.print(table)
    if explain:
        why = Table(title="Why", show_header=True)
        for column in ("field", "value", "", "because", "line"):
            why.add_column(column)
        for e in result.evidence:
            why.add_row(plain(e.field), plain(e.value), "[green]✓[/green]" if e.chosen
                        else "[red]✗[/red]", plain(e.why),
                        plain(f"{e.line}: {e.text}") if e.line is not None else "")
        console.print(why)

"""`leadpipe crawl`: the leads' company websites (or given ones), crawled and loaded now."""

from __future__ import annotations

from typing import Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    console,
    db_hint,
    print_json,
    settings_for,
    user_errors,
    wants_json,
)


def crawl(
    targets: Annotated[list[str] | None, typer.Argument(
        help="Domains or URLs; none: the leads' websites that are due for a crawl.",
        show_default=False)] = None,
    max_targets: Annotated[int | None, typer.Option(
        min=1, help="Crawl at most this many websites.")] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Crawl company websites (Impressum, contact pages) and load what they say."""
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.cli.summary import print_crawl, print_next
    from leadpipe.stages.crawl import crawl_and_load

    with user_errors():
        result = crawl_and_load(settings_for(db), targets or None, max_targets,
                                terminal_progress(as_json))
    if wants_json(as_json):
        print_json(result.as_dict())
        return
    print_crawl(result, console)
    print_next("crawl", console, db_hint(db))

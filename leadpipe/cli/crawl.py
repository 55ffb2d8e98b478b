"""`leadpipe crawl`: the leads' company websites (or given ones), crawled and loaded now."""

from __future__ import annotations

from typing import Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    settings_for,
    user_errors,
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
    from leadpipe.cli.summary import print_crawl, show_stage
    from stages.crawl import crawl_and_load

    with user_errors():
        result = crawl_and_load(settings_for(db), targets or None, max_targets,
                                terminal_progress(as_json))
    show_stage("crawl", result, print_crawl, as_json, db)

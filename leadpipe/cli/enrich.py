"""`leadpipe enrich`: enrich what is new or changed, now."""

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


def enrich(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Enrich every record not enriched yet (or enriched under an older configuration)."""
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.cli.summary import print_enrich, print_next
    from leadpipe.stages.enrich import enrich_new

    with user_errors():
        result = enrich_new(settings_for(db), terminal_progress(as_json))
    if wants_json(as_json):
        print_json(result)
        return
    print_enrich(result, console)
    print_next("enrich", console, db_hint(db))

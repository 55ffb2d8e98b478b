"""`leadpipe enrich`: enrich what is new or changed, now."""

from __future__ import annotations

from typing import Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    settings_for,
    user_errors,
)


def enrich(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Enrich every record not enriched yet (or enriched under an older configuration)."""
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.cli.summary import print_enrich, show_stage
    from stages.enrich import enrich_new

    with user_errors():
        result = enrich_new(settings_for(db), terminal_progress(as_json))
    show_stage("enrich", result, print_enrich, as_json, db)

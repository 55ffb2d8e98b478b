"""`leadpipe enrich`: enrich what is new or changed, now."""

from __future__ import annotations

from typing import Annotated

import typer

from leadpipe.cli.common import DbOption, console, print_json, settings_for, user_errors, wants_json
from leadpipe.stages.enrich import enrich_new


def enrich(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Enrich every record not enriched yet (or enriched under an older configuration)."""
    with user_errors():
        counts = enrich_new(settings_for(db))
    if wants_json(as_json):
        print_json(counts)
    else:
        console.print(f"{counts['records_enriched']} record(s) enriched, {counts['values']} "
                      f"value(s) with provenance, {counts['dns_lookups']} DNS lookup(s).")

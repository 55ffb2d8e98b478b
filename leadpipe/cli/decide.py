"""`leadpipe decide`: per lead and channel, may we contact them (UWG §7/§7a, GDPR), now."""

from __future__ import annotations

from typing import Annotated

import typer

from leadpipe.cli.common import (
    DbOption,
    parse_day,
    settings_for,
    user_errors,
)


def decide(
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Decide as of this date (default today).")] = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Decide contact eligibility for every lead and channel, with reason and legal basis.

    Every lead is decided again (time alone changes decisions: consents age, Art. 14
    deadlines pass); a decision is stored anew only when it or its inputs changed.
    """
    from leadpipe.cli.progress import terminal_progress
    from leadpipe.cli.summary import print_decide, show_stage
    from stages.decide import decide_all

    day = parse_day(as_of, "--as-of") if as_of else None
    with user_errors():
        result = decide_all(settings_for(db), day, terminal_progress(as_json))
    show_stage("decide", result, print_decide, as_json, db)

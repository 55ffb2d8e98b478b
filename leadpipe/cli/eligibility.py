"""`leadpipe eligibility check`: run the rule engine on hand-written cases (case-format.md).

Every case is validated before anything is decided: one invalid case stops the run with a
message naming the case and the field, and exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from leadpipe.cli.common import console, err_console, plain, print_json, user_errors, user_failure

if TYPE_CHECKING:
    from compliance.engine import CaseDecision

app = typer.Typer(help="Contact eligibility under UWG and GDPR.", no_args_is_help=True)

_COLOURS = {"allowed": "green", "blocked": "red", "review": "yellow"}


def _table(decision: CaseDecision) -> Table:
    from compliance.rulebook import RULES

    table = Table(title=f"{plain(decision.id or 'case')} (as of {decision.as_of}, "
                        f"rules {decision.rules_version})", show_lines=True)
    for column in ("channel", "decision", "reason", "rule", "source", "legal basis"):
        table.add_column(column, overflow="fold", min_width=8 if column != "reason" else 20)
    for channel, d in decision.channels.items():
        title, source = RULES[d.rule]
        colour = _COLOURS[d.decision]
        table.add_row(channel, f"[{colour}]{d.decision}[/{colour}]", d.reason,
                      f"{d.rule}: {title}", source, d.legal_basis or "—")
    return table


@app.command("check")
def check(
    input_path: Annotated[Path, typer.Option("--input", help="Case file: one case or a list.",
                                             dir_okay=False)],
    output_format: Annotated[Literal["json", "table"] | None, typer.Option(
        "--format", help="json (default when not in a terminal) or table.",
        show_default=False)] = None,
) -> None:
    """Decide each channel of each case: allowed, blocked or review, with reason and rule."""
    from compliance.case import CaseError, cases_from_json
    from compliance.engine import evaluate
    from compliance.thresholds import apply_parameters, load_eligibility_config
    from foundation.settings import load_settings

    try:
        data = json.loads(input_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise user_failure(f"{input_path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise user_failure(f"{input_path}: not valid JSON: {exc}") from exc
    with user_errors():
        config = load_eligibility_config(load_settings().config_dir)
    try:
        parsed = cases_from_json(data)
        warnings = list(parsed.warnings)
        for position, case in enumerate(parsed.cases):
            label = repr(case.id) if case.id else f"#{position + 1}"
            warnings += apply_parameters(config.thresholds, case.parameters,
                                         config.parameter_aliases, label)[1]
    except CaseError as exc:
        raise user_failure(str(exc)) from exc
    for warning in warnings:
        err_console.print(f"warning: {warning}", highlight=False, markup=False)
    decisions = [evaluate(case, config.thresholds, config.parameter_aliases)
                 for case in parsed.cases]
    if output_format == "json" or (output_format is None and not sys.stdout.isatty()):
        results = [d.to_dict() for d in decisions]
        print_json(results if parsed.is_list else results[0])
    else:
        for decision in decisions:
            console.print(_table(decision))

"""The `leadpipe` command: one Typer app, one module per command group.

Each group module (`leadpipe/cli/<group>.py`) defines its commands; this module only wires
them together so `leadpipe --help` lists everything. Importing them must stay cheap: a
command imports its stage (and with it DuckDB, pandas, scikit-learn, Prefect …) inside its
function, so `--help` and the light commands start fast (tests/cli/test_startup.py).
"""

from __future__ import annotations

import typer

from leadpipe.cli import campaign as campaign_cli
from leadpipe.cli import consent as consent_cli
from leadpipe.cli import crawl as crawl_cli
from leadpipe.cli import decide as decide_cli
from leadpipe.cli import demo as demo_cli
from leadpipe.cli import eligibility as eligibility_cli
from leadpipe.cli import enrich as enrich_cli
from leadpipe.cli import extract as extract_cli
from leadpipe.cli import forecast as forecast_cli
from leadpipe.cli import funnel as funnel_cli
from leadpipe.cli import gdpr as gdpr_cli
from leadpipe.cli import ingest as ingest_cli
from leadpipe.cli import inspect as inspect_cli
from leadpipe.cli import leads as leads_cli
from leadpipe.cli import match as match_cli
from leadpipe.cli import notices as notices_cli
from leadpipe.cli import outcomes as outcomes_cli
from leadpipe.cli import run as run_cli
from leadpipe.cli import score as score_cli
from leadpipe.cli import serve as serve_cli
from leadpipe.cli import warehouse as warehouse_cli
from leadpipe.cli import web as web_cli

app = typer.Typer(
    name="leadpipe",
    help="Lead generation and qualification pipeline for German and EU sales teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Ingest, deduplicate, enrich, check and score leads in one DuckDB warehouse."""
    from foundation.private import restrict_umask

    restrict_umask()  # every file a command (or the intake service) creates is 0600


app.add_typer(ingest_cli.app, name="ingest")
app.add_typer(inspect_cli.app, name="inspect")
app.add_typer(run_cli.app, name="run")
app.command("crawl")(crawl_cli.crawl)
app.command("enrich")(enrich_cli.enrich)
app.command("match")(match_cli.match)
app.command("decide")(decide_cli.decide)
app.add_typer(match_cli.review_app, name="review")
app.command("explain-match")(match_cli.explain_match)
app.command("dedupe-file")(match_cli.dedupe_file)
app.command("extract")(extract_cli.extract)
app.add_typer(consent_cli.app, name="consent")
app.add_typer(gdpr_cli.app, name="gdpr")
app.add_typer(eligibility_cli.app, name="eligibility")
app.add_typer(notices_cli.robinson_app, name="robinson")
app.add_typer(notices_cli.art14_app, name="art14")
app.command("demo")(demo_cli.demo)
app.command("status")(warehouse_cli.status)
app.command("quarantine")(warehouse_cli.quarantine)
app.command("sql")(warehouse_cli.sql)
app.command("serve")(serve_cli.serve)
app.command("score")(score_cli.score)
app.add_typer(leads_cli.app, name="leads")
app.add_typer(outcomes_cli.outcomes_app, name="outcomes")
app.add_typer(outcomes_cli.engagement_app, name="engagement")
app.add_typer(campaign_cli.app, name="campaign")
app.command("funnel")(funnel_cli.funnel)
app.command("forecast")(forecast_cli.forecast)
app.add_typer(web_cli.app, name="web")

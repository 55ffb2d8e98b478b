"""`leadpipe serve`: the web-form intake service (form posts, double opt-in links).

It never opens the warehouse; the nightly run picks up its spool with
`intake.handoff.export_pending`. Run it behind a reverse proxy that terminates TLS.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from leadpipe.cli.common import console, user_errors


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    forms: Annotated[Path | None, typer.Option(
        "--forms", help="Form configuration (default: <config dir>/intake-forms.yaml if present,"
                        " else the built-in demo form).", show_default=False)] = None,
) -> None:
    """Receive web-form submissions and run the double opt-in for e-mail consent."""
    import uvicorn

    from foundation.settings import load_settings
    from intake.app import create_app
    from intake.config import load_intake_config, state_path
    from intake.mail import SmtpMailer

    settings = load_settings()
    with user_errors():
        loaded = load_intake_config(settings, forms)
    config = loaded.value
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    console.print(f"intake: {len(config.forms)} form(s) "
                  f"({', '.join(f.id for f in config.forms)}), config {loaded.version}, "
                  f"state {state_path(settings)}")
    app = create_app(settings, config, SmtpMailer(config.smtp))
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False,
                access_log=False, log_level="info")

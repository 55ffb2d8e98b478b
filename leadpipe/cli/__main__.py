"""`python -m leadpipe.cli` is the same as the `leadpipe` command."""

from leadpipe.cli.main import app

app()

"""`leadpipe demo`: generate the bundled demo data and run the nightly flow on it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from leadpipe.cli.common import DbOption, console, settings_for, user_errors
from leadpipe.cli.summary import print_run_summary


def demo(
    out: Annotated[Path, typer.Option(help="Where to write the demo inputs.")] = Path("data/demo"),
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 42,
    fresh: Annotated[bool, typer.Option(
        "--fresh/--keep", help="Start from an empty warehouse and new demo files.",
    )] = True,
    db: DbOption = None,
) -> None:
    """Generate demo lists, forms and websites, then run the nightly flow on them."""
    from flows.nightly import nightly  # imported here: loading Prefect takes seconds
    from leadpipe.demo import generate_demo

    settings = settings_for(db)
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
        for path in (settings.db_path, settings.snapshot_path,
                     settings.db_path.with_name(settings.db_path.name + ".wal")):
            path.unlink(missing_ok=True)
    if not (out / "manifest.json").exists():
        console.print(f"Generating demo data in {out} (seed {seed}) …")
        generate_demo(out, seed=seed)
    console.print("Running the nightly flow (a temporary Prefect server starts first) …")
    with user_errors():
        result = nightly(inbox=str(out), db=str(settings.db_path))
    print_run_summary(result, console)
    console.print(
        f"\nThe warehouse is [bold]{settings.db_path}[/bold]. Look around with:\n"
        "  .venv/bin/leadpipe status\n"
        "  .venv/bin/leadpipe quarantine\n"
        '  .venv/bin/leadpipe sql "SELECT * FROM staging.stg_purchased_list__records LIMIT 5"'
    )

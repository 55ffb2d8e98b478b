"""Turning stage results into Prefect artifacts that marketing ops read in the UI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact


def publish_counts(key: str, title: str, rows: Sequence[dict[str, Any]]) -> None:
    """A table artifact of per-file counts plus a markdown headline with the totals."""
    if rows:
        create_table_artifact(key=key, table=list(rows), description=title)
    totals = {name: sum(int(r.get(name) or 0) for r in rows)
              for name in ("in", "loaded", "quarantined", "skipped")}
    create_markdown_artifact(
        key=f"{key}-summary",
        markdown=(
            f"## {title}\n\n"
            f"**{totals['in']} rows in = {totals['loaded']} loaded + "
            f"{totals['quarantined']} quarantined + {totals['skipped']} skipped** "
            f"across {len(rows)} file(s).\n"
        ),
        description=title,
    )

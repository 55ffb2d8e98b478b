"""The warehouse's views, one SQL file each: `warehouse/models/<schema>/<name>.sql`.

A file holds the SELECT of the view `<schema>.<name>`; its folder is its layer (staging,
core, marts). A view is changed by editing its file, never in a migration: whenever a writer
opens the warehouse, after the migrations, every view is dropped and re-created from its
file in the order of their FROM/JOIN references, in one transaction. `ops.model_builds`
keeps each file's checksum as built, so nothing is rebuilt while the files, the set of views
and the schema (no migration applied) stay as they were. Readers use the views as the last
writer built them and never build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from graphlib import TopologicalSorter
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warehouse.db import Warehouse

_READS = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class Model:
    """One view: `schema.name` from the file's folder and name, and the SELECT it holds."""

    name: str
    sql: str

    @cached_property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    @cached_property
    def reads(self) -> frozenset[str]:
        """Every `schema.relation` after a FROM or JOIN (tables and other views alike)."""
        return frozenset(name.lower() for name in _READS.findall(_COMMENT.sub("", self.sql)))


def load_models() -> list[Model]:
    """Every model shipped with this leadpipe, by name."""
    found = []
    for layer in resources.files("warehouse").joinpath("models").iterdir():
        if not layer.is_dir():
            continue
        for entry in layer.iterdir():
            if entry.name.endswith(".sql"):
                found.append(Model(f"{layer.name}.{entry.name.removesuffix('.sql')}",
                                   entry.read_text(encoding="utf-8").strip()))
    return sorted(found, key=lambda m: m.name)


def build_order(models: Iterable[Model]) -> list[Model]:
    """The models with every one after the models it reads (graphlib.CycleError on a loop)."""
    by_name = {m.name: m for m in models}
    graph = TopologicalSorter({name: sorted(model.reads & by_name.keys())
                               for name, model in sorted(by_name.items())})
    return [by_name[name] for name in graph.static_order()]


def build_views(wh: Warehouse, *, force: bool = False) -> list[str]:
    """Re-create every model's view unless the warehouse already has them as the files say.

    `force` rebuilds anyway (after a migration changed the tables below). Views recorded
    from an earlier build whose file is gone are dropped too. Returns the names built, in
    build order; empty when nothing changed.
    """
    models = build_order(load_models())
    wanted = {m.name: m.checksum for m in models}
    built = dict(wh.fetchall("SELECT name, checksum FROM ops.model_builds"))
    if not force and built == wanted and _present(wh, list(wanted)) == len(wanted):
        return []
    now = datetime.now(UTC)
    with wh.transaction():
        for name in sorted(built.keys() | wanted.keys()):
            wh.execute(f"DROP VIEW IF EXISTS {name}")
        for model in models:
            wh.execute(f"CREATE VIEW {model.name} AS\n{model.sql}")
        wh.execute("DELETE FROM ops.model_builds")
        wh.insert_columns("ops.model_builds", {
            "name": list(wanted), "checksum": list(wanted.values()),
            "built_at": [now] * len(wanted)})
    return [m.name for m in models]


def _present(wh: Warehouse, names: list[str]) -> int:
    """How many of these views the warehouse has."""
    return int(wh.scalar(
        "SELECT count(*) FROM duckdb_views() WHERE NOT internal AND database_name = "
        "current_database() AND list_contains(?, schema_name || '.' || view_name)", [names]))

"""The packages form layers, and each imports only from the layers below it.

docs/architecture.md draws the picture; this test keeps the code to it. An arrow that runs
back up (a pure package importing the stages, `foundation` importing anything) fails here
with the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ALLOWED: dict[str, set[str]] = {
    # the ground: settings, configuration loading, vocabulary, files and child processes
    "foundation": set(),
    # pure packages (spiders speak HTTP, intake serves the form): they know the ground and
    # the packages whose values they share
    "enrichment": {"foundation"},
    "matching": {"foundation"},
    "scoring": {"foundation"},
    "compliance": {"foundation", "enrichment"},
    "ingest": {"foundation", "enrichment", "compliance"},
    "spiders": {"foundation", "enrichment"},
    "intake": {"foundation", "ingest", "compliance"},
    # the only SQL: it stores the pure packages' values (hash chains, scrubbing, constraints)
    "warehouse": {"foundation", "enrichment", "compliance", "ingest", "matching"},
    # the wiring: read the predecessor, call a pure function, write the own model
    "stages": {"foundation", "enrichment", "compliance", "ingest", "matching", "scoring",
               "spiders", "intake", "warehouse"},
    # the roof: flows orchestrate stages; leadpipe is the command line and the demo
    "flows": {"foundation", "ingest", "scoring", "spiders", "intake", "warehouse", "stages"},
    # the workspace (the web pages for sales and marketing) sits beside the command line: it
    # calls the stages (from the warehouse it knows only its errors: busy, missing) and
    # starts flows only through Prefect's API
    "workspace": {"foundation", "compliance", "ingest", "scoring", "warehouse", "stages"},
    "leadpipe": {"foundation", "enrichment", "compliance", "ingest", "matching", "scoring",
                 "spiders", "intake", "warehouse", "stages", "flows", "workspace"},
}


def _imports(path: Path) -> set[str]:
    """Top-level project packages a module imports (at any depth in the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_from_layers_below(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {sorted(imported - ALLOWED[package] - {package})}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if (imported := _imports(path)) - ALLOWED[package] - {package}
    ]
    assert not wrong, "\n".join(wrong)


def test_every_package_is_placed_in_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= set(ALLOWED), sorted(packages - set(ALLOWED))

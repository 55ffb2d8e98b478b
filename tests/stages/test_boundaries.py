"""The layering the stages rest on: SQL only in warehouse/."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO, SOURCE_PACKAGES, source_files

OWN_STORE = {"warehouse", "intake", "workspace", "tests"}
"""warehouse/ runs the warehouse's SQL; intake/ keeps the form service's own SQLite spool;
workspace/ its users, sessions and audit log (SQLite: writable while the nightly holds DuckDB)."""
SQL_CALLS = {"execute", "executemany", "fetchall", "fetchone", "scalar", "dicts", "sql"}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH)\b")


def sql_calls(source: str) -> list[int]:
    """Lines of calls like `wh.execute("SELECT …")`: a SQL keyword in a string literal
    handed to a method that runs SQL."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS and node.args):
            text = " ".join(c.value for c in ast.walk(node.args[0])
                            if isinstance(c, ast.Constant) and isinstance(c.value, str))
            if SQL_WORDS.search(text):
                lines.append(node.lineno)
    return lines


def test_the_check_finds_sql() -> None:
    assert sql_calls('wh.scalar("SELECT count(*) FROM core.leads")') == [1]
    assert sql_calls('x = 1\nwh.con.execute(f"INSERT INTO {t} VALUES (?)", [1])') == [2]
    assert sql_calls('typer.Argument(help="A SELECT over the tables.")') == []


def test_sql_runs_only_in_the_warehouse_package() -> None:
    packages = tuple(p for p in SOURCE_PACKAGES if p not in OWN_STORE)
    assert {"leadpipe", "flows", "matching", "stages"} <= set(packages)
    found = [f"{path.relative_to(REPO)}:{line}" for path in source_files(packages)
             for line in sql_calls(path.read_text(encoding="utf-8"))]
    assert found == [], "SQL outside warehouse/; move it into a warehouse module: " + \
        ", ".join(found)

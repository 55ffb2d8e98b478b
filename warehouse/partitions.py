"""Partition files: rows that travel between the single warehouse writer and the workers.

Work that parallelises beyond one process (enrichment and matching partitions on a Dask
cluster) reads its input rows from a Parquet file and writes its result rows to Parquet files
in a folder every worker and the writer can reach; the writer then loads them in one
transaction. DuckDB allows one writing process per warehouse file, so the workers never open
the warehouse: they use an in-memory DuckDB to read and write Parquet, with the column types
of the warehouse table the rows come from or go to (or of the arrays they hold), so that a
value reads back exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from warehouse.db import Warehouse

ColumnTypes = tuple[tuple[str, str], ...]
"""(column, DuckDB type) in table order: the schema a partition file is written with."""


def column_types(wh: Warehouse, relation: str) -> ColumnTypes:
    """The columns and types of a warehouse table or view, for the partition files."""
    return tuple((str(name), str(kind)) for name, kind, *_ in
                 wh.con.execute(f"DESCRIBE {relation}").fetchall())


def write_rows(path: Path, schema: ColumnTypes, rows: Sequence[Mapping[str, Any]]) -> int:
    """Write `rows` (missing keys are NULL) to a Parquet file with `schema`; rows written."""
    return write_arrays(path, schema, {
        name: np.asarray([row.get(name) for row in rows], dtype=object) for name, _ in schema})


def write_arrays(path: Path, schema: ColumnTypes, arrays: Mapping[str, np.ndarray]) -> int:
    """Write equal-length arrays as the columns of a Parquet file with `schema`; rows written.
    Arrays carry numbers by the million (matching's pair indexes and levels) at no cost per
    row.

    The file appears whole or not at all (written beside it, then renamed), so a writer
    never loads half a partition of a worker that died.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    quoted = ", ".join(f'"{name}"' for name, _ in schema)
    _bulk = {name: arrays[name] for name, _ in schema}
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE part ("
                    + ", ".join(f'"{name}" {kind}' for name, kind in schema) + ")")
        con.execute(f"INSERT INTO part ({quoted}) SELECT {quoted} FROM _bulk")
        con.execute(f"COPY part TO '{_literal(partial)}' (FORMAT parquet)")
    finally:
        con.close()
    partial.replace(path)
    return len(next(iter(_bulk.values()))) if _bulk else 0


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The columns of a file `write_arrays` wrote, as arrays in file order (for columns
    without NULL: a NULL would come back as whatever value its slot holds)."""
    con = duckdb.connect()
    try:
        columns = con.execute(f"SELECT * FROM read_parquet('{_literal(path)}')").fetchnumpy()
        return {name: np.asarray(values) for name, values in columns.items()}
    finally:
        con.close()


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a partition file, as the warehouse query that wrote it returned them."""
    con = duckdb.connect()
    try:
        cursor = con.execute(f"SELECT * FROM read_parquet('{_literal(path)}')")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def load_files(wh: Warehouse, table: str, paths: Sequence[Path], order_by: str) -> int:
    """Insert the rows of partition files into `table` (columns by name); rows inserted.

    Rows go in ordered by `order_by`, then as each file holds them: the order the in-process
    stage inserts in, which the views' list aggregates (a lead's name variants) show.
    """
    if not paths:
        return 0
    files = ", ".join(f"'{_literal(p)}'" for p in paths)
    row = wh.con.execute(
        f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (file_row_number) "
        f"FROM read_parquet([{files}], file_row_number = true) "
        f'ORDER BY "{order_by}", file_row_number').fetchone()
    return int(row[0]) if row else 0


def distinct_values(wh: Warehouse, column: str, paths: Sequence[Path]) -> list[str]:
    """The distinct values of `column` in partition files (a check before loading them)."""
    if not paths:
        return []
    files = ", ".join(f"'{_literal(p)}'" for p in paths)
    return [str(v) for (v,) in wh.con.execute(
        f'SELECT DISTINCT "{column}" FROM read_parquet([{files}]) ORDER BY 1').fetchall()]


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")

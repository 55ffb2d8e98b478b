"""A prepared list held whole as Arrow string columns, for stages that hand its rows to
forked worker processes.

A forked worker reads the rows it is given from the parent's memory, where handing each
record through a pipe cost the parent a third of a million-row enrichment (reading every
row into a dict, pickling it, sending it) and the worker its unpickling. Arrow reads the
file in C, a column takes a few bytes a value, and a fork shares it without copying: Arrow's
buffers carry no reference counts for the child to write to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from foundation.spreadsheet import without_text_marker

BLOCK_BYTES = 1 << 20
"""Arrow reads a CSV block by block; a record spanning more than two blocks it refuses (that
list is then read row by row), and larger blocks kept more of its memory after the read."""


def read_prepared_table(csv_path: Path, width: int) -> pa.Table | None:
    """Every data row of a prepared CSV (`ingest.prepare`: a header row, then RFC 4180 rows),
    a string column per header column, by position (headers may repeat). None when a row
    is not as wide as the header: Arrow refuses such a row where Python's reader gives it
    as it is, so those lists are read row by row instead."""
    ragged = False

    def refuse(_row: pacsv.InvalidRow) -> str:
        nonlocal ragged
        ragged = True
        return "skip"

    names = [f"column_{k}" for k in range(width)]
    try:
        table = pacsv.read_csv(
            csv_path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=refuse),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
            memory_pool=pa.system_memory_pool())
    except (pa.ArrowInvalid, ValueError):
        return None  # a record over several blocks, text Arrow cannot read: row by row
    return None if ragged else table


@dataclass(frozen=True)
class MappedTable:
    """The records of a prepared list, read by row number: each row's mapped fields, the first
    non-empty column of a field winning, values trimmed (as `ListRows.records` reads them)."""

    table: pa.Table
    mapped: tuple[tuple[int, str], ...]
    """(column position, field) of every mapped column (`mapped_columns`)."""

    @classmethod
    def of(cls, table: pa.Table, header: Sequence[str], mapping: Mapping[str, str]
           ) -> MappedTable:
        return cls(table, mapped_columns(header, mapping))

    def __len__(self) -> int:
        return self.table.num_rows

    def codes(self, fields: Sequence[str]) -> np.ndarray:
        """Per record a number for its first non-empty value among `fields` (trimmed):
        records with the same value have the same number, records with none -1."""
        values: pa.ChunkedArray | None = None
        for name in fields:
            for i, field in self.mapped:
                if field == name:
                    text = pc.utf8_trim_whitespace(self.table.column(i))
                    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
                    values = text if values is None else pc.coalesce(values, text)
        if values is None or not len(self):
            return np.full(len(self), -1, dtype=np.int64)
        encoded = pc.dictionary_encode(values)
        codes = np.concatenate([chunk.indices.fill_null(-1).to_numpy().astype(np.int64)
                                for chunk in encoded.chunks])
        del values, encoded
        pa.default_memory_pool().release_unused()
        return codes

    def records(self, rows: Sequence[int]) -> list[dict[str, str]]:
        """The records at the given row positions (data rows, counted from 0), in that order.
        A worker is given rows close together: their span is sliced first, as taking rows
        from the whole of a column in many blocks costs the whole column each time."""
        if not len(rows):
            return []
        low = min(rows)
        span = self.table.slice(low, max(rows) + 1 - low)
        taken = span.take(pa.array([row - low for row in rows], pa.int64()))
        if not self.mapped:
            return [{} for _ in rows]
        fields = [field for _, field in self.mapped]
        cells = zip(*(taken.column(i).to_pylist() for i, _ in self.mapped), strict=True)
        return [mapped_record(values, fields) for values in cells]


def mapped_columns(header: Sequence[str], mapping: Mapping[str, str]
                   ) -> tuple[tuple[int, str], ...]:
    """(column position, field) of every mapped column of the header, in the mapping's
    order; a repeated header maps its last column."""
    at = {name: i for i, name in enumerate(header)}
    return tuple((at[column], field) for column, field in mapping.items() if column in at)


def mapped_record(cells: Sequence[str], fields: Sequence[str]) -> dict[str, str]:
    """One row's record from its mapped cells (`fields[k]` is the field of `cells[k]`):
    values trimmed, the first non-empty cell of a field winning."""
    record: dict[str, str] = {}
    for field, cell in zip(fields, cells, strict=True):
        text = cell.strip()
        if text and field not in record:
            record[field] = text
    return record


def cell_values(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """A column's cells as values: a cell an export neutralised (`'+49 …`) without its
    apostrophe (`without_text_marker`), every other cell as it is."""
    marked = pc.starts_with(column, "'")
    if not pc.any(marked).as_py():
        return column
    whole, marked = column.combine_chunks(), marked.combine_chunks()
    values = [without_text_marker(cell) for cell in whole.filter(marked).to_pylist()]
    return pc.replace_with_mask(whole, marked, pa.array(values, whole.type))

"""Printing the import preview of a purchased list (`leadpipe ingest list FILE --preview`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from leadpipe.cli.common import plain

if TYPE_CHECKING:
    from rich.console import Console

    from stages.preview import ListPreview

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def print_preview(preview: ListPreview, console: Console) -> None:
    """How the file was read, each column's field with confidence and samples, what would be
    quarantined, and what to do next. Nothing has been written."""
    read = [preview.file_format.upper()]
    if preview.encoding:
        read.append(f"encoding {preview.encoding}")
    if preview.delimiter:
        read.append(f"delimiter {_DELIMITER_NAMES.get(preview.delimiter, preview.delimiter)}")
    if preview.sheet:
        read.append(f"sheet {preview.sheet!r}")
    read.append(f"header on row {preview.header_row}")
    console.print(f"Preview of {plain(preview.file)}: {', '.join(read)}; {preview.rows:,} "
                  "data row(s). Nothing was written.", highlight=False)
    if preview.recognised:
        console.print(f"Recognised as: {plain(preview.recognised)}.", highlight=False)
    table = Table(title="Columns")
    for name in ("column", "field", "how", "sure", "sample values"):
        table.add_column(name, overflow="fold")
    for column in preview.columns:
        field = column.field or "[dim]— (kept in raw)[/dim]"
        sure = f"{column.confidence:.0%}" if column.field else ""
        note = f"\n[dim]{plain(column.note)}[/dim]" if column.note else ""
        table.add_row(plain(column.header), field, column.how, sure,
                      plain(" | ".join(s[:40] for s in column.samples)) + note)
    console.print(table)
    if preview.unmapped:
        console.print(f"Not mapped ({len(preview.unmapped)}), kept in the raw rows: "
                      f"{plain(', '.join(preview.unmapped))}", highlight=False)
    for warning in preview.warnings:
        console.print(f"[yellow]warning:[/yellow] {plain(warning)}", highlight=False)
    quarantined = sum(p.rows for p in preview.would_quarantine)
    console.print(f"Would load {preview.would_load:,}, quarantine {quarantined:,}, skip "
                  f"{preview.blank_rows:,} blank row(s) (rows on the suppression list are "
                  "skipped too).", highlight=False)
    for problem in preview.would_quarantine:
        where = f"{problem.field}: " if problem.field else ""
        rows = ", ".join(str(r) for r in problem.examples)
        console.print(f"  {problem.rows:,} × {plain(where + problem.reason)} (row {rows}"
                      f"{', …' if problem.rows > len(problem.examples) else ''})",
                      highlight=False)
    console.print("To change the mapping: --write-mapping FILE.yaml, edit, then load with "
                  "--mapping FILE.yaml.", highlight=False)

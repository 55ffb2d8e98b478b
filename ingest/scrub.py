"""Removing an erased person from the files leadpipe keeps: archived input lists and form
exports, hand-off files, review-queue exports (Art. 17 reaches every copy).

Text files lose every line that mentions the person, in their own encoding; XLSX files lose
every such row. Other files cannot be cleaned here and are reported for the operator.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from compliance.erasure import Mentions
from foundation.private import write_atomic

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".ndjson", ".jsonl", ".json", ".yaml",
                           ".yml", ".log", ".md", ".html", ".htm", ".xml"})
SKIPPED_SUFFIXES = frozenset({".duckdb", ".sqlite", ".key", ".lock", ".wal"})
"""Databases are cleaned by their owners (they are rewritten); keys and locks hold no one."""


@dataclass
class ScrubReport:
    files_cleaned: list[str] = field(default_factory=list)
    lines_removed: int = 0
    not_cleaned: list[str] = field(default_factory=list)
    """Files that mention the person but are in a format this module cannot rewrite."""


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def scrub_text(path: Path, mentions: Mentions) -> int:
    text, encoding = _decode(path.read_bytes())
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not mentions.in_text(line)]
    if len(kept) != len(lines):
        write_atomic(path, "".join(kept).encode(encoding), path.stat().st_mode & 0o777)
    return len(lines) - len(kept)


def scrub_xlsx(path: Path, mentions: Mentions) -> int:
    book = load_workbook(path)
    removed = 0
    for sheet in book.worksheets:
        doomed = [row[0].row for row in sheet.iter_rows()
                  if any(cell.value is not None and mentions.in_text(str(cell.value))
                         for cell in row)]
        for index in reversed(doomed):
            sheet.delete_rows(index)
        removed += len(doomed)
    if removed:
        tmp = path.with_name(f".{path.name}.scrub-{os.getpid()}")
        book.save(tmp)
        tmp.chmod(path.stat().st_mode & 0o777)
        tmp.replace(path)
    return removed


def scrub_file(path: Path, mentions: Mentions, report: ScrubReport) -> None:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        removed = scrub_text(path, mentions)
    elif suffix == ".xlsx":
        removed = scrub_xlsx(path, mentions)
    else:
        if mentions.in_text(_decode(path.read_bytes())[0]):
            report.not_cleaned.append(str(path))
        return
    if removed:
        report.files_cleaned.append(str(path))
        report.lines_removed += removed


def scrub_tree(root: Path, mentions: Mentions, report: ScrubReport | None = None
               ) -> ScrubReport:
    """Clean every file under `root` except databases, keys and locks."""
    report = report or ScrubReport()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        if path.suffix.lower() in SKIPPED_SUFFIXES or path.name.endswith(("-wal", "-shm")):
            continue
        scrub_file(path, mentions, report)
    return report

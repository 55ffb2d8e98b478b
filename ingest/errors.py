"""The one error type ingest raises for a file that cannot be read at all.

Row-level problems (a row without name and company, an over-long value) are not errors: the
warehouse quarantines those rows and loads the rest. `InputFileError` is for problems that make
the whole file unusable (empty, binary, wrong encoding, headers that cannot be mapped), and it
is raised before anything is written, so a failed ingest leaves no trace in the warehouse.
"""

from __future__ import annotations

import stat
from pathlib import Path


class InputFileError(ValueError):
    """A file that cannot be ingested; names the file and, where known, the row and the field.

    Rows are spreadsheet rows: the header is row 1, the first data row is row 2 (see
    docs/ingest.md). `str(error)` reads like "purchased.csv, row 7, field 'PLZ': ...".
    """

    def __init__(
        self, file: str | Path, row: int | None, field: str | None, message: str
    ) -> None:
        self.path = Path(file)
        self.file = self.path.name
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts) + f": {self.message}"


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"))


def not_a_regular_file(path: Path) -> str | None:
    """Why `path` cannot be read as a file ("… is a directory, not a file"), or None.

    Checked before opening: reading a device like /dev/zero or a FIFO never ends, and
    "file not found" would send the user looking for a file that is there.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"file not found: {path}"
    except OSError as exc:
        return f"{path} cannot be read: {exc.strerror}"
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"{path} is {kind}, not a file; give the path of the file itself"

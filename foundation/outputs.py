"""Where a command may write a file a user named: never onto leadpipe's own data.

`leadpipe leads export --out data/leadpipe.duckdb --force` would replace the warehouse, and a
Prefect form that takes any path lets anyone with the UI do the same. So every output path is
resolved (symlinks, `..`) and refused when it is, or lies in, something leadpipe owns: the
data directory (except its exports folder), the warehouse and its snapshot, lock, WAL and key
wherever they are, the configuration directory and leadpipe's code with its default
configuration. Prefect runs name only a file, which lands in the exports directory.
"""

from __future__ import annotations

from pathlib import Path

from foundation.settings import Settings

PACKAGES = ("leadpipe", "flows", "spiders", "ingest", "enrichment", "matching", "compliance",
            "scoring", "warehouse", "intake")
"""leadpipe's code and built-in configuration (`*/defaults/`), next to `prefect.yaml`."""
CODE_ROOT = Path(__file__).resolve().parent.parent


class OutputPathRefused(ValueError):
    """An output file that would overwrite leadpipe's own data; the message says what to do."""


def _owned_files(settings: Settings) -> list[Path]:
    db = settings.db_path
    lock = db.with_name(db.name + ".lock")
    return [db, db.with_name(db.name + ".wal"), settings.snapshot_path, lock,
            lock.with_name(lock.name + ".holder"), settings.secret_path,
            CODE_ROOT / "prefect.yaml", CODE_ROOT / "pyproject.toml"]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def exports_dir(settings: Settings) -> Path:
    """The resolved exports directory; refused when it would hold leadpipe's own data."""
    folder = settings.exports_dir.expanduser().resolve()
    data = settings.data_dir.resolve()
    if _inside(data, folder) or (_inside(folder, data) and folder != data / "exports") \
            or _inside(folder, settings.config_dir.resolve()):
        raise OutputPathRefused(
            f"LEADPIPE_EXPORTS_DIR={settings.exports_dir} would put exports among leadpipe's "
            f"own files ({data}, {settings.config_dir}); set it to a folder of its own, e.g. "
            f"{data / 'exports'}")
    return folder


def check_output(path: Path, settings: Settings) -> Path:
    """`path` resolved, or `OutputPathRefused` naming it when it is leadpipe's own."""
    resolved = path.expanduser().resolve()
    fix = (f"choose a file outside {settings.data_dir.resolve()} (or inside "
           f"{exports_dir(settings)})")
    for owned in _owned_files(settings):
        if resolved == owned.resolve() or _same_file(resolved, owned):
            raise OutputPathRefused(f"refusing to write {path}: it is leadpipe's own file "
                                    f"{owned}; {fix}")
    for folder, what in ((settings.config_dir, "the configuration directory"),
                         *((CODE_ROOT / p, "leadpipe's code") for p in PACKAGES)):
        if _inside(resolved, folder.resolve()):
            raise OutputPathRefused(f"refusing to write {path}: it lies in {what} "
                                    f"{folder}; {fix}")
    if _inside(resolved, settings.data_dir.resolve()) and \
            not _inside(resolved.parent, exports_dir(settings)):
        raise OutputPathRefused(f"refusing to write {path}: it lies in the data directory "
                                f"{settings.data_dir} (warehouse, keys, intake state); {fix}")
    return resolved


def export_file(name: str, settings: Settings) -> Path:
    """The exports-directory file for a bare `name` (what a Prefect run may ask for)."""
    if not name or name in {".", ".."} or name.startswith(".") or "/" in name or "\\" in name:
        raise OutputPathRefused(
            f"file_name {name!r} must be a bare file name such as anrufe.xlsx, without folders "
            f"or a leading dot; it is written to {exports_dir(settings)} (LEADPIPE_EXPORTS_DIR)")
    return check_output(exports_dir(settings) / name, settings)

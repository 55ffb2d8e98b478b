"""Run-time settings: the only place leadpipe reads environment variables.

Everything has an embedded default so that `make demo` works on a fresh machine with no
configuration: the warehouse is `./data/leadpipe.duckdb`, configuration overrides are read
from `./config/`, DNS lookups are off.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from foundation.private import private_dir


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={value!r} is not a number") from exc


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={value!r} is not a whole number") from exc
    if number < 0:
        raise ValueError(f"environment variable {name}={value!r} must be 0 or more")
    return number


@dataclass(frozen=True)
class Settings:
    """Where leadpipe keeps its data and how long it waits for the warehouse."""

    data_dir: Path = field(default_factory=lambda: Path("data"))
    db_path: Path = field(default_factory=lambda: Path("data") / "leadpipe.duckdb")
    config_dir: Path = field(default_factory=lambda: Path("config"))
    lock_timeout_s: float = 900.0
    read_wait_s: float = 20.0
    dns_enabled: bool = False
    crawl_allowlist: tuple[str, ...] = ()
    """Hosts or CIDRs the crawler may fetch although they are private (tests, the demo)."""
    crawl_proxy: str | None = None
    """LEADPIPE_CRAWL_PROXY: an HTTP proxy the crawl sends every request to (the demo's local
    server); it is given to the crawl process alone."""
    exports_url: str | None = None
    """Web address under which `exports_dir` is served (a file share, an intranet page);
    exports written there are then linked from their Prefect artifact."""
    exports_root: Path | None = None
    """LEADPIPE_EXPORTS_DIR: where Prefect export runs write; None means `<data>/exports`."""
    dask_workers: int | None = None
    """LEADPIPE_DASK_WORKERS: run the parallel work on a local Dask cluster of this many
    worker processes (0: in this process); overrides `flows/parallel.yaml`."""
    dask_scheduler: str | None = None
    """LEADPIPE_DASK_SCHEDULER: the address of a running Dask scheduler (tcp://host:8786) to
    run the parallel work on; overrides `flows/parallel.yaml` and LEADPIPE_DASK_WORKERS."""

    @property
    def snapshot_path(self) -> Path:
        """The published read-only copy that readers fall back to during a long write."""
        return self.db_path.with_name(self.db_path.stem + ".published.duckdb")

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "suppression.key"

    @property
    def exports_dir(self) -> Path:
        return self.exports_root or self.data_dir / "exports"

    @property
    def work_dir(self) -> Path:
        """Temporary copies of lists and crawl files; what a killed run left is swept."""
        return self.data_dir / "tmp"

    def export_link(self, path: Path) -> str | None:
        """The web address of an export file, when it lies where `exports_url` serves."""
        if not self.exports_url:
            return None
        try:
            relative = path.resolve().relative_to(self.exports_dir.resolve())
        except ValueError:
            return None
        return f"{self.exports_url.rstrip('/')}/{relative.as_posix()}"

    def waiting_at_most(self, seconds: float) -> Settings:
        """These settings for a reader a person is waiting for (a page, an export): it waits
        at most `seconds` for a running writer, then reads the published snapshot."""
        return replace(self, read_wait_s=min(self.read_wait_s, seconds))

    def with_db(self, db_path: Path | str | None) -> Settings:
        return self if db_path is None else replace(self, db_path=Path(db_path))


def load_settings() -> Settings:
    """Build settings from the environment (LEADPIPE_*), falling back to the defaults."""
    data_dir = Path(os.environ.get("LEADPIPE_DATA_DIR") or "data")
    db_path = Path(os.environ.get("LEADPIPE_DB") or data_dir / "leadpipe.duckdb")
    return Settings(
        data_dir=data_dir,
        db_path=db_path,
        config_dir=Path(os.environ.get("LEADPIPE_CONFIG_DIR") or "config"),
        lock_timeout_s=_env_float("LEADPIPE_LOCK_TIMEOUT", 900.0),
        read_wait_s=_env_float("LEADPIPE_READ_WAIT", 20.0),
        dns_enabled=_env_bool("LEADPIPE_DNS", False),
        crawl_allowlist=tuple(h.strip() for h in os.environ.get("LEADPIPE_CRAWL_ALLOWLIST", "")
                              .split(",") if h.strip()),
        crawl_proxy=os.environ.get("LEADPIPE_CRAWL_PROXY") or None,
        exports_url=os.environ.get("LEADPIPE_EXPORTS_URL") or None,
        exports_root=Path(os.environ["LEADPIPE_EXPORTS_DIR"])
        if os.environ.get("LEADPIPE_EXPORTS_DIR") else None,
        dask_workers=_env_int("LEADPIPE_DASK_WORKERS"),
        dask_scheduler=os.environ.get("LEADPIPE_DASK_SCHEDULER") or None,
    )


def suppression_secret(settings: Settings) -> bytes:
    """The HMAC key of the suppression list: LEADPIPE_SUPPRESSION_SECRET, else a key file.

    The key file is created once (mode 600) next to the warehouse. Losing it makes existing
    suppression entries unmatchable, so back it up with the warehouse.
    """
    configured = os.environ.get("LEADPIPE_SUPPRESSION_SECRET")
    if configured:
        return configured.encode("utf-8")
    path = settings.secret_path
    if not path.exists():
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")

"""The workspace's settings: session lifetime, login limits, page sizes, Prefect deployments.

Defaults in `workspace/defaults/workspace.yaml`, overridden by
`<config dir>/workspace/workspace.yaml`; a wrong key or value is refused with its name.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from foundation.config import LoadedConfig, load_config


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionConfig(_Strict):
    idle_minutes: int = Field(gt=0, le=24 * 60)
    absolute_hours: int = Field(gt=0, le=7 * 24)


class LoginConfig(_Strict):
    max_failures: int = Field(ge=1, le=100)
    window_minutes: int = Field(ge=1, le=24 * 60)


class ListConfig(_Strict):
    page_size: int = Field(ge=5, le=200)
    max_page_size: int = Field(ge=5, le=200)


class UploadConfig(_Strict):
    max_megabytes: int = Field(ge=1, le=2048)


class PrefectConfig(_Strict):
    nightly: str = Field(pattern=r"^[^/]+/[^/]+$")
    crawl: str = Field(pattern=r"^[^/]+/[^/]+$")


class WorkspaceConfig(_Strict):
    version: int
    session: SessionConfig
    login: LoginConfig
    lists: ListConfig
    uploads: UploadConfig
    prefect: PrefectConfig


def load_workspace_config(config_dir: Path | None) -> LoadedConfig[WorkspaceConfig]:
    return load_config("workspace", "workspace", WorkspaceConfig, config_dir)

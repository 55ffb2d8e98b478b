"""Versioned YAML configuration with embedded defaults, validated at load.

Each package keeps its defaults in `<package>/defaults/<name>.yaml`. A file with the same name
in the configuration directory overrides keys (deep merge). The merged document is validated
by a pydantic model; errors name the file and the key. The sha256 of the merged document is
the configuration's version, stamped on everything it produced.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or invalid; the message says where."""


@dataclass(frozen=True)
class LoadedConfig(Generic[M]):
    value: M
    version: str
    sources: tuple[str, ...]


def _read_yaml(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the top level must be a mapping, got {type(data).__name__}")
    return data


@cache
def _embedded_defaults(package: str, name: str) -> dict[str, Any]:
    """`<package>/defaults/<name>.yaml`, parsed once per process: it ships with the package,
    and parsing it (pure-Python YAML, some 80 ms for the column aliases) cost more than all
    the rest of a load. Callers get a deep copy."""
    text = resources.files(package).joinpath("defaults", f"{name}.yaml").read_text(
        encoding="utf-8")
    return _read_yaml(text, f"{package}/defaults/{name}.yaml")


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge `override` into `base`: mappings merge key by key, everything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def config_version(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _format_validation_error(exc: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid configuration"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        lines.append(f"  {key}: {plain_message(err['msg'])}")
    return "\n".join(lines)


def plain_message(message: str) -> str:
    """A validation message without pydantic's "Value error, " prefix."""
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def override_path(config_dir: Path, package: str, name: str) -> Path:
    """Where an installation overrides `<package>/defaults/<name>.yaml`.

    Overrides are namespaced by the top-level package (`config/matching/company.yaml`,
    `config/enrichment/company.yaml`), so that two packages' files of the same name can
    never be merged into each other's configuration.
    """
    return config_dir / package.split(".")[0] / f"{name}.yaml"


def _refuse_flat_override(config_dir: Path, package: str, name: str) -> None:
    """A file left at the old flat place would be silently ignored: say where it goes."""
    flat = config_dir / f"{name}.yaml"
    if flat.exists():
        raise ConfigError(
            f"{flat}: overrides are kept per package now; move this file to "
            f"{override_path(config_dir, package, name)} if it overrides {package}'s "
            f"{name}.yaml, or into the folder of the package it is meant for")


def load_config(
    package: str,
    name: str,
    model: type[M],
    config_dir: Path | None = None,
    override_file: Path | None = None,
) -> LoadedConfig[M]:
    """Load `<package>/defaults/<name>.yaml`, apply overrides, validate with `model`.

    `override_file` (an explicit path, e.g. from a CLI option) wins over
    `<config_dir>/<top package>/<name>.yaml`; a missing explicit file is an error, a missing
    file in the config directory is not.
    """
    origin = f"{package}/defaults/{name}.yaml"
    document = copy.deepcopy(_embedded_defaults(package, name))
    sources = [origin]
    candidates: list[tuple[Path, bool]] = []
    if config_dir is not None:
        candidates.append((override_path(config_dir, package, name), False))
        _refuse_flat_override(config_dir, package, name)
    if override_file is not None:
        candidates.append((override_file, True))
    for path, required in candidates:
        if not path.exists():
            if required:
                raise ConfigError(f"{path}: configuration file not found")
            continue
        document = deep_merge(document, _read_yaml(path.read_text(encoding="utf-8"), str(path)))
        sources.append(str(path))
    return LoadedConfig(value=validate(document, model, " + ".join(sources)),
                        version=config_version(document), sources=tuple(sources))


def load_file(path: Path, model: type[M]) -> LoadedConfig[M]:
    """One configuration file that has no shipped defaults (a campaign), validated with
    `model`; errors name the file and the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    document = _read_yaml(text, str(path))
    return LoadedConfig(value=validate(document, model, str(path)),
                        version=config_version(document), sources=(str(path),))


def validate(document: dict[str, Any], model: type[M], origin: str) -> M:
    """`document` validated with `model`; ConfigError naming `origin` and each bad key."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, origin)) from exc

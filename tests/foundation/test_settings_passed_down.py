"""`foundation.settings` is the only reader of LEADPIPE_* variables; the rest is passed down."""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path
from typing import Any, ClassVar

import pytest

from enrichment.config import company_config, use_config_dir
from spiders.config import crawl_config, scrapy_settings
from spiders.run import crawl_command, run_crawl
from tests.conftest import REPO, source_files

READER = REPO / "foundation" / "settings.py"


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _leadpipe_name(node: ast.AST | None) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith("LEADPIPE_"))


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read a LEADPIPE_* variable: os.environ[...], .get(...), os.getenv(...),
    `... in os.environ`."""
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
                and _is_environ(node.value) and _leadpipe_name(node.slice)):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args and _leadpipe_name(node.args[0]):
            func = node.func
            if isinstance(func, ast.Attribute) and (
                    (func.attr in {"get", "pop", "setdefault"} and _is_environ(func.value))
                    or (func.attr == "getenv" and isinstance(func.value, ast.Name)
                        and func.value.id == "os")):
                lines.append(node.lineno)
        elif (isinstance(node, ast.Compare) and _leadpipe_name(node.left)
              and any(_is_environ(c) for c in node.comparators)):
            lines.append(node.lineno)
    return lines


def test_only_foundation_settings_reads_leadpipe_variables() -> None:
    found = []
    for path in source_files():
        if path == READER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [f"{path.relative_to(REPO)}:{line}" for line in _environment_reads(tree)]
    assert found == []


def test_settings_are_loaded_only_where_a_run_starts() -> None:
    """The `leadpipe` command and the Prefect flows load Settings; everything below them is
    given Settings or the configuration directory, so none calls load_settings itself."""
    entry_points = (REPO / "flows", REPO / "leadpipe" / "cli")
    found = []
    for path in source_files():
        if path == READER or any(path.is_relative_to(e) for e in entry_points):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [f"{path.relative_to(REPO)}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Name | ast.alias)
                  and getattr(node, "id", getattr(node, "name", None)) == "load_settings"]
    assert found == []


def test_the_check_finds_a_read() -> None:
    tree = ast.parse('import os\na = os.environ.get("LEADPIPE_DB")\nb = os.getenv("LEADPIPE_X")\n'
                     'c = os.environ["LEADPIPE_Y"]\nd = "LEADPIPE_Z" in os.environ\n')
    assert _environment_reads(tree) == [2, 3, 4, 5]


def test_enrichment_reads_the_directory_it_is_given(tmp_path: Path) -> None:
    override = tmp_path / "enrichment" / "company.yaml"
    override.parent.mkdir(parents=True)
    override.write_text("noise_words: [Zweigstelle]\n", encoding="utf-8")
    try:
        use_config_dir(tmp_path)
        assert company_config().value.noise_words == ["Zweigstelle"]
    finally:
        use_config_dir(None)
    assert company_config().sources == ("enrichment/defaults/company.yaml",)


def test_the_crawl_process_gets_its_configuration_on_the_command_line(tmp_path: Path) -> None:
    override = tmp_path / "spiders" / "crawl.yaml"
    override.parent.mkdir(parents=True)
    override.write_text("download_delay_s: 0.25\n", encoding="utf-8")
    settings = {**scrapy_settings(crawl_config(tmp_path).value),
                "LEADPIPE_CONFIG_DIR": tmp_path}
    cmd = crawl_command(tmp_path / "targets.txt", tmp_path / "out.jsonl", settings)
    assert "DOWNLOAD_DELAY=0.25" in cmd
    assert f"LEADPIPE_CONFIG_DIR={tmp_path}" in cmd


class _FinishedCrawl:
    """Stands in for the crawl process: records how it was started, ends at once."""

    started: ClassVar[list[tuple[list[str], dict[str, str]]]] = []
    returncode = 0

    def __init__(self, cmd: list[str], env: dict[str, str], **_: Any) -> None:
        self.started.append((cmd, env))

    def poll(self) -> int:
        return 0

    def wait(self) -> int:
        return 0


def test_the_crawl_proxy_reaches_the_crawl_process_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "Popen", _FinishedCrawl)
    monkeypatch.delenv("http_proxy", raising=False)
    run_crawl(["beispiel.de"], tmp_path / "out.jsonl", proxy="http://127.0.0.1:9")
    _, env = _FinishedCrawl.started[-1]
    assert env["http_proxy"] == env["https_proxy"] == "http://127.0.0.1:9"
    assert "http_proxy" not in os.environ

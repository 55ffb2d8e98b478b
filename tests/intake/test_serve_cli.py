"""`leadpipe serve` as a real process: starts with a form file, stores a post, stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from tests.conftest import REPO
from tests.intake.conftest import FORM, ORIGIN, free_port


def test_serve_starts_stores_and_reports_health(tmp_path: Path) -> None:
    port = free_port()
    forms = tmp_path / "forms.yaml"
    forms.write_text(yaml.safe_dump({"public_url": f"http://127.0.0.1:{port}",
                                     "forms": [FORM]}, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "LEADPIPE_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "leadpipe.cli", "serve", "--port", str(port), "--forms",
         str(forms)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "leadpipe serve did not start"
                time.sleep(0.1)
        assert health.json()["submissions"] == 0
        posted = httpx.post(f"{base}/forms/kontakt", headers={"Origin": ORIGIN}, data={
            "email": "a@firma.example", "last_name": "A", "website": ""})
        assert posted.status_code == 201
        assert httpx.get(f"{base}/healthz").json()["submissions"] == 1
        assert "server" not in posted.headers  # no version banner
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0].decode()
    assert "1 form(s) (kontakt)" in output
    assert (tmp_path / "data" / "intake" / "intake.sqlite").exists()


def test_serve_refuses_an_invalid_form_file(tmp_path: Path) -> None:
    forms = tmp_path / "forms.yaml"
    forms.write_text(yaml.safe_dump({"forms": [{**FORM, "honeypot": "email"}]}),
                     encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "leadpipe.cli", "serve", "--forms", str(forms)], cwd=REPO,
        env={**os.environ, "LEADPIPE_DATA_DIR": str(tmp_path / "data")},
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "honeypot" in result.stderr

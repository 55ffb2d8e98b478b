"""kill -9 at random points: the rerun ends where an uninterrupted run ends, nothing is left.

Each command is started on the demo data, killed with SIGKILL after a seeded random delay,
then run again to completion. The warehouse's raw, staging, core and marts tables must then
hold as many rows as after a run that was never interrupted; no child process (the crawl,
the temporary Prefect server) may outlive the killed one, and no temporary file may stay.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import psutil
import pytest
import yaml

from foundation.settings import Settings
from leadpipe.cli.demo import write_list_metadata
from leadpipe.demo import generate_demo
from tests.conftest import REPO
from tests.intake.conftest import FORM, ORIGIN, free_port
from warehouse.db import open_warehouse

LEADPIPE = [sys.executable, "-m", "leadpipe.cli"]
LIST = "adressverlag_nord_2026.csv"
LIST_OPTIONS = ("--vendor", "Adressverlag Nord", "--acquired-on", "2026-11-20", "--json")
RNG = random.Random(20)
NIGHTLY_KILLS = [RNG.uniform(0.2, 0.8) for _ in range(2)]
INGEST_KILLS = [RNG.uniform(0.3, 0.6) for _ in range(2)]
ERASE_KILLS = [RNG.uniform(0.3, 0.6) for _ in range(2)]
"""When each command is killed, as a share of how long its uninterrupted run took."""
SERVE_KILLS = [RNG.randint(1, 8) for _ in range(2)]
"""After how many posts the form service is killed."""
BIG_LIST_ROWS = 300_000
"""Enough rows that a list's ingest runs long enough to be killed in the middle."""


class Place:
    """A data directory with its inbox; runs leadpipe commands against it."""

    def __init__(self, root: Path, demo: Path | None) -> None:
        self.root = root
        self.settings = Settings(data_dir=root / "data", db_path=root / "data" /
                                 "leadpipe.duckdb", config_dir=root / "config")
        self.env = {**os.environ, "LEADPIPE_DATA_DIR": str(self.settings.data_dir),
                    "LEADPIPE_CONFIG_DIR": str(self.settings.config_dir),
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        self.inbox = root / "inbox"
        if demo is None:
            return
        (self.inbox / "lists").mkdir(parents=True, exist_ok=True)
        (self.inbox / "forms").mkdir(exist_ok=True)
        for name in (LIST, f"{LIST}.yaml"):
            shutil.copy(demo / "lists" / name, self.inbox / "lists" / name)
        shutil.copy(demo / "forms" / "webform_export.ndjson", self.inbox / "forms")
        self.list_file = demo / "lists" / LIST

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*LEADPIPE, *args], cwd=REPO, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def run(self, *args: str) -> str:
        proc = subprocess.run([*LEADPIPE, *args], cwd=REPO, env=self.env, capture_output=True,
                              text=True, timeout=120, check=False)
        assert proc.returncode in (0, 1), proc.stderr[-3000:]
        return proc.stderr

    def timed_run(self, *args: str) -> float:
        started = time.monotonic()
        self.run(*args)
        return time.monotonic() - started

    def counts(self) -> dict[str, int]:
        with open_warehouse(self.settings, write=False) as wh:
            tables = wh.fetchall("SELECT table_schema, table_name FROM information_schema.tables "
                                 "WHERE table_schema IN ('raw', 'staging', 'core', 'marts') "
                                 "ORDER BY 1, 2")
            return {f"{s}.{t}": wh.scalar(f'SELECT count(*) FROM "{s}"."{t}"')
                    for s, t in tables}

    def leftovers(self) -> list[Path]:
        data = self.settings.data_dir
        return [*(data / "tmp").glob("*"), *(data / "crawl").glob("*"),
                *data.glob("*.tmp-*")]


def kill_after(proc: subprocess.Popen[bytes], seconds: float) -> list[str]:
    """SIGKILL `proc` after `seconds`; the descendants that outlived it (then stopped).

    The delays are chosen inside each command's run time; one that had already ended
    would test nothing, so that fails.
    """
    deadline = time.monotonic() + seconds
    children: dict[int, psutil.Process] = {}
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            children.update({c.pid: c for c in psutil.Process(proc.pid).children(True)})
        except psutil.NoSuchProcess:
            break
        time.sleep(0.1)
    assert proc.poll() is None, f"ended before the kill at {seconds:.1f} s; shorten the delay"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(list(children.values()), timeout=10)
    survivors = []
    for orphan in alive:
        try:
            survivors.append(" ".join(orphan.cmdline()[:8]))
            orphan.kill()
        except psutil.Error:
            survivors.append(f"pid {orphan.pid}")
    return survivors


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, seed=42)
    write_list_metadata(out / "lists", date.today())
    return out


@dataclass(frozen=True)
class Reference:
    """An uninterrupted run: the warehouse's row counts and how long it took."""

    place: Place
    counts: dict[str, int]
    seconds: float


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, demo: Path) -> Reference:
    """An uninterrupted nightly run on the demo list and forms."""
    place = Place(tmp_path_factory.mktemp("reference"), demo)
    seconds = place.timed_run("run", "nightly", "--inbox", str(place.inbox), "--no-crawl")
    return Reference(place, place.counts(), seconds)


@pytest.mark.parametrize("share", NIGHTLY_KILLS, ids=lambda d: f"{d:.0%}")
def test_killed_nightly_reruns_to_the_same_warehouse(
    tmp_path: Path, demo: Path, reference: Reference, share: float
) -> None:
    place = Place(tmp_path, demo)
    orphans = kill_after(place.start("run", "nightly", "--inbox", str(place.inbox),
                                     "--no-crawl"), share * reference.seconds)
    assert orphans == []
    (place.settings.data_dir / "tmp").mkdir(parents=True, exist_ok=True)
    (place.settings.data_dir / "tmp" / "ingest-999999-stray").mkdir()  # as a kill leaves
    (place.settings.data_dir / "crawl").mkdir(exist_ok=True)
    (place.settings.data_dir / "crawl" / "crawl-20261120T020000-999999.jsonl").touch()
    err = place.run("run", "nightly", "--inbox", str(place.inbox), "--no-crawl")
    assert "ingest-999999-stray, left by a run that was killed" in err
    assert place.counts() == reference.counts
    assert place.leftovers() == []


@pytest.fixture(scope="module")
def big_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Firma", "Nachname", "PLZ", "Ort", "E-Mail"])
        writer.writerows([f"Firma {i} GmbH", f"Name{i}", f"{10000 + i % 89999:05d}", "Berlin",
                          f"p{i}@firma{i}.de"] for i in range(BIG_LIST_ROWS))
    return path


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, big_list: Path) -> Reference:
    place = Place(tmp_path_factory.mktemp("ingested"), None)
    seconds = place.timed_run("ingest", "list", str(big_list), *LIST_OPTIONS)
    return Reference(place, place.counts(), seconds)


@pytest.mark.parametrize("share", INGEST_KILLS, ids=lambda d: f"{d:.0%}")
def test_killed_ingest_reruns_to_the_same_warehouse(
    tmp_path: Path, big_list: Path, ingested: Reference, share: float
) -> None:
    place = Place(tmp_path, None)
    args = ("ingest", "list", str(big_list), *LIST_OPTIONS)
    assert kill_after(place.start(*args), share * ingested.seconds) == []
    place.run(*args)
    assert place.counts() == ingested.counts
    assert place.leftovers() == []


def _copy_warehouse(source: Place, target: Place) -> None:
    shutil.copytree(source.settings.data_dir, target.settings.data_dir, dirs_exist_ok=True)


def _subject(place: Place) -> str:
    with open_warehouse(place.settings, write=False) as wh:
        return str(wh.scalar("SELECT email_normalized FROM core.enriched_records "
                             "WHERE email_normalized IS NOT NULL ORDER BY record_id LIMIT 1"))


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory, reference: Reference) -> Reference:
    place = Place(tmp_path_factory.mktemp("erased"), None)
    _copy_warehouse(reference.place, place)
    seconds = place.timed_run("gdpr", "erase", _subject(reference.place))
    return Reference(place, place.counts(), seconds)


@pytest.mark.parametrize("share", ERASE_KILLS, ids=lambda d: f"{d:.0%}")
def test_killed_erasure_reruns_to_the_same_warehouse(
    tmp_path: Path, reference: Reference, erased: Reference, share: float
) -> None:
    place = Place(tmp_path, None)
    _copy_warehouse(reference.place, place)
    subject = _subject(reference.place)
    assert kill_after(place.start("gdpr", "erase", subject), share * erased.seconds) == []
    place.run("gdpr", "erase", subject)
    assert place.counts() == erased.counts
    assert place.leftovers() == []


@pytest.fixture
def form_service(tmp_path: Path) -> tuple[Place, list[str]]:
    """A place and the arguments that start `leadpipe serve` on a free port with a form."""
    port = free_port()
    forms = tmp_path / "forms.yaml"
    forms.write_text(yaml.safe_dump({"public_url": f"http://127.0.0.1:{port}",
                                     "forms": [FORM]}, allow_unicode=True), encoding="utf-8")
    return Place(tmp_path, None), ["serve", "--port", str(port), "--forms", str(forms)]


def _wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> dict[str, int]:
    deadline = time.monotonic() + 30
    while True:
        try:
            return dict(httpx.get(f"{base}/healthz", timeout=1).json())
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "leadpipe serve did not start"
            time.sleep(0.1)


@pytest.mark.parametrize("posts", SERVE_KILLS)
def test_killed_form_service_keeps_every_acknowledged_submission(
    form_service: tuple[Place, list[str]], posts: int
) -> None:
    place, args = form_service
    base = f"http://127.0.0.1:{args[2]}"
    proc = place.start(*args)
    _wait_healthy(base, proc)
    acked = 0
    for i in range(posts):
        response = httpx.post(f"{base}/forms/kontakt", headers={"Origin": ORIGIN}, data={
            "email": f"p{i}@firma.example", "last_name": f"P{i}", "website": ""})
        acked += response.status_code == 201
    assert kill_after(proc, 0) == []
    again = place.start(*args)
    try:
        assert _wait_healthy(base, again)["submissions"] == acked
    finally:
        again.terminate()
        again.wait(timeout=20)
    state = place.settings.data_dir / "intake" / "intake.sqlite"
    assert oct(state.stat().st_mode & 0o777) == "0o600"

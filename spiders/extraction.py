"""The Impressum extractor for the crawl: in the crawl process, or in worker processes.

A local or fast crawl is CPU-bound on one core (Scrapy's reactor thread); extraction costs
about as much per Impressum page as fetching and parsing it. With workers the reactor only
ships the HTML out and the 14-key contract back, spaCy loads in the workers (never in the
crawl process), and a second core does the work while the crawl goes on.

Workers are spawned, not forked (a fork would copy the running reactor and its threads), and
each talks over one pipe that the event loop watches: no helper threads in the crawl process.
concurrent.futures' pool needs two, and their GIL hand-offs tripled the crawl's context switches.
A worker holds up to eight pages (48,000 characters of HTML) sent but not answered: enough that
it never waits for the event loop's next turn between pages (the spider hands on a site's pages
together), small enough that a send never blocks on a full pipe for long; the rest queue here.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

Contract = dict[str, Any]
WORKER_NICENESS = 10
_IN_FLIGHT = 8            # pages per worker sent but not answered
_IN_FLIGHT_CHARS = 48_000  # and their HTML; one page is always allowed, however large


class WorkerDied(RuntimeError):
    """An extraction worker ended while it had pages to read."""


def extract_contract(html: str, url: str | None) -> Contract:
    from enrichment.impressum import extract_impressum  # heavy (spaCy): load only here

    return extract_impressum(html, url).to_contract()


def _warm_up() -> None:
    """Build the spaCy pipeline now, not on the first page."""
    extract_contract("<html></html>", None)


def _use_config_dir(config_dir: Path | None) -> None:
    from enrichment.config import use_config_dir

    use_config_dir(config_dir)


def _serve(conn: Connection, config_dir: Path | None) -> None:
    """Worker loop: (job id, html, url) in, (job id, contract, exception) out.

    The worker runs at a lower CPU priority: when the cores are contended the crawl's event
    loop (which every download waits on) goes first, and the worker catches up in its pauses;
    the crawl ends only after the last page is read either way."""
    os.nice(WORKER_NICENESS)
    _use_config_dir(config_dir)
    _warm_up()
    gc.freeze()  # spaCy's objects live as long as the worker: never scan them again
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the crawl process is gone
            return
        if job is None:
            return
        job_id, html, url = job
        result: tuple[int, Contract | None, Exception | None]
        try:
            result = (job_id, extract_contract(html, url), None)
        except Exception as exc:  # the crawl counts it by its type, as when inline
            result = (job_id, None, exc)
        try:
            conn.send(result)
        except Exception:  # an exception that does not pickle (nothing was written yet)
            conn.send((job_id, None, RuntimeError(repr(result[2]))))


class _Worker:
    def __init__(self, config_dir: Path | None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, config_dir), daemon=True)
        self.process.start()
        child.close()
        self.jobs: dict[int, int] = {}  # job id -> HTML length


class Extractor:
    """`await extractor(html, url)`: the contract, computed inline (workers=0) or by a worker.
    When every worker has died, pages are read inline. `config_dir` is the installation's
    configuration directory (None: the defaults); spawned workers are told it too."""

    def __init__(self, workers: int, config_dir: Path | None = None) -> None:
        self.extract = extract_contract
        _use_config_dir(config_dir)  # also for pages read here when every worker has died
        self.workers = [_Worker(config_dir) for _ in range(workers)]
        for worker in self.workers:  # warm every worker now, before the engine starts
            worker.conn.recv()
        if not self.workers:
            _warm_up()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiting: dict[int, asyncio.Future[Contract]] = {}
        self.queue: deque[tuple[int, str, str | None]] = deque()
        self.next_id = 0

    async def __call__(self, html: str, url: str | None) -> Contract:
        if not self.workers:
            return self.extract(html, url)
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            for worker in self.workers:
                self.loop.add_reader(worker.conn.fileno(), self._receive, worker)
        self.next_id += 1
        future = self.waiting[self.next_id] = self.loop.create_future()
        self.queue.append((self.next_id, html, url))
        self._dispatch()
        return await future

    def _dispatch(self) -> None:
        while self.queue and self.workers:
            worker = min(self.workers, key=lambda w: len(w.jobs))
            pending = sum(worker.jobs.values())
            if len(worker.jobs) >= _IN_FLIGHT or \
                    (worker.jobs and pending + len(self.queue[0][1]) > _IN_FLIGHT_CHARS):
                return
            job = self.queue.popleft()
            worker.jobs[job[0]] = len(job[1])
            worker.conn.send(job)

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                job_id, contract, error = worker.conn.recv()
                worker.jobs.pop(job_id, None)
                future = self.waiting.pop(job_id)
                if future.done():  # cancelled meanwhile
                    continue
                if error is None:
                    future.set_result(contract)
                else:
                    future.set_exception(error)
        except (EOFError, OSError):
            self._drop(worker)
        self._dispatch()

    def _drop(self, worker: _Worker) -> None:
        assert self.loop is not None
        self.loop.remove_reader(worker.conn.fileno())
        self.workers.remove(worker)
        died = WorkerDied(f"exit code {worker.process.exitcode}")
        for job_id in worker.jobs:
            future = self.waiting.pop(job_id)
            if not future.done():
                future.set_exception(died)
        while not self.workers and self.queue:  # no worker left: read the rest inline
            job_id, html, url = self.queue.popleft()
            future = self.waiting.pop(job_id)
            if future.done():
                continue
            try:
                future.set_result(self.extract(html, url))
            except Exception as exc:
                future.set_exception(exc)

    def close(self) -> None:
        for worker in self.workers:
            if self.loop is not None:
                self.loop.remove_reader(worker.conn.fileno())
            worker.conn.send(None)
            worker.process.join(timeout=30)
            worker.conn.close()
        self.workers = []

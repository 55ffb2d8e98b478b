"""Where `leadpipe dedupe-file` spends time and memory, stage by stage (issue #18).

Runs the steps of `stages.review.dedupe_file` in its order with its functions (read →
enrich → per level: match (training inside) → collect → write) and wraps the engine's steps (block,
strong keys, encode, compare, train, term frequencies, score, cluster) with timers. Per step
it records wall and CPU seconds, resident memory after the step and the step's peak: the
kernel's high-water mark (VmHWM) is reset through /proc/self/clear_refs whenever a step
starts or ends, so nested steps each see their own peak (Linux only). The CLI cannot say
this; the product code is not changed.

    PYTHONPATH=. .venv/bin/python bench/profile_dedupe.py LIST.csv [--out OUT.csv]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foundation.settings import load_settings
from matching import engine
from matching import fellegi_sunter as fs
from scoring.export_files import write_table
from stages.review import enrich_list_records, level_members, match_level, read_list_rows


def _status(field_name: str) -> int:
    """A memory figure of this process in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


@dataclass
class Step:
    name: str
    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: int = 0
    rss_after_mb: int = 0
    calls: int = 0


@dataclass
class Profile:
    steps: dict[str, Step] = field(default_factory=dict)
    stack: list[tuple[Step, int]] = field(default_factory=list)  # (step, peak so far)

    def _fold_peak(self) -> None:
        hwm = _status("VmHWM")
        self.stack = [(s, max(p, hwm)) for s, p in self.stack]
        _reset_peak()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        full = "/".join([self.stack[-1][0].name, name]) if self.stack else name
        step = self.steps.setdefault(full, Step(full))
        self._fold_peak()
        self.stack.append((step, _status("VmRSS")))
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            step.wall += time.perf_counter() - wall
            step.cpu += time.process_time() - cpu
            self._fold_peak()
            _, peak = self.stack.pop()
            step.peak_mb = max(step.peak_mb, peak)
            step.rss_after_mb = _status("VmRSS")
            step.calls += 1

    def wrap(self, owner: Any, attribute: str, label: str) -> None:
        """Time every call of `owner.attribute` as step `label` under the current step."""
        original: Callable[..., Any] = getattr(owner, attribute)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.step(label):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)


def run(path: Path, out: Path, profile: Profile) -> dict[str, Any]:
    """`stages.review.dedupe_file`, step by step; returns counts per level."""
    for attribute, label in (("candidate_pairs", "block"), ("_strong_pairs", "strong_keys"),
                             ("encode_columns", "encode"), ("compare_pairs", "compare"),
                             ("train", "train_em"), ("term_frequency_shares", "tf"),
                             ("cluster", "cluster")):
        profile.wrap(engine, attribute, label)
    profile.wrap(fs, "score_pairs", "score")
    settings = load_settings()
    facts: dict[str, Any] = {}
    with read_list_rows(settings, path, None) as rows_in:
        facts["mapping"] = rows_in.mapping
        with profile.step("enrich"):
            enriched = enrich_list_records(settings, rows_in.records())
        cluster_of: dict[str, str] = {}
        score_of: dict[str, float] = {}
        for level, members in level_members(enriched):
            with profile.step(f"{level}:match_run"):
                result = match_level(settings, level, members)
            with profile.step(f"{level}:collect"):
                for pair in result.pairs(("match",)):
                    for rid in (pair["left_id"], pair["right_id"]):
                        score_of[rid] = max(score_of.get(rid, 0.0), pair["match_probability"])
                for rid, cid in result.clusters.items():
                    cluster_of[rid] = f"{level}-{cid.removeprefix('row-')}"
            facts[level] = {"records": len(members), "candidate_pairs": len(result.left),
                            "match_pairs": int((result.band == 2).sum()),
                            "pairs_per_rule": result.blocking.pairs_per_rule,
                            "skipped_blocks": len(result.blocking.skipped_blocks)}
        del enriched
        with profile.step("write"):
            rows = ([*row, cluster_of.get(f"row-{i + 2}"),
                     round(score_of[f"row-{i + 2}"], 4) if f"row-{i + 2}" in score_of else None]
                    for i, row in enumerate(rows_in.rows()))
            write_table(out, [*rows_in.header, "cluster_id", "match_score"], rows, fmt="csv",
                        force=True)
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir(), "dedupe.csv"))
    args = parser.parse_args()
    profile = Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    facts = run(args.path, args.out, profile)
    peak = max(s.peak_mb for s in profile.steps.values())
    print(f"total wall {time.perf_counter() - wall:.1f} s, cpu {time.process_time() - cpu:.1f}"
          f" s, peak RSS {peak} MB")
    for key, value in facts.items():
        print(f"{key}: {value}")
    print("| step | calls | wall s | cpu s | peak MB | RSS after MB |")
    print("|---|---|---|---|---|---|")
    for s in profile.steps.values():
        print(f"| {s.name} | {s.calls} | {s.wall:.2f} | {s.cpu:.2f} | {s.peak_mb} | "
              f"{s.rss_after_mb} |")


if __name__ == "__main__":
    main()

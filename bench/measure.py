"""Run a piece of Python in a fresh process and report its wall time and peak memory.

Every benchmark uses this so numbers are comparable: a fresh interpreter per measurement,
the peak RSS of that very process (from wait4), and the wall time of the code alone
(interpreter start-up and imports before the code are not counted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_WRAPPER = """
import dataclasses, json, sys, time
source = open(sys.argv[1], encoding="utf-8").read()
t0 = time.perf_counter()
scope = {}
exec(compile(source, "<bench>", "exec"), scope)
seconds = time.perf_counter() - t0
result = scope.get("result")
if dataclasses.is_dataclass(result) and not isinstance(result, type):
    result = dataclasses.asdict(result)  # stage reports are dataclasses
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump({"seconds": seconds, "result": result}, out, default=str)
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float
    result: object


def measure(code: str, *, env: dict[str, str] | None = None) -> Measurement:
    """Run `code` (which may assign `result`) in a child process and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out, err = Path(tmp, "code.py"), Path(tmp, "out.json"), Path(tmp, "stderr")
        src.write_text(textwrap.dedent(code), encoding="utf-8")
        with open(err, "w", encoding="utf-8") as err_fh:
            proc = subprocess.Popen(
                [sys.executable, "-c", _WRAPPER, str(src), str(out)],
                cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                stderr=err_fh,
            )
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark child failed:\n{err.read_text()[-4000:]}")
        data = json.loads(out.read_text(encoding="utf-8"))
    return Measurement(data["seconds"], usage.ru_maxrss / 1024, data["result"])

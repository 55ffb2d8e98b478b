"""`python -m leadpipe.demo OUT_DIR [--seed N]`: write the demo data set."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadpipe.demo.generate import generate_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadpipe.demo", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    manifest = generate_demo(args.out_dir, seed=args.seed)
    for entry in manifest.files:
        print(f"{entry.path}\t{entry.rows}\t{entry.sha256[:12]}")
    print(f"{len(manifest.files)} files written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

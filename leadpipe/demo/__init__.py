"""Demo data: a hidden true world of companies and people, and noisy sources about it.

`generate_demo(out_dir, seed)` writes two purchased lists (cp1252 CSV, XLSX), a web-form
NDJSON export, a folder of static company websites with Impressum pages, the ground truth
behind every source row, and a manifest. The output is a pure function of the seed: the
same seed gives byte-identical files, so dedupe and extraction quality can be measured on it.
See docs/demo-data.md for what each oddity is there to test.
"""

from __future__ import annotations

from leadpipe.demo.generate import DemoManifest, ManifestFile, generate_demo

__all__ = ["DemoManifest", "ManifestFile", "generate_demo"]

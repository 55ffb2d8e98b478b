"""The workspace's pictures in docs/: the lead list and a lead's page, taken in Chromium of the
demo data. Run by hand after a change to the pages (not part of `make test`):

    .venv/bin/python -m tests.browser.screenshots            # writes docs/img/workspace-*.png

It builds the demo warehouse in a temporary folder (the demo's lists and forms through the
stages, as the browser tests do, without their own test rows), starts `leadpipe web` on it,
logs in as the sales user and photographs the phone list and the first lead on it.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.browser.conftest import browser_context, launch_chromium, log_in, serve_demo
from tests.conftest import REPO


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = [out / "workspace-list.png", out / "workspace-lead.png"]
    with tempfile.TemporaryDirectory(prefix="leadpipe-shots-") as tmp, \
            serve_demo(Path(tmp), own_list=False) as server, launch_chromium() as chromium:
        context = browser_context(chromium, server)
        page = context.new_page()
        log_in(page, server.users["sales"])
        page.goto("/leads?channel=phone")
        page.get_by_role("heading", name="Leads für Telefon").wait_for()
        page.screenshot(path=shots[0], full_page=False)
        first = page.locator("#leads tbody tr").first
        first.locator("td").nth(1).get_by_role("link").click()
        page.get_by_role("heading", name="Kanäle").wait_for()
        page.screenshot(path=shots[1], full_page=True)
        context.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img",
                        help="folder for workspace-list.png and workspace-lead.png")
    for shot in take(parser.parse_args().out):
        print(shot)


if __name__ == "__main__":
    main()

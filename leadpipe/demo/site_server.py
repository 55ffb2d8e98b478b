"""Serve the demo websites on this machine, as the company sites the crawler visits.

The demo runs offline, so the demo domains cannot resolve. The server acts as the crawl's
HTTP proxy: a request for `http://<demo domain>/<path>` arrives here and is answered from
`sites/<demo domain>/<path>`; a domain without a site gets 502, as a proxy answers a host it
cannot reach. TLS tunnels (CONNECT) are refused, so the spider falls back from https to http
as it does for real sites without TLS. Loopback only.
"""

from __future__ import annotations

import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class _Handler(BaseHTTPRequestHandler):
    root: Path

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the crawl report says what was fetched."""

    def do_CONNECT(self) -> None:
        self.send_error(405, "no TLS tunnels on the demo server")

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        host = (target.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        site = (self.root / host).resolve()
        path = target.path if target.scheme else self.path.split("?")[0]
        file = (site / path.lstrip("/")).resolve()
        if not site.is_dir():  # a demo company without a website: as a proxy says it
            self.send_error(502, f"no web server at {host} (demo world)")
            return
        if not str(file).startswith(str(site)):
            self.send_error(404)
            return
        for candidate in (file, file / "index.html", file.with_suffix(".html")):
            if candidate.is_file():
                body = candidate.read_bytes()
                kind = mimetypes.guess_type(candidate.name)[0] or "text/html"
                self.send_response(200)
                self.send_header("Content-Type", f"{kind}; charset=utf-8"
                                 if kind.startswith("text/") else kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(404)


class DemoSites:
    """`with DemoSites(sites_dir) as proxy_url:` serves the sites while the block runs."""

    def __init__(self, sites_dir: Path) -> None:
        handler = type("Handler", (_Handler,), {"root": Path(sites_dir).resolve()})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.domains = sorted(p.name for p in Path(sites_dir).iterdir() if p.is_dir())

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

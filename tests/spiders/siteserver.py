"""A local multi-host web server for the crawl tests.

One ThreadingHTTPServer per loopback address (127.0.0.1, .3, .4, .5; random ports);
the Host header picks the site, so `localhost` and `127.0.0.1` are two sites on one socket.
Static files come from tests/fixtures/sites/<site>/; the special routes (redirects, a slow
page, an oversized page, an endless link chain) are below. Every request is logged, so tests
can assert what was *not* fetched.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain", ".pdf": "application/pdf",
         ".png": "image/png"}
SLOW_S = 4.0
BIG_BYTES = 3 * 1024 * 1024


@dataclass
class Farm:
    ports: dict[str, int] = field(default_factory=dict)            # ip -> port
    log: list[tuple[str, str]] = field(default_factory=list)        # (host, path)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def url(self, host: str, path: str = "/") -> str:
        ip = "127.0.0.1" if host == "localhost" else host
        return f"http://{host}:{self.ports.get(ip, self.ports['127.0.0.1'])}{path}"

    def requested(self, host: str) -> list[str]:
        return [path for h, path in self.log if h == host]


class Handler(BaseHTTPRequestHandler):
    server_version = "fixture"
    farm: Farm

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", headers={"Location": location})

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path.split("?")[0]
        self.farm.log.append((host, path))
        route = {"127.0.0.1": self.acme, "localhost": self.oldsite, "127.0.0.3": self.loop,
                 "127.0.0.4": self.newsite, "127.0.0.5": self.newsite}.get(host)
        try:
            if route is None:
                self._send(404, b"unknown host")
            else:
                route(path)
        except ConnectionError:  # the crawler gave up (timeout, size limit): expected
            return

    def static(self, site: str, name: str, ctype: str | None = None) -> None:
        file = SITES / site / name.lstrip("/")
        if not file.is_file():
            self._send(404, b"<html><body>Not found</body></html>")
            return
        self._send(200, file.read_bytes(), ctype or TYPES.get(file.suffix, "text/plain"))

    def acme(self, path: str) -> None:
        farm = self.farm
        if path in ("/", "/index.html"):
            self.static("acme", "index.html")
        elif path == "/kontakt.html":
            self.static("acme", "kontakt.latin1.html", "text/html; charset=iso-8859-1")
        elif path.startswith("/unternehmen/"):
            self.static("acme", path.removeprefix("/unternehmen/"))
        elif path == "/contact-slow.html":
            time.sleep(SLOW_S)
            self._send(200, b"<html><body>Kontakt, slowly</body></html>")
        elif path == "/about-big.html":
            self._send(200, b"<html><body>" + b"x" * BIG_BYTES + b"</body></html>")
        elif path == "/legal-redirect":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/kontakt-neu":
            self._redirect(f"http://127.0.0.2:{farm.ports['127.0.0.1']}/kontakt.html")
        else:
            self.static("acme", path)

    def oldsite(self, path: str) -> None:
        self._redirect(self.farm.url("127.0.0.4", "/"), 301)

    def newsite(self, path: str) -> None:
        self.static("newsite", "index.html" if path == "/" else path)

    def loop(self, path: str) -> None:
        if path == "/robots.txt":
            self._send(404, b"")
            return
        n = int(path.rsplit("/", 1)[1]) if path.startswith("/impressum/") else 0
        body = (f'<html><head><title>Loop {n}</title></head><body>'
                f'<a href="/">Home</a> <a href="/impressum/{n}">Impressum {n}</a> '
                f'<a href="/impressum/{n + 1}">Impressum {n + 1}</a></body></html>')
        self._send(200, body.encode())


def start_farm(addresses: tuple[str, ...] = ("127.0.0.1", "127.0.0.3", "127.0.0.4",
                                             "127.0.0.5")) -> Farm:
    farm = Farm()
    handler = type("FarmHandler", (Handler,), {"farm": farm})
    for ip in addresses:
        server = ThreadingHTTPServer((ip, 0), handler)
        server.daemon_threads = True
        farm.ports[ip] = server.server_address[1]
        farm.servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return farm


def stop_farm(farm: Farm) -> None:
    for server in farm.servers:
        server.shutdown()
        server.server_close()

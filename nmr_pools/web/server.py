"""The HTTP server of the delegators' page: the static app and /config.json, nothing else.

It keeps no state between requests and never sees a key: reads and writes happen between the
browser and the wallet (or the read-only RPC URL). Standard library only.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from nmr_pools.errors import NmrPoolsError
from nmr_pools.web.site_config import SiteConfig

STATIC_DIR = Path(__file__).resolve().parent / "static"
# path -> (file in STATIC_DIR, content type); anything else is 404
STATIC_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.js.map": ("app.js.map", "application/json"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}
# the bundle `npm run build` writes (make env runs it)
BUNDLE = STATIC_DIR / "app.js"


class PageNotBuiltError(NmrPoolsError):
    """The JavaScript bundle is missing: the page was never built."""


def content_security_policy(rpc_url: str | None) -> str:
    """Scripts and styles from this server only; connections to it and to the RPC URL."""
    connect = ["'self'"]
    if rpc_url:
        parts = urlsplit(rpc_url)
        connect.append(f"{parts.scheme}://{parts.netloc}")
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {' '.join(connect)}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def make_handler(config: SiteConfig) -> type[BaseHTTPRequestHandler]:
    config_bytes = config.to_json()
    policy = content_security_policy(config.rpc_url)

    class PageHandler(BaseHTTPRequestHandler):
        server_version = "nmr-pools-web"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            path = urlsplit(self.path).path
            if path == "/config.json":
                body, content_type = config_bytes, "application/json"
            elif path in STATIC_FILES:
                name, content_type = STATIC_FILES[path]
                try:
                    body = (STATIC_DIR / name).read_bytes()
                except FileNotFoundError:
                    self.send_error(HTTPStatus.NOT_FOUND, f"{name} is not built: run `npm run build`")
                    return
            else:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: the page's requests are not worth a terminal line each

    return PageHandler


def make_server(config: SiteConfig, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server bound to host:port (port 0: any free port); NmrPoolsError when it cannot bind."""
    if not BUNDLE.exists():
        raise PageNotBuiltError(
            f"The page is not built ({BUNDLE} is missing): run `npm run build` (`make env` does)."
        )
    try:
        server = ThreadingHTTPServer((host, port), make_handler(config))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise NmrPoolsError(f"Port {port} on {host} is in use; pick another with --port.") from None
        raise NmrPoolsError(
            f"Cannot listen on {host}:{port} ({error.strerror}); check --host and --port."
        ) from None
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    return f"http://{shown}:{port}/"


@contextmanager
def serving(config: SiteConfig, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the page in a background thread for the block; yields its URL; always stops it."""
    server = make_server(config, host, port)
    thread = threading.Thread(target=server.serve_forever, name="nmr-pools-web", daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

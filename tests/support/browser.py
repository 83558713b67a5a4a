"""Browser tests' shared pieces: Debian's chromium through Playwright, screenshots a
reviewer opens, and a second web site (another origin) to embed the widget in.

The `browser`, `new_page` and `page` fixtures are exposed to tests/api through its conftest.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
DEFAULT_SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the whole run (each test opens its own context)."""
    path = os.environ.get("MOSTRADOR_TEST_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.fail(f"no Chromium at {path}: run the suite with `make test`, which installs "
                    "Debian's chromium, or set MOSTRADOR_TEST_CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (its own storage): Spanish (es-AR) at
    desktop size unless options (Playwright's `new_context` arguments) say otherwise."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        context = browser.new_context(**{"locale": "es-AR", "viewport": DESKTOP, **options})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in Spanish at desktop size."""
    return new_page()


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows as `<name>.png` in MOSTRADOR_SCREENSHOTS (default
    tests/screenshots/) for a reviewer to look at; return the file's path."""
    folder = Path(os.environ.get("MOSTRADOR_SCREENSHOTS") or DEFAULT_SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@contextmanager
def web_site(html: str, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `html` at every path of a tiny HTTP server on a free port of this machine (a
    business's own site: another origin than Mostrador's); yield its base URL, e.g.
    `http://127.0.0.1:PORT` or, with host="localhost", `http://localhost:PORT`."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

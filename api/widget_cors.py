"""CORS for the public web chat: only the pages a business allows may embed its chat.

The chat endpoints (`/v1/chat/{slug}/...`) are called by the widget from the business's
own site. A request that carries an `Origin` other than Mostrador's own is answered only
when the business lists that origin in `widget_origins` (api.origins): then with
`Access-Control-Allow-Origin` for it; otherwise 403, preflight included, so a page
elsewhere can neither read the chat nor post into it (the 403 itself is readable, so the
widget can say why). An unknown business's 404 is readable too. Requests without an
`Origin` (curl, servers) are not affected. No credentials (cookies) are ever allowed;
`Retry-After` is exposed so the widget can say how long to wait after a 429.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.origins import origin_allowed
from crm.db import reader_engine
from crm.models import Tenant

CHAT_PATH = re.compile(r"^/v1/chat/([a-z0-9][a-z0-9-]{0,63})/[a-z]+$")
CACHE_SECONDS = 15.0
ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Content-Type"


class OriginCache:
    """A business's widget origins by slug, re-read after CACHE_SECONDS (None: unknown)."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = reader_engine(engine)
        self._clock = clock
        self._cache: dict[str, tuple[float, tuple[str, ...] | None]] = {}
        self._lock = threading.Lock()

    def origins(self, slug: str) -> tuple[str, ...] | None:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(slug)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        with Session(self._engine) as db:
            tenant = db.exec(select(Tenant).where(Tenant.slug == slug)).first()
            found = tuple(tenant.widget_origins or ()) if tenant is not None else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[slug] = (now, found)
        return found


class WidgetCors:
    """ASGI middleware applying the rule above to the chat paths."""

    def __init__(self, app: ASGIApp, *, cache: OriginCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        match = CHAT_PATH.match(scope.get("path", ""))
        headers = _headers(scope)
        origin = headers.get("origin")
        if match is None or origin is None or _same_origin(origin, headers.get("host")):
            await self.app(scope, receive, send)
            return
        origins = await run_in_threadpool(self.cache.origins, match.group(1))
        cors = [(b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-expose-headers", b"Retry-After"), (b"vary", b"Origin")]
        # An unknown business: its route answers 404, which says nothing about anyone.
        if origins is not None and not origin_allowed(origin, origins):
            await _json(send, 403, {"detail": "This site may not embed this business's chat: "
                                              "add its origin to the business's "
                                              "widget_origins."}, cors)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await send({"type": "http.response.start", "status": 204, "headers": [
                *cors, (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                (b"access-control-max-age", b"600")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cors]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _same_origin(origin: str, host: str | None) -> bool:
    """The page is Mostrador's own (the /chat page, the docs): scheme aside, same host."""
    return host is not None and origin.split("://", 1)[-1].lower() == host.lower()


async def _json(send: Send, status: int, body: dict[str, Any],
                extra: list[tuple[bytes, bytes]]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        *extra]})
    await send({"type": "http.response.body", "body": data})

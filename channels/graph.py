"""A small Graph API client on httpx: bearer token in a header, retries with backoff.

Every call goes to ``{MOSTRADOR_GRAPH_API_URL}/{MOSTRADOR_GRAPH_API_VERSION}/{path}``, so
tests and staging point it at a local stand-in. 429, 5xx and network failures are retried
with exponential backoff and full jitter (``graph_max_retries`` retries); any other 4xx is
Meta refusing for good (policy, permission, the 24-hour window) and raises at once.
The token travels in the Authorization header, never in the URL, so it never reaches an
access log; errors carry Meta's code, never the request. A send that must not reach Meta
twice (`post(..., once=True)`) is not retried after a network failure that may have
happened once Meta had the request (a read timeout, a dropped connection): it raises with
`maybe_sent`, and the caller settles it with Meta's receipt (channels.receipts).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from channels.errors import GraphError, GraphRejected, GraphUnavailable
from crm.settings import Settings

log = logging.getLogger("mostrador.channels.graph")

# Failures before the request left this machine: retrying cannot make a duplicate.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class GraphClient:
    def __init__(self, *, base_url: str, version: str, timeout: float = 10.0,
                 max_retries: int = 3, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self._sleep = sleep
        self._http = httpx.Client(timeout=timeout, transport=transport,
                                  limits=httpx.Limits(max_connections=50))

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphClient:
        return cls(base_url=settings.graph_api_url, version=settings.graph_api_version,
                   timeout=settings.graph_timeout_seconds,
                   max_retries=settings.graph_max_retries,
                   backoff=settings.graph_backoff_seconds)

    def close(self) -> None:
        self._http.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def post(self, path: str, *, token: str, json: dict[str, Any],
             once: bool = False) -> dict[str, Any]:
        """POST; with `once`, a network failure after the request may have reached Meta
        is not retried (GraphUnavailable with `maybe_sent`)."""
        return self._call("POST", path, token=token, once=once, json=json)

    def get(self, path: str, *, token: str,
            params: dict[str, str] | None = None) -> dict[str, Any]:
        return self._call("GET", path, token=token, params=params)

    def _call(self, method: str, path: str, *, token: str, once: bool = False,
              **kwargs: Any) -> dict[str, Any]:
        """The JSON answer; raises GraphRejected (4xx) or GraphUnavailable (after retries)."""
        headers = {"Authorization": f"Bearer {token}"}
        last: GraphError | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._sleep(random.uniform(0, self.backoff * 2 ** (attempt - 1)))
            try:
                response = self._http.request(method, self.url(path), headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                maybe_sent = not isinstance(exc, _NOT_SENT)
                last = GraphUnavailable(f"Graph API unreachable ({type(exc).__name__})",
                                        maybe_sent=maybe_sent)
                log.warning("graph call failed path=%s attempt=%d error=%s",
                            _safe_path(path), attempt + 1, type(exc).__name__)
                if once and maybe_sent:
                    break
                continue
            if response.status_code < 300:
                try:
                    data = response.json()
                except ValueError:
                    data = {}
                return data if isinstance(data, dict) else {}
            code = _meta_code(response)
            if response.status_code == 429 or response.status_code >= 500:
                last = GraphUnavailable(f"Graph API answered {response.status_code}",
                                        status=response.status_code, code=code)
                log.warning("graph call failed path=%s attempt=%d status=%d code=%s",
                            _safe_path(path), attempt + 1, response.status_code, code)
                continue
            log.warning("graph call rejected path=%s status=%d code=%s", _safe_path(path),
                        response.status_code, code)
            raise GraphRejected(f"Graph API refused the call ({response.status_code})",
                                status=response.status_code, code=code)
        assert last is not None
        raise last


def _meta_code(response: httpx.Response) -> int | str | None:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return None
    return error.get("code") if isinstance(error, dict) else None


def _safe_path(path: str) -> str:
    """The path's shape for logs: ids of Meta objects are fine, nothing else is in it."""
    return path.split("?", 1)[0]

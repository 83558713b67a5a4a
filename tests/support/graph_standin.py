"""A local stand-in for Meta's Graph API: a real HTTP server that tests script and inspect.

- ``POST /{version}/{phone_number_id}/messages`` answers ``{"messages": [{"id": "wamid.N"}]}``
- ``POST /{version}/me/messages`` answers ``{"recipient_id", "message_id": "m_N"}``
- ``GET /{version}/{leadgen_id}`` answers the lead stored with ``add_lead`` (else 404)
- ``fail(500, 429, ...)`` makes the next requests answer those statuses first (with a
  Meta-shaped error body); ``fail(400, code=131047)`` scripts a policy refusal.

Every request is recorded (method, path, query, headers, JSON body).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class GraphStandIn:
    requests: list[Recorded] = field(default_factory=list)
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: deque[tuple[int, int | None]] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: int = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail(self, *statuses: int, code: int | None = None) -> None:
        with self._lock:
            self.failures.extend((s, code) for s in statuses)

    def add_lead(self, leadgen_id: str, fields: dict[str, str], **extra: Any) -> None:
        self.leads[leadgen_id] = {
            "id": leadgen_id, "created_time": "2026-11-23T13:00:00+0000",
            "field_data": [{"name": k, "values": [v]} for k, v in fields.items()], **extra}

    def sends(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def _next_id(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _answer(self, record: Recorded) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(record)
            failure = self.failures.popleft() if self.failures else None
        if failure is not None:
            status, code = failure
            return status, {"error": {"message": "scripted failure", "type": "OAuthException",
                                      "code": code or status, "fbtrace_id": "stand-in"}}
        parts = [p for p in record.path.split("/") if p]
        if record.method == "POST" and parts[-1:] == ["messages"]:
            n = self._next_id()
            if parts[-2:] == ["me", "messages"]:
                recipient = ((record.body or {}).get("recipient") or {}).get("id")
                return 200, {"recipient_id": recipient, "message_id": f"m_standin_{n}"}
            to = (record.body or {}).get("to")
            return 200, {"messaging_product": "whatsapp",
                         "contacts": [{"input": to, "wa_id": to}],
                         "messages": [{"id": f"wamid.standin.{n}"}]}
        if record.method == "GET" and len(parts) == 2 and parts[1] in self.leads:
            return 200, self.leads[parts[1]]
        return 404, {"error": {"message": "unknown object", "type": "GraphMethodException",
                               "code": 100}}

    def start(self) -> GraphStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                raw = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                record = Recorded(method=self.command, path=split.path,
                                  query=parse_qs(split.query),
                                  headers={k.lower(): v for k, v in self.headers.items()},
                                  body=json.loads(raw) if raw else None)
                status, payload = standin._answer(record)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle  # noqa: N815
            do_POST = _handle  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

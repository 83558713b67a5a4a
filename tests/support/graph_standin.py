"""A local stand-in for Meta's Graph API: a real HTTP server that tests script and inspect.

- ``POST /{version}/{phone_number_id}/messages`` answers ``{"messages": [{"id": "wamid.N"}]}``
- ``POST /{version}/me/messages`` answers ``{"recipient_id", "message_id": "m_N"}``
- ``GET /{version}/{leadgen_id}`` answers the lead stored with ``add_lead`` (else 404)
- ``fail(500, 429, ...)`` makes the next requests answer those statuses first (with a
  Meta-shaped error body); ``fail(400, code=131047)`` scripts a policy refusal.
- ``slow(seconds)`` makes every send wait that long (recorded first) before answering;
  ``in_flight()`` lists the sends accepted and not yet answered. A client may put a path
  prefix in front of the version (``{url}/w1``) to tell its requests apart.
- ``send_receipts(url, secret)``: like Meta, after accepting a send it POSTs a webhook
  signed with the app secret to ``url``: a WhatsApp ``statuses`` update (``sent``, with the
  message's ``biz_opaque_callback_data`` when it had one) or, for a page token registered
  in ``echo_accounts``, a Messenger/Instagram ``message_echoes`` item (``is_echo``, with
  ``message.metadata``). Posted from a thread of its own, retried on failure, recorded in
  ``receipts``; ``send_receipts(None)`` stops them.

Every request is recorded (method, path, query, headers, JSON body, arrival time).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from channels.signature import sign


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any] | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class GraphStandIn:
    requests: list[Recorded] = field(default_factory=list)
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: deque[tuple[int, int | None]] = field(default_factory=deque)
    receipts: list[tuple[dict[str, Any], int]] = field(default_factory=list)  # (body, status)
    echo_accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # token → (object, id)
    delay: float = 0.0
    _receipt_url: str | None = None
    _receipt_secret: str = ""
    _outbox: queue.Queue[dict[str, Any] | None] = field(default_factory=queue.Queue)
    _open: list[Recorded] = field(default_factory=list)
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

    def slow(self, seconds: float) -> None:
        self.delay = seconds

    def send_receipts(self, url: str | None, secret: str = "") -> None:
        """Post status/echo webhooks for accepted sends to `url` (None: stop)."""
        self._receipt_url, self._receipt_secret = url, secret

    def sends(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def in_flight(self) -> list[Recorded]:
        with self._lock:
            return list(self._open)

    def posted_receipts(self) -> list[dict[str, Any]]:
        """The receipt webhooks the app acknowledged."""
        with self._lock:
            return [body for body, status in self.receipts if status == 200]

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
            body = record.body or {}
            if parts[-2:] == ["me", "messages"]:
                recipient = (body.get("recipient") or {}).get("id")
                mid = f"m_standin_{n}"
                token = record.headers.get("authorization", "").removeprefix("Bearer ")
                if token in self.echo_accounts:
                    self._receipt(self._echo(self.echo_accounts[token], mid, body))
                return 200, {"recipient_id": recipient, "message_id": mid}
            to = body.get("to")
            wamid = f"wamid.standin.{n}"
            self._receipt(self._status(parts[-2], wamid, body))
            return 200, {"messaging_product": "whatsapp",
                         "contacts": [{"input": to, "wa_id": to}],
                         "messages": [{"id": wamid}]}
        if record.method == "GET" and len(parts) == 2 and parts[1] in self.leads:
            return 200, self.leads[parts[1]]
        return 404, {"error": {"message": "unknown object", "type": "GraphMethodException",
                               "code": 100}}

    # receipts: the webhooks Meta sends about an accepted message
    @staticmethod
    def _status(phone_number_id: str, wamid: str, sent: dict[str, Any]) -> dict[str, Any]:
        status: dict[str, Any] = {"id": wamid, "status": "sent",
                                  "timestamp": str(int(time.time())),
                                  "recipient_id": sent.get("to")}
        if "biz_opaque_callback_data" in sent:
            status["biz_opaque_callback_data"] = sent["biz_opaque_callback_data"]
        return {"object": "whatsapp_business_account", "entry": [{
            "id": "102290129340398", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "5491100000000",
                             "phone_number_id": phone_number_id},
                "statuses": [status]}}]}]}

    @staticmethod
    def _echo(account: tuple[str, str], mid: str, sent: dict[str, Any]) -> dict[str, Any]:
        obj, account_id = account
        message = {"is_echo": True, "app_id": 1234567890, "mid": mid,
                   **(sent.get("message") or {})}
        now = int(time.time() * 1000)
        return {"object": obj, "entry": [{"id": account_id, "time": now, "messaging": [{
            "sender": {"id": account_id}, "recipient": sent.get("recipient") or {},
            "timestamp": now, "message": message}]}]}

    def _receipt(self, body: dict[str, Any]) -> None:
        if self._receipt_url is not None:
            self._outbox.put(body)

    def _post_receipts(self) -> None:
        with httpx.Client(timeout=10) as http:
            while (body := self._outbox.get()) is not None:
                url, secret = self._receipt_url, self._receipt_secret
                if url is None:
                    continue
                raw = json.dumps(body, separators=(",", ":")).encode()
                status = 0
                for attempt in range(5):  # Meta retries a webhook that is not answered 200
                    try:
                        status = http.post(url, content=raw, headers={
                            "X-Hub-Signature-256": sign(raw, secret),
                            "Content-Type": "application/json"}).status_code
                    except httpx.HTTPError:
                        status = 0
                    if status == 200:
                        break
                    time.sleep(0.2 * 2 ** attempt)
                with self._lock:
                    self.receipts.append((body, status))

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
                with standin._lock:
                    standin._open.append(record)
                try:
                    if standin.delay and record.method == "POST":
                        time.sleep(standin.delay)
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up or died: Meta has it
                finally:
                    with standin._lock:
                        standin._open.remove(record)

            do_GET = _handle  # noqa: N815
            do_POST = _handle  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        threading.Thread(target=self._post_receipts, daemon=True).start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

"""A zero-latency OpenAI-compatible chat-completions server, for benchmarks (stdlib only).

It runs in a process of its own, so it shares no GIL with the load generator or the
server under test. It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) for
the `openai` client, on asyncio, which costs far less per request than ThreadingHTTPServer.

Modes:
    tools (default)  a realistic turn of two LLM calls: when the last message is the user's,
                     the answer is a call to `list_services` ({}); when it is a tool result,
                     a short text.
    text             every call answers a short text: one LLM call per turn.

Endpoints: POST /v1/chat/completions; GET /healthz; GET /stats (requests served and
request bytes so far); GET /sample (the last chat request body, so a client can replay the
same system prompt and tool schemas).

    .venv/bin/python bench/stub_server.py [--port 0] [--mode tools|text] [--llm-ms 0]

The first line on stdout is ``listening on <port>`` once the socket is bound.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

REPLY = "Tenemos consulta general, limpieza, blanqueamiento y control de ortodoncia."
TOOL = "list_services"
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}
_MAX_HEAD = 64 * 1024


@dataclass
class Stub:
    mode: str = "tools"
    delay: float = 0.0  # seconds before each chat answer (0: zero latency)
    requests: int = 0
    request_bytes: int = 0
    sample: dict[str, Any] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """The chat.completion answer to one request body."""
        self.sample = body
        messages = body.get("messages") or [{}]
        n = next(self._ids)
        if self.mode == "tools" and messages[-1].get("role") == "user":
            call = {"id": f"call_{n:012d}", "type": "function",
                    "function": {"name": TOOL, "arguments": "{}"}}
            message: dict[str, Any] = {"role": "assistant", "content": None,
                                       "tool_calls": [call]}
            reason = "tool_calls"
        else:
            message, reason = {"role": "assistant", "content": REPLY}, "stop"
        return {
            "id": f"chatcmpl-{n:012d}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": message, "finish_reason": reason}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    def route(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        path = path.split("?", 1)[0]
        if method == "POST" and path.endswith("/chat/completions"):
            self.requests += 1
            self.request_bytes += len(raw)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return 400, _error("body is not JSON")
            if body.get("stream"):
                return 400, _error("this stub does not stream")
            return 200, self.complete(body)
        if method == "GET" and path == "/healthz":
            return 200, {"status": "ok"}
        if method == "GET" and path == "/stats":
            return 200, {"requests": self.requests, "request_bytes": self.request_bytes}
        if method == "GET" and path == "/sample":
            return 200, self.sample
        return 404, _error(f"no route {method} {path}")

    async def serve_connection(self, reader: asyncio.StreamReader,
                               writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                raw = await reader.readexactly(int(headers.get("content-length", "0")))
                code, payload = self.route(method, path, raw)
                if self.delay and path.endswith("/chat/completions"):
                    await asyncio.sleep(self.delay)
                data = json.dumps(payload).encode()
                close = headers.get("connection", "").lower() == "close"
                writer.write(
                    f"HTTP/1.1 {code} {_REASONS.get(code, 'Error')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": None}}


async def main_async(port: int, mode: str, delay_ms: float = 0.0) -> None:
    stub = Stub(mode=mode, delay=delay_ms / 1000)
    server = await asyncio.start_server(stub.serve_connection, "127.0.0.1", port,
                                        limit=_MAX_HEAD, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--mode", choices=("tools", "text"), default="tools")
    parser.add_argument("--llm-ms", type=float, default=0.0,
                        help="latency of each chat answer, ms (default 0)")
    args = parser.parse_args()
    try:
        asyncio.run(main_async(args.port, args.mode, args.llm_ms))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

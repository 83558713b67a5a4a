"""A local OpenAI-compatible chat-completions server that tests script.

It is a real HTTP server on 127.0.0.1 (a thread in the test process), so the agent runs the
real `openai` client and langchain-openai end to end. Each request takes the next scripted
step; with the script empty it asks `default` (or answers a plain text).

Steps:
    text("hola")                         an assistant text answer
    tool_call("book_appointment", {...}) an assistant tool call (finish_reason tool_calls)
    tool_calls((name, args), ...)        several tool calls in one assistant message
    raw_text('{"name": ...}')            text that spells a tool call (llama.cpp quirk)
    status(500)                          an HTTP error with an OpenAI-shaped error body
    status(400, "...context...")         one worded as a server words it
    delay(2.0, step)                     wait, then answer `step` (for client timeouts)
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = dict[str, Any]


def text(content: str) -> Step:
    return {"kind": "message", "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"}


raw_text = text


def tool_call(name: str, args: dict[str, Any], call_id: str | None = None) -> Step:
    call = {"id": call_id or f"call_{uuid.uuid4().hex[:12]}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)}}
    return {"kind": "message", "message": {"role": "assistant", "content": None,
                                           "tool_calls": [call]},
            "finish_reason": "tool_calls"}


def tool_calls(*calls: tuple[str, dict[str, Any]]) -> Step:
    """One assistant message with several tool calls (the model asks them in parallel)."""
    listed = [{"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
               "function": {"name": name, "arguments": json.dumps(args)}}
              for name, args in calls]
    return {"kind": "message", "message": {"role": "assistant", "content": None,
                                           "tool_calls": listed},
            "finish_reason": "tool_calls"}


def system_text(request: dict[str, Any]) -> str:
    """Everything a request told the model as system messages (the prompt and the note)."""
    return "\n".join(str(m.get("content") or "") for m in request["messages"]
                     if m["role"] == "system")


def status(code: int, message: str = "scripted failure", error_code: str | None = None
           ) -> Step:
    """An HTTP error; `message` and `error_code` as a server words them (a 400 for a
    prompt over the context window, say)."""
    return {"kind": "status", "status": code, "message": message, "code": error_code}


def delay(seconds: float, step: Step) -> Step:
    return {"kind": "delay", "seconds": seconds, "then": step}


@dataclass
class OpenAIStub:
    script: deque[Step] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Callable[[dict[str, Any]], Step] | None = None
    record: bool = True
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def push(self, *steps: Step) -> None:
        self.script.extend(steps)

    def _next(self, body: dict[str, Any]) -> Step:
        with self._lock:
            if self.record:
                self.requests.append(body)
            if self.script:
                return self.script.popleft()
        return self.default(body) if self.default else text("ok")

    def start(self) -> OpenAIStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                step = stub._next(body)
                while step["kind"] == "delay":
                    time.sleep(step["seconds"])
                    step = step["then"]
                if step["kind"] == "status":
                    payload = {"error": {"message": step["message"], "type": "server_error",
                                         "code": step["code"] or step["status"]}}
                    self._send(step["status"], payload)
                    return
                self._send(200, {
                    "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
                    "created": int(time.time()), "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "message": step["message"],
                                 "finish_reason": step["finish_reason"]}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                })

            def _send(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

"""Benchmark webhook acknowledgement: signed WhatsApp webhooks at increasing rates.

Processes, all on 127.0.0.1:
- a Graph API stand-in (this file with --standin), which answers every send with a wamid;
- `mostrador serve` on a fresh SQLite database in a temporary directory, with the demo
  business seeded and a WhatsApp connection made with `mostrador connect whatsapp`; its
  MOSTRADOR_GRAPH_API_URL points at the stand-in, so every message runs a real agent turn
  (offline model) and a real send in the background while acks are measured;
- a bare FastAPI app (this file with --bare) whose POST /webhooks/meta reads the body and
  answers 200, served by uvicorn the same way: the floor.

For each rate (open loop: requests start on schedule whether or not earlier ones finished)
the load generator sends signed text messages, each with a new wamid, from a rotating set
of senders, and reports acked/s, p50/p99/max ack latency and non-200 answers. Replies sent
to the stand-in during the run are reported too (processing runs behind acks by design).

    .venv/bin/python bench/webhooks.py [--rates 50,100,200,400] [--seconds 3]

Exit status: 0 when every request was acknowledged with 200, 1 otherwise, 2 on setup
failure. Takes about (number of rates x seconds x 2) + 20 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP_SECRET = "bench-app-secret"
PHONE_ID = "106540352242922"
SENDERS = 200
_LOCAL = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- helper processes -----------------------------------------------------------------------

def run_standin(port: int) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    count = 0

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            nonlocal count
            self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            count += 1
            self._send({"messaging_product": "whatsapp",
                        "messages": [{"id": f"wamid.bench.{count}"}]})

        def do_GET(self) -> None:  # noqa: N802
            self._send({"sends": count})

    ThreadingHTTPServer.request_queue_size = 256  # the default 5 refuses bursts
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


bare = FastAPI()


@bare.post("/webhooks/meta")
async def bare_hook(request: Request) -> PlainTextResponse:
    await request.body()
    return PlainTextResponse("EVENT_RECEIVED")


@bare.get("/healthz")
def bare_health() -> dict[str, str]:
    return {"status": "ok"}


def run_bare(port: int) -> None:
    import uvicorn

    uvicorn.run(bare, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def wait_for(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"setup failed: {what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"setup failed: {what} did not answer {url}")


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "mostrador"), *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"setup failed: mostrador {args[0]}: {result.stderr[-500:]}")
    return result.stdout


# --- load -----------------------------------------------------------------------------------

def webhook(n: int, run: str) -> tuple[bytes, dict[str, str]]:
    sender = f"54911{5550000 + n % SENDERS:07d}"
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5491100000000", "phone_number_id": PHONE_ID},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": f"wamid.{run}.{n}",
                          "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": "hola, ¿qué servicios tienen?"}}]}}]}]}
    raw = json.dumps(body, separators=(",", ":")).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


async def load(url: str, rate: int, seconds: float, run: str) -> dict[str, float]:
    total = int(rate * seconds)
    bodies = [webhook(n, run) for n in range(total)]
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def one(raw: bytes, headers: dict[str, str]) -> None:
            nonlocal failures
            started = time.perf_counter()
            try:
                response = await client.post(url, content=raw, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            failures += 0 if ok else 1

        begin = time.perf_counter()
        tasks = []
        for n, (raw, headers) in enumerate(bodies):
            delay = begin + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(raw, headers)))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - begin
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"rate": rate, "sent": total, "acked_per_s": (total - failures) / wall,
            "p50": pct(0.50), "p99": pct(0.99), "max": latencies[-1] * 1000,
            "failed": failures}


def sends(standin: str) -> int:
    try:
        return int(httpx.get(standin, timeout=2).json()["sends"])
    except (httpx.HTTPError, ValueError, KeyError):
        return -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200,400")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--standin", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.standin:
        run_standin(args.standin)
        return 0
    if args.bare:
        run_bare(args.bare)
        return 0
    rates = [int(r) for r in args.rates.split(",")]
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="mostrador-bench-") as tmp:
        env = {**os.environ, **_LOCAL, "MOSTRADOR_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
               "MOSTRADOR_LLM": "offline", "MOSTRADOR_LOG_LEVEL": "WARNING",
               "MOSTRADOR_SECRET_KEY": "bench-secret-key-0123456789"}
        env.pop("OPENAI_API_KEY", None)
        try:
            standin_port, app_port, bare_port = free_port(), free_port(), free_port()
            procs.append(subprocess.Popen([sys.executable, __file__, "--standin",
                                           str(standin_port)], env=env))
            standin = f"http://127.0.0.1:{standin_port}"
            wait_for(standin + "/count", procs[-1], "the Graph stand-in")
            env["MOSTRADOR_GRAPH_API_URL"] = standin
            cli(env, "seed-demo")
            cli(env, "connect", "whatsapp", "--tenant", "demo", "--phone-number-id", PHONE_ID,
                "--access-token", "bench-token", "--app-secret", APP_SECRET,
                "--verify-token", "bench-verify")
            procs.append(subprocess.Popen([str(BIN / "mostrador"), "serve", "--port",
                                           str(app_port)], env=env, cwd=ROOT))
            wait_for(f"http://127.0.0.1:{app_port}/healthz", procs[-1], "mostrador serve")
            procs.append(subprocess.Popen([sys.executable, __file__, "--bare", str(bare_port)],
                                          env=env))
            wait_for(f"http://127.0.0.1:{bare_port}/healthz", procs[-1], "the bare app")
            for port in (app_port, bare_port):  # warm up: imports, pools, the agent graph
                asyncio.run(load(f"http://127.0.0.1:{port}/webhooks/meta", 20, 1.0, "warm"))
            time.sleep(2)
            rows = []
            for rate in rates:
                for side, port in (("mostrador", app_port), ("bare fastapi", bare_port)):
                    before = sends(standin)
                    result = asyncio.run(load(f"http://127.0.0.1:{port}/webhooks/meta", rate,
                                              args.seconds, f"{side[:4]}{rate}"))
                    result["replies"] = sends(standin) - before if side == "mostrador" else 0
                    rows.append((side, result))
                    time.sleep(0.5)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    print(f"\n{'server':<14}{'rate/s':>8}{'sent':>7}{'acked/s':>9}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}{'non-200':>9}{'replies*':>10}")
    for side, r in rows:
        print(f"{side:<14}{r['rate']:>8.0f}{r['sent']:>7.0f}{r['acked_per_s']:>9.1f}"
              f"{r['p50']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}{r['failed']:>9.0f}"
              f"{r['replies']:>10.0f}")
    print("* replies the stand-in received during that step (agent turns finished and sent; "
          "the rest is queued: processing runs behind acks by design)")
    return 1 if any(r["failed"] for _, r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

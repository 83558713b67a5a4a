"""Benchmark the durable pipeline: signed webhooks → Redis → workers → LLM stub → Graph.

Processes, all on 127.0.0.1:
- a redis-server of its own (temporary directory, AOF on with `appendfsync everysec`);
- PostgreSQL, the shared database (a fresh schema in MOSTRADOR_BENCH_POSTGRES_URL, default
  the local `test` database), dropped at the end;
- bench/stub_server.py, a zero-latency OpenAI-compatible LLM (each turn: a `list_services`
  tool call, then a text: two LLM calls);
- a Graph API stand-in (this file with --standin) that records when each reply arrives
  and, with --receipts, posts a signed `sent` status carrying the send's
  `biz_opaque_callback_data` back to `mostrador serve`, as Meta does (the receipts that
  settle a send cut off by a crash; they cost one more webhook per reply);
- `mostrador serve` with MOSTRADOR_REDIS_URL set (it only verifies, stores and enqueues);
- `mostrador worker --concurrency C` processes: 1, then 2 (or --workers).

For each worker count the load generator posts `--messages` signed WhatsApp texts, each
from a new sender (so the stand-in can match every reply to its webhook), with 32 requests
in flight, and waits until every reply reached the stand-in. It reports end-to-end
messages/s (first webhook sent → last reply received) and p50/p99 latency from sending the
webhook to the Graph send, then the scaling ratio. Beside them it prints the CPU each part
spent per message during the measured run (read from /proc: the worker processes, `serve`,
the stubs, redis, this load generator, and the rest of the machine's busy time, which is
mostly PostgreSQL) and how many cores that kept busy (msg/s × CPU per message). A worker
is one Python process (its `--concurrency` runners are threads), so one worker tops out
near one core; on a 2-core machine that also runs PostgreSQL, the server and the stubs,
2 workers reach the machine's ceiling before they reach 2x. Debounce is off (0 s) so latency is the
pipeline's, not the debounce window's; rate limits are off.

    .venv/bin/python bench/pipeline.py [--messages 400] [--workers 1,2] [--concurrency 4]
                                       [--receipts]

Exit status: 0 when every message was answered exactly once, 1 otherwise, 2 on setup failure.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
APP_SECRET = "bench-app-secret"
PHONE_ID = "106540352242922"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
_LOCAL = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


class SetupError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the Graph stand-in: records (recipient, arrival time) -----------------------------------

def run_standin(port: int, receipts_to: str | None = None) -> None:
    import queue
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    arrivals: list[tuple[str, float]] = []
    outbox: queue.Queue[bytes] = queue.Queue()

    def post_receipts() -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                raw = outbox.get()
                signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw,
                                                 hashlib.sha256).hexdigest()
                try:
                    client.post(receipts_to or "", content=raw, headers={
                        "X-Hub-Signature-256": signature, "Content-Type": "application/json"})
                except httpx.HTTPError:
                    pass

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            arrivals.append((str(body.get("to")), time.time()))
            wamid = f"wamid.bench.{uuid.uuid4().hex}"  # ids must never repeat
            self._send({"messaging_product": "whatsapp", "messages": [{"id": wamid}]})
            if receipts_to:
                outbox.put(receipt(wamid, body))

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/reset":
                arrivals.clear()
            self._send(arrivals)

    if receipts_to:
        threading.Thread(target=post_receipts, daemon=True).start()
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def receipt(wamid: str, sent: dict[str, Any]) -> bytes:
    """The `sent` status webhook Meta posts for an accepted message."""
    status = {"id": wamid, "status": "sent", "timestamp": str(int(time.time())),
              "recipient_id": sent.get("to")}
    if "biz_opaque_callback_data" in sent:
        status["biz_opaque_callback_data"] = sent["biz_opaque_callback_data"]
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5491100000000", "phone_number_id": PHONE_ID},
            "statuses": [status]}}]}]}
    return json.dumps(body, separators=(",", ":")).encode()


# --- helpers ---------------------------------------------------------------------------------

def wait_for(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f"{what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SetupError(f"{what} did not answer {url}")


def cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([str(BIN / "mostrador"), *args], env=env, capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    if result.returncode != 0:
        raise SetupError(f"mostrador {args[0]}: {result.stderr[-500:]}")


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SetupError("no `redis-server` binary (Debian: apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "yes", "--appendfsync", "everysec",
                             "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SetupError("redis-server did not start")


def start_stub(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    log = (workdir / "stub.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(HERE / "stub_server.py"), "--port", "0",
                             "--mode", "tools", "--llm-ms", "0"],
                            stdout=subprocess.PIPE, stderr=log, cwd=workdir)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 15.0)
    line = proc.stdout.readline().decode() if ready else ""
    if not line.startswith("listening on "):
        proc.kill()
        raise SetupError(f"the LLM stub did not start: {line!r}")
    return proc, int(line.split()[-1])


# --- CPU accounting (Linux /proc): where the two cores go ----------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and its living descendants."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (got := _stat(int(entry.name))) is not None:
            parents[int(entry.name)], used[int(entry.name)] = got
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _self_cpu() -> float:
    times = os.times()
    return times.user + times.system


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / _TICK


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- load ------------------------------------------------------------------------------------

def webhook(sender: str, wamid: str) -> tuple[bytes, dict[str, str]]:
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5491100000000", "phone_number_id": PHONE_ID},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": wamid, "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": "hola, ¿qué servicios tienen?"}}]}}]}]}
    raw = json.dumps(body, separators=(",", ":")).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


async def post_all(url: str, senders: list[str], run: str) -> tuple[dict[str, float], int]:
    sent_at: dict[str, float] = {}
    failures = 0
    gate = asyncio.Semaphore(32)
    async with httpx.AsyncClient(timeout=30) as client:
        async def one(sender: str) -> None:
            nonlocal failures
            raw, headers = webhook(sender, f"wamid.{run}.{sender}")
            async with gate:
                sent_at[sender] = time.time()
                try:
                    ok = (await client.post(url, content=raw, headers=headers)).status_code == 200
                except httpx.HTTPError:
                    ok = False
            failures += 0 if ok else 1

        await asyncio.gather(*(one(s) for s in senders))
    return sent_at, failures


def arrivals(standin: str, reset: bool = False) -> list[tuple[str, float]]:
    rows = httpx.get(standin + ("/reset" if reset else "/log"), timeout=10).json()
    return [(str(to), float(at)) for to, at in rows]


def measure(app: str, standin: str, count: int, run: str, timeout: float = 300
            ) -> dict[str, Any]:
    arrivals(standin, reset=True)
    senders = [f"549{abs(hash((run, n))) % 10**10:010d}" for n in range(count)]
    sent_at, failures = asyncio.run(post_all(app + "/webhooks/meta", senders, run))
    deadline = time.monotonic() + timeout
    got: list[tuple[str, float]] = []
    while time.monotonic() < deadline:
        got = arrivals(standin)
        if len(got) >= count - failures:
            break
        time.sleep(0.2)
    time.sleep(1.0)  # a duplicate would show up now
    got = arrivals(standin)
    by_sender: dict[str, list[float]] = {}
    for to, at in got:
        by_sender.setdefault(to, []).append(at)
    latencies = sorted(min(by_sender[s]) - sent_at[s] for s in senders if s in by_sender)
    if not latencies:
        raise SetupError("no reply arrived; see the worker logs")
    first, last = min(sent_at.values()), max(at for _, at in got)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"messages": count, "answered": len(by_sender),
            "duplicates": sum(len(v) - 1 for v in by_sender.values()),
            "failed_posts": failures, "per_s": len(latencies) / (last - first),
            "p50": pct(0.50), "p99": pct(0.99)}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--receipts", action="store_true",
                        help="the stand-in posts a status webhook per accepted send, as Meta")
    parser.add_argument("--standin", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--receipts-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.standin:
        run_standin(args.standin, args.receipts_to)
        return 0
    counts = [int(n) for n in args.workers.split(",")]
    pg = os.environ.get("MOSTRADOR_BENCH_POSTGRES_URL", PG_DEFAULT)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    procs: list[subprocess.Popen[bytes]] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"setup failed: PostgreSQL at {pg}: {type(exc).__name__}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mostrador-pipeline-") as tmp:
        workdir = Path(tmp)
        try:
            redis, redis_port = start_redis(workdir)
            procs.append(redis)
            stub, stub_port = start_stub(workdir)
            procs.append(stub)
            standin_port, app_port = free_port(), free_port()
            receipts = ["--receipts-to", f"http://127.0.0.1:{app_port}/webhooks/meta"] \
                if args.receipts else []
            standin_proc = subprocess.Popen([sys.executable, __file__, "--standin",
                                             str(standin_port), *receipts])
            procs.append(standin_proc)
            standin = f"http://127.0.0.1:{standin_port}"
            wait_for(standin + "/log", procs[-1], "the Graph stand-in")
            sep = "&" if "?" in pg else "?"
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("MOSTRADOR_", "OPENAI_")) and "proxy" not in k.lower()}
            env.update(_LOCAL)
            env["PYTHONPATH"] = str(ROOT)  # the checkout, whatever the editable install says
            env.update({
                "MOSTRADOR_DATABASE_URL": f"{pg}{sep}options=-csearch_path%3D{schema}",
                "MOSTRADOR_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "MOSTRADOR_DEBOUNCE_SECONDS": "0", "MOSTRADOR_RATE_LIMIT_TENANT_PER_MINUTE": "0",
                "MOSTRADOR_RATE_LIMIT_CONTACT_PER_MINUTE": "0",
                "MOSTRADOR_GRAPH_API_URL": standin, "MOSTRADOR_LLM": "openai",
                "MOSTRADOR_LLM_MODEL": "bench", "MOSTRADOR_LLM_MAX_RETRIES": "0",
                "OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": f"http://127.0.0.1:{stub_port}/v1",
                "MOSTRADOR_LOG_LEVEL": "WARNING",
                "MOSTRADOR_SECRET_KEY": "bench-secret-key-0123456789"})
            cli(env, "seed-demo")
            cli(env, "connect", "whatsapp", "--tenant", "demo", "--phone-number-id", PHONE_ID,
                "--access-token", "bench-token", "--app-secret", APP_SECRET,
                "--verify-token", "bench-verify")
            serve = subprocess.Popen([str(BIN / "mostrador"), "serve", "--port",
                                      str(app_port)], env=env, cwd=ROOT)
            procs.append(serve)
            app = f"http://127.0.0.1:{app_port}"
            wait_for(app + "/readyz", procs[-1], "mostrador serve")
            for count in counts:
                workers = [subprocess.Popen([str(BIN / "mostrador"), "worker", "--concurrency",
                                             str(args.concurrency)], env=env, cwd=ROOT,
                                            stderr=(workdir / f"worker{count}.log").open("ab"))
                           for _ in range(count)]
                time.sleep(3)  # imports and the compiled agent graph
                measure(app, standin, 20, f"warm{count}")
                groups = {"workers": [w.pid for w in workers], "serve": [serve.pid],
                          "LLM stub": [stub.pid], "Graph stand-in": [standin_proc.pid],
                          "redis": [redis.pid]}
                before = {name: sum(map(tree_cpu, pids)) for name, pids in groups.items()}
                self_before, busy_before = _self_cpu(), machine_busy()
                result = measure(app, standin, args.messages, f"run{count}")
                busy_after = machine_busy()
                spent = {name: sum(map(tree_cpu, pids)) - before[name]
                         for name, pids in groups.items()}
                spent["load gen"] = _self_cpu() - self_before
                spent["PG + other"] = busy_after - busy_before - sum(spent.values())
                result["cpu_ms"] = {k: v * 1000 / args.messages for k, v in spent.items()}
                rows.append((count, result))
                for worker in workers:
                    stop(worker)
        except SetupError as exc:
            print(f"setup failed: {exc}", file=sys.stderr)
            return 2
        finally:
            for proc in reversed(procs):
                stop(proc)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(f"\n{'workers':>8}{'messages':>10}{'answered':>10}{'dupes':>7}{'msg/s':>9}"
          f"{'p50 ms':>9}{'p99 ms':>9}")
    for count, r in rows:
        print(f"{count:>8}{r['messages']:>10.0f}{r['answered']:>10.0f}{r['duplicates']:>7.0f}"
              f"{r['per_s']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}")
    # cores kept busy while messages flowed: msg/s × CPU per message (all parts)
    print(f"\nCPU ms per message (cores in use of {os.cpu_count()}: "
          + ", ".join(f"{r['per_s'] * sum(r['cpu_ms'].values()) / 1000:.2f} with {c}"
                      for c, r in rows) + ")")
    names = list(rows[0][1]["cpu_ms"]) if rows else []
    print(f"{'workers':>8}" + "".join(f"{n:>15}" for n in names))
    for count, r in rows:
        print(f"{count:>8}" + "".join(f"{r['cpu_ms'][n]:>15.1f}" for n in names))
    if len(rows) >= 2:
        print(f"scaling {rows[-1][0]} vs {rows[0][0]} workers: "
              f"{rows[-1][1]['per_s'] / rows[0][1]['per_s']:.2f}x")
    print(f"(worker --concurrency {args.concurrency}; webhook → Redis → worker → LLM stub "
          "(2 calls) → Graph stand-in; PostgreSQL; debounce 0; receipts "
          f"{'on: one status webhook per reply' if args.receipts else 'off'})")
    ok = all(r["answered"] == r["messages"] and not r["duplicates"] for _, r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark agent turns: Mostrador's web chat vs a bare `openai` client loop (the floor).

Three processes, all on 127.0.0.1: a zero-latency OpenAI-compatible stub
(`bench/stub_server.py`), `mostrador serve` on a fresh SQLite database seeded with
`mostrador seed-demo`, and this load generator.

1. mostrador: N concurrent web-chat conversations, M turns each, sequential within a
   conversation (`POST /v1/chat/demo/messages` with httpx.AsyncClient). The first W turns of
   every conversation warm up (graph compile, connection pools) and are not measured.
2. floor: the same stub called through `openai.AsyncOpenAI`, same concurrency and turn count,
   making the calls the agent makes per turn (mode tools: one answered with a tool call, one
   carrying the tool result and answered with text; mode text: one call), replaying the
   system prompt, tool schemas and tool result the agent sent, with the same history window.

Reported per side: turns/s, p50/p99/max turn latency, failed turns, LLM calls per turn (as
counted by the stub) and CPU per turn of the process doing the work; then what Mostrador adds
per turn (p50, p99) and the throughput ratio. The goal: under 25 ms added p99 per turn.

    .venv/bin/python bench/turns.py [--conversations 8] [--turns 25] [--warmup 3]
        [--mode tools|text] [--database-url postgresql://...] [--port 0]

The default database is a new SQLite file in a temporary directory. With --database-url the
demo tenant is seeded (idempotent) and the bench only adds conversations with fresh session
ids; it never drops or deletes anything. Exit status: 0 when every turn got the stub's
reply, 1 when some turn failed, 2 when the setup failed, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STUB = HERE / "stub_server.py"
TENANT = "demo"
HISTORY_WINDOW = 40  # agent.runtime.HISTORY_WINDOW: the floor sends as much history
TARGET_ADDED_P99_MS = 25.0
USER_TEXTS = (
    "hola", "¿qué servicios tienen?", "¿cuánto sale la limpieza?", "¿y el blanqueamiento?",
    "¿atienden los sábados?", "quiero sacar un turno", "gracias",
)
_LOCAL_ENV = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


class SetupError(RuntimeError):
    """A process did not start or answer; the message says which and why."""


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_stub(mode: str, llm_ms: float,
               workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start bench/stub_server.py; return the process and the port it bound."""
    log = (workdir / "stub.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(STUB), "--port", "0", "--mode", mode,
                             "--llm-ms", str(llm_ms)],
                            stdout=subprocess.PIPE, stderr=log, cwd=workdir)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 15.0)
    line = proc.stdout.readline().decode() if ready else ""
    if not line.startswith("listening on "):
        stop(proc)
        raise SetupError(f"the LLM stub did not start: {line!r}; see {workdir / 'stub.log'}")
    return proc, int(line.split()[-1])


def server_env(database_url: str, port: int, stub_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOSTRADOR_", "OPENAI_")) and "proxy" not in k.lower()}
    env.update(_LOCAL_ENV)
    env.update({
        "MOSTRADOR_DATABASE_URL": database_url, "MOSTRADOR_PORT": str(port),
        "MOSTRADOR_HOST": "127.0.0.1", "MOSTRADOR_LLM": "openai",
        "MOSTRADOR_LLM_MODEL": "bench", "MOSTRADOR_LOG_LEVEL": "WARNING",
        "MOSTRADOR_LLM_MAX_RETRIES": "0",
        "OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": f"http://127.0.0.1:{stub_port}/v1",
    })
    return env


def mostrador_command() -> list[str]:
    script = Path(sys.executable).parent / "mostrador"
    if script.exists():
        return [str(script)]
    found = shutil.which("mostrador")
    if found is None:
        raise SetupError("no `mostrador` command; run from the project's virtualenv")
    return [found]


def start_server(env: dict[str, str], workdir: Path) -> subprocess.Popen[bytes]:
    """Seed the demo tenant, then start `mostrador serve` (cwd: workdir, so no stray .env)."""
    seeded = subprocess.run([*mostrador_command(), "seed-demo"], env=env, cwd=workdir,
                            capture_output=True, timeout=180)
    if seeded.returncode != 0:
        raise SetupError(f"mostrador seed-demo failed:\n{seeded.stderr.decode()[-2000:]}")
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen([*mostrador_command(), "serve"], env=env, cwd=workdir,
                            stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path,
                 timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SetupError(f"mostrador serve exited ({proc.returncode}):\n"
                                 f"{log.read_text(errors='replace')[-2000:]}")
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise SetupError(f"{url} did not answer within {timeout:.0f}s; see {log}")


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- measurement ----------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, measured turns only
    failures: int = 0
    wall: float = 0.0
    llm_calls: int = 0
    request_bytes: int = 0
    cpu: float = 0.0  # seconds, of the process doing the per-turn work
    cpu_owner: str = ""
    first_error: str = ""

    @property
    def turns(self) -> int:
        return len(self.latencies) + self.failures

    @property
    def rate(self) -> float:
        return self.turns / self.wall if self.wall else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the measured latencies, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


Turn = Callable[[int, int], Awaitable[str | None]]  # (conversation, turn) -> error or None


async def drive(phase: Phase, turn: Turn, *, conversations: int, turns: int, warmup: int,
                stub: httpx.AsyncClient, cpu: Callable[[], float]) -> None:
    """Warm up every conversation, then measure the remaining turns, all concurrently."""

    async def run(conv: int, first: int, last: int, measure: bool) -> None:
        for k in range(first, last):
            started = time.perf_counter()
            error = await turn(conv, k)
            elapsed = time.perf_counter() - started
            if error is not None:
                phase.failures += measure
                phase.first_error = phase.first_error or error
            elif measure:
                phase.latencies.append(elapsed)

    await asyncio.gather(*(run(c, 0, warmup, False) for c in range(conversations)))
    before = (await stub.get("/stats")).json()
    cpu_before, started = cpu(), time.perf_counter()
    await asyncio.gather(*(run(c, warmup, turns, True) for c in range(conversations)))
    phase.wall = time.perf_counter() - started
    phase.cpu = cpu() - cpu_before
    after = (await stub.get("/stats")).json()
    phase.llm_calls = after["requests"] - before["requests"]
    phase.request_bytes = after["request_bytes"] - before["request_bytes"]


async def bench_mostrador(base: str, stub: httpx.AsyncClient, server_pid: int,
                          args: argparse.Namespace, expected: str) -> Phase:
    phase = Phase("mostrador", cpu_owner="server")
    run_id = uuid.uuid4().hex[:10]
    limits = httpx.Limits(max_connections=args.conversations,
                          max_keepalive_connections=args.conversations)
    async with httpx.AsyncClient(base_url=base, timeout=args.timeout, limits=limits,
                                 trust_env=False) as client:

        async def turn(conv: int, k: int) -> str | None:
            body = {"session_id": f"bench-{run_id}-{conv:03d}",
                    "text": USER_TEXTS[k % len(USER_TEXTS)]}
            try:
                response = await client.post(f"/v1/chat/{TENANT}/messages", json=body)
            except httpx.HTTPError as exc:
                return f"{type(exc).__name__}: {exc}"
            if response.status_code != 200:
                return f"HTTP {response.status_code}: {response.text[:200]}"
            reply = response.json().get("reply")
            return None if reply == expected else f"unexpected reply {reply!r:.200}"

        await drive(phase, turn, conversations=args.conversations, turns=args.turns,
                    warmup=args.warmup, stub=stub, cpu=lambda: cpu_seconds(server_pid))
    return phase


def window(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last HISTORY_WINDOW messages from the first user message on (as the agent does)."""
    recent = list(history[-HISTORY_WINDOW:])
    while recent and recent[0]["role"] != "user":
        recent.pop(0)
    return recent


async def bench_floor(stub_port: int, stub: httpx.AsyncClient, args: argparse.Namespace,
                      sample: dict[str, Any], expected: str) -> Phase:
    """The same LLM traffic through a bare AsyncOpenAI client: what a turn cannot go below."""
    phase = Phase("floor (openai)", cpu_owner="client")
    messages = sample.get("messages") or []
    system = messages[0] if messages and messages[0].get("role") == "system" else None
    tool_result = next((m["content"] for m in reversed(messages) if m.get("role") == "tool"),
                       '{"ok": true, "services": []}')
    options: dict[str, Any] = {"model": sample.get("model", "bench")}
    for key in ("tools", "temperature"):
        if key in sample:
            options[key] = sample[key]
    histories: list[list[dict[str, Any]]] = [[] for _ in range(args.conversations)]
    client = openai.AsyncOpenAI(
        base_url=f"http://127.0.0.1:{stub_port}/v1", api_key="sk-bench", max_retries=0,
        timeout=args.timeout, http_client=openai.DefaultAsyncHttpxClient(trust_env=False),
    )

    async def complete(history: list[dict[str, Any]]) -> Any:
        prefix = [system] if system else []
        payload: Any = [*prefix, *window(history)]  # plain dicts, as the agent's JSON
        response = await client.chat.completions.create(messages=payload, **options)
        return response.choices[0].message

    async def turn(conv: int, k: int) -> str | None:
        history = histories[conv]
        history.append({"role": "user", "content": USER_TEXTS[k % len(USER_TEXTS)]})
        try:
            message = await complete(history)
            for _ in range(args.agent_max_iterations):
                if not message.tool_calls:
                    break
                history.append(message.model_dump(exclude_none=True))
                history += [{"role": "tool", "tool_call_id": call.id, "content": tool_result}
                            for call in message.tool_calls]
                message = await complete(history)
        except openai.OpenAIError as exc:
            return f"{type(exc).__name__}: {exc}"
        history.append({"role": "assistant", "content": message.content or ""})
        return None if message.content == expected else f"unexpected reply {message.content!r}"

    async with client:
        await drive(phase, turn, conversations=args.conversations, turns=args.turns,
                    warmup=args.warmup, stub=stub, cpu=self_cpu_seconds)
    return phase


# --- report ---------------------------------------------------------------------------------


def cpu_ms(phase: Phase) -> float:
    return phase.cpu / phase.turns * 1000 if phase.turns else math.nan


def report(mostrador: Phase, floor: Phase, args: argparse.Namespace, database: str) -> str:
    calls = "2 LLM calls" if args.mode == "tools" else "1 LLM call"
    lines = [
        f"turns bench: {args.conversations} conversations x {args.turns} turns "
        f"({args.warmup} warm-up excluded), mode {args.mode} ({calls}/turn, "
        f"{args.llm_ms:g} ms each), {database}, "
        f"{os.cpu_count()} CPUs",
        "",
        f"{'':16}{'turns':>6}{'turns/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'failed':>8}{'LLM/turn':>10}{'KB/call':>9}{'CPU ms/turn':>17}",
    ]
    for p in (mostrador, floor):
        per_call = p.request_bytes / p.llm_calls / 1024 if p.llm_calls else math.nan
        per_turn = p.llm_calls / p.turns if p.turns else math.nan
        cpu = cpu_ms(p)
        lines.append(
            f"{p.name:16}{p.turns:>6}{p.rate:>9.1f}{p.percentile_ms(0.50):>9.1f}"
            f"{p.percentile_ms(0.99):>9.1f}{p.percentile_ms(1.0):>9.1f}{p.failures:>8}"
            f"{per_turn:>10.2f}{per_call:>9.1f}{cpu:>9.1f} ({p.cpu_owner})"
        )
    added50 = mostrador.percentile_ms(0.50) - floor.percentile_ms(0.50)
    added99 = mostrador.percentile_ms(0.99) - floor.percentile_ms(0.99)
    ratio = mostrador.rate / floor.rate if floor.rate else math.nan
    verdict = "met" if added99 < TARGET_ADDED_P99_MS else "NOT met"
    lines += [
        "",
        f"added per turn: p50 {added50:+.1f} ms, p99 {added99:+.1f} ms "
        f"(target < {TARGET_ADDED_P99_MS:.0f} ms p99: {verdict})",
        f"throughput: mostrador/floor = {ratio:.3f} ({mostrador.rate:.1f} vs "
        f"{floor.rate:.1f} turns/s)",
        f"CPU per turn: server {cpu_ms(mostrador):.1f} ms vs bare client {cpu_ms(floor):.1f} ms "
        f"({cpu_ms(mostrador) - cpu_ms(floor):+.1f} ms; one process, so at N concurrent turns "
        "a saturated server's latency is about N x its CPU per turn)",
    ]
    for p in (mostrador, floor):
        if p.first_error:
            lines.append(f"{p.name}: first failure: {p.first_error}")
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


async def run_phases(args: argparse.Namespace, server_port: int, server_pid: int,
                     stub_port: int) -> tuple[Phase, Phase]:
    from stub_server import REPLY  # bench/ is sys.path[0] when this runs as a script

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stub_port}", timeout=10.0,
                                 trust_env=False) as stub:
        mostrador = await bench_mostrador(f"http://127.0.0.1:{server_port}", stub, server_pid,
                                          args, REPLY)
        sample = (await stub.get("/sample")).json()
        floor = await bench_floor(stub_port, stub, args, sample, REPLY)
    return mostrador, floor


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=8, help="concurrent (default 8)")
    parser.add_argument("--turns", type=int, default=25,
                        help="turns per conversation, warm-up included (default 25)")
    parser.add_argument("--warmup", type=int, default=3,
                        help="first turns of each conversation not measured (default 3)")
    parser.add_argument("--mode", choices=("tools", "text"), default="tools",
                        help="tools: 2 LLM calls per turn (default); text: 1")
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--port", type=int, default=0,
                        help="port for mostrador serve (default: a free one)")
    parser.add_argument("--llm-ms", type=float, default=0.0,
                        help="stub latency per LLM call, ms (default 0: zero latency)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--agent-max-iterations", type=int, default=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.turns <= args.warmup or args.warmup < 0:
        parser.error("need --conversations >= 1 and --turns > --warmup >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="mostrador-bench-"))
    database = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    stub_proc: subprocess.Popen[bytes] | None = None
    server: subprocess.Popen[bytes] | None = None
    try:
        stub_proc, stub_port = start_stub(args.mode, args.llm_ms, workdir)
        server_port = args.port or free_port()
        server = start_server(server_env(database, server_port, stub_port), workdir)
        wait_healthy(f"http://127.0.0.1:{server_port}/healthz", server, workdir / "server.log")
        mostrador, floor = asyncio.run(run_phases(args, server_port, server.pid, stub_port))
        shown = "sqlite (temporary)" if args.database_url is None else database.split("@")[-1]
        print(report(mostrador, floor, args, shown))
        return 1 if mostrador.failures or floor.failures else 0
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        stop(server)
        stop(stub_proc)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

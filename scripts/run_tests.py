"""Run the whole suite against real services, providing them when this machine lacks them.

- PostgreSQL: MOSTRADOR_TEST_POSTGRES_URL, default the local server's `test` database.
- Redis: MOSTRADOR_TEST_REDIS_URL; else the local server on 127.0.0.1:6379 if it answers;
  else a throwaway `redis-server` on a free port (stopped at the end); else a clear error.
- Chromium for the browser tests: /usr/bin/chromium, installed from Debian when missing and
  we are root; else a clear error.
Never skips: a missing service is a failure with instructions.

It also prints the 15 slowest tests, and runs the tests on MOSTRADOR_TEST_WORKERS processes
(pytest-xdist; default 2, `0` for one process; `-n` on the command line wins). Each test
has its own PostgreSQL schema, Redis key prefix, files and ports, so workers share
nothing; the chaos tests (marker `chaos`) stay on one worker, one at a time
(`--dist loadgroup`), each beside its busy loop. MOSTRADOR_CHAOS_SCALE sizes them
(tests.support.contention).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def fail(message: str) -> None:
    print(f"\nmake test: {message}\n", file=sys.stderr)
    sys.exit(2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_redis(env: dict[str, str]) -> subprocess.Popen[bytes] | None:
    if env.get("MOSTRADOR_TEST_REDIS_URL"):
        return None
    if redis_answers("127.0.0.1", 6379):
        env["MOSTRADOR_TEST_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        return None
    binary = shutil.which("redis-server")
    if binary is None:
        fail("no Redis answers on 127.0.0.1:6379 and there is no `redis-server` binary. "
             "Install it (Debian: apt-get install redis-server) or set "
             "MOSTRADOR_TEST_REDIS_URL to a Redis you can use.")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="mostrador-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if redis_answers("127.0.0.1", port):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        fail(f"started redis-server on port {port} but it does not answer")
    print(f"make test: started a throwaway redis-server on 127.0.0.1:{port}")
    env["MOSTRADOR_TEST_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    return proc


def ensure_chromium(env: dict[str, str]) -> None:
    path = env.get("MOSTRADOR_TEST_CHROMIUM", "/usr/bin/chromium")
    if os.path.exists(path):
        env["MOSTRADOR_TEST_CHROMIUM"] = path
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("make test: installing Debian's chromium for the browser tests")
        quiet = {"stdout": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)  # type: ignore[arg-type]
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, **quiet)  # type: ignore[arg-type]
    if not os.path.exists(path):
        fail(f"no Chromium at {path}: install Debian's `chromium` package, or point "
             "MOSTRADOR_TEST_CHROMIUM at a Chromium binary.")
    env["MOSTRADOR_TEST_CHROMIUM"] = path


def pytest_options(args: list[str]) -> list[str]:
    """--durations=15, and the worker processes unless the arguments choose."""
    options = [] if any(a.startswith("--durations") for a in args) else ["--durations=15"]
    chosen = any(a == "-n" or a.startswith(("-n=", "--numprocesses")) or
                 (a.startswith("-n") and a[2:].isdigit()) for a in args)
    workers = os.environ.get("MOSTRADOR_TEST_WORKERS", "2")
    if not chosen and "no:xdist" not in args and workers not in ("", "0", "1"):
        options += ["-n", workers, "--dist", "loadgroup"]
    return options


def main() -> int:
    env = dict(os.environ)
    env.setdefault("MOSTRADOR_TEST_POSTGRES_URL", PG_DEFAULT)
    redis = ensure_redis(env)
    ensure_chromium(env)
    try:
        return subprocess.call([sys.executable, "-m", "pytest", *pytest_options(sys.argv[1:]),
                                *sys.argv[1:]], env=env)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())

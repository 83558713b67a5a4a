"""The scenario suites against a real OpenAI-compatible server: how often the agent gets
them right with a real model (issue 15), and what it costs.

    .venv/bin/python bench/eval_llm.py --base-url http://127.0.0.1:8089/v1 \\
        --model qwen2.5-coder-1.5b [--suite bench/suites/clinica-llm.yaml ...] \\
        [--only id,id] [--repeat 4] [--context-tokens 8192] [--today 2026-11-23] \\
        [--json out.json] [--report out.html]

Runs each scenario K times through the real runtime (`mostrador eval`'s runner, a
throw-away SQLite database per suite) and prints, per scenario, runs passed, turn latency,
model calls and tokens, unverified claims caught; then pass^1 … pass^K beside the targets
the issue names: every tool call the model writes executed (replies that still carry
tool-call markup or JSON: target 0) and no unverified claim sent (target 0; the runtime
counts the replies it kept from the customer). The README ("Trying a small local model")
says how to run llama-cpp-python's server with Qwen2.5-Coder-1.5B. Not part of CI.
Exit status: 0, or 2 when a suite cannot be used or the server does not answer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm.db import get_engine, init_db  # noqa: E402
from crm.settings import Settings  # noqa: E402
from evals import EvalError, load_suite  # noqa: E402
from evals.report import html  # noqa: E402
from evals.results import SuiteResult, percentile  # noqa: E402
from evals.runner import run_suite  # noqa: E402

# The starter suites and the blind clinic set written for real models (bench/suites).
DEFAULT_SUITES = sorted(str(p.relative_to(ROOT)) for folder in ("evals/suites", "bench/suites")
                        for p in (ROOT / folder).glob("*.yaml"))
# What must never reach a customer: template tokens, tool-call markup, tool JSON, ids.
_MACHINERY = re.compile(r"<\|[a-z_]+\|>|</?tool_call>|</?tools>|<tool_response>|\[TOOL_CALLS\]|"
                        r"\{\s*\"(?:name|ok|arguments)\"|\b[0-9a-f]{32}\b")


def _check_server(base_url: str, api_key: str) -> None:
    try:
        httpx.get(f"{base_url.rstrip('/')}/models", timeout=120,
                  headers={"Authorization": f"Bearer {api_key}"}).raise_for_status()
    except httpx.HTTPError as exc:
        sys.exit(f"error: no OpenAI-compatible server answers at {base_url} "
                 f"({type(exc).__name__}); start it first (README, 'Trying a small local "
                 f"model').")


def _run(path: str, only: set[str], settings: Settings, repeat: int,
         today: date | None) -> SuiteResult | None:
    suite = load_suite(ROOT / path if not Path(path).is_absolute() else path, today=today)
    if only:
        suite = suite.model_copy(update={"scenarios": [s for s in suite.scenarios
                                                       if s.id in only]})
    if not suite.scenarios:
        return None
    with tempfile.TemporaryDirectory(prefix="mostrador-eval-llm-") as directory:
        url = f"sqlite:///{Path(directory) / 'eval.db'}"
        engine = get_engine(url)
        init_db(engine)
        try:
            def progress(scenario: object) -> None:
                print(f"  {scenario.id}: {scenario.passes}/{len(scenario.runs)}",  # type: ignore[attr-defined]
                      flush=True)
            return run_suite(suite, settings=settings.model_copy(update={"database_url": url}),
                             engine=engine, repeat=repeat, source=path, progress=progress)
        finally:
            engine.dispose()


def _rows(result: SuiteResult) -> list[str]:
    lines = []
    for scenario in result.scenarios:
        turns = [t for r in scenario.runs for t in r.turns]
        calls = sum(t.usage.get("model_calls", 0) for t in turns)
        tokens_in = sum(t.usage.get("input_tokens", 0) for t in turns)
        tokens_out = sum(t.usage.get("output_tokens", 0) for t in turns)
        runs = len(scenario.runs)
        leaks = sum(bool(_MACHINERY.search(t.reply)) for t in turns)
        lines.append(
            f"{scenario.id:<34} {scenario.passes}/{runs}  "
            f"turn p50 {percentile([t.latency_ms for t in turns], 50) / 1000:6.1f} s  "
            f"calls/run {calls / runs:4.1f}  tokens/run {tokens_in // runs:>6} in "
            f"{tokens_out // runs:>4} out  unverified {sum(t.unverified_claims for t in turns)}"
            f"  leaks {leaks}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="OpenAI-compatible server, …/v1")
    parser.add_argument("--model", required=True, help="model name the server answers to")
    parser.add_argument("--api-key", default="local", help="any value for a local server")
    parser.add_argument("--suite", action="append", help="scenario file (repeatable); "
                        "default: every file in evals/suites and bench/suites")
    parser.add_argument("--only", default="", help="comma-separated scenario ids")
    parser.add_argument("--repeat", "-k", type=int, default=4, help="runs per scenario (K)")
    parser.add_argument("--context-tokens", type=int, default=8192,
                        help="MOSTRADOR_LLM_CONTEXT_TOKENS: the server's context window")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per LLM call")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="pin 'today' (YYYY-MM-DD) so runs on other days compare")
    parser.add_argument("--json", type=Path, help="write every run's detail here")
    parser.add_argument("--report", type=Path, help="write the HTML report(s) here "
                        "(one per suite: NAME-SUITE.html)")
    args = parser.parse_args()
    _check_server(args.base_url, args.api_key)
    settings = Settings(env="development", llm="openai", openai_api_key=args.api_key,
                        openai_base_url=args.base_url, llm_model=args.model,
                        llm_timeout_seconds=args.timeout, llm_max_retries=1,
                        llm_context_tokens=args.context_tokens, log_redaction=False)
    only = {s for s in args.only.split(",") if s}
    started = time.perf_counter()
    results: list[SuiteResult] = []
    for path in args.suite or DEFAULT_SUITES:
        print(f"{path} × {args.repeat} on {args.model}", flush=True)
        try:
            result = _run(path, only, settings, args.repeat, args.today)
        except EvalError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if result is not None:
            results.append(result)
            if args.report:
                target = args.report.with_name(f"{args.report.stem}-{Path(path).stem}.html")
                target.write_text(html(result), encoding="utf-8")
    print()
    for result in results:
        print(f"== {result.source} ({result.model}, today {result.today})")
        print("\n".join(_rows(result)))
    scenarios = [s for r in results for s in r.scenarios]
    turns = [t for r in results for t in r.turns]
    k = args.repeat
    merged = SuiteResult(source="all", business="", model=args.model, today="", k=k,
                         scenarios=scenarios)
    leaks = sum(bool(_MACHINERY.search(t.reply)) for t in turns)
    calls = sum(t.usage.get("model_calls", 0) for t in turns)
    summary = merged.summary()
    print()
    print(f"scenarios {len(scenarios)} × {k} runs on {args.model}, "
          f"{(time.perf_counter() - started) / 60:.1f} min")
    print(f"pass^1 {summary['pass_at_1']:.3f}   pass^{k} {summary['pass_at_k']:.3f}   "
          f"(all runs passed: {summary['passed_all_runs']}/{len(scenarios)})")
    print(f"replies with tool-call markup, JSON or ids sent: {leaks}   (target 0)")
    print(f"unverified claims caught and not sent: {summary['unverified_claims']}   "
          f"(sent: 0 by construction; target 0 caught)")
    print(f"turn latency p50 {summary['latency_p50_ms'] / 1000:.1f} s, "
          f"p95 {summary['latency_p95_ms'] / 1000:.1f} s; model calls {calls} "
          f"({calls / max(len(turns), 1):.2f} per turn); tokens in {summary['input_tokens']}, "
          f"out {summary['output_tokens']} ({summary['input_tokens'] // max(calls, 1)} in per "
          f"call)")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "suites": [
            r.to_dict() for r in results]}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({key: summary[key] for key in (
        "scenarios", "k", "pass_at_1", "pass_at_k", "unverified_claims", "latency_p50_ms",
        "input_tokens", "output_tokens", "model_calls")} | {"leaks": leaks},
        ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

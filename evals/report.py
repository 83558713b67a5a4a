"""How a suite run is shown: a plain-text table for the terminal, and a self-contained HTML
report (inline CSS, no scripts, no external assets; every text escaped) with each run's
transcript, tool calls and their results, failures highlighted."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, Template, select_autoescape

from evals.results import ScenarioResult, SuiteResult

_WIDTH = 34


def table(result: SuiteResult) -> str:
    """One line per scenario (and its first failure), then pass^1 … pass^K, latency and
    tokens. The eval prints the summary's JSON after it, as the last line."""
    lines = [f"{'scenario':<{_WIDTH}} {'runs ok':>7} {'turns':>5} {'p50 ms':>7} "
             f"{'tokens in/out':>14}  result"]
    for scenario in result.scenarios:
        lines.append(_row(scenario))
    summary = result.summary()
    hats = "  ".join(f"pass^{k} {v:.3f}" for k, v in summary["pass_hat"].items())
    lines += [
        "",
        f"{hats}   ({summary['scenarios']} scenarios x {result.k} run(s); model "
        f"{result.model}; today {result.today})",
        f"latency per turn: p50 {summary['latency_p50_ms']:.0f} ms, p95 "
        f"{summary['latency_p95_ms']:.0f} ms · tokens: {summary['input_tokens']} in, "
        f"{summary['output_tokens']} out, {summary['model_calls']} model calls · "
        f"unverified claims: {summary['unverified_claims']}",
    ]
    return "\n".join(lines)


def _row(scenario: ScenarioResult) -> str:
    turns = [t for r in scenario.runs for t in r.turns]
    latencies = sorted(t.latency_ms for t in turns)
    p50 = latencies[(len(latencies) - 1) // 2] if latencies else 0.0
    tokens = (f"{sum(t.usage.get('input_tokens', 0) for t in turns)}/"
              f"{sum(t.usage.get('output_tokens', 0) for t in turns)}")
    failed = next((r for r in scenario.runs if not r.passed), None)
    if failed is None:
        verdict = "pass"
    else:
        first = failed.error or (str(failed.failures[0]) if failed.failures else "?")
        verdict = f"FAIL run {failed.run}: {first}"
    ident = scenario.id if len(scenario.id) <= _WIDTH else scenario.id[:_WIDTH - 1] + "…"
    runs = f"{scenario.passes}/{len(scenario.runs)}"
    per_run = len(turns) // max(len(scenario.runs), 1)
    return (f"{ident:<{_WIDTH}} {runs:>7} {per_run:>5} {p50:>7.0f} {tokens:>14}  "
            f"{verdict}")


@lru_cache(maxsize=1)
def _template() -> Template:
    source = resources.files("evals").joinpath("templates/report.html.j2").read_text("utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["pretty"] = _pretty
    return env.from_string(source)


def html(result: SuiteResult) -> str:
    """The HTML report of `result` (one file, readable offline)."""
    return _template().render(result=result, summary=result.summary())


def _pretty(value: Any) -> str:
    """Tool arguments and results as indented JSON (text that is not JSON stays as is)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)

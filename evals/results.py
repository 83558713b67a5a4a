"""What a suite run produced: turns, runs, scenarios, and the figures over them.

pass^k (after tau-bench): a scenario passes at k only if k runs of it all pass. With K
runs of each scenario and c of them passed, pass^k for k <= K is the unbiased estimate
C(c, k) / C(K, k) averaged over the scenarios: at k = K it is the share of scenarios whose
every run passed; at k = 1 the share of runs that passed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolRecord:
    name: str
    args: dict[str, Any]
    result: str  # the tool's answer as the model saw it (JSON text)
    ok: bool


@dataclass(frozen=True)
class Failure:
    """One expectation that did not hold."""

    check: str  # "appointments", "lead.name_contains", "reply_contains", "error", ...
    expected: str
    actual: str
    turn: int | None = None  # 1-based; None: checked after the whole scenario

    def __str__(self) -> str:
        where = f"turn {self.turn}: " if self.turn else ""
        return f"{where}{self.check}: expected {self.expected}, got {self.actual}"


@dataclass
class TurnRecord:
    say: str
    reply: str
    ok: bool  # False: the runtime apologized, or a fixed (gated) reply
    latency_ms: float
    tools: list[ToolRecord] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    unverified_claims: int = 0
    failures: list[Failure] = field(default_factory=list)


@dataclass
class ScenarioRun:
    run: int  # 1-based
    turns: list[TurnRecord] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)  # every failure, turns' included
    error: str | None = None  # a turn raised: the run stopped there

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    @property
    def unverified_claims(self) -> int:
        return sum(t.unverified_claims for t in self.turns)


@dataclass
class ScenarioResult:
    id: str
    title: str
    language: str
    runs: list[ScenarioRun] = field(default_factory=list)

    @property
    def passes(self) -> int:
        return sum(r.passed for r in self.runs)


def pass_hat(successes: list[int], runs: int, k: int) -> float:
    """pass^k over scenarios that each had `runs` runs, `successes[i]` of them passed."""
    if not successes or not 1 <= k <= runs:
        raise ValueError(f"k must be between 1 and the number of runs ({runs})")
    return sum(math.comb(c, k) / math.comb(runs, k) for c in successes) / len(successes)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of `values`; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class SuiteResult:
    source: str
    business: str
    model: str
    today: str
    k: int
    scenarios: list[ScenarioResult] = field(default_factory=list)

    def pass_at(self, k: int) -> float:
        return pass_hat([s.passes for s in self.scenarios], self.k, k)

    @property
    def turns(self) -> list[TurnRecord]:
        return [t for s in self.scenarios for r in s.runs for t in r.turns]

    def summary(self) -> dict[str, Any]:
        """The figures of the run: what the last printed line and the JSON carry."""
        turns = self.turns
        latencies = [t.latency_ms for t in turns]
        usage = {key: sum(t.usage.get(key, 0) for t in turns)
                 for key in ("input_tokens", "output_tokens", "model_calls")}
        return {
            "scenarios": len(self.scenarios),
            "runs": sum(len(s.runs) for s in self.scenarios),
            "k": self.k,
            "pass_at_1": round(self.pass_at(1), 4),
            "pass_at_k": round(self.pass_at(self.k), 4),
            "pass_hat": {str(k): round(self.pass_at(k), 4) for k in range(1, self.k + 1)},
            "passed_all_runs": sum(s.passes == len(s.runs) for s in self.scenarios),
            "unverified_claims": sum(t.unverified_claims for t in turns),
            "turns": len(turns),
            "latency_p50_ms": round(percentile(latencies, 50), 1),
            "latency_p95_ms": round(percentile(latencies, 95), 1),
            **usage,
            "failed": [s.id for s in self.scenarios if s.passes < len(s.runs)],
            "model": self.model,
            "today": self.today,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, for --json: the summary and every run's transcript and failures."""
        return {
            "source": self.source, "business": self.business,
            "summary": self.summary(),
            "scenarios": [{
                "id": s.id, "title": s.title, "language": s.language, "passes": s.passes,
                "runs": [{**asdict(r), "passed": r.passed,
                          "failures": [asdict(f) for f in r.failures]} for r in s.runs],
            } for s in self.scenarios],
        }

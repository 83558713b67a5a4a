"""evals.results: pass^k arithmetic and latency percentiles."""

from __future__ import annotations

import pytest

from evals.results import Failure, ScenarioResult, ScenarioRun, SuiteResult, pass_hat, percentile


@pytest.mark.parametrize(
    ("successes", "runs", "k", "expected"),
    [
        ([1, 1, 0, 1], 1, 1, 0.75),
        ([4, 4], 4, 4, 1.0),
        ([4, 3], 4, 4, 0.5),  # at K, a scenario counts only if every run passed
        ([4, 3], 4, 1, 7 / 8),  # at 1, the share of runs that passed
        ([2], 4, 2, 1 / 6),  # C(2,2)/C(4,2): both of 2 drawn runs passed
        ([3], 4, 2, 3 / 6),
        ([0, 0], 3, 1, 0.0),
    ],
)
def test_pass_hat_k(successes: list[int], runs: int, k: int, expected: float) -> None:
    assert pass_hat(successes, runs, k) == pytest.approx(expected)


def test_pass_hat_refuses_k_beyond_the_runs() -> None:
    with pytest.raises(ValueError):
        pass_hat([1], 1, 2)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0


def test_summary_counts_scenarios_runs_and_failures() -> None:
    passing = ScenarioResult("a", "A", "es", [ScenarioRun(1), ScenarioRun(2)])
    flaky = ScenarioResult("b", "B", "es", [ScenarioRun(1), ScenarioRun(
        2, failures=[Failure("needs_human", "true", "false")])])
    result = SuiteResult(source="f.yaml", business="demo", model="offline",
                         today="2026-11-23", k=2, scenarios=[passing, flaky])
    summary = result.summary()
    assert (summary["scenarios"], summary["runs"], summary["k"]) == (2, 4, 2)
    assert summary["pass_at_1"] == 0.75 and summary["pass_at_k"] == 0.5
    assert summary["pass_hat"] == {"1": 0.75, "2": 0.5}
    assert summary["failed"] == ["b"] and summary["unverified_claims"] == 0

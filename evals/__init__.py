"""Scenario evals: how often the agent gets a business's conversations right.

A scenario file (YAML; evals.suite) describes a business and multi-turn conversations
with what must hold afterwards (appointments, the lead, a hand-over, tools, replies).
`evaluate` runs each scenario K times through the real runtime, tools and a throw-away
database, on the configured model, and returns a SuiteResult (pass^1 … pass^K, latency,
tokens, transcripts); evals.report shows it. `mostrador eval` is the command line.

Layering: this package sits above agent/ (it drives AgentRuntime like a channel does) and
the CRM; only api/cli imports it. It knows no HTTP.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from crm.db import get_engine, init_db
from crm.settings import Settings
from evals.errors import EvalError, SuiteError
from evals.results import ScenarioResult, SuiteResult
from evals.suite import Suite, load_suite

__all__ = ["EvalError", "SuiteError", "SuiteResult", "evaluate", "load_suite", "settings_for"]


def settings_for(settings: Settings, *, model: str | None = None) -> Settings:
    """`settings` with the model the eval should use: `model` "offline" forces the offline
    model; another name replaces MOSTRADOR_LLM_MODEL for an OpenAI-compatible server."""
    if model is None:
        return settings
    if model == "offline":
        return settings.model_copy(update={"llm": "offline"})
    return settings.model_copy(update={"llm_model": model})


def evaluate(path: str | Path, *, settings: Settings, repeat: int = 1,
             today: date | None = None, database_url: str | None = None,
             progress: Callable[[ScenarioResult], None] | None = None) -> SuiteResult:
    """Load the suite in `path` and run it `repeat` times per scenario.

    The CRM is a throw-away SQLite database in a temporary directory, deleted afterwards;
    with `database_url` the eval adds its businesses (fresh slugs) to that database
    instead (tests run it on PostgreSQL). Never the configured MOSTRADOR_DATABASE_URL.
    Raises SuiteError for a file that cannot be used.
    """
    suite: Suite = load_suite(path, today=today)
    if database_url is not None:
        return _run(suite, settings, database_url, repeat, str(path), progress)
    with tempfile.TemporaryDirectory(prefix="mostrador-eval-") as directory:
        url = f"sqlite:///{Path(directory) / 'eval.db'}"
        return _run(suite, settings, url, repeat, str(path), progress)


def _run(suite: Suite, settings: Settings, url: str, repeat: int, source: str,
         progress: Callable[[ScenarioResult], None] | None) -> SuiteResult:
    from evals.runner import run_suite

    engine = get_engine(url)
    init_db(engine)
    try:
        return run_suite(suite, settings=settings.model_copy(update={"database_url": url}),
                         engine=engine, repeat=repeat, source=source, progress=progress)
    finally:
        engine.dispose()  # no idle connection outlives the eval

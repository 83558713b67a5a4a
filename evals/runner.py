"""Running a suite: each scenario K times through the real runtime, tools and database.

Every run gets a business of its own (a fresh slug in the given database, seeded from the
suite's business), a web-chat session, and a clock pinned to the scenario's "today" at the
suite's `time` in the business's timezone, so the same suite on the same model gives the
same answers whatever day it runs. Turns run one at a time (`AgentRuntime.handle`); the
expectations are checked on the CRM after each turn that has its own and after the last.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.runtime import AgentRuntime, Inbound
from crm.db import reader_engine, session_scope
from crm.models import Channel, Message, MessageRole
from crm.settings import Settings
from evals.business import seed_business, seed_given
from evals.checks import check, observe
from evals.results import ScenarioResult, ScenarioRun, SuiteResult, ToolRecord, TurnRecord
from evals.suite import Scenario, Suite

log = logging.getLogger("mostrador.evals")


class _Clock:
    """The runtime's clock; each run sets the instant it stands at."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def model_label(settings: Settings) -> str:
    """What model the eval talks to, for the report ("offline", or the model name)."""
    return "offline" if settings.llm_provider == "offline" else settings.llm_model


def run_suite(suite: Suite, *, settings: Settings, engine: Engine, repeat: int = 1,
              source: str = "", progress: Callable[[ScenarioResult], None] | None = None
              ) -> SuiteResult:
    """Run every scenario of a resolved suite (evals.suite.load_suite) `repeat` times on
    `engine` (migrated; the eval adds businesses, never touches others). `progress` is
    called after each scenario's runs. Raises SuiteError when a scenario's `given` asks
    for what the CRM refuses; a turn that raises fails its run and the eval goes on."""
    if repeat < 1:
        raise ValueError("repeat is at least 1")
    clock = _Clock()
    runtime = AgentRuntime(settings, engine, clock=clock)
    assert suite.today is not None, "resolve the suite first (load_suite)"
    result = SuiteResult(source=source, model=model_label(settings), k=repeat,
                         business=suite.business if isinstance(suite.business, str)
                         else suite.business.name, today=suite.today.isoformat())
    for index, scenario in enumerate(suite.scenarios):
        outcome = ScenarioResult(scenario.id, scenario.title, scenario.language)
        for run in range(1, repeat + 1):
            outcome.runs.append(_run_once(suite, scenario, index, run, runtime=runtime,
                                          engine=engine, clock=clock))
        result.scenarios.append(outcome)
        if progress is not None:
            progress(outcome)
    return result


def _run_once(suite: Suite, scenario: Scenario, index: int, run: int, *,
              runtime: AgentRuntime, engine: Engine, clock: _Clock) -> ScenarioRun:
    tz = ZoneInfo(suite.timezone)
    hour, minute = (int(p) for p in suite.time.split(":"))
    clock.now = datetime(scenario.day.year, scenario.day.month, scenario.day.day, hour,
                         minute, tzinfo=tz).astimezone(UTC)
    slug = f"eval-{uuid.uuid4().hex[:16]}"
    thread = f"eval-{run}-{uuid.uuid4().hex[:12]}"
    label = f'scenario "{scenario.id}" (scenarios[{index}])'
    with session_scope(engine) as db:
        tenant = seed_business(db, suite.business, slug=slug)
        seed_given(db, scenario.given, tenant=tenant, thread_id=thread, now=clock.now,
                   label=label)
    outcome = ScenarioRun(run=run)
    conversation_id: str | None = None
    last_id = 0
    says = scenario.says()
    for number, text in enumerate(says, start=1):
        started = time.perf_counter()
        try:
            turn = runtime.handle(Inbound(tenant_slug=slug, channel=Channel.web,
                                          thread_id=thread, text=text))
        except Exception as exc:  # the agent's bug is the finding: record it, go on
            outcome.error = f"turn {number} raised {type(exc).__name__}"
            log.warning("eval turn raised scenario=%s turn=%d error=%s", scenario.id, number,
                        type(exc).__name__)
            break
        latency = (time.perf_counter() - started) * 1000
        conversation_id = turn.conversation_id
        with Session(reader_engine(engine), expire_on_commit=False) as db:
            rows = list(db.exec(select(Message).where(
                Message.conversation_id == conversation_id, col(Message.id) > last_id)
                .order_by(col(Message.id))))
            last_id = max([last_id, *(r.id or 0 for r in rows)])
            record = TurnRecord(say=text, reply=turn.reply, ok=turn.ok, latency_ms=latency,
                                tools=_tools(rows), usage=dict(turn.usage),
                                unverified_claims=turn.unverified_claims)
            expect = scenario.turn_expect(number - 1)
            if expect is not None:
                crm = observe(db, conversation_id=conversation_id, timezone=suite.timezone)
                record.failures = check(expect, crm=crm, replies=[turn.reply],
                                        tools=[t.name for t in record.tools], turn=number)
        outcome.turns.append(record)
        outcome.failures += record.failures
    if conversation_id is not None and outcome.error is None:
        with Session(reader_engine(engine), expire_on_commit=False) as db:
            crm = observe(db, conversation_id=conversation_id, timezone=suite.timezone)
        outcome.failures += check(scenario.expect, crm=crm,
                                  replies=[t.reply for t in outcome.turns],
                                  tools=[t.name for r in outcome.turns for t in r.tools])
    return outcome


def _tools(rows: list[Message]) -> list[ToolRecord]:
    """The tool calls of one turn, each with the result the model got."""
    results = {r.tool_call_id: r.text for r in rows if r.role == MessageRole.tool}
    out = []
    for row in rows:
        for call in row.tool_calls or []:
            answer = results.get(call.get("id"), "")
            out.append(ToolRecord(name=str(call.get("name")), args=dict(call.get("args") or {}),
                                  result=answer, ok=_ok(answer)))
    return out


def _ok(answer: str) -> bool:
    try:
        data = json.loads(answer)
    except ValueError:
        return False
    return bool(data.get("ok", True)) if isinstance(data, dict) else True

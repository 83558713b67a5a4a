"""What the processing path needs, built once per process (by the app or a worker)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from agent.runtime import AgentRuntime
from channels.graph import GraphClient
from crm.crypto import SecretBox, box_for
from crm.settings import Settings

# Runs a callable after a delay (seconds); the in-process worker provides one.
Scheduler = Callable[[float, Callable[[], None]], None]


@dataclass
class ChannelContext:
    settings: Settings
    engine: Engine
    runtime: AgentRuntime
    graph: GraphClient
    box: SecretBox
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    schedule: Scheduler | None = None

    @classmethod
    def build(cls, settings: Settings, engine: Engine, runtime: AgentRuntime,
              graph: GraphClient | None = None) -> ChannelContext:
        return cls(settings=settings, engine=engine, runtime=runtime,
                   graph=graph or GraphClient.from_settings(settings), box=box_for(settings),
                   clock=runtime.clock)

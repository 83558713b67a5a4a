"""Prometheus metrics of the processing path. Labels carry tenant slugs, tool names and
outcomes only: never a phone, a name or message text.

Counters and histograms live in this process (the API's `/metrics` shows the in-process
path and the web chat; `mostrador worker --metrics-port` shows a worker's). Queue depth,
pending entries and dead letters are read from Redis at scrape time, so any process shows
the whole queue.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from channels.durable.streams import Queue

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

TURNS = Counter("mostrador_turns", "Agent turns run by this process.",
                ["tenant", "outcome"], registry=None)
TURN_SECONDS = Histogram("mostrador_turn_seconds",
                         "Agent turn latency, inbound entry taken to reply sent.",
                         ["tenant"], buckets=_LATENCY_BUCKETS, registry=None)
LLM_SECONDS = Histogram("mostrador_llm_seconds", "Latency of one model call.", ["tenant"],
                        buckets=_LATENCY_BUCKETS, registry=None)
TOOL_CALLS = Counter("mostrador_tool_calls", "Tool calls by tool and outcome.",
                     ["tenant", "tool", "outcome"], registry=None)
RETRIES = Counter("mostrador_queue_retries", "Queue entries retried after a failure.",
                  ["tenant"], registry=None)
DEAD_LETTERS = Counter("mostrador_queue_dead_letters",
                       "Queue entries moved to the dead-letter stream by this process.",
                       ["tenant"], registry=None)
RATE_LIMITED = Counter("mostrador_rate_limited", "Turns refused by a rate limit.",
                       ["tenant", "scope"], registry=None)
UNVERIFIED = Counter("mostrador_unverified_claims",
                     "Agent replies kept from the customer: they claimed an action no tool did.",
                     ["tenant"], registry=None)
_OWN = (TURNS, TURN_SECONDS, LLM_SECONDS, TOOL_CALLS, RETRIES, DEAD_LETTERS, RATE_LIMITED,
        UNVERIFIED)


class TurnMetrics:
    """The agent runtime's observer (agent.runtime.TurnObserver)."""

    def llm_call(self, tenant_slug: str, seconds: float) -> None:
        LLM_SECONDS.labels(tenant_slug).observe(seconds)

    def tool_call(self, tenant_slug: str, tool: str, ok: bool) -> None:
        TOOL_CALLS.labels(tenant_slug, tool, "ok" if ok else "error").inc()

    def unverified_claims(self, tenant_slug: str, count: int) -> None:
        UNVERIFIED.labels(tenant_slug).inc(count)


class QueueCollector(Collector):
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            stats = self.queue.stats()
        except Exception:  # a scrape must not fail because Redis is down; /readyz says so
            return
        yield GaugeMetricFamily("mostrador_queue_depth", "Entries not yet acknowledged.",
                                value=stats.depth)
        yield GaugeMetricFamily("mostrador_queue_pending",
                                "Entries delivered to a worker and not acknowledged.",
                                value=stats.pending)
        yield GaugeMetricFamily("mostrador_queue_dead", "Entries in the dead-letter stream.",
                                value=stats.dead)


def build_registry(queue: Queue | None) -> CollectorRegistry:
    """A registry with this process's metrics, plus the queue's when there is one."""
    registry = CollectorRegistry()
    for metric in _OWN:
        registry.register(metric)
    if queue is not None:
        registry.register(QueueCollector(queue))
    return registry

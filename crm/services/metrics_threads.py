"""Conversations as the owner counts them: episodes of a channel thread.

A channel thread (a `Conversation` row: one per WhatsApp number, web session, PSID) lives
for ever, so the dashboard splits it into episodes. A message more than `QUIET` (7 days)
after the thread's previous message starts a new episode; a customer message at least
`idle` (the business's "conversation closes after" setting, 24 h by default) but at most 7
days after the previous message *reopens* the episode. This module walks the messages of a
window in order and builds the episodes; `crm.services.metrics` counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

QUIET = timedelta(days=7)
OK_PREFIX = '{"ok": true'  # tools.results.ok(): what a tool that did its job returns
AGENT_CHANGES = {"reschedule_appointment": "moved", "cancel_appointment": "cancelled"}


class Row(NamedTuple):
    """One message as the walk needs it (no text: its first characters only). A tuple:
    a month of a busy business is tens of thousands of them."""

    conversation_id: str
    role: str
    at: datetime
    tool_name: str | None
    head: str  # the first characters of the text

    @property
    def has_text(self) -> bool:
        return bool(self.head.strip())

    @property
    def tool_ok(self) -> bool:
        return self.head.startswith(OK_PREFIX)


@dataclass
class Episode:
    conversation_id: str
    start: datetime
    last: datetime
    customer_wrote: bool = False
    first_customer: datetime | None = None
    agent_reply: datetime | None = None   # the first assistant text after the customer's
    requested: datetime | None = None     # request_human ran
    first_staff: datetime | None = None   # a person of the business wrote
    waiting_since: datetime | None = None  # the customer message before `first_staff`
    taken_over: bool = False
    flagged: bool = False
    reopened: bool = False
    model_answers: int = 0  # assistant messages: one model call each
    agent_changes: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def handoff_reason(self) -> str | None:
        """Why people took part: `asked` (the agent handed it over with request_human),
        `flagged` (the agent flagged it itself: step limit, an unverifiable claim, a
        privacy restriction), `taken_over` (staff stepped in unasked); None if nobody."""
        if self.requested is not None:
            return "asked"
        if self.flagged:
            return "flagged"
        if self.taken_over or self.first_staff is not None:
            return "taken_over"
        return None

    @property
    def resolved_by_agent(self) -> bool:
        return (self.handoff_reason is None and not self.reopened
                and self.agent_reply is not None)

    @property
    def agent_seconds(self) -> float | None:
        if self.first_customer is None or self.agent_reply is None:
            return None
        return (self.agent_reply - self.first_customer).total_seconds()

    @property
    def human_seconds(self) -> float | None:
        """From the hand-over (request_human, else the customer's message staff answered)
        to the first staff message."""
        if self.first_staff is None:
            return None
        origin = self.requested if self.requested is not None \
            and self.requested <= self.first_staff else self.waiting_since
        return None if origin is None else (self.first_staff - origin).total_seconds()


def episodes(rows: Iterable[Row], *, idle: timedelta) -> dict[str, list[Episode]]:
    """The episodes of each thread (rows ordered by thread, then time)."""
    threads: dict[str, list[Episode]] = {}
    previous: Row | None = None
    for row in rows:
        same = previous is not None and previous.conversation_id == row.conversation_id
        assert previous is None or not same or previous.at <= row.at
        mine = threads.setdefault(row.conversation_id, [])
        if not same or row.at - previous.at > QUIET:  # type: ignore[union-attr]
            mine.append(Episode(row.conversation_id, start=row.at, last=row.at))
        elif row.role == "user" and row.at - previous.at >= idle:  # type: ignore[union-attr]
            mine[-1].reopened = True
        _add(mine[-1], row)
        previous = row
    return threads


def _add(episode: Episode, row: Row) -> None:
    episode.last = row.at
    if row.role == "user":
        episode.customer_wrote = True
        if episode.first_customer is None:
            episode.first_customer = row.at
        if episode.first_staff is None:
            episode.waiting_since = row.at
    elif row.role == "assistant":
        episode.model_answers += 1
        if (episode.agent_reply is None and episode.first_customer is not None
                and row.has_text):
            episode.agent_reply = row.at
    elif row.role == "staff":
        if episode.first_staff is None:
            episode.first_staff = row.at
    elif row.role == "tool" and row.tool_ok:
        if row.tool_name == "request_human" and episode.requested is None:
            episode.requested = row.at
        elif row.tool_name in AGENT_CHANGES:
            episode.agent_changes.append((AGENT_CHANGES[row.tool_name], row.at))


def mark_takeover(threads: dict[str, list[Episode]], conversation_id: str,
                  at: datetime) -> None:
    """A staff takeover at `at`: the thread's episode running then (the latest started)."""
    for episode in reversed(threads.get(conversation_id, [])):
        if episode.start <= at:
            episode.taken_over = True
            return


def percentile(values: list[float], p: int) -> float | None:
    """Nearest-rank percentile (an observed value: the smallest with p% at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))  # ceil(p/100 * n)
    return round(ordered[rank - 1], 1)

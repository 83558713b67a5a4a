"""Fitting a turn in the model's context window (MOSTRADOR_LLM_CONTEXT_TOKENS).

A small local model has a few thousand tokens of context; a long conversation, with its tool
results, does not fit. `fit` keeps the system prompt, the note about the customer and the
customer's latest messages whole, and makes room in this order:

1. older tool results (from earlier turns) are cut to their first COMPACT_TOOL_CHARS
   characters — the model still sees what was done, not every free slot of last week;
2. the oldest exchanges are dropped, a whole customer message and what followed it at a
   time (a cut inside a tool exchange would orphan a result, which servers reject).

Nothing is changed while everything fits, so the prompt stays the same from call to call
and the server can reuse its cache. Tokens are estimated from characters
(CHARS_PER_TOKEN, on the low side for Spanish so the estimate errs towards fitting); a
server that still answers "context exceeded" gets the turn again with half the budget
(agent.runtime).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from tools.registry import tools_named

CHARS_PER_TOKEN = 3.0
MESSAGE_OVERHEAD = 6  # role markers a chat template adds around each message
OUTPUT_RESERVE = 700  # tokens kept free for the model's answer
COMPACT_TOOL_CHARS = 240


@lru_cache(maxsize=64)
def tool_schema_tokens(tool_names: tuple[str, ...]) -> int:
    """Estimated tokens of the tool schemas the server puts in the prompt."""
    specs = [convert_to_openai_tool(t) for t in tools_named(tool_names)]
    return int(len(json.dumps(specs, ensure_ascii=False)) / CHARS_PER_TOKEN)


def _tokens(message: BaseMessage) -> int:
    size = len(str(message.content))
    if isinstance(message, AIMessage) and message.tool_calls:
        size += len(json.dumps([[c["name"], c["args"]] for c in message.tool_calls],
                               ensure_ascii=False, default=str))
    return int(size / CHARS_PER_TOKEN) + MESSAGE_OVERHEAD


def estimate(messages: Sequence[BaseMessage]) -> int:
    return sum(_tokens(m) for m in messages)


def latest_start(history: Sequence[BaseMessage]) -> int:
    """Index of the first of the customer's latest messages (the run of user messages
    that opens the current turn); len(history) when there is none."""
    index = len(history)
    for i in range(len(history) - 1, -1, -1):
        if isinstance(history[i], HumanMessage):
            index = i
        elif index < len(history):
            break
    return index


def _compacted(message: BaseMessage) -> BaseMessage:
    text = str(message.content)
    if not isinstance(message, ToolMessage) or len(text) <= COMPACT_TOOL_CHARS:
        return message
    return message.model_copy(update={"content": text[:COMPACT_TOOL_CHARS] + "…"})


def _exchanges(messages: list[BaseMessage]) -> list[list[BaseMessage]]:
    """`messages` split before each user message."""
    groups: list[list[BaseMessage]] = []
    for message in messages:
        if isinstance(message, HumanMessage) or not groups:
            groups.append([])
        groups[-1].append(message)
    return groups


def fit(*, system: BaseMessage, history: Sequence[BaseMessage], note: BaseMessage,
        budget: int, tools_tokens: int) -> list[BaseMessage]:
    """The messages for the model: `system`, as much of `history` as fits in `budget`
    tokens, and `note` just before the customer's latest messages."""
    split = latest_start(history)
    older, latest = list(history[:split]), list(history[split:])
    room = budget - OUTPUT_RESERVE - tools_tokens - estimate([system, note, *latest])
    if estimate(older) > room:
        older = [_compacted(m) for m in older]
        groups = _exchanges(older)
        while groups and estimate([m for g in groups for m in g]) > room:
            groups.pop(0)
        older = [m for g in groups for m in g]
    return [system, *older, note, *latest]

"""What of a model's reply may reach a customer: nothing internal.

Small models and chat templates leak their machinery into the text: special tokens
(`<|im_start|>`, `<|eot_id|>`), reasoning (`<think>…</think>`), invented tool results
(`<tool_response>…</tool_response>`), tool-call markup or JSON, and ids they read in tool
results (32-hex CRM ids). `clean_reply` removes all of it; a reply that was nothing but
machinery comes back empty (the runtime then answers from the tool results instead).
"""

from __future__ import annotations

import json
import re

from agent.tool_text import looks_like_tool_call

_BLOCKS = re.compile(r"<(think|thinking|tool_response|tool_result|tool_call|tools|"
                     r"function_call)>.*?(?:</\1>|$)", re.S | re.I)
_TOKENS = re.compile(r"<\|[a-z_]+\|>|</?s>|\[/?INST\]|\[/?TOOL_CALLS\]|\[/?TOOL_RESULTS\]",
                     re.I)
_ROLE_PREFIX = re.compile(r"^\s*(?:assistant|asistente)\s*[:\n]", re.I)
_HEX_ID = re.compile(r"\(?\s*(?:id\s*[:=]?\s*)?\b[0-9a-f]{32}\b\s*\)?", re.I)
_JSON_OBJECT = re.compile(r"\{\s*\"(?:ok|name|error|code|appointment|lead_id|id)\".*?\}"
                          r"(?=\s|$)", re.S)
_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w")  # a reply of only "{" or "```" says nothing
_SPACE_BEFORE_STOP = re.compile(r"[ \t]+(?=[.,;:!?](?:\s|$))")  # left where an id was


def _is_json(text: str) -> bool:
    """Whether `text` is one JSON object or list, fenced or not: data, never prose."""
    body = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    if not body.startswith(("{", "[")):
        return False
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def clean_reply(text: str, tool_names: set[str]) -> str:
    """`text` without model machinery (see the module docstring); "" when nothing a
    customer should read is left."""
    cleaned = _BLOCKS.sub("", text)
    cleaned = _TOKENS.sub("", cleaned)
    cleaned = _ROLE_PREFIX.sub("", cleaned)
    cleaned = _JSON_OBJECT.sub("", cleaned)
    cleaned = _HEX_ID.sub("", cleaned)
    cleaned = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", cleaned))
    cleaned = _SPACE_BEFORE_STOP.sub("", cleaned).strip()
    if (not _WORD.search(cleaned) or _is_json(cleaned)
            or looks_like_tool_call(cleaned, tool_names)):
        return ""
    return cleaned

"""Tool calls a model wrote as text, in whatever dialect its server left them.

OpenAI-compatible servers do not always turn a model's tool call into `tool_calls`: small
models and some chat templates leave it in the message text. Each dialect seen in the wild
is read here into real calls (only to tools bound for the turn):

- JSON: a fenced ```json block, a bare object, several objects one after another, or a list
  of them; a call is `{"name", "arguments" | "parameters" | "args"}` or OpenAI's
  `{"type": "function", "function": {...}}` (arguments may be a JSON string), or the tool's
  name as the only key (`{"check_availability": {...}}`); a call the model stopped writing
  before its closing braces is closed for it;
- `<tool_call>{...}</tool_call>` (Hermes, Qwen) and `<tools>{...}</tools>`, once or more;
- `[TOOL_CALLS] [{...}, ...]` (Mistral);
- `<|python_tag|>{...}` (Llama 3.1), and `<function=NAME>{...}</function>` (Llama 3.1/3.2);
- a bare tool name, alone (`request_human`, `request_human()`);
- bare arguments (`{"service": ..., "day": ..., "time": ...}`) that fit exactly one bound
  tool's parameters;
- a message that opens with calls and goes on in prose (the prose is dropped: it was
  written before any result), and a template's doubled braces (`{{"name": ...}}}}`).

What a model writes after its call as the call's result (`<tool_response>…`, Qwen's
habit) is invented: it is cut off before reading the calls.

`looks_like_tool_call` tells text that still smells of one (markup, a `"name"` of a tool):
the runtime never sends such text to a customer.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

_FENCE = re.compile(r"```(?:json|tool_code|python)?\s*(.*?)\s*```", re.S)
_TAGGED = re.compile(r"<(tool_call|tools|toolcall|function_call)>\s*(.*?)\s*</\1>", re.S)
_OPEN_TAG = re.compile(r"<(tool_call|tools|toolcall|function_call)>\s*(.*)$", re.S)
_LLAMA_FUNCTION = re.compile(r"<function=([A-Za-z_][\w]*)>\s*(.*?)\s*</function>", re.S)
_MARKERS = ("[TOOL_CALLS]", "<|python_tag|>")
_SPECIAL = re.compile(r"<\|[a-z_]+\|>|</?tool_call>|</?tools>|\[/?TOOL_CALLS\]|"
                      r"<function=[^>]*>|</function>")
# Per tool: its required parameters and all its parameters (from the schemas sent).
Params = Mapping[str, tuple[frozenset[str], frozenset[str]]]
_INVENTED_RESULT = re.compile(r"<(?:tool_response|tool_result)>", re.I)
_BARE_NAME = re.compile(r"^\s*`?([A-Za-z_][\w]*)`?(?:\(\s*\))?\s*\.?\s*$")


def _call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "tool_call"}


def _by_signature(data: dict[str, Any], params: Params | None) -> str | None:
    """The one tool whose parameters these bare arguments fit (all its required ones,
    none it lacks); None when no tool or several do."""
    if not params or not data:
        return None
    keys = set(data)
    fits = [name for name, (required, known) in params.items()
            if required and required <= keys <= known]
    return fits[0] if len(fits) == 1 else None


def _as_call(data: Any, tool_names: set[str], params: Params | None = None
             ) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    named = _by_signature(data, params) if not ({"name", "function", "tool", "tool_name"}
                                                 & set(data)) else None
    if named is not None and named in tool_names:  # {"service": ..., "day": ..., "time": ...}
        return _call(named, data)
    if isinstance(data.get("function"), dict):  # {"type": "function", "function": {...}}
        data = data["function"]
    if len(data) == 1:  # {"check_availability": {"service": ...}}
        (key, value), = data.items()
        if key in tool_names and isinstance(value, dict | None):
            return _call(key, value or {})
    name = data.get("name") or data.get("tool") or data.get("tool_name")
    args = data.get("arguments", data.get("parameters", data.get("args", {})))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            return None
    if args is None:
        args = {}
    if not isinstance(name, str) or name not in tool_names or not isinstance(args, dict):
        return None
    return _call(name, args)


def _json_values(text: str) -> Iterator[Any]:
    """Every JSON value in `text`, one after another (whitespace, commas or newlines
    between them); stops at the first thing that is not JSON."""
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            return
        yield value


def _closed(text: str) -> str:
    """`text` with the objects and lists it left open closed, in order: what a model that
    stopped mid-call (a token limit, a stop word) after a whole value meant."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]":
            if not stack or stack.pop() != char:
                return text
    if in_string:  # cut inside a value: closing it would change what the model meant
        return text
    return text + "".join(reversed(stack))


def _calls_in_json(text: str, tool_names: set[str], params: Params | None = None
                   ) -> list[dict[str, Any]] | None:
    """The calls when `text` is nothing but JSON calls (one, several, a list); else None."""
    values = list(_json_values(text))
    if not values and text.lstrip().startswith(("{", "[")):
        text = _closed(text.rstrip())
        values = list(_json_values(text))
    if not values or _rest(text, values):
        return None
    items: list[Any] = []
    for value in values:
        items += value if isinstance(value, list) else [value]
    calls = [_as_call(item, tool_names, params) for item in items]
    if not calls or any(c is None for c in calls):
        return None
    return [c for c in calls if c is not None]


def _leading_calls(text: str, tool_names: set[str], params: Params | None
                   ) -> list[dict[str, Any]]:
    """Calls a message opens with, whatever follows them: prose the model wrote before it
    could see any result, or the closing braces of a template's doubled `{{...}}`."""
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    if body.startswith("{{"):
        body = body[1:]
    decoder = json.JSONDecoder()
    calls: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(body) and body[position] in " \t\r\n,;":
            position += 1
        if position >= len(body) or body[position] not in "{[":
            break
        try:
            value, position = decoder.raw_decode(body, position)
        except ValueError:
            break
        found = _calls_in_json(json.dumps(value), tool_names, params)
        if not found:
            return []
        calls += found
    return calls


def _rest(text: str, values: list[Any]) -> bool:
    """Whether text is left after the JSON values (then it is prose, not calls)."""
    decoder = json.JSONDecoder()
    position, seen = 0, 0
    while seen < len(values):
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        _, position = decoder.raw_decode(text, position)
        seen += 1
    return bool(text[position:].strip(" \t\r\n,;"))


def parse_text_tool_calls(content: str, tool_names: set[str], params: Params | None = None
                          ) -> list[dict[str, Any]]:
    """The tool calls a message's text spells out, in any dialect above; [] when it does
    not (prose, or a call to a tool that is not bound). With `params` (each bound tool's
    required and known parameters), bare arguments that fit exactly one tool are a call
    to it."""
    if not tool_names or not content.strip():
        return []
    text = _INVENTED_RESULT.split(content, 1)[0].strip()
    if not text:
        return []
    tagged = _TAGGED.findall(text)
    if tagged:
        calls: list[dict[str, Any]] = []
        for _, inner in tagged:
            found = _calls_in_json(inner, tool_names, params)
            if found is None:
                return []
            calls += found
        return calls
    opened = _OPEN_TAG.search(text)  # a tag the model never closed (it stopped there)
    if opened:
        return _calls_in_json(opened.group(2), tool_names, params) or []
    functions = _LLAMA_FUNCTION.findall(text)
    if functions:
        calls = []
        for name, body in functions:
            args = list(_json_values(body)) if body.strip() else [{}]
            if name not in tool_names or len(args) != 1 or not isinstance(args[0], dict):
                return []
            calls.append(_call(name, args[0]))
        return calls
    for marker in _MARKERS:
        if marker in text:
            return _calls_in_json(text.split(marker, 1)[1], tool_names, params) or []
    fenced = _FENCE.fullmatch(text)
    found = _calls_in_json(fenced.group(1) if fenced else text, tool_names, params)
    if found:
        return found
    found = _leading_calls(text, tool_names, params)
    if found:
        return found
    bare = _BARE_NAME.match(text)
    if bare and bare.group(1) in tool_names:
        return [_call(bare.group(1), {})]
    return []


def looks_like_tool_call(content: str, tool_names: set[str]) -> bool:
    """Whether text still carries tool-call markup, or a JSON `name` of a tool: never for
    a customer's eyes."""
    if _SPECIAL.search(content):
        return True
    for name in tool_names:
        if re.search(rf'"(?:name|tool|function)"\s*:\s*"{re.escape(name)}"', content):
            return True
        if re.fullmatch(rf"\s*`?{re.escape(name)}`?(?:\(.*\))?\s*\.?\s*", content, re.S):
            return True
    return False

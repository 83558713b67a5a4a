"""Tool calls written as text, in every dialect servers leave them (agent.tool_text)."""

from __future__ import annotations

import json

import pytest

from agent.tool_text import looks_like_tool_call, parse_text_tool_calls

TOOLS = {"book_appointment", "request_human", "list_services", "save_contact_details"}
BOOK = {"service": "Limpieza dental", "day": "2026-11-24", "time": "10:00"}
BOOK_JSON = '{"name": "book_appointment", "arguments": {"service": "Limpieza dental", ' \
            '"day": "2026-11-24", "time": "10:00"}}'
SAVE_JSON = '{"name": "save_contact_details", "arguments": {"name": "Ana Paz"}}'


@pytest.mark.parametrize(("text", "expected"), [
    # JSON: fenced, bare, several objects, a list, OpenAI's shape, arguments as a string
    (f"```json\n{BOOK_JSON}\n```", [("book_appointment", BOOK)]),
    (BOOK_JSON, [("book_appointment", BOOK)]),
    (f"{SAVE_JSON}\n{BOOK_JSON}", [("save_contact_details", {"name": "Ana Paz"}),
                                   ("book_appointment", BOOK)]),
    (f"[{SAVE_JSON}, {BOOK_JSON}]", [("save_contact_details", {"name": "Ana Paz"}),
                                     ("book_appointment", BOOK)]),
    ('{"type": "function", "function": {"name": "list_services", "arguments": "{}"}}',
     [("list_services", {})]),
    ('{"name": "list_services", "parameters": {}}', [("list_services", {})]),
    # the tool's name as the only key; a call cut before its closing braces (Qwen 1.5B)
    ('{"book_appointment": {"service": "Limpieza dental", "day": "2026-11-24", '
     '"time": "10:00"}}', [("book_appointment", BOOK)]),
    (BOOK_JSON[:-2], [("book_appointment", BOOK)]),
    # a call followed by the result the model invented for it
    (f'{BOOK_JSON}\n<tool_response>\n{{"ok": true}}\n</tool_response>',
     [("book_appointment", BOOK)]),
    (f"```json\n{BOOK_JSON[:-1]}\n```", [("book_appointment", BOOK)]),
    # tags: Hermes / Qwen, <tools>, several, one left unclosed
    (f"<tool_call>\n{BOOK_JSON}\n</tool_call>", [("book_appointment", BOOK)]),
    (f"<tools>{BOOK_JSON}</tools>", [("book_appointment", BOOK)]),
    (f"<tool_call>{SAVE_JSON}</tool_call>\n<tool_call>{BOOK_JSON}</tool_call>",
     [("save_contact_details", {"name": "Ana Paz"}), ("book_appointment", BOOK)]),
    (f"<tool_call>\n{BOOK_JSON}", [("book_appointment", BOOK)]),
    # Mistral, Llama 3.1
    (f"[TOOL_CALLS] [{BOOK_JSON}]", [("book_appointment", BOOK)]),
    ('<|python_tag|>{"name": "list_services", "parameters": {}}', [("list_services", {})]),
    ('<function=request_human>{"reason": "pidió una persona"}</function>',
     [("request_human", {"reason": "pidió una persona"})]),
    # a bare tool name
    ("request_human", [("request_human", {})]),
    ("request_human()", [("request_human", {})]),
    ("`list_services`", [("list_services", {})]),
])
def test_every_dialect_becomes_tool_calls(text: str, expected: list[tuple[str, dict]]) -> None:
    calls = parse_text_tool_calls(text, TOOLS)
    assert [(c["name"], c["args"]) for c in calls] == expected
    assert len({c["id"] for c in calls}) == len(calls)


PARAMS = {"book_appointment": (frozenset({"service", "day", "time"}),
                                frozenset({"service", "day", "time"})),
          "list_services": (frozenset(), frozenset()),
          "request_human": (frozenset(), frozenset({"reason"})),
          "save_contact_details": (frozenset(), frozenset({"name", "phone", "email"}))}


@pytest.mark.parametrize(("text", "expected"), [
    (json.dumps(BOOK), [("book_appointment", BOOK)]),                    # fits one tool only
    ("{" + BOOK_JSON + "}}\n¿Te sirve?", [("book_appointment", BOOK)]),  # doubled braces
    (f"```json\n{BOOK_JSON}\n```\nTe confirmo enseguida.", [("book_appointment", BOOK)]),
    ('{"reason": "quiere hablar con alguien"}',                          # no required params
     []),
    ('{"name": "Ana Paz"}', []),                     # a "name" that is no tool: not guessed
    (f"Claro: {BOOK_JSON}", []),                     # prose first: not a call
])
def test_bare_arguments_and_calls_followed_by_prose(
    text: str, expected: list[tuple[str, dict]]
) -> None:
    calls = parse_text_tool_calls(text, TOOLS, PARAMS)
    assert [(c["name"], c["args"]) for c in calls] == expected


@pytest.mark.parametrize("text", [
    "Tenemos limpieza y blanqueamiento.",
    '{"name": "drop_database", "arguments": {}}',          # not a bound tool
    f"Claro, te anoto: {BOOK_JSON}",                        # prose around it: not a call
    "request_human por favor",
    '{"answer": 42}',
    BOOK_JSON[:-8],                                         # cut inside a value: not guessed
    '<tool_response>{"ok": false, "code": "missing_contact"}</tool_response>',
    "",
])
def test_prose_and_calls_to_unbound_tools_are_not_calls(text: str) -> None:
    assert parse_text_tool_calls(text, TOOLS) == []


@pytest.mark.parametrize(("text", "smells"), [
    ("<tool_call>{broken", True),
    ('Listo {"name": "book_appointment"}', True),
    ("<|im_start|>assistant hola", True),
    ("[TOOL_CALLS]", True),
    ("request_human", True),
    ("¡Hola! ¿En qué te ayudo?", False),
    ("Te paso con una persona del equipo.", False),
])
def test_what_still_looks_like_a_tool_call(text: str, smells: bool) -> None:
    assert looks_like_tool_call(text, TOOLS) is smells

"""The input-sanitizing layer: the strict JSON parse, and every route of the app behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.routing import APIRoute

from api.app import create_app
from api.strict_input import MAX_JSON_DEPTH, StrictInputRoute, parse_json_body
from crm.settings import Settings


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _refusal(body: bytes) -> dict[str, object]:
    with pytest.raises(HTTPException) as caught:
        parse_json_body(body)
    assert caught.value.status_code == 422
    [issue] = caught.value.detail
    return dict(issue)


@pytest.mark.parametrize(("body", "value"), [
    (b'{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}),
    ('{"nombre": "Peña 😀"}'.encode(), {"nombre": "Peña 😀"}),
    (b'{"pair": "\\ud83d\\ude00"}', {"pair": "😀"}),  # a surrogate pair is one character
    (b'{"text": "[[[{{{ brackets in strings do not nest"}',
     {"text": "[[[{{{ brackets in strings do not nest"}),
    (b'{"q": "\\"[["}', {"q": '"[['}),  # an escaped quote does not end the string
    (b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH, _nested(MAX_JSON_DEPTH)),
])
def test_valid_json_parses_as_usual(body: bytes, value: object) -> None:
    assert parse_json_body(body) == value


@pytest.mark.parametrize(("body", "type_", "loc"), [
    (b'{"a": NaN}', "json_invalid", ["body"]),
    (b'{"a": [Infinity]}', "json_invalid", ["body"]),
    (b'{"a": -Infinity}', "json_invalid", ["body"]),
    (b'{"a": 1,}', "json_invalid", ["body", 8]),
    (b'{"a": "\xff"}', "json_invalid", ["body", 7]),
    (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "json_too_deep", ["body"]),
    (b"[" * 200_000, "json_too_deep", ["body"]),
    (b'{"a": {"b": ["ok", "\\ud800"]}}', "string_unicode", ["body", "a", "b", 1]),
    (b'{"a": "\\udfff tail"}', "string_unicode", ["body", "a"]),
    (b'{"a": "nul \\u0000"}', "string_unicode", ["body", "a"]),
    (b'{"a": {"\\ud800": 1}}', "string_unicode", ["body", "a"]),
])
def test_bad_json_is_a_422_saying_where(body: bytes, type_: str, loc: list[object]) -> None:
    issue = _refusal(body)
    assert (issue["type"], issue["loc"]) == (type_, loc)


def test_every_route_of_the_app_is_behind_the_strict_layer(tmp_path: Path) -> None:
    app = create_app(Settings(env="test", database_url=f"sqlite:///{tmp_path}/s.db",
                              llm="offline", openai_api_key=None))
    routes: list[APIRoute] = []
    for entry in app.routes:
        # FastAPI keeps included routers as they are; their routes are the API's.
        router = getattr(entry, "original_router", None)
        routes += [r for r in getattr(router, "routes", []) if isinstance(r, APIRoute)]
    assert len(routes) > 40
    assert [r.path for r in routes if not isinstance(r, StrictInputRoute)] == []

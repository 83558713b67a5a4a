"""The one input-sanitizing layer: what a request may carry before any route sees it.

Every router of the app uses ``StrictInputRoute``. For the operations that take a JSON body
it parses the body strictly, once, instead of ``json.loads`` with its defaults:

- UTF-8 only; nested at most ``MAX_JSON_DEPTH`` levels (a deeper document is refused before
  it is parsed, so no recursion limit is ever reached);
- no ``NaN``, ``Infinity`` or ``-Infinity`` (not JSON; they cannot be stored or answered);
- no lone UTF-16 surrogate (``"\\ud800"``) and no NUL (``"\\u0000"``) in any string or key:
  neither can be stored in PostgreSQL (nor the surrogate in SQLite) or encoded in an answer;
- a body sent with another content type, or with none, is 415.

One exception: what customers write is intake, not a request to refuse. Routes of
``IntakeRoute`` (the public web chat) repair those strings instead (crm.text: NUL and lone
surrogates become U+FFFD), so the message is stored and answered.

For every operation, a body larger than ``MAX_BODY`` is 413 (read no further than that; a
route class from ``bounded_route`` takes another bound), and NUL in the path or the query is
refused. Every refusal is a 4xx in the shapes of ``api.http_errors``; nothing is echoed.
Raw bodies (the Meta webhook verifies a signature over the exact bytes) are otherwise left to
their routes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import HTTPException, Request, Response, params, status
from fastapi.routing import APIRoute

from api.http_errors import unprocessable
from crm.text import storable

MAX_JSON_DEPTH = 32  # the deepest body of the API (business hours) is 4
# Staff and web chat bodies are a few KB (a persona is at most 8,000 characters).
MAX_BODY = 256 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


def _depth(text: str) -> int:
    """How deep arrays and objects nest, brackets inside strings aside (linear time)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return "Text may not contain NUL (\\u0000) characters; remove them."
    if _SURROGATE.search(value):
        return ("Text holds a lone UTF-16 surrogate (U+D800 to U+DFFF), which is not a "
                "character; send valid Unicode.")
    return None


def _check_strings(value: Any, loc: list[str | int]) -> None:
    """Raise a 422 at the first string or key holding NUL or a lone surrogate."""
    if isinstance(value, str):
        problem = _bad_text(value)
        if problem:
            raise unprocessable(problem, loc=loc, type="string_unicode")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, [*loc, index])
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _bad_text(key)
            if problem:
                raise unprocessable(problem, loc=loc, type="string_unicode")
            _check_strings(item, [*loc, key])


def _repaired(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [_repaired(item) for item in value]
    if isinstance(value, dict):
        return {storable(key): _repaired(item) for key, item in value.items()}
    return value


def parse_json_body(body: bytes, *, repair_text: bool = False) -> Any:
    """The body as JSON under the rules of this module; raises a 422 ``HTTPException``.
    With `repair_text`, NUL and lone surrogates in strings are replaced, not refused."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise unprocessable("The body is not UTF-8 text; send JSON encoded as UTF-8.",
                            loc=["body", exc.start], type="json_invalid") from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise unprocessable(f"JSON nested deeper than {MAX_JSON_DEPTH} levels; no operation "
                            "takes anything that deep.", type="json_too_deep")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except _NonFinite:
        raise unprocessable("NaN and Infinity are not JSON numbers; send a number or null.",
                            type="json_invalid") from None
    except json.JSONDecodeError as exc:
        raise unprocessable(f"Invalid JSON: {exc.msg}", loc=["body", exc.pos],
                            type="json_invalid") from None
    except RecursionError:  # a depth the scan above missed; never expected
        raise unprocessable("JSON nested too deep.", type="json_too_deep") from None
    if repair_text:
        return _repaired(value)
    _check_strings(value, ["body"])
    return value


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


class StrictRequest(Request):
    repair_text = False

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json_body(await self.body(), repair_text=self.repair_text)
        return self._json

    async def read_bounded(self, limit: int) -> bytes:
        """Read the body, refusing (413) past `limit` bytes without reading further; later
        ``body()`` calls get it from memory."""
        too_large = HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                  f"The body is over {limit:,} bytes; send less.")
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        self._body = b"".join(chunks)
        return self._body


def _check_url(request: Request) -> None:
    if "\x00" in request.url.path:
        raise unprocessable("The path may not contain NUL (%00).", loc=["path"],
                            type="string_unicode")
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise unprocessable("Query parameters may not contain NUL (%00).",
                                loc=["query", key.replace("\x00", "")],
                                type="string_unicode")


class StrictInputRoute(APIRoute):
    """An APIRoute that applies this module's rules before FastAPI reads the request."""

    max_body = MAX_BODY
    repair_text = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # Form posts (the console's) are not JSON: their body is left to FastAPI's form parser.
        takes_json = self.body_field is not None and not isinstance(
            self.body_field.field_info, params.Form)

        async def route(request: Request) -> Response:
            strict = StrictRequest(request.scope, request.receive)
            strict.repair_text = self.repair_text
            _check_url(strict)
            body = await strict.read_bounded(self.max_body)
            if takes_json and body and not _is_json(strict.headers.get("content-type")):
                raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                                    "Send the body as JSON, with Content-Type: "
                                    "application/json.")
            return await handler(strict)

        return route


def bounded_route(max_body: int) -> type[StrictInputRoute]:
    """``StrictInputRoute`` with another body bound, for a router that needs one."""
    return type(f"StrictInputRoute{max_body}", (StrictInputRoute,), {"max_body": max_body})


class IntakeRoute(StrictInputRoute):
    """For what customers write (the web chat): odd text is repaired, not refused."""

    repair_text = True

"""The one error shape of the HTTP API, and the handlers that give every error that shape.

- Every 4xx except 422: ``{"detail": "what is wrong and what to do"}`` (``ErrorBody``).
- 422: ``{"detail": [{"loc": ["body", "notes"], "msg": "...", "type": "..."}]}``
  (``ValidationErrorBody``): FastAPI's list without its ``input``, ``ctx`` and ``url``, so a
  submitted value is never echoed. Values can be secrets (connection tokens), personal data
  (a data subject's phone) or text that cannot even be encoded (NaN, a lone surrogate):
  echoing them is how a bad input used to become a 500.
- 5xx: ``{"detail": "Internal server error..."}``, nothing about the request or the failure.

Routes raise ``HTTPException(status, "text")`` for the first kind and ``unprocessable(...)``
for the second. The handlers ``install_error_handlers`` registers normalize whatever else
arrives (FastAPI's validation errors, Starlette's 404 and 405, a 422 raised with a string)
into these shapes. ``ERROR_RESPONSES`` documents both in the OpenAPI document of every
operation, so a schema-aware client can validate every error it gets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

MAX_MESSAGE = 500
# A `loc` entry names a field, an index or a key. Keys are chosen by the client: one that is
# not a plain name (it could be personal data, or not encodable) is shown as "*".
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,64}$")
_SURROGATE = re.compile("[\ud800-\udfff]")
UNHANDLED = ("Internal server error; it was logged. Try again later, and tell the operator "
             "of this server if it keeps happening.")


class ErrorBody(BaseModel):
    """Every error but 422."""

    detail: str = Field(description="what is wrong and what to do about it")


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description='where: ["body", "notes"], ["query", "offset"]...')
    msg: str = Field(description="what is wrong there (never the submitted value)")
    type: str = Field(description='the kind of problem: "missing", "string_too_long"...')


class ValidationErrorBody(BaseModel):
    """422: the request was understood but some of its values are not acceptable."""

    detail: list[ValidationIssue]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "The request was refused; `detail` says why."},
    status.HTTP_422_UNPROCESSABLE_CONTENT: {
        "model": ValidationErrorBody,
        "description": "Some values are not acceptable; each issue says where and why (the "
                       "values themselves are never repeated)."},
}


def unprocessable(msg: str, *, loc: Sequence[str | int] = ("body",),
                  type: str = "value_error") -> HTTPException:
    """A 422 in the documented shape, for a rule a route checks itself; raise it."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                         [{"loc": list(loc), "msg": msg, "type": type}])


def _text(value: object) -> str:
    """Encodable, bounded text: a lone surrogate becomes U+FFFD instead of a 500."""
    return _SURROGATE.sub("\ufffd", str(value)[:MAX_MESSAGE])


def _loc_part(part: object) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    text = str(part)
    return text if _PLAIN_NAME.match(text) else "*"


def issues(errors: Iterable[Any]) -> list[dict[str, Any]]:
    """FastAPI/pydantic error dicts (or plain strings) as ``ValidationIssue`` dicts: only
    where, what and which kind; the input and its context are dropped."""
    out: list[dict[str, Any]] = []
    for error in errors:
        if not isinstance(error, dict):
            out.append({"loc": [], "msg": _text(error), "type": "value_error"})
            continue
        msg = str(error.get("msg", ""))
        ctx = error.get("ctx")
        if error.get("type") == "json_invalid" and isinstance(ctx, dict) and ctx.get("error"):
            # The json module's words ("Expecting value"), never the text it was given.
            msg = f"Invalid JSON: {ctx['error']}"
        out.append({"loc": [_loc_part(p) for p in error.get("loc", ())],
                    "msg": _text(msg), "type": _text(error.get("type", "value_error"))})
    return out


def _body(status_code: int, detail: object) -> dict[str, Any]:
    if status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
        listed = detail if isinstance(detail, list) else [detail]
        return {"detail": issues(listed)}
    if isinstance(detail, str) and detail:
        return {"detail": _text(detail)}
    return {"detail": HTTPStatus(status_code).phrase}


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": issues(exc.errors())},
                        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code in (status.HTTP_204_NO_CONTENT, status.HTTP_304_NOT_MODIFIED):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse(_body(exc.status_code, exc.detail), status_code=exc.status_code,
                        headers=headers)


async def _unhandled(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware re-raises after this answer, so the server logs the
    # exception; the client learns nothing about it.
    return JSONResponse({"detail": UNHANDLED},
                        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _errors_as_json(document: dict[str, Any]) -> None:
    """Errors are JSON whatever an operation answers on success: FastAPI files the error
    responses of a plain-text operation (the webhook's) under text/plain; move them."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for code in ("4XX", str(status.HTTP_422_UNPROCESSABLE_CONTENT)):
                response = operation.get("responses", {}).get(code) or {}
                content = response.get("content")
                if content and "application/json" not in content:
                    response["content"] = {"application/json": next(iter(content.values()))}


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of `app` take the documented shape (see the module docstring), and
    its OpenAPI document say so. The app must have been created with
    ``responses=ERROR_RESPONSES``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _errors_as_json(build())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]

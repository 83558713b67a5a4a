"""A route class whose 422 bodies say where and what is wrong, never the submitted input.

FastAPI's default validation error echoes the input, which on some routes holds secrets
(connection tokens) or personal data (a data-subject's phone or email).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute


class NoEchoRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                detail = [{"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")}
                          for e in exc.errors()]
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None

        return route

"""Rendering console pages: Jinja2 templates (autoescaped) with the message catalogue."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from api.console.messages import t

STATIC = "/console/static"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("api.console", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.globals["static"] = STATIC
    return env


def render(request: Request, template: str, *, lang: str = "es", status_code: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """The page `template` in `lang`; `_(key, **fields)` in templates is the catalogue."""

    def translate(key: str, **fields: object) -> str:
        return t(key, lang, **fields)

    page = environment().get_template(template).render(
        request=request, lang=lang, _=translate, **context)
    return HTMLResponse(page, status_code=status_code, headers=headers,
                        media_type="text/html; charset=utf-8")

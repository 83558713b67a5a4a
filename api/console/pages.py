"""Rendering console pages: Jinja2 templates (autoescaped) with the message catalogue."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from pydantic import ValidationError

from api.console.messages import t

if TYPE_CHECKING:
    from api.console.deps import Console

STATIC = "/console/static"


def local_time(value: datetime | None, tz: str, fmt: str = "%d/%m %H:%M") -> str:
    """A stored (UTC) time as the business's wall clock shows it."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("api.console", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.globals["static"] = STATIC
    env.globals["local_time"] = local_time
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


def page(request: Request, console: Console, template: str, *, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """A page of the signed-in console: the layout knows who is signed in, the business
    and its timezone, and the CSRF token its forms carry."""
    return render(request, template, lang=console.lang, status_code=status_code,
                  staff=console.staff, tenant=console.staff.tenant,
                  tz=console.staff.tenant.timezone, is_admin=console.is_admin,
                  csrf_input=Markup('<input type="hidden" name="csrf_token" value="{}">')
                  .format(escape(console.staff.csrf)), **context)


def refusal(request: Request, console: Console, exc: HTTPException) -> HTMLResponse:
    """An API refusal (404, 403...) as a console page saying why."""
    return page(request, console, "error.html", status_code=exc.status_code,
                message=reason(exc, console.lang))


def reason(exc: HTTPException | ValidationError, lang: str) -> str:
    """What a refusal says, for a person: a 404 in their language, else the route's text
    (the booking service's reasons are Spanish sentences), or the first invalid field."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        return t("error.invalid_field", lang, field=t(f"field.{field}", lang))
    if exc.status_code == 404:
        return t("error.not_found", lang)
    detail = exc.detail
    if isinstance(detail, list) and detail:
        first = detail[0]
        return str(first.get("msg", "")) if isinstance(first, dict) else str(first)
    return str(detail)


def back_to(path: str, done: str | None = None) -> RedirectResponse:
    """After a form: see the page again (POST/redirect/GET), with what happened."""
    target = f"{path}{'&' if '?' in path else '?'}done={done}" if done else path
    return RedirectResponse(target, status_code=303)

"""What a business puts on its site: the widget script, the full-page chat, the notice.

- `GET /widget.js`: one script. `<script src="https://HOST/widget.js" data-business="SLUG"
  async></script>` on any page adds the launcher button and the chat panel (in a shadow
  root, so neither page's CSS reaches the other). No build step, no CDN: it loads nothing
  but Mostrador's own endpoints.
- `GET /chat/{slug}`: the same widget, open on a page of its own (the link to share).
- `GET /privacy/{slug}`: a privacy notice generated from the business's settings, linked
  from the chat when the business has not set `privacy_notice_url`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import Session

from api.deps import SessionDep
from api.strict_input import StrictInputRoute
from crm.errors import NotFound
from crm.models import Tenant
from crm.services.privacy import privacy_settings
from crm.services.tenants import tenant_by_slug
from crm.services.training import training_settings

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)


@lru_cache(maxsize=1)
def templates() -> Environment:
    return Environment(loader=PackageLoader("api", "templates"),
                       autoescape=select_autoescape(["html"]))


@lru_cache(maxsize=1)
def _widget_source() -> bytes:
    return resources.files("api").joinpath("static/widget.js").read_bytes()


def _tenant(db: Session, slug: str) -> Tenant:
    try:
        return tenant_by_slug(db, slug=slug)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.") from None


def _language(request: Request) -> str:
    accepted = request.headers.get("accept-language", "es").lower()
    first = accepted.split(",")[0].strip()
    return "en" if first.startswith("en") else "es"


@router.get("/widget.js")
def widget_js() -> Response:
    return Response(_widget_source(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300",
                             "X-Content-Type-Options": "nosniff"})


@router.get("/chat/{tenant_slug}", response_class=HTMLResponse)
def chat_page(tenant_slug: str, request: Request, db: SessionDep) -> HTMLResponse:
    tenant = _tenant(db, tenant_slug)
    page = templates().get_template("chat_page.html").render(
        tenant=tenant, lang=_language(request))
    return HTMLResponse(page)


@router.get("/privacy/{tenant_slug}", response_class=HTMLResponse, name="privacy_notice")
def privacy_notice(tenant_slug: str, request: Request, db: SessionDep) -> HTMLResponse:
    tenant = _tenant(db, tenant_slug)
    training = training_settings(db, tenant=tenant)
    page = templates().get_template("privacy_notice.html").render(
        tenant=tenant, lang=_language(request),
        settings=privacy_settings(db, tenant_id=tenant.id),
        training=bool(training and training.training_enabled))
    return HTMLResponse(page)

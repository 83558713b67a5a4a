"""The API reference at `/docs`, with Swagger UI's assets served by Mostrador itself (a
machine with no internet shows it; FastAPI's default loads them from a CDN)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.strict_input import StrictInputRoute

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
_ASSETS = "/console/static/vendor/swagger-ui"


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Mostrador API",
                               swagger_js_url=f"{_ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{_ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{_ASSETS}/favicon-32x32.png")

"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep, QueueDep
from api.strict_input import StrictInputRoute

router = APIRouter(tags=["health"], route_class=StrictInputRoute)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(engine: EngineDep, queue: QueueDep) -> JSONResponse:
    """200 when the database (and Redis, when configured) answer; else 503 naming which."""
    checks: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        checks["database"] = "down"
    if queue is not None:
        checks["redis"] = "ok" if queue.ping() else "down"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status_code=status.HTTP_200_OK if ready
                        else status.HTTP_503_SERVICE_UNAVAILABLE)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text exposition format."""
    return Response(generate_latest(request.app.state.metrics),
                    media_type=CONTENT_TYPE_LATEST)

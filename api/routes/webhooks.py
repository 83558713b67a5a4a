"""Meta webhooks (WhatsApp Cloud API, Instagram, Messenger, Lead Ads): one URL for all.

`GET /webhooks/meta` answers Meta's subscription handshake; `POST /webhooks/meta` verifies,
dedupes and stores a delivery, hands the work to the processor and answers at once (Meta
expects a fast 200 and retries anything else for hours). The status codes live here; the
decisions are channels.receiver's.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep, ProcessorDep, SecretBoxDep, SessionDep, SettingsDep
from api.strict_input import bounded_route
from channels.receiver import Outcome, Receipt, receive
from crm.crypto import SecretBox
from crm.services.connections import verify_token_known
from crm.settings import Settings

MAX_BODY = 1_000_000  # Meta's batches are a few KB; anything near this is not Meta
router = APIRouter(tags=["webhooks"], route_class=bounded_route(MAX_BODY))


@router.get("/webhooks/meta", response_class=PlainTextResponse)
def verify_subscription(
    db: SessionDep, settings: SettingsDep, box: SecretBoxDep,
    mode: str | None = Query(None, alias="hub.mode"),
    token: str | None = Query(None, alias="hub.verify_token"),
    challenge: str | None = Query(None, alias="hub.challenge", max_length=256),
) -> PlainTextResponse:
    """Echo `hub.challenge` when `hub.verify_token` is a connection's verify token."""
    if mode == "subscribe" and token and challenge is not None and (
            verify_token_known(db, box=box, token=token) or _platform_token(settings, token)):
        return PlainTextResponse(challenge, headers={"X-Content-Type-Options": "nosniff"})
    raise HTTPException(status.HTTP_403_FORBIDDEN, "Verification failed.")


@router.post("/webhooks/meta", status_code=200, response_class=PlainTextResponse)
async def receive_webhook(request: Request, engine: EngineDep, settings: SettingsDep,
                          box: SecretBoxDep, processor: ProcessorDep) -> Response:
    """Verify X-Hub-Signature-256 on the raw body, store the event, answer 200 at once.

    401 for a missing or wrong signature, 400 for a signed body that is not a JSON object,
    200 for an unknown account (logged and dropped, so Meta stops retrying) and for
    duplicates (processed once already).
    """
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "Body too large.")
    signature = request.headers.get("x-hub-signature-256")
    receipt = await run_in_threadpool(_receive, engine, settings, box, body, signature)
    if receipt.outcome == Outcome.unauthorized:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid signature.")
    if receipt.outcome == Outcome.malformed:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Body is not a JSON object.")
    if receipt.work:
        processor.submit(receipt.work)
    return PlainTextResponse("EVENT_RECEIVED")


def _receive(engine: Engine, settings: Settings, box: SecretBox, body: bytes,
             signature: str | None) -> Receipt:
    with Session(engine, expire_on_commit=False) as db:
        return receive(db, settings=settings, box=box, body=body, signature=signature)


def _platform_token(settings: Settings, token: str) -> bool:
    expected = settings.meta_verify_token
    return expected is not None and hmac.compare_digest(
        expected.get_secret_value().encode(), token.encode())

"""Channel connections (admin only): connect WhatsApp, Instagram, Messenger and Lead Ads.

Secrets go in once and never come out: the list shows a masked access token and whether
the other secrets are set. Like every error of the API (api.http_errors), a validation error
never echoes the submitted values (here, tokens).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field, SecretStr

from api.deps import Actor, ConfigWriter, SecretBoxDep, SessionDep
from api.http_errors import unprocessable
from api.strict_input import StrictInputRoute
from crm.errors import AlreadyExists, NotFound
from crm.models import ChannelConnectionPublic, ChannelKind
from crm.services.connections import (
    create_connection,
    delete_connection,
    list_connections,
    public,
)

ACCOUNT_ID = r"^[0-9]{1,64}$"


router = APIRouter(prefix="/v1/connections", tags=["channels"], route_class=StrictInputRoute)


class _Secrets(BaseModel):
    app_secret: SecretStr | None = Field(
        default=None, description="The Meta app's secret; omit when the business connected "
        "through the platform's app (MOSTRADOR_META_APP_SECRET)")
    verify_token: SecretStr = Field(description="The webhook verify token you chose")


class WhatsAppIn(_Secrets):
    phone_number_id: str = Field(pattern=ACCOUNT_ID)
    access_token: SecretStr
    template_name: str | None = Field(default=None, max_length=512, description=(
        "Approved template sent when the 24-hour window is closed"))
    template_language: str | None = Field(default=None, max_length=16)
    otp_template_name: str | None = Field(default=None, max_length=512, description=(
        "Approved copy-code authentication template for one-time verification codes"))
    otp_template_language: str | None = Field(default=None, max_length=16)


class InstagramIn(_Secrets):
    account_id: str = Field(pattern=ACCOUNT_ID)
    page_token: SecretStr


class MessengerIn(_Secrets):
    page_id: str = Field(pattern=ACCOUNT_ID)
    page_token: SecretStr


class LeadAdsIn(_Secrets):
    page_id: str = Field(pattern=ACCOUNT_ID)
    page_token: SecretStr
    seller_emails: list[str] = Field(default_factory=list, description=(
        "Sellers the leads rotate among; empty: every active seller"))


def _create(db: SessionDep, box: SecretBoxDep, actor: Actor, kind: ChannelKind,
            account_id: str, token: SecretStr, body: _Secrets,
            **extra: Any) -> ChannelConnectionPublic:
    try:
        connection = create_connection(
            db, box=box, tenant=actor.tenant, kind=kind, account_id=account_id,
            access_token=token.get_secret_value(),
            verify_token=body.verify_token.get_secret_value(),
            app_secret=body.app_secret.get_secret_value() if body.app_secret else None,
            **extra)
    except AlreadyExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except NotFound as exc:
        raise unprocessable(str(exc), loc=("body", "seller_emails")) from None
    actor.audit(db, action="connection.create", resource_type="connection",
                resource_ids=[connection.id], details={"kind": kind.value})
    db.commit()
    return public(connection)


@router.post("/whatsapp", status_code=201, response_model=ChannelConnectionPublic)
def connect_whatsapp(body: WhatsAppIn, db: SessionDep, box: SecretBoxDep,
                     actor: ConfigWriter) -> ChannelConnectionPublic:
    return _create(db, box, actor, ChannelKind.whatsapp, body.phone_number_id,
                   body.access_token, body, template_name=body.template_name,
                   template_language=body.template_language,
                   otp_template_name=body.otp_template_name,
                   otp_template_language=body.otp_template_language)


@router.post("/instagram", status_code=201, response_model=ChannelConnectionPublic)
def connect_instagram(body: InstagramIn, db: SessionDep, box: SecretBoxDep,
                     actor: ConfigWriter) -> ChannelConnectionPublic:
    return _create(db, box, actor, ChannelKind.instagram, body.account_id, body.page_token,
                   body)


@router.post("/messenger", status_code=201, response_model=ChannelConnectionPublic)
def connect_messenger(body: MessengerIn, db: SessionDep, box: SecretBoxDep,
                     actor: ConfigWriter) -> ChannelConnectionPublic:
    return _create(db, box, actor, ChannelKind.messenger, body.page_id, body.page_token, body)


@router.post("/lead-ads", status_code=201, response_model=ChannelConnectionPublic)
def connect_lead_ads(body: LeadAdsIn, db: SessionDep, box: SecretBoxDep,
                     actor: ConfigWriter) -> ChannelConnectionPublic:
    return _create(db, box, actor, ChannelKind.lead_ads, body.page_id, body.page_token, body,
                   seller_emails=body.seller_emails)


@router.get("", response_model=list[ChannelConnectionPublic])
def get_connections(db: SessionDep, actor: ConfigWriter) -> list[ChannelConnectionPublic]:
    return [public(c) for c in list_connections(db, tenant=actor.tenant)]


@router.delete("/{connection_id}", status_code=204)
def remove_connection(connection_id: str, db: SessionDep, actor: ConfigWriter) -> Response:
    try:
        delete_connection(db, tenant=actor.tenant, connection_id=connection_id)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such connection.") from None
    actor.audit(db, action="connection.delete", resource_type="connection",
                resource_ids=[connection_id])
    db.commit()
    return Response(status_code=204)

"""FastAPI dependencies as Annotated aliases; routes never reach for engines or globals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.runtime import AgentRuntime
from channels.durable.streams import Queue
from channels.receiver import Handoff
from crm.crypto import SecretBox, box_for
from crm.models import Role, Tenant, User
from crm.services.tokens import user_for_token
from crm.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine_dep(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine_dep)]) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def get_runtime(request: Request) -> AgentRuntime:
    runtime: AgentRuntime = request.app.state.runtime
    return runtime


def get_processor(request: Request) -> Handoff:
    processor: Handoff = request.app.state.processor
    return processor


def get_queue(request: Request) -> Queue | None:
    """The durable queue when MOSTRADOR_REDIS_URL is set, else None (in-process path)."""
    queue: Queue | None = getattr(request.app.state, "queue", None)
    return queue


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
RuntimeDep = Annotated[AgentRuntime, Depends(get_runtime)]
ProcessorDep = Annotated[Handoff, Depends(get_processor)]
QueueDep = Annotated[Queue | None, Depends(get_queue)]


def get_secret_box(settings: SettingsDep) -> SecretBox:
    return box_for(settings)


SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
_bearer = HTTPBearer(auto_error=False, description="A staff API token (mostrador users token)")


def get_current_user(
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Missing bearer token.",
                            headers={"WWW-Authenticate": "Bearer"})
    user = user_for_token(db, token=credentials.credentials)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid or revoked token.",
                            headers={"WWW-Authenticate": "Bearer"})
    if db.dirty:
        db.commit()  # last_used_at
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_admin(user: CurrentUser) -> User:
    if user.role != Role.admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This needs an admin token.")
    return user


AdminUser = Annotated[User, Depends(get_admin)]


def get_user_tenant(db: SessionDep, user: CurrentUser) -> Tenant:
    tenant = db.get(Tenant, user.tenant_id)
    assert tenant is not None  # FK
    return tenant


TenantDep = Annotated[Tenant, Depends(get_user_tenant)]

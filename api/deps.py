"""FastAPI dependencies as Annotated aliases; routes never reach for engines or globals.

Staff routes take an ``Actor`` through an alias naming the scope they need (``CrmReader``,
``ConfigWriter``, ``PrivacyManager``...): authentication, the business the request acts in
(an operator names it in the ``X-Mostrador-Tenant`` header), the scope check (403) and the
audit of token use and operator access all happen here. Seller scoping (only the leads
assigned to them) is the routes' job, through ``api.scoping``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.runtime import AgentRuntime
from api.chat_events import ChatEvents
from api.chat_limits import ChatLimiter
from channels.context import ChannelContext
from channels.durable.streams import Queue
from channels.receiver import Handoff
from crm.crypto import SecretBox, box_for
from crm.models import ROLE_SCOPES, ApiToken, AuditEvent, Role, Scope, Tenant, User
from crm.services.audit import record_event
from crm.services.tokens import authenticate, effective_scopes
from crm.settings import Settings
from privacy.context import PrivacyContext


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


def get_chat_limiter(request: Request) -> ChatLimiter:
    limiter: ChatLimiter = request.app.state.chat_limiter
    return limiter


def get_chat_events(request: Request) -> ChatEvents:
    events: ChatEvents = request.app.state.chat_events
    return events


def privacy_context(request: Request) -> PrivacyContext:
    """One PrivacyContext per app, built on first use (the erasure ledger opens then)."""
    state = request.app.state
    ctx: PrivacyContext | None = getattr(state, "privacy", None)
    if ctx is None:
        ctx = PrivacyContext.build(state.settings, state.engine,
                                   queue=getattr(state, "queue", None))
        state.privacy = ctx
    return ctx


def get_channels(request: Request) -> ChannelContext:
    """What sending through the channels needs (Graph client, secrets, the runtime)."""
    ctx: ChannelContext = request.app.state.channels
    return ctx


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
RuntimeDep = Annotated[AgentRuntime, Depends(get_runtime)]
ProcessorDep = Annotated[Handoff, Depends(get_processor)]
QueueDep = Annotated[Queue | None, Depends(get_queue)]
ChatLimiterDep = Annotated[ChatLimiter, Depends(get_chat_limiter)]
ChatEventsDep = Annotated[ChatEvents, Depends(get_chat_events)]
ChannelsDep = Annotated[ChannelContext, Depends(get_channels)]
PrivacyDep = Annotated[PrivacyContext, Depends(privacy_context)]


def get_secret_box(settings: SettingsDep) -> SecretBox:
    return box_for(settings)


SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
_bearer = HTTPBearer(auto_error=False, description="A staff API token (mostrador users token)")
TENANT_HEADER = "X-Mostrador-Tenant"


@dataclass(frozen=True)
class Actor:
    """Who is calling: a staff user (or platform operator), acting in one business, with the
    scopes of their token within their role's."""

    user: User
    role: Role
    tenant: Tenant
    scopes: frozenset[Scope]
    token_id: str
    source: str | None  # the client's address, for the audit log

    @property
    def tenant_id(self) -> str:
        return self.tenant.id

    @property
    def is_operator(self) -> bool:
        return self.role == Role.operator

    @property
    def sees_every_lead(self) -> bool:
        """Admins and operators see the whole business; sellers their assigned leads."""
        return self.role in (Role.admin, Role.operator)

    @property
    def actor_kind(self) -> str:
        return "operator" if self.is_operator else "user"

    def audit(self, db: Session, *, action: str, resource_type: str,
              resource_ids: Sequence[str] = (), details: dict[str, Any] | None = None
              ) -> AuditEvent:
        """Append an event by this actor to the business's audit chain (flushed)."""
        return record_event(db, action=action, actor_kind=self.actor_kind,
                            actor_id=self.user.id, tenant_id=self.tenant.id,
                            resource_type=resource_type, resource_ids=resource_ids,
                            details=details, source=self.source)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail,
                         headers={"WWW-Authenticate": "Bearer"})


def _authenticate(request: Request, db: Session,
                  credentials: HTTPAuthorizationCredentials | None
                  ) -> tuple[User, ApiToken, bool, str | None]:
    """(user, token, first use in a while, source) of a valid bearer token, else 401;
    refusals of real tokens are audited."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("Missing bearer token.")
    source = client_address(request)
    check = authenticate(db, token=credentials.credentials)
    if not check.ok:
        if check.token is not None:  # a real token, refused: worth a trace
            user = check.user
            record_event(db, action="auth.denied", actor_kind="user",
                         actor_id=user.id if user else None,
                         tenant_id=user.tenant_id if user else None, resource_type="token",
                         resource_ids=[check.token.id], details={"reason": check.status},
                         source=source)
            db.commit()
        raise _unauthorized({"revoked": "This token was revoked.",
                             "expired": "This token expired; ask an admin for a new one.",
                             "inactive": "This user is deactivated."}.get(
                                 check.status, "Invalid token."))
    assert check.token is not None and check.user is not None
    return check.user, check.token, check.new_session, source


def get_actor(
    request: Request,
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """Authenticate the bearer token; audit token use, refusals of known tokens and every
    operator request."""
    user, token, new_session, source = _authenticate(request, db, credentials)
    if user.role == Role.operator:
        slug = request.headers.get(TENANT_HEADER)
        if not slug:
            raise HTTPException(status.HTTP_400_BAD_REQUEST,
                                f"Operators name the business in the {TENANT_HEADER} header "
                                "(its slug).")
        tenant = db.exec(select(Tenant).where(Tenant.slug == slug)).first()
        if tenant is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown business.")
    else:
        found = db.get(Tenant, user.tenant_id) if user.tenant_id else None
        if found is None:
            raise _unauthorized("This token's business no longer exists.")
        tenant = found
    actor = Actor(user=user, role=user.role, tenant=tenant,
                  scopes=effective_scopes(token, user), token_id=token.id, source=source)
    if new_session:
        actor.audit(db, action="auth.token_use", resource_type="token", resource_ids=[token.id])
    if actor.is_operator:
        route = request.scope.get("route")
        actor.audit(db, action="operator.access", resource_type="route",
                    details={"method": request.method,
                             "route": getattr(route, "path", "?")})
    # End the transaction either way: on SQLite it holds the writer lock, and a background
    # task of this request (an export) must be able to write.
    db.commit()
    return actor


@dataclass(frozen=True)
class Operator:
    """A platform operator acting on the platform itself (creating businesses)."""

    user: User
    source: str | None


def get_operator(
    request: Request,
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Operator:
    """An operator's token (403 for anyone else), audited in the platform's chain."""
    user, token, _, source = _authenticate(request, db, credentials)
    if user.role != Role.operator:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only platform operators do this.")
    route = request.scope.get("route")
    record_event(db, action="operator.access", actor_kind="operator", actor_id=user.id,
                 resource_type="route", resource_ids=[token.id],
                 details={"method": request.method, "route": getattr(route, "path", "?")},
                 source=source)
    db.commit()
    return Operator(user=user, source=source)


OperatorDep = Annotated[Operator, Depends(get_operator)]


CurrentActor = Annotated[Actor, Depends(get_actor)]


def requires(scope: Scope) -> Callable[[Actor], Actor]:
    """A dependency that lets through actors whose token has `scope` (else 403)."""

    def check(actor: CurrentActor) -> Actor:
        if scope not in actor.scopes:
            holders = sorted(r.value for r, s in ROLE_SCOPES.items() if scope in s)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"This needs the {scope.value} scope ({', '.join(holders)}); this token "
                f"has {sorted(s.value for s in actor.scopes) or 'none'}.")
        return actor

    return check


CrmReader = Annotated[Actor, Depends(requires(Scope.crm_read))]
CrmWriter = Annotated[Actor, Depends(requires(Scope.crm_write))]
BusinessReader = Annotated[Actor, Depends(requires(Scope.business_read))]
ConfigWriter = Annotated[Actor, Depends(requires(Scope.config_write))]
UsersManager = Annotated[Actor, Depends(requires(Scope.users_manage))]
PrivacyManager = Annotated[Actor, Depends(requires(Scope.privacy_manage))]
AuditReader = Annotated[Actor, Depends(requires(Scope.audit_read))]
CorpusExporter = Annotated[Actor, Depends(requires(Scope.corpus_export))]

"""The FastAPI application."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from agent.runtime import AgentRuntime
from api.chat_events import MemoryChatEvents, RedisChatEvents
from api.chat_limits import ChatLimiter, RedisWindows
from api.console import auth as console_auth
from api.console.auth import SignInRequired, login_redirect
from api.console.router import router as console_router
from api.http_errors import ERROR_RESPONSES, install_error_handlers
from api.logging_setup import configure_logging
from api.routes import (
    appointments,
    audit,
    business,
    chat,
    connections,
    corpus,
    docs,
    events,
    health,
    inbox,
    metrics,
    operator,
    privacy,
    privacy_settings,
    staff,
    users,
    webhooks,
    widget,
)
from api.widget_cors import OriginCache, WidgetCors
from channels.context import ChannelContext
from channels.durable.handoff import QueueHandoff
from channels.durable.metrics import TurnMetrics, build_registry
from channels.durable.streams import Queue
from channels.verification import ChannelCodeDelivery
from channels.worker import Processor
from crm.db import get_engine, init_db
from crm.settings import Settings, get_settings


def create_app(settings: Settings | None = None, runtime: AgentRuntime | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, redaction=settings.log_redaction)
    engine = runtime.engine if runtime else get_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        init_db(engine)
        # The imported libraries leave ~10^6 long-lived objects; moving them out of the
        # collector's view keeps full collections from pausing turns for 100+ ms.
        gc.collect()
        gc.freeze()
        app.state.runtime.observer = TurnMetrics()
        processor: Processor | QueueHandoff
        channels = ChannelContext.build(settings, engine, app.state.runtime)
        app.state.channels = channels  # staff replies go out through it (either path)
        if app.state.queue is not None:
            # Durable path: webhooks and web chat messages go to Redis; workers run them.
            processor = QueueHandoff(app.state.queue)
        else:
            # Channel work (agent turns, replies, leads) runs here, never in the request path.
            processor = Processor(channels)
            processor.redrive()
        app.state.processor = processor
        try:
            yield
        finally:
            processor.stop()
            channels.graph.close()

    app = FastAPI(
        title="Mostrador",
        version="0.1.0",
        description="AI sales-and-service agents for small businesses, Spanish first.",
        lifespan=lifespan,
        docs_url=None,  # api.routes.docs serves it with local assets (no CDN)
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)
    app.state.settings = settings
    app.state.engine = engine
    app.state.runtime = runtime or AgentRuntime(
        settings, engine, code_delivery=ChannelCodeDelivery(settings))
    app.state.queue = Queue.from_settings(settings) if settings.redis_url else None
    app.state.metrics = build_registry(app.state.queue)
    app.state.chat_limiter = chat_limiter(settings, app.state.queue)
    app.state.chat_events = (RedisChatEvents(app.state.queue, settings.redis_url)
                             if app.state.queue is not None and settings.redis_url
                             else MemoryChatEvents())
    app.add_middleware(WidgetCors, cache=OriginCache(engine))
    app.mount("/console/static", StaticFiles(packages=[("api.console", "static")]),
              name="console-static")
    app.add_exception_handler(SignInRequired, _sign_in)  # type: ignore[arg-type]
    app.include_router(console_auth.router)
    app.include_router(console_router)
    app.include_router(docs.router)
    app.include_router(chat.router)
    app.include_router(widget.router)
    app.include_router(events.router)
    app.include_router(staff.router)
    app.include_router(inbox.router)
    app.include_router(appointments.router)
    app.include_router(metrics.router)
    app.include_router(users.router)
    app.include_router(operator.router)
    app.include_router(audit.router)
    app.include_router(business.router)
    app.include_router(connections.router)
    app.include_router(corpus.router)
    app.include_router(privacy.router)
    app.include_router(privacy_settings.router)
    app.include_router(webhooks.router)
    app.include_router(health.router)
    return app


def chat_limiter(settings: Settings, queue: Queue | None) -> ChatLimiter:
    """The web chat's rate limits: in Redis with the durable queue, else in this process."""
    secret = hashlib.sha256(b"mostrador/chat-limits/v1\x00"
                            + settings.secret_key.get_secret_value().encode()).digest()
    windows = RedisWindows(queue.client, prefix=queue.prefix) if queue is not None else None
    return ChatLimiter(secret=secret, per_ip_per_minute=settings.chat_rate_per_ip_per_minute,
                       messages_per_session_per_minute=(
                           settings.chat_messages_per_session_per_minute),
                       sessions_per_ip_per_hour=settings.chat_sessions_per_ip_per_hour,
                       redis_windows=windows)


async def _sign_in(request: Request, exc: SignInRequired) -> Response:
    """A console page without a live session: to the sign-in form, and back afterwards."""
    return login_redirect(request, exc.next_path)

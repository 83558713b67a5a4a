"""What the runtime hands every tool: the current tenant, contact and conversation.

The model never passes a tenant or contact id; tools read them from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from crm.crypto import SecretBox
from crm.models import Contact, Conversation, Tenant
from crm.services.verification import CodeDelivery


@dataclass(kw_only=True)
class ToolContext:
    db: Session
    tenant: Tenant
    contact: Contact
    conversation: Conversation
    now: datetime  # aware; the turn's clock (tests pin it)
    utm: dict[str, str] = field(default_factory=dict)  # kept on the lead this turn creates
    box: SecretBox | None = None  # keyed hashes (one-time codes)
    code_delivery: CodeDelivery | None = None  # how this deployment sends one-time codes
    # What the customer wrote in this conversation (the loaded window): contact details a
    # model saves must come from it (tools.provenance). None: not checked (staff, scripts).
    customer_texts: tuple[str, ...] | None = None
    # The customer's latest messages (what this turn answers): a day the model passes must
    # be a weekday they named, if they named one (tools.scheduling).
    turn_texts: tuple[str, ...] = ()
    # Effects that must not run inside a transaction (sending a code): the runtime runs
    # them after the step that queued them is committed.
    after_commit: list[Callable[[], None]] = field(default_factory=list, repr=False)
    # ToolNode runs one message's tool calls in threads; they share `db`, which is not
    # thread-safe, so tool bodies take this lock.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.timezone)

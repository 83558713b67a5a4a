"""The tools by name, in the order the model sees them."""

from __future__ import annotations

from langchain_core.tools import BaseTool

from tools.catalogue import business_info, list_services
from tools.contact import save_contact_details
from tools.handoff import request_human
from tools.privacy import record_training_objection
from tools.scheduling import (
    book_appointment,
    cancel_appointment,
    check_availability,
    reschedule_appointment,
)
from tools.verification import send_verification_code, verify_code

ALL_TOOL_FUNCTIONS: tuple[BaseTool, ...] = (
    list_services,
    check_availability,
    book_appointment,
    reschedule_appointment,
    cancel_appointment,
    save_contact_details,
    business_info,
    request_human,
    record_training_objection,
    send_verification_code,
    verify_code,
)
_BY_NAME = {t.name: t for t in ALL_TOOL_FUNCTIONS}


def tools_named(names: list[str] | tuple[str, ...]) -> list[BaseTool]:
    """The tools among `names` that exist, in canonical order."""
    wanted = set(names)
    return [t for t in ALL_TOOL_FUNCTIONS if t.name in wanted]

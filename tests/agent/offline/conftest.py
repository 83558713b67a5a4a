"""Fixtures for the offline model tests (helpers live in offline_support.py)."""

from __future__ import annotations

import pytest

from agent.offline import OfflineChatModel
from agent.profile import AgentProfile
from tests.agent.offline.offline_support import Chat, make_profile


@pytest.fixture
def profile() -> AgentProfile:
    return make_profile()


@pytest.fixture
def chat(profile: AgentProfile) -> Chat:
    """A web visitor nobody knows yet."""
    return Chat(OfflineChatModel(agent_profile=profile))


@pytest.fixture
def whatsapp_chat() -> Chat:
    """A WhatsApp contact: the phone is known, the name is not."""
    return Chat(OfflineChatModel(agent_profile=make_profile(contact_phone="+5491155551234")))

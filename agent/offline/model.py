"""`OfflineChatModel`: the embedded default chat model, used when no API key is set.

It is not an LLM. It is a deterministic, rule-based model that plugs into the same agent
loop (`langchain.agents.create_agent`) and emits real tool calls, so a newcomer can see the
whole product work offline and tests are reproducible. Each call rebuilds the conversation
state from the messages (`state.rebuild`) and then either reacts to the tool result that
ends the list (`results.after_tool`) or to the user's message (`policy.decide`).

The business facts come from an `AgentProfile`: the `agent_profile` field when set (unit
tests; `OfflineChatModel(profile=...)` is accepted as an alias), otherwise
`get_runtime(TurnContext).context.profile` inside the agent graph.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import SkipValidation, model_validator

from agent.offline import dates
from agent.offline.policy import Call, Reply, Turn, decide
from agent.offline.replies import say
from agent.offline.results import after_tool
from agent.offline.state import ConversationState, rebuild
from agent.profile import AgentProfile
from crm.models.tenant import ALL_TOOLS

logger = logging.getLogger(__name__)

# More tool calls than this in one turn means we are going round in circles: answer instead.
MAX_CALLS_PER_TURN = 6


class MissingProfileError(RuntimeError):
    """The model was called with no `agent_profile` and outside a graph with a TurnContext.

    An operator/programming error: construct `OfflineChatModel(agent_profile=...)`, or run it
    inside `create_agent(..., context_schema=TurnContext)` invoked with `context=`.
    """


class OfflineChatModel(BaseChatModel):
    """A deterministic Spanish/English chat model for the Mostrador agent loop.

    Contract: the same messages and profile always give the same `AIMessage`: either one
    tool call (`content=""`, id `call_<number of messages>`) to a tool that is bound, or a
    non-empty reply text.
    """

    agent_profile: Annotated[AgentProfile | None, SkipValidation()] = None
    # Tools bound with `bind_tools`; None (never bound) means every tool in ALL_TOOLS.
    tool_names: tuple[str, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _profile_alias(cls, data: Any) -> Any:
        # BaseChatModel.profile is LangChain's ModelProfile (capabilities) and create_agent
        # reads it, so the AgentProfile lives in `agent_profile`; `profile=` is an alias.
        if isinstance(data, dict) and isinstance(data.get("profile"), AgentProfile):
            data = {**data, "agent_profile": data["profile"]}
            del data["profile"]
        return data

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        dates.warm_up()

    @property
    def _llm_type(self) -> str:
        return "mostrador-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": "offline", "tools": self.tool_names}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """A copy of this model that only calls the given tools (others are disabled)."""
        names = tuple(
            t.name if isinstance(t, BaseTool) else convert_to_openai_tool(t)["function"]["name"]
            for t in tools
        )
        return self.model_copy(update={"tool_names": names})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        profile = self.agent_profile or _runtime_profile()
        tools = frozenset(ALL_TOOLS if self.tool_names is None else self.tool_names)
        message = respond(messages, profile, tools)
        logger.debug(
            "offline model: %d messages -> %s",
            len(messages),
            message.tool_calls[0]["name"] if message.tool_calls else "reply",
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


def respond(
    messages: Sequence[BaseMessage], profile: AgentProfile, tools: frozenset[str]
) -> AIMessage:
    """The model's answer to `messages` (see `OfflineChatModel`)."""
    state = rebuild(messages, profile)
    turn = Turn(profile=profile, tools=tools)
    last = messages[-1] if messages else None
    if isinstance(last, ToolMessage) and state.last_result is not None:
        action = after_tool(state, turn)
    elif isinstance(last, HumanMessage):
        action = decide(state, turn)
    else:
        action = Reply(say("fallback", state.lang))
    if isinstance(action, Call):
        looping = len(state.turn_calls) >= MAX_CALLS_PER_TURN
        if looping or state.called(action.name, action.args) or action.name not in tools:
            action = Reply(say("error", state.lang, error="No pude completar el pedido."))
        else:
            call = {"name": action.name, "args": action.args, "id": _call_id(messages)}
            return AIMessage(content="", tool_calls=[call])
    return AIMessage(content=_with_hello(state, profile, action.text))


def _call_id(messages: Sequence[BaseMessage]) -> str:
    """Deterministic and unique within a conversation, even once the history window is full."""
    digest = hashlib.sha1(usedforsecurity=False)
    for message in messages:
        digest.update(f"{message.type}\x00{message.content}\x00".encode())
    return f"call_{len(messages)}_{digest.hexdigest()[:10]}"


def _with_hello(state: ConversationState, profile: AgentProfile, text: str) -> str:
    """Greet back when the user's message opened with a greeting and we answer something."""
    if "greeting" not in state.intents or text == profile.greeting or text.startswith(
        ("¡Hola", "Hi", "Hola")
    ):
        return text
    name = state.name or state.saved.get("name") or profile.contact_name
    hello = say("hello", state.lang, who=f", {name.split()[0]}" if name else "")
    return hello + text


def _runtime_profile() -> AgentProfile:
    from langgraph.runtime import get_runtime

    from agent.context import TurnContext

    try:
        context = get_runtime(TurnContext).context
    except RuntimeError as exc:
        raise MissingProfileError("OfflineChatModel needs agent_profile or a TurnContext") from exc
    profile = getattr(context, "profile", None)
    if not isinstance(profile, AgentProfile):
        raise MissingProfileError("the runtime context has no AgentProfile in .profile")
    return profile

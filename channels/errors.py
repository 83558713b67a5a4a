"""Channel errors, grouped by who must act.

    ChannelError
    ├── ChannelConfigError     the operator: a setting or connection is missing or wrong
    │                          (the message says which and how to fix it)
    └── GraphError             the run: a Graph API call failed (status, Meta error code)
        ├── GraphUnavailable   5xx, 429 or a network failure, still failing after retries
        │                      (`maybe_sent`: the request may have reached Meta)
        └── GraphRejected      a 4xx Meta refuses for good (policy, permission, window);
                               never retried
    ReplyNotSent               the run: the reply could not be sent for a transient reason
                               (the durable queue retries the item, then dead-letters it)

Messages carry ids and codes only: never a token, a phone number or message text.
"""

from __future__ import annotations


class ChannelError(Exception):
    pass


class ChannelConfigError(ChannelError):
    pass


class GraphError(ChannelError):
    def __init__(self, message: str, *, status: int | None = None,
                 code: int | str | None = None, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.maybe_sent = maybe_sent

    @property
    def error_code(self) -> str:
        """A short code for storage: Meta's error code, else the HTTP status, else 'network'."""
        if self.code is not None:
            return str(self.code)[:32]
        return str(self.status) if self.status is not None else "network"


class GraphUnavailable(GraphError):
    pass


class GraphRejected(GraphError):
    pass


class ReplyNotSent(ChannelError):
    def __init__(self, error_code: str) -> None:
        super().__init__(f"reply not sent: {error_code}")
        self.error_code = error_code

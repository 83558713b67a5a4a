"""How tool results are shaped for the model, and the guard every tool body runs under."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Callable
from typing import Any, ParamSpec

from crm.errors import ToolArgumentError

log = logging.getLogger("mostrador.tools")
P = ParamSpec("P")


def ok(**payload: Any) -> str:
    return json.dumps({"ok": True, **payload}, ensure_ascii=False, default=str)


def error(exc: ToolArgumentError) -> str:
    body: dict[str, Any] = {"ok": False, "error": exc.message, "code": exc.code}
    if exc.alternatives:
        body["alternatives"] = exc.alternatives
    return json.dumps(body, ensure_ascii=False)


def guarded(fn: Callable[P, str]) -> Callable[P, str]:
    """Run the body under the turn's lock; turn correctable CRM errors into error results."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        runtime: Any = kwargs.get("runtime")
        lock = runtime.context.lock if runtime is not None else contextlib.nullcontext()
        with lock:
            try:
                return fn(*args, **kwargs)
            except ToolArgumentError as exc:
                log.info("tool %s refused: %s", fn.__name__, exc.code)
                return error(exc)

    return wrapper

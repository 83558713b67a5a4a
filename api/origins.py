"""Web origins a business lets embed its chat widget (`widget_origins`), and matching.

A pattern is an origin (`https://shop.example`, `http://localhost:8080`), an origin with
any port (`http://localhost:*`), or one with any subdomain (`https://*.shop.example`,
which does not match `https://shop.example` itself). Default ports are implied
(`https://shop.example` is `https://shop.example:443`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*"
_PATTERN = re.compile(rf"^(https?)://({_HOST}|\[[0-9a-f:]+\])(?::(\*|[0-9]{{1,5}}))?$")
_ORIGIN = re.compile(r"^(https?)://([a-z0-9.\-]+|\[[0-9a-f:]+\])(?::([0-9]{1,5}))?$")


def normalize_pattern(text: str) -> str:
    """The canonical form of an origin pattern; raises ValueError saying what is wrong."""
    value = text.strip().lower().rstrip("/")
    match = _PATTERN.match(value)
    if match is None:
        raise ValueError("an origin is scheme://host[:port] with no path, e.g. "
                         "https://shop.example, http://localhost:* or https://*.shop.example")
    scheme, host, port = match.groups()
    if port and port != "*" and not 0 < int(port) < 65536:
        raise ValueError("the port must be between 1 and 65535 (or *)")
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def origin_allowed(origin: str, patterns: Iterable[str]) -> bool:
    """Whether the browser's Origin header value matches one of `patterns`."""
    match = _ORIGIN.match(origin.strip().lower())
    if match is None:
        return False
    scheme, host, port = match.groups()
    port = port or _DEFAULT_PORTS[scheme]
    for raw in patterns:
        try:
            pattern = normalize_pattern(raw)
        except ValueError:
            continue
        found = _PATTERN.match(pattern)
        assert found is not None
        p_scheme, p_host, p_port = found.groups()
        if p_scheme != scheme or (p_port != "*" and (p_port or _DEFAULT_PORTS[p_scheme]) != port):
            continue
        if p_host.startswith("*."):
            if host.endswith(p_host[1:]) and len(host) > len(p_host) - 1:
                return True
        elif p_host == host:
            return True
    return False

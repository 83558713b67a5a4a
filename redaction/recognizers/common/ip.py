"""IPv4 and IPv6 addresses, validated with the standard library."""

from __future__ import annotations

import ipaddress
import re

from presidio_analyzer import Pattern

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.priority import SHAPE


class IpAddressRecognizer(LocalPatternRecognizer):
    """IPv4 dotted quads and IPv6 (full or compressed)."""

    ENTITY = "IP_ADDRESS"
    PRIORITY = SHAPE
    PATTERNS = [
        Pattern("IPv4", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)", 0.6),
        Pattern(
            "IPv6",
            r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*(?![\w:])",
            0.5,
        ),
    ]
    CONTEXT = ["ip", "direccion ip", "router", "servidor", "conecto"]
    # "versión 10.2.3.4", "firmware 4.1.0.12": a version, not an address.
    NEGATIVE_CONTEXT = ["version", "ver", "v", "firmware", "build", "release", "actualizacion"]
    NEGATIVE_WINDOW = 15
    PREFILTER = re.compile(r"\d\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]*:")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Only real addresses; IPv6 needs at least one hex letter or '::' to beat times."""
        try:
            ipaddress.ip_address(pattern_text)
        except ValueError:
            return False
        if ":" in pattern_text and pattern_text.count(":") < 3 and "::" not in pattern_text:
            return False
        return None

"""Process logging: one line per event, key=value, ids and counts only (never PII).

``configure_logging`` installs one stream handler on the root logger and, unless
``MOSTRADOR_LOG_REDACTION=false``, the PII scrubber (``api.log_redaction``) that every record
passes through before any handler sees it. Uvicorn's loggers propagate to the root (``serve``
runs uvicorn with ``log_config=None``), so its lines take the same path.
"""

from __future__ import annotations

import logging

from api import log_redaction

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str = "INFO", *, redaction: bool = True) -> logging.Handler:
    """Idempotent; returns Mostrador's handler on the root logger."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_mostrador", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._mostrador = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs full request URLs at INFO; keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Presidio logs every analyzer call at INFO ("Fetching all recognizers..."): noise.
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if redaction:
        log_redaction.install()
    else:
        log_redaction.uninstall()
    return handler

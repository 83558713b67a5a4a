"""The ``mostrador`` command's entry point.

Commands of packages that stand alone (``redact``, ``redaction …``) start without loading
the app (FastAPI, the CRM, LangChain): ``mostrador redact`` answers in about the time
Presidio takes to import. Every other command goes to :mod:`api.cli`.
"""

from __future__ import annotations

import sys

_STANDALONE = frozenset({"redact", "redaction"})


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in _STANDALONE:
        from redaction.cli import standalone_app

        try:
            standalone_app()(prog_name="mostrador")
        except KeyboardInterrupt:
            sys.exit(130)
        return
    from api.cli import main as full

    full()

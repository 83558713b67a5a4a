"""Errors of the training corpus, grouped by who must act.

    CorpusError
    ├── ExportArgumentError   the caller: a bad format, filter or split (CLI: exit 2; API: 422)
    └── CorpusUnavailable     the operator: the corpus database cannot be reached or created
"""

from __future__ import annotations


class CorpusError(Exception):
    """Base of every corpus error."""


class ExportArgumentError(CorpusError):
    """A format, filter or split the exporter cannot use; the message says which."""


class CorpusUnavailable(CorpusError):
    """Says which setting to fix (MOSTRADOR_CORPUS_URL)."""

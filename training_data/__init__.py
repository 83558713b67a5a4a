"""The anonymized training corpus and its exports for the ML team.

* :class:`Intake` — closed conversations of consenting contacts of opted-in businesses,
  anonymized with :mod:`redaction`, quality-gated, into the corpus tables
  (``mostrador corpus ingest``, from cron).
* :func:`export_corpus` — OpenAI fine-tuning JSONL, Parquet or Mostrador JSONL, filtered and
  split, with a dataset card (``mostrador corpus export``, ``POST /v1/corpus/exports``).
* :func:`erase_contact` — remove a contact's records (objection, erasure request).
* :func:`corpus_stats` — ``mostrador corpus stats``.

This package reads transcripts from the CRM and uses ``redaction``; it never imports
``agent`` or ``channels``.
"""

from training_data.erasure import erase_contact
from training_data.errors import CorpusError, CorpusUnavailable, ExportArgumentError
from training_data.export import ExportOptions, ExportResult, export_corpus, parse_split
from training_data.intake import Intake, IntakeReport
from training_data.stats import corpus_stats
from training_data.store import corpus_engine

__all__ = [
    "CorpusError", "CorpusUnavailable", "ExportArgumentError", "ExportOptions", "ExportResult",
    "Intake", "IntakeReport", "corpus_engine", "corpus_stats", "erase_contact",
    "export_corpus", "parse_split",
]

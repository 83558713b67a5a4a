"""Exports of the corpus: OpenAI fine-tuning JSONL, Parquet, and Mostrador's own JSONL.

See :func:`training_data.export.run.export_corpus`.
"""

from training_data.export.options import FORMATS, ExportOptions, parse_split, split_of
from training_data.export.run import ExportResult, export_corpus

__all__ = ["FORMATS", "ExportOptions", "ExportResult", "export_corpus", "parse_split",
           "split_of"]

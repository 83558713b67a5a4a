"""A small statistical PERSON tagger trained by the project and shipped in the package.

The model (``redaction/ner/model/``, spaCy ``to_disk`` output) is trained only on data in
the repository (:mod:`redaction.synth` plus ``tests/data/redaction/pii_dev_subset.jsonl``)
by :mod:`redaction.ner.train`, which reproduces it byte for byte. It finds names that have
no cue and no gazetteer entry; :class:`StatisticalNameRecognizer` wraps it for Presidio.
Nothing is downloaded at run time. See ``MODEL_CARD.md``.
"""

from __future__ import annotations

from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"

__all__ = ["MODEL_DIR"]

"""Train the shipped PERSON tagger, reproducibly (``mostrador redaction train``).

    python -m redaction.ner.train                  # retrain into redaction/ner/model/
    python -m redaction.ner.train --out DIR        # train elsewhere
    python -m redaction.ner.train --check          # train into a temp dir, compare with shipped
    python -m redaction.ner.train --rebuild-data   # regenerate the data snapshot, then train

A blank Spanish spaCy pipeline with one ``ner`` component (a small hash-embedding CNN
tok2vec inside it) learns PERSON from the frozen rows of :data:`redaction.ner.data.SNAPSHOT`.
Seeds are fixed, the data order is fixed, numeric work runs on one thread: the same library
versions give the same bytes (:func:`model_digest`). ``--check`` exits 1 when they differ,
and says when the generators no longer produce the snapshot (then ``--rebuild-data``).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redaction.ner import MODEL_DIR

# One thread for BLAS/OpenMP (read when numpy loads): threaded reductions may change the
# order of float additions, and with it the bytes of the model.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

logger = logging.getLogger(__name__)

LABEL = "PERSON"
SEED = 1234
EPOCHS = 12
BATCH_SIZE = 32
DROPOUT = 0.1
MODEL_NAME = "mostrador_person_ner"
MODEL_VERSION = "0.1.0"

# Small on purpose: ~3 MB on disk, fast on one core.
NER_MODEL: dict[str, Any] = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 96,
        "depth": 3,
        "embed_size": 3000,
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": True,
    },
}


def model_digest(directory: Path) -> str:
    """sha256 over every file of ``directory`` (relative path and bytes, sorted by path)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _examples(nlp: Any, rows: Sequence[dict[str, Any]]) -> list[Any]:
    """spaCy ``Example``s: PERSON spans snapped outward to token edges, all else "O"."""
    from spacy.training import Example

    examples = []
    for row in rows:
        doc = nlp.make_doc(row["text"])
        ents: list[tuple[int, int, str]] = []
        for span in sorted(row["spans"], key=lambda s: s["start"]):
            if span["label"] != LABEL:
                continue
            tokens = doc.char_span(span["start"], span["end"], alignment_mode="expand")
            if tokens is None or (ents and tokens.start_char < ents[-1][1]):
                continue
            ents.append((tokens.start_char, tokens.end_char, LABEL))
        examples.append(Example.from_dict(doc, {"entities": ents}))
    return examples


def build_pipeline() -> Any:
    """A blank Spanish pipeline with an untrained PERSON ``ner``."""
    import spacy

    nlp = spacy.blank("es")
    ner = nlp.add_pipe("ner", config={"model": NER_MODEL})
    ner.add_label(LABEL)  # type: ignore[attr-defined]
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": MODEL_VERSION,
            "description": "PERSON tagger for Spanish chat, trained by redaction.ner.train",
            "author": "Mostrador",
            "license": "Apache-2.0",
        }
    )
    return nlp


def train(
    out: Path,
    rows: Sequence[dict[str, Any]] | None = None,
    *,
    epochs: int = EPOCHS,
    seed: int = SEED,
) -> str:
    """Train on ``rows`` (default: the snapshot), save to ``out``; return the model digest.

    Deterministic for given rows, seed, epochs and library versions.
    """
    from spacy.util import fix_random_seed, minibatch

    from redaction.ner.data import data_digest, read_snapshot

    if rows is None:
        rows = read_snapshot()
    fix_random_seed(seed)
    nlp = build_pipeline()
    nlp.meta["mostrador"] = {
        "training_rows": len(rows),
        "data_sha256": data_digest(list(rows)),
        "seed": seed,
        "epochs": epochs,
    }
    examples = _examples(nlp, rows)
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)
    for epoch in range(epochs):
        order.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=BATCH_SIZE):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
        logger.info("epoch %d loss %.1f", epoch + 1, losses.get("ner", 0.0))
    out.mkdir(parents=True, exist_ok=True)
    with nlp.use_params(optimizer.averages):
        nlp.to_disk(out)
    return model_digest(out)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit status (1 when ``--check`` finds a difference)."""
    parser = argparse.ArgumentParser(prog="mostrador redaction train", description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="model directory")
    parser.add_argument(
        "--check", action="store_true", help="train into a temp dir and compare with --out"
    )
    parser.add_argument(
        "--rebuild-data", action="store_true", help="regenerate the data snapshot first"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    if args.check:
        return _check(args.out)
    if args.rebuild_data:
        from redaction.ner.data import SNAPSHOT, training_rows, write_snapshot

        write_snapshot(training_rows())
        print(f"data snapshot {SNAPSHOT}")
    digest = train(args.out)
    print(f"model {args.out}\nsha256 {digest}\ntrained in {time.perf_counter() - started:.0f} s")
    return 0


def _check(shipped: Path) -> int:
    from redaction.ner.data import data_digest, read_snapshot, training_rows

    if not shipped.is_dir():
        print(f"no model at {shipped}", file=sys.stderr)
        return 1
    if data_digest(training_rows()) != data_digest(read_snapshot()):
        print("note: the generators no longer produce the data snapshot (--rebuild-data)")
    expected = model_digest(shipped)
    with tempfile.TemporaryDirectory() as tmp:
        got = train(Path(tmp) / "model")
    same = got == expected
    print(f"shipped {expected}\ntrained {got}\n{'identical' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

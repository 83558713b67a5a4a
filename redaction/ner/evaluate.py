"""What the statistical tagger adds to the rules, on PERSON.

    python -m redaction.ner.evaluate [--gold PATH ...] [--fp 8]

For each gold set, three systems: the rules alone (``Redactor(languages=["es"])``: gazetteer
+ cues), the NER alone (:class:`StatisticalNameRecognizer`), and both (the rules' spans plus
the NER's, overlaps resolved as the Redactor resolves them). A gold name counts as found
when ≥50% of its characters are covered by predicted PERSON spans; a prediction is right
when ≥50% of its characters lie inside gold PERSON spans (the rule of ``bench/redaction.py``).
Then the recognizer's speed alone: messages/s, one message at a time, after a warm-up.

Default sets: the dev gold set (``../shared/data/pii_dev.jsonl``), its part that is not in
the training data, ``bench/data/pii_heldout_a.jsonl`` and, when present,
``../blind/blind_a.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from redaction.ner import MODEL_DIR
from redaction.ner.data import REPO_ROOT, dev_subset_rows

LABEL = "PERSON"
DEV = REPO_ROOT.parent / "shared" / "data" / "pii_dev.jsonl"
HELDOUT_A = REPO_ROOT / "bench" / "data" / "pii_heldout_a.jsonl"
BLIND_A = REPO_ROOT.parent / "blind" / "blind_a.jsonl"

Spans = list[tuple[int, int]]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a gold JSONL file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _covered(span: tuple[int, int], others: Spans) -> float:
    start, end = span
    chars = sum(max(0, min(end, e) - max(start, s)) for s, e in others)
    return chars / max(1, end - start)


def score(rows: Sequence[dict[str, Any]], predictions: Sequence[Spans]) -> dict[str, Any]:
    """Recall, precision and the text of false positives, for PERSON."""
    gold_total = found = pred_total = right = 0
    false_pos: Counter[str] = Counter()
    for row, predicted in zip(rows, predictions, strict=True):
        gold = [(s["start"], s["end"]) for s in row["spans"] if s["label"] == LABEL]
        gold_total += len(gold)
        found += sum(_covered(g, predicted) >= 0.5 for g in gold)
        pred_total += len(predicted)
        for p in predicted:
            if _covered(p, gold) >= 0.5:
                right += 1
            else:
                false_pos[row["text"][p[0] : p[1]]] += 1
    return {
        "gold": gold_total,
        "recall": found / gold_total if gold_total else 0.0,
        "precision": right / pred_total if pred_total else 1.0,
        "predicted": pred_total,
        "false_pos": false_pos,
    }


def systems(model_dir: Path = MODEL_DIR) -> dict[str, Callable[[list[str]], list[Spans]]]:
    """``name -> texts -> PERSON spans per text``: rules, NER (raw and filtered), both."""
    from redaction import Redactor
    from redaction.ner.recognizer import StatisticalNameRecognizer
    from redaction.redactor import resolve_overlaps

    redactor = Redactor(languages=["es"])
    raw = StatisticalNameRecognizer(model_dir=model_dir, require_evidence=False)
    filtered = StatisticalNameRecognizer(model_dir=model_dir)

    def person(results: list[Any]) -> Spans:
        return [(r.start, r.end) for r in results if r.entity_type == LABEL]

    def rules(texts: list[str]) -> list[Spans]:
        return [person(redactor.analyze(t)) for t in texts]

    def alone(ner: StatisticalNameRecognizer) -> Callable[[list[str]], list[Spans]]:
        return lambda texts: [person(found) for found in ner.analyze_batch(texts)]

    def both(ner: StatisticalNameRecognizer) -> Callable[[list[str]], list[Spans]]:
        return lambda texts: [
            person(resolve_overlaps(redactor.analyze(t) + found))
            for t, found in zip(texts, ner.analyze_batch(texts), strict=True)
        ]

    return {
        "rules (gazetteer + cues)": rules,
        "NER raw": alone(raw),
        "NER + evidence filter": alone(filtered),
        "rules + NER raw": both(raw),
        "rules + NER filtered": both(filtered),
    }


def gold_sets(paths: Sequence[Path]) -> dict[str, list[dict[str, Any]]]:
    """Named gold sets; the dev set also yields its part unseen in training."""
    sets: dict[str, list[dict[str, Any]]] = {}
    trained_on = {row["id"] for row in dev_subset_rows()}
    for path in paths:
        if not path.is_file():
            continue
        rows = read_rows(path)
        sets[path.name] = rows
        unseen = [r for r in rows if r.get("id") not in trained_on]
        if len(unseen) != len(rows):
            sets[f"{path.name} minus training rows"] = unseen
    return sets


def speed(texts: list[str], model_dir: Path = MODEL_DIR, rounds: int = 3) -> float:
    """Messages/s of the recognizer alone, one message at a time, after a warm-up."""
    from redaction.ner.recognizer import StatisticalNameRecognizer

    ner = StatisticalNameRecognizer(model_dir=model_dir)
    for text in texts[:50]:
        ner.analyze(text, [LABEL])
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            ner.analyze(text, [LABEL])
    return rounds * len(texts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table and the recognizer's speed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, action="append", help="gold JSONL (repeatable)")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="model directory")
    parser.add_argument("--fp", type=int, default=8, help="false positives to list per row")
    args = parser.parse_args(argv)
    paths = args.gold or [DEV, HELDOUT_A, BLIND_A]
    sets = gold_sets(paths)
    if not sets:
        print("no gold set found", file=sys.stderr)
        return 1
    runs = systems(args.model)
    print(
        "| set | system | gold | recall | precision | predicted "
        f"| false positives (top {args.fp}) |"
    )
    print("|---|---|---|---|---|---|---|")
    for set_name, rows in sets.items():
        texts = [row["text"] for row in rows]
        for system_name, run in runs.items():
            m = score(rows, run(texts))
            fps = ", ".join(
                f"{text!r}×{n}" if n > 1 else repr(text)
                for text, n in m["false_pos"].most_common(args.fp)
            )
            print(
                f"| {set_name} | {system_name} | {m['gold']} | {m['recall']:.3f} "
                f"| {m['precision']:.3f} | {m['predicted']} | {fps} |"
            )
    dev_texts = [row["text"] for row in next(iter(sets.values()))]
    print(
        f"\nStatisticalNameRecognizer alone: {speed(dev_texts, args.model):.0f} msg/s "
        f"({len(dev_texts)} messages, one at a time, after warm-up)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``StatisticalNameRecognizer``: the shipped spaCy PERSON tagger as a Presidio recognizer.

It complements the gazetteer + cue rules (:mod:`redaction.recognizers.common.person`) on
names with no cue and no gazetteer entry. The model loads lazily, once per process, from
the package (``redaction/ner/model/``; no network). Guards keep it cheap and quiet:

* a pre-check skips the model when the text has no candidate word (letters only, ≥3
  characters, not an ordinary word of :mod:`lexicon`/:mod:`vocab`);
* ordinary words at the edges of a tagged span are trimmed ("de Córdoba capital" →
  "Córdoba"); a span made only of them ("Hola", "Buenas", "Mercado Pago"), with fewer
  than two letters, or holding a digit, "@" or "/" is dropped;
* with ``require_evidence`` (the default) a span must also hold a capitalized word or a
  gazetteer name that is not also a word: lowercase words the model has never seen
  ("yapeo", "hueco", "kiero") look like names to it, and were most of its false positives
  on the dev and held-out sets.

spaCy's greedy NER gives no confidence, so every span gets the fixed :attr:`SCORE` (0.45):
above the Redactor's threshold (0.4) and below every rule score (≥0.5), so when a rule
span overlaps a tagged one the rule wins, and the tagger only fills the gaps the rules leave.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.errors import ConfigurationError
from redaction.ner import MODEL_DIR
from redaction.normalize import strip_accents
from redaction.recognizers.common.gazetteer import name_lexicon
from redaction.recognizers.common.lexicon import AMBIGUOUS_NAMES, COMMON_WORDS
from redaction.recognizers.common.vocab import COMMON_VOCAB

_WORD = re.compile(r"[^\W\d_]+")
_MIN_CANDIDATE = 3
# Words that can never be (part of) a name on their own; names that are also words stay out.
_ORDINARY = (COMMON_WORDS | COMMON_VOCAB) - AMBIGUOUS_NAMES

_models: dict[Path, Any] = {}
_lock = threading.Lock()


def load_model(path: Path = MODEL_DIR) -> Any:
    """The spaCy pipeline at ``path``, loaded once per process (thread-safe).

    Raises :class:`ConfigurationError` when ``path`` holds no model.
    """
    model = _models.get(path)
    if model is None:
        with _lock:
            model = _models.get(path)
            if model is None:
                import spacy

                if not (path / "meta.json").is_file():
                    raise ConfigurationError(
                        f"no PERSON model at {path}: reinstall mostrador, or run "
                        "`mostrador redaction train --out DIR` and pass model_dir=DIR"
                    )

                model = spacy.load(path)
                _models[path] = model
    return model


def _ordinary(word: str) -> bool:
    return strip_accents(word.lower()) in _ORDINARY


def has_candidates(text: str) -> bool:
    """Whether ``text`` holds a word that could be a name (else the model is skipped)."""
    return any(
        len(m.group(0)) >= _MIN_CANDIDATE and not _ordinary(m.group(0))
        for m in _WORD.finditer(text)
    )


def _trim(span: str) -> tuple[int, int] | None:
    """Offsets within ``span`` without ordinary words at its edges; None if fewer than two
    letters are left or the span holds a digit, "@" or "/" (codes like "SN-44120-B", pieces
    of e-mail addresses and URLs are never names)."""
    if any(ch.isdigit() or ch in "@/" for ch in span):
        return None
    words = list(_WORD.finditer(span))
    kept = [i for i, m in enumerate(words) if not _ordinary(m.group(0))]
    if sum(len(words[i].group(0)) for i in kept) < 2:
        return None
    first, last = kept[0], kept[-1]
    start = 0 if first == 0 else words[first].start()
    end = len(span) if last == len(words) - 1 else words[last].end()
    return start, end


def has_evidence(span: str) -> bool:
    """A capitalized word, or a known first name/surname that is not also a word."""
    lexicon = name_lexicon("es")
    for word in _WORD.findall(span):
        if word[0].isupper():
            return True
        folded = strip_accents(word.lower())
        if folded not in AMBIGUOUS_NAMES and (lexicon.is_first(folded) or lexicon.is_last(folded)):
            return True
    return False


class StatisticalNameRecognizer(EntityRecognizer):
    """PERSON spans from the shipped spaCy model (see the module docstring)."""

    ENTITY = "PERSON"
    SCORE = 0.45

    def __init__(
        self,
        supported_language: str = "es",
        *,
        model_dir: Path = MODEL_DIR,
        score: float = SCORE,
        require_evidence: bool = True,
    ) -> None:
        self.model_dir = model_dir
        self.score = score
        self.require_evidence = require_evidence
        super().__init__(
            supported_entities=[self.ENTITY],
            name="StatisticalNameRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Nothing: the model loads on first use (:func:`load_model`)."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """PERSON spans in ``text`` (empty when PERSON is not requested)."""
        if entities and self.ENTITY not in entities:
            return []
        return self.analyze_batch([text])[0]

    def analyze_batch(
        self, texts: Iterable[str], batch_size: int = 64
    ) -> list[list[RecognizerResult]]:
        """PERSON spans for each of ``texts``, running the model in batches."""
        texts = list(texts)
        out: list[list[RecognizerResult]] = [[] for _ in texts]
        todo = [i for i, text in enumerate(texts) if has_candidates(text)]
        if not todo:
            return out
        nlp = load_model(self.model_dir)
        docs = nlp.pipe((texts[i] for i in todo), batch_size=batch_size)
        for i, doc in zip(todo, docs, strict=True):
            for ent in doc.ents:
                if ent.label_ != self.ENTITY:
                    continue
                trimmed = _trim(ent.text)
                if trimmed is None:
                    continue
                start, end = trimmed
                if not self.require_evidence or has_evidence(ent.text[start:end]):
                    out[i].append(self._result(ent.start_char + start, ent.start_char + end))
        return out

    def _result(self, start: int, end: int) -> RecognizerResult:
        return RecognizerResult(
            self.ENTITY,
            start,
            end,
            self.score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

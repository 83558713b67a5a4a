"""Build Presidio's ``AnalyzerEngine`` offline: no spaCy model, no download.

The NLP engine is Presidio's ``NoOpNlpEngine`` (no tokenization at all): every recognizer
here works on raw text and applies its own context window, so Presidio's lemma-based
context enhancer is replaced by a no-op one. That is what makes ≥1,000 messages/s
possible in one process.
"""

from __future__ import annotations

import logging
import re

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine

from redaction.recognizers import build_recognizers

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGES = ("es", "en")
DEFAULT_SCORE_THRESHOLD = 0.4


class NoContextEnhancer(ContextAwareEnhancer):
    """Leaves scores alone: recognizers already scored their own context."""

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0.0,
            min_score_with_context_similarity=0.0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(  # type: ignore[override]
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list,  # type: ignore[type-arg]
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Return ``raw_results`` unchanged."""
        return raw_results


def build_analyzer(
    languages: tuple[str, ...] | list[str] = DEFAULT_LANGUAGES,
    *,
    score_threshold: float = DEFAULT_SCORE_THRESHOLD,
) -> AnalyzerEngine:
    """An ``AnalyzerEngine`` with Mostrador's recognizers for each of ``languages``."""
    languages = list(languages)
    recognizers = [r for lang in languages for r in build_recognizers(lang)]
    registry = RecognizerRegistry(
        recognizers=recognizers,
        global_regex_flags=re.DOTALL | re.MULTILINE,
        supported_languages=languages,
    )
    nlp_engine = NoOpNlpEngine(
        models=[{"lang_code": lang, "model_name": "none"} for lang in languages]
    )
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=languages,
        context_aware_enhancer=NoContextEnhancer(),
        default_score_threshold=score_threshold,
    )
    logger.info("analyzer built: languages=%s recognizers=%d", languages, len(recognizers))
    return engine

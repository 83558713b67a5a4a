"""crm.text: accent folding and the one es/en guess every package uses."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from agent.runtime import _language
from crm.text import fold, guess_language


@pytest.mark.parametrize(
    ("text", "previous", "expected"),
    [
        # punctuation is not part of a word
        ("Hello,", "es", "en"),
        ("Hello, I'd like an appointment", "es", "en"),
        ("Hi!!! can I move it to Wednesday?", "es", "en"),
        ("¿Hola?", "en", "es"),
        ("Hola, quiero un turno", "en", "es"),
        ("I’m looking for a cleaning", "es", "en"),  # typographic apostrophe
        # accents do not matter
        ("¿Cuánto sale la limpieza?", "en", "es"),
        ("Mañana a la tarde", "en", "es"),
        # no signal: the conversation keeps its language
        ("Ana Pérez", "en", "en"),
        ("1155667788", "es", "es"),
        ("ok", "en", "en"),
    ],
)
def test_guess_language_reads_words_not_punctuation(text: str, previous: str,
                                                    expected: str) -> None:
    assert guess_language(text, previous) == expected


def test_fold_keeps_offsets() -> None:
    text = "¡Sí, MAÑANA a las 10!"
    assert fold(text) == "¡si, manana a las 10!"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(("last", "expected"), [("Hello,", "en"), ("Hola,", "es"),
                                                 ("Hello, what are your hours?", "en")])
def test_canned_replies_follow_the_last_user_message(last: str, expected: str) -> None:
    history = [HumanMessage("hola"), AIMessage("¡Hola!"), HumanMessage(last)]
    assert _language(history) == expected

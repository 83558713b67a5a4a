"""The shipped PERSON tagger: loads offline, finds cue-less names, skips ordinary words,
and trains deterministically."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from redaction.errors import ConfigurationError
from redaction.ner import MODEL_DIR
from redaction.ner.data import cueless_rows, data_digest, read_snapshot, write_snapshot
from redaction.ner.recognizer import StatisticalNameRecognizer, has_candidates, load_model
from redaction.ner.train import model_digest, train


@pytest.fixture(scope="module")
def recognizer() -> StatisticalNameRecognizer:
    return StatisticalNameRecognizer()


def names(recognizer: StatisticalNameRecognizer, text: str) -> list[str]:
    return [text[r.start : r.end] for r in recognizer.analyze(text, ["PERSON"])]


def test_model_ships_inside_the_package_and_loads_offline() -> None:
    # The autouse no-network guard of tests/conftest.py is active here.
    packaged = Path(str(files("redaction.ner") / "model"))
    assert packaged == MODEL_DIR
    assert (packaged / "meta.json").is_file()
    nlp = load_model()
    assert nlp.pipe_names == ["ner"]
    assert nlp.get_pipe("ner").labels == ("PERSON",)
    assert load_model() is nlp  # one load per process


def test_missing_model_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no PERSON model"):
        load_model(tmp_path)


def test_model_card_states_the_shipped_hash() -> None:
    card = (MODEL_DIR.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert model_digest(MODEL_DIR) in card


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no cue; phrasings that are not among the training templates
        ("Anselmo Berrutti llega tarde hoy", ["Anselmo Berrutti"]),
        ("Florencia Ugarte me pasó tu contacto", ["Florencia Ugarte"]),
        ("Maite Irigoyen confirma la reserva", ["Maite Irigoyen"]),
        ("Eulalia y Bautista vienen el sábado", ["Eulalia", "Bautista"]),
        ("Dale, lo busca Wenceslao mañana", ["Wenceslao"]),
        # lowercase, known to the gazetteer
        ("ximena tabares ya transfirio", ["ximena tabares"]),
    ],
)
def test_finds_names_without_cues(
    recognizer: StatisticalNameRecognizer, text: str, expected: list[str]
) -> None:
    assert names(recognizer, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hola",
        "Hola! hay stock del modelo negro?",
        "Buenas, cuanto sale el envio?",
        "dale, gracias",
        "Ya pagué con Mercado Pago, te mando el comprobante",
        "Mercado Pago",
    ],
)
def test_does_not_tag_ordinary_words(recognizer: StatisticalNameRecognizer, text: str) -> None:
    assert names(recognizer, text) == []


def test_precheck_skips_texts_of_ordinary_words_only() -> None:
    assert not has_candidates("hola, buenas! dale gracias")
    assert not has_candidates("ok 👍 100")
    assert has_candidates("hola soy Etchegoyen")


def test_results_are_presidio_person_results(recognizer: StatisticalNameRecognizer) -> None:
    text = "Anselmo Berrutti llega tarde hoy"
    (result,) = recognizer.analyze(text, ["PERSON"])
    assert result.entity_type == "PERSON"
    assert result.score == StatisticalNameRecognizer.SCORE
    assert recognizer.analyze(text, ["PHONE_NUMBER"]) == []


def test_batch_matches_one_at_a_time(recognizer: StatisticalNameRecognizer) -> None:
    texts = ["Hola", "Dale, lo busca Wenceslao mañana", "", "dale", "pasa Teodoro Villalba"]
    batch = recognizer.analyze_batch(texts)
    single = [recognizer.analyze(t, ["PERSON"]) for t in texts]
    assert [[(r.start, r.end) for r in rs] for rs in batch] == [
        [(r.start, r.end) for r in rs] for rs in single
    ]


def test_training_twice_gives_identical_bytes(tmp_path: Path) -> None:
    rows = cueless_rows(16, 8, seed=5)
    first = train(tmp_path / "a", rows, epochs=2)
    second = train(tmp_path / "b", rows, epochs=2)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first == second


def test_data_snapshot_is_written_byte_reproducibly(tmp_path: Path) -> None:
    rows = cueless_rows(10, 5, seed=9)
    write_snapshot(rows, tmp_path / "a.jsonl.gz")
    write_snapshot(rows, tmp_path / "b.jsonl.gz")
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    assert data_digest(read_snapshot(tmp_path / "a.jsonl.gz")) == data_digest(rows)


def test_shipped_model_was_trained_on_the_shipped_snapshot() -> None:
    meta = load_model().meta["mostrador"]
    rows = read_snapshot()
    assert meta["training_rows"] == len(rows)
    assert meta["data_sha256"] == data_digest(rows)

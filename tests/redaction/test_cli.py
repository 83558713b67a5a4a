"""The ``mostrador redact`` contract, through a tiny typer app that mounts the command."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from redaction.cli import redact_command

app = typer.Typer()
app.command("redact")(redact_command)
app.command("noop")(lambda: None)  # two commands, so "redact" is a subcommand as in mostrador
runner = CliRunner()


def _lines(output: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_redact_reads_stdin_and_writes_one_line_per_input_in_order() -> None:
    stdin = "\n".join(
        json.dumps(r, ensure_ascii=False)
        for r in [
            {"id": "a", "text": "Soy Carla Méndez, cel 11 5832-1190", "channel": "wa"},
            {"id": "b", "text": "¿Cuánto sale el corte? $15.000?"},
        ]
    )
    result = runner.invoke(app, ["redact"], input=stdin)
    assert result.exit_code == 0, result.output
    out = _lines(result.stdout)
    assert [r["id"] for r in out] == ["a", "b"]
    assert out[0]["channel"] == "wa"
    assert "Carla" not in out[0]["text"] and "<PERSON_1>" in out[0]["text"]
    original = "Soy Carla Méndez, cel 11 5832-1190"
    for entity in out[0]["entities"]:
        assert set(entity) == {"type", "start", "end", "score"}
        assert original[entity["start"] : entity["end"]] in ("Carla Méndez", "11 5832-1190")
    assert out[1]["entities"] == [] and out[1]["text"] == "¿Cuánto sale el corte? $15.000?"


def test_malformed_lines_get_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text(
        '{"id": 1, "text": "mi DNI es 34.540.967"}\nnot json\n{"id": 3}\n'
        '{"id": 4, "text": "hola"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["redact", "--in", str(src), "--out", str(dst)])
    assert result.exit_code == 1
    out = _lines(dst.read_text(encoding="utf-8"))
    assert len(out) == 4
    assert "error" not in out[0] and "34.540.967" not in out[0]["text"]
    assert "error" in out[1] and "error" in out[2] and out[2]["id"] == 3
    assert out[3]["text"] == "hola"


def test_style_option_and_conversation_sessions() -> None:
    stdin = "\n".join(
        json.dumps(r)
        for r in [
            {"id": 1, "conversation_id": "c1", "text": "soy Carla Méndez"},
            {"id": 2, "conversation_id": "c1", "text": "gracias Carla"},
        ]
    )
    result = runner.invoke(app, ["redact", "--style", "mask"], input=stdin)
    assert result.exit_code == 0
    assert _lines(result.stdout)[0]["text"] == "soy ***** ******"
    placeholders = runner.invoke(app, ["redact"], input=stdin)
    texts = [r["text"] for r in _lines(placeholders.stdout)]
    assert texts == ["soy <PERSON_1>", "gracias <PERSON_1>"]


def test_hash_style_without_key_exits_with_configuration_error() -> None:
    result = runner.invoke(
        app,
        ["redact", "--style", "hash"],
        input='{"id":1,"text":"x"}\n',
        env={"MOSTRADOR_REDACTION_HASH_KEY": ""},
    )
    assert result.exit_code == 2


def test_countries_keep_only_those_identifiers_and_the_tagger_is_opt_in() -> None:
    line = json.dumps({"id": 1, "text": "mi CURP es GAVS741228MTSHJK16"}) + "\n"
    only_ar = _lines(runner.invoke(app, ["redact", "--countries", "AR"], input=line).output)
    assert "GAVS741228MTSHJK16" in only_ar[0]["text"]
    with_mx = _lines(runner.invoke(app, ["redact", "--countries", "mx,ar"], input=line).output)
    assert "GAVS741228MTSHJK16" not in with_mx[0]["text"]
    # a name no rule catches (no cue, not in the gazetteer): only the tagger finds it
    cueless = json.dumps({"id": 2, "text": "avisale a Romualdo"}) + "\n"
    plain = _lines(runner.invoke(app, ["redact"], input=cueless).output)
    assert plain[0]["text"] == "avisale a Romualdo"
    tagged = _lines(runner.invoke(app, ["redact", "--statistical-names"], input=cueless).output)
    assert tagged[0]["text"] == "avisale a <PERSON_1>"


def test_the_standalone_app_has_redact_and_the_redaction_commands() -> None:
    from redaction.cli import standalone_app

    result = runner.invoke(standalone_app(), ["redaction", "train", "--help"])
    assert result.exit_code == 0 and "--check" in result.output

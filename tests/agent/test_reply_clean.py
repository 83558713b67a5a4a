"""Nothing internal reaches a customer (agent.reply_clean)."""

from __future__ import annotations

import pytest

from agent.reply_clean import clean_reply

TOOLS = {"book_appointment", "request_human"}


@pytest.mark.parametrize(("raw", "clean"), [
    ("¡Listo! Te reservé el martes a las 10:00.", "¡Listo! Te reservé el martes a las 10:00."),
    ("<|im_start|>assistant\n¡Hola!<|im_end|>", "¡Hola!"),
    ("<think>el cliente quiere un turno</think>¿Para qué día?", "¿Para qué día?"),
    ('Reservado.<tool_response>{"ok": true}</tool_response>', "Reservado."),
    ('Listo. {"ok": true, "appointment": {"id": "x"}}', "Listo."),
    ("Tu turno (id 0f3a9c1e2b4d4e5f8a7b6c5d4e3f2a1b) quedó confirmado.",
     "Tu turno quedó confirmado."),
    ('<tool_call>{"name": "book_appointment", "arguments": {}}</tool_call>', ""),
    ("request_human", ""),
    ("<|eot_id|>", ""),
    # what is left when nothing is said, or data that is not a call: never sent
    ("{", ""),
    ("```", ""),
    ('{"servicio": "Limpieza dental", "dia": "martes"}', ""),
    ('```json\n[{"hora": "10:00"}]\n```', ""),
    ("Tenemos {servicio} a las 10:00.", "Tenemos {servicio} a las 10:00."),
])
def test_machinery_is_removed_and_nothing_but_machinery_is_empty(raw: str, clean: str) -> None:
    assert clean_reply(raw, TOOLS) == clean

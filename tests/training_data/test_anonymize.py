"""Surrogate names never reuse a real name of the conversation."""

from __future__ import annotations

from training_data.anonymize import RecordingSession, fold


def test_surrogates_never_reuse_a_real_name_part_of_the_conversation() -> None:

    real = ["María García", "José López"]  # among the most common names Faker draws
    session = RecordingSession(real)
    fakes = [session.surrogate("PERSON", f"Cliente{i} Apellido{i}") for i in range(300)]
    parts = {p for fake in fakes for p in fold(fake).split()}
    assert not parts & {"maria", "garcia", "jose", "lopez"}
    # Without the conversation's names the same draws do produce them: the guard matters.
    unguarded = RecordingSession()
    drawn = {p for i in range(300)
             for p in fold(unguarded.surrogate("PERSON", f"Cliente{i} Apellido{i}")).split()}
    assert drawn & {"maria", "garcia", "jose", "lopez"}

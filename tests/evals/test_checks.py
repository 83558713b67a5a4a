"""evals.checks: each kind of expectation passes when it holds and fails when it does not."""

from __future__ import annotations

from typing import Any

import pytest

from evals.checks import AppointmentView, CrmView, check
from evals.suite import Expect

CRM = CrmView(
    appointments=(AppointmentView("Limpieza dental", "2026-11-24 10:00", "confirmada"),
                  AppointmentView("Consulta general", "2026-11-25 09:00", "cancelada")),
    lead=True, name="Ana Pérez", phone="+541155551234", email="ana@example.com",
    needs_human=False,
)
REPLIES = ["¡Hola! ¿En qué te ayudo?", "Listo, te reservé Limpieza dental el martes 24/11 a "
           "las 10:00. ¡Te esperamos!"]
TOOLS = ["save_contact_details", "book_appointment"]


def failures(expect: dict[str, Any], crm: CrmView = CRM,
             replies: list[str] | None = None) -> list[str]:
    found = check(Expect.model_validate(expect), crm=crm,
                  replies=REPLIES if replies is None else replies, tools=TOOLS)
    return [f.check for f in found]


@pytest.mark.parametrize(
    ("expect", "failing"),
    [
        # appointments: the whole set, in any order; left-out fields match anything
        ({"appointments": [{"service": "Consulta general", "status": "cancelled"},
                           {"service": "limpieza DENTAL", "start": "2026-11-24 10:00",
                            "status": "confirmada"}]}, []),
        ({"appointments": [{"service": "Limpieza dental"}]}, ["appointments"]),  # one more
        ({"appointments": [{"start": "2026-11-24 10:00"}, {"start": "2026-11-24 10:00"}]},
         ["appointments"]),  # one appointment cannot match two
        ({"appointments": [{"service": "Limpieza dental", "start": "2026-11-24 11:00"},
                           {"service": "Consulta general"}]}, ["appointments"]),
        ({"appointments": []}, ["appointments"]),
        # lead
        ({"lead": {"name_contains": "ana perez", "phone_endswith": "5555-1234",
                   "email": "ANA@example.com"}}, []),
        ({"lead": {"name_contains": "Marta"}}, ["lead.name_contains"]),
        ({"lead": {"phone_endswith": "9999"}}, ["lead.phone_endswith"]),
        ({"lead": {"email": "otra@example.com"}}, ["lead.email"]),
        ({"lead": False}, ["lead"]),
        ({"lead": {}}, []),
        # needs_human
        ({"needs_human": False}, []),
        ({"needs_human": True}, ["needs_human"]),
        # tools
        ({"tools_called": ["book_appointment"], "tools_not_called": ["request_human"]}, []),
        ({"tools_called": ["request_human"]}, ["tools_called"]),
        ({"tools_not_called": ["book_appointment"]}, ["tools_not_called"]),
        # replies: the last contains; none contains; case, accents and spaces ignored
        ({"reply_contains": ["te reservé", "MARTES  24/11", "esperamos"]}, []),
        ({"reply_contains": ["reserve"]}, []),
        ({"reply_contains": ["En qué te ayudo"]}, ["reply_contains"]),  # not the last
        ({"reply_not_contains": ["no te entendí"]}, []),
        ({"reply_not_contains": ["en que te ayudo"]}, ["reply_not_contains"]),  # any reply
        # language of every reply
        ({"language": "es"}, []),
        ({"language": "en"}, ["language"]),
    ],
)
def test_each_expectation_passes_and_fails_when_it_should(expect: dict[str, Any],
                                                         failing: list[str]) -> None:
    assert failures(expect) == failing


def test_no_lead_and_no_appointments() -> None:
    nobody = CrmView()
    assert failures({"lead": False, "appointments": []}, crm=nobody) == []
    assert failures({"lead": {"name_contains": "Ana"}}, crm=nobody) == [
        "lead", "lead.name_contains"]


def test_a_reply_without_words_of_either_language_passes_the_language_check() -> None:
    assert failures({"language": "en"}, replies=["10:00, 10:30, 11:00"]) == []


def test_failures_say_what_was_expected_and_what_came() -> None:
    [failure] = check(Expect.model_validate({"appointments": []}), crm=CRM, replies=REPLIES,
                      tools=TOOLS, turn=2)
    assert str(failure).startswith("turn 2: appointments: expected none, got [Limpieza "
                                   "dental 2026-11-24 10:00 confirmada; ")

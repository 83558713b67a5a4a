"""evals.suite: loading scenario files, placeholders, and errors that name the scenario and
the field."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals.errors import SuiteError
from evals.suite import TurnSpec, load_suite, parse_suite, resolve_suite

MONDAY = date(2026, 11, 23)

SUITE = """
business: demo
time: 10:00          # YAML reads this as a number; the loader gives it back
scenarios:
  - id: mover
    title: Move
    today: "{next wed}"
    given:
      appointments:
        - {who: me, service: Limpieza dental, start: "{date+1} 10:00"}
    turns:
      - pasalo al {next fri:%A} {next fri:%-d/%-m}
      - say: a las 12
        expect: {tools_called: reschedule_appointment, reply_contains: "{next fri:%-d/%-m}"}
    expect:
      appointments: [{service: Limpieza dental, start: "{next fri} 12:00", status: rescheduled}]
  - id: english
    language: en
    turns: ["book on {next thu:%A}"]
"""


def write(tmp_path: Path, text: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_suite_loads_with_placeholders_resolved(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path, SUITE), today=MONDAY)
    assert suite.today == MONDAY and suite.time == "10:00"
    move, english = suite.scenarios
    # the scenario's own today: next Wednesday, 2026-11-25; its Friday is the 27th
    assert move.day == date(2026, 11, 25)
    assert move.given.appointments[0].start == "2026-11-26 10:00"
    assert move.says() == ["pasalo al viernes 27/11", "a las 12"]
    second = move.turns[1]
    assert isinstance(second, TurnSpec)
    assert second.expect.tools_called == ["reschedule_appointment"]
    assert second.expect.reply_contains == ["27/11"]
    assert move.expect.appointments is not None
    assert move.expect.appointments[0].start == "2026-11-27 12:00"
    assert move.expect.appointments[0].status == "reprogramada"  # English status accepted
    assert english.says() == ["book on Thursday"]


def test_json_is_valid_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(SUITE)
    suite = load_suite(write(tmp_path, json.dumps(data), "suite.json"), today=MONDAY)
    assert [s.id for s in suite.scenarios] == ["mover", "english"]


def test_without_today_the_file_then_the_real_today_is_used(tmp_path: Path) -> None:
    pinned = load_suite(write(tmp_path, "today: 2026-01-05\n" + SUITE))
    assert pinned.today == date(2026, 1, 5)
    assert load_suite(write(tmp_path, "today: 2026-01-05\n" + SUITE),
                      today=MONDAY).today == MONDAY


def _scenario(**fields: Any) -> dict[str, Any]:
    return {"id": "reserva", "turns": ["hola"], **fields}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scenarios": [_scenario()]}, "business: Field required"),
        ({"business": "otro", "scenarios": [_scenario()]}, 'business: "demo", or a mapping'),
        ({"business": "demo", "scenarios": []}, "scenarios: List should have at least 1"),
        ({"business": "demo", "scenarios": [_scenario(turns=[])]},
         'scenario "reserva" (scenarios[0]), turns: List should have at least 1'),
        ({"business": "demo", "scenarios": [_scenario(expect={"tools_called": ["book"]})]},
         'scenario "reserva" (scenarios[0]), expect.tools_called: unknown tool \'book\''),
        ({"business": "demo", "scenarios": [_scenario(), _scenario(
            turns=["x", {"say": "y", "expect": {"lead": {"phone": "1"}}}])]},
         'scenario "reserva" (scenarios[1]), turns[1].expect.lead: unknown field \'phone\''),
        ({"business": "demo", "scenarios": [_scenario(expect={"appointments": [
            {"service": "Limpieza dental", "start": "mañana 10hs"}]})]},
         'scenario "reserva" (scenarios[0]), expect.appointments[0].start: write local time '
         'as "YYYY-MM-DD HH:MM"'),
        ({"business": "demo", "scenarios": [_scenario(expect={"appointments": [
            {"status": "done"}]})]}, "expect.appointments[0].status: status is one of"),
        ({"business": "demo", "scenarios": [_scenario(turns=["el {nex thu}"])]},
         'scenario "reserva" (scenarios[0]), turns[0]: unknown placeholder {nex thu}'),
        ({"business": "demo", "scenarios": [_scenario(), _scenario()]},
         'scenario "reserva" (scenarios[1]), id: \'reserva\' is used twice'),
        ({"business": "demo", "scenarios": [_scenario(expect={"reply_contains": [False]})]},
         "expect.reply_contains[0]: Input should be a valid string (quote it"),
        ({"business": "demo", "scenarios": [_scenario(id="con espacio")]},
         'scenario "con espacio" (scenarios[0]), id: the id is letters'),
        ({"business": {"name": "X", "timezone": "Mars/Base", "hours": {"lunes": "9 a 13"},
                       "services": [{"name": "Corte", "minutes": 20, "price": 1}]},
          "scenarios": [_scenario()]},
         "business.timezone: unknown timezone"),
        ({"business": {"name": "X", "timezone": "America/Lima", "hours": {"lunes": "9 a 13"},
                       "services": [{"name": "Corte", "minutes": 30, "price": 1}]},
          "scenarios": [_scenario()]},
         'business.hours: lunes: write spans as "09:00-18:00"'),
        ({"business": {"name": "X", "timezone": "America/Lima",
                       "services": [{"name": "Corte", "minutes": 20, "price": 1}]},
          "scenarios": [_scenario()]},
         "business.services: 'Corte': minutes must be a multiple of 15"),
    ],
)
def test_errors_name_the_scenario_and_the_field(tmp_path: Path, data: dict[str, Any],
                                                message: str) -> None:
    path = write(tmp_path, json.dumps(data))
    with pytest.raises(SuiteError) as caught:
        load_suite(path, today=MONDAY)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_yaml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "business: demo\nscenarios:\n  - id: a\n    turns: [hola\n")
    with pytest.raises(SuiteError, match=r"at line \d+, column \d+"):
        load_suite(path)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no such file"):
        load_suite(tmp_path / "nope.yaml")


def test_the_starter_suites_load() -> None:
    root = Path(__file__).resolve().parents[2] / "evals" / "suites"
    counts = {p.stem: len(load_suite(p, today=MONDAY).scenarios)
              for p in sorted(root.glob("*.yaml"))}
    assert set(counts) == {"clinica", "salon", "tienda"}
    assert sum(counts.values()) >= 60


def test_the_readme_examples_are_valid_suites() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scenario tests"):readme.index("## HTTP API")]
    full, business = (yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section,
                                                           re.S))
    suite = resolve_suite(parse_suite(full), today=MONDAY)
    assert suite.scenarios[0].says()[0] == "Hola, quiero un turno para limpieza mañana a las 10"
    own = resolve_suite(parse_suite({**full, "business": business["business"]}), today=MONDAY)
    assert own.business != "demo" and own.business.hours["sat"] == [("09:00", "13:00"),
                                                                     ("16:00", "19:00")]

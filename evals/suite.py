"""The scenario file: its shape (pydantic models), loading, and placeholder resolution.

`load_suite(path, today=...)` reads YAML (JSON is valid YAML), validates it and returns a
`Suite` whose texts and dates have no placeholders left (evals.placeholders). Every
problem is a SuiteError naming the scenario and the field, e.g.

    scenario "reserva-manana" (scenarios[3]), expect.appointments[0].start: write local
    time as "YYYY-MM-DD HH:MM" (placeholders allowed: "{next thu} 10:00"), not "10hs"

The README's "Scenario tests" documents every field with a full example.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crm.models.tenant import ALL_TOOLS
from evals.errors import SuiteError
from evals.placeholders import WEEKDAYS, PlaceholderError, day_of, resolve

Language = Literal["es", "en"]
# Statuses as the CRM stores them; English words are accepted and mean the same.
STATUSES = {"confirmada": "confirmada", "cancelada": "cancelada", "reprogramada": "reprogramada",
            "confirmed": "confirmada", "cancelled": "cancelada", "canceled": "cancelada",
            "rescheduled": "reprogramada"}
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crm.models.tenant.WEEKDAYS
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() not in STATUSES:
        raise ValueError("status is one of confirmada, cancelada, reprogramada "
                         "(or confirmed, cancelled, rescheduled)")
    return STATUSES[value.lower()]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    """One string where a list is expected is a list of one ("reply_contains: 13:00")."""
    return [value] if isinstance(value, str) else value


def _sexagesimal(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 10:00 as the number 600 (base 60): give it back.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


class AppointmentExpect(_Strict):
    """One appointment the scenario's contact must have (each field optional)."""

    service: str | None = None
    start: str | None = None  # local "YYYY-MM-DD HH:MM" in the business's timezone
    status: str | None = None  # confirmada | cancelada | reprogramada (or English)

    _known_status = field_validator("status")(_status)


class LeadExpect(_Strict):
    """The scenario's contact is a lead, with these details (each optional)."""

    name_contains: str | None = None
    phone_endswith: str | None = None  # digits compared; "1234" matches "+54 9 11 5555-1234"
    email: str | None = None


class Expect(_Strict):
    """What must hold after the scenario (or, on a turn, after that turn).

    Reply checks ignore case and accents. Scenario-level `reply_contains` looks at the
    last reply, `reply_not_contains` at every reply; on a turn, both look at its reply.
    """

    appointments: list[AppointmentExpect] | None = None  # [] means none at all
    lead: LeadExpect | Literal[False] | None = None  # false: no lead must exist
    needs_human: bool | None = None
    tools_called: list[str] = Field(default_factory=list)
    tools_not_called: list[str] = Field(default_factory=list)
    reply_contains: list[str] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)
    language: Language | None = None  # of the reply (per turn) or of every reply

    _lists = field_validator("tools_called", "tools_not_called", "reply_contains",
                             "reply_not_contains", mode="before")(_as_list)

    @field_validator("tools_called", "tools_not_called")
    @classmethod
    def _tools(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in ALL_TOOLS]
        if unknown:
            raise ValueError(f"unknown tool {unknown[0]!r}; the tools are: "
                             + ", ".join(ALL_TOOLS))
        return names

    @property
    def empty(self) -> bool:
        return self == Expect()


class TurnSpec(_Strict):
    """A turn with its own expectations: `{say: "...", expect: {...}}`."""

    say: str = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)


Turn = Annotated[str, Field(min_length=1)] | TurnSpec


class Person(_Strict):
    """Someone already in the CRM (name, phone, email as a person would give them)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None


class GivenAppointment(_Strict):
    """An appointment that exists before the first turn."""

    who: Literal["me"] | Person = "me"  # "me": the scenario's own contact
    service: str
    start: str  # local "YYYY-MM-DD HH:MM"; placeholders allowed
    status: str = "confirmada"

    _known_status = field_validator("status")(_status)


class Given(_Strict):
    """The CRM before the first turn: the chat's contact already known, appointments."""

    me: Person | None = None
    appointments: list[GivenAppointment] = Field(default_factory=list)


class Scenario(_Strict):
    id: str
    title: str = ""
    language: Language = "es"  # the customer's; names in placeholders ("%A") follow it
    # This scenario's "today", e.g. "{next mon}" so "mañana" is never a Sunday.
    today: str | None = None
    given: Given = Field(default_factory=Given)
    turns: list[Turn] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("the id is letters, digits, '-', '_' or '.', at most 80 "
                             "(e.g. reserva-manana)")
        return value

    def says(self) -> list[str]:
        return [t if isinstance(t, str) else t.say for t in self.turns]

    def turn_expect(self, index: int) -> Expect | None:
        turn = self.turns[index]
        return None if isinstance(turn, str) or turn.expect.empty else turn.expect

    @property
    def day(self) -> date:
        """This scenario's today (set by `resolve_suite`)."""
        assert self.today is not None, "resolve the suite first"
        return date.fromisoformat(self.today)


class ServiceSpec(_Strict):
    """A service (or a product you reserve, try or pick up) of an inline business."""

    name: str = Field(min_length=1, max_length=120)
    minutes: int = Field(ge=15, le=480)  # a multiple of 15
    price: float = Field(ge=0)
    description: str | None = Field(default=None, max_length=500)


_DAY_KEYS = {**{name: WEEKDAY_KEYS[number] for name, number in WEEKDAYS.items()},
             **{key: key for key in WEEKDAY_KEYS}}
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*(?:-|a|to)\s*(\d{1,2}):(\d{2})$")
_CLOSED = frozenset({"", "closed", "cerrado", "-"})


def _opening_hours(value: Any) -> Any:
    """{"lunes": "9:00-18:00", "sun": "closed"} -> {"mon": [["09:00", "18:00"]]}."""
    if not isinstance(value, dict):
        return value
    out: dict[str, list[tuple[str, str]]] = {}
    for raw_day, raw_spans in value.items():
        day = _DAY_KEYS.get(str(raw_day).strip().lower())
        if day is None:
            raise ValueError(f"unknown day {raw_day!r}: use mon..sun or lunes..domingo")
        texts = raw_spans if isinstance(raw_spans, list) else str(raw_spans or "").split(",")
        spans = []
        for text in (str(t).strip().lower() for t in texts):
            if text in _CLOSED:
                continue
            match = _SPAN.match(text)
            if match is None or int(match.group(1)) > 23 or int(match.group(3)) > 24:
                raise ValueError(f"{raw_day}: write spans as \"09:00-18:00\" (several with "
                                 f"commas) or \"closed\", not {text!r}")
            start = f"{int(match.group(1)):02d}:{match.group(2)}"
            end = f"{int(match.group(3)):02d}:{match.group(4)}"
            if end <= start:
                raise ValueError(f"{raw_day}: {text!r} ends before it starts")
            spans.append((start, end))
        out[day] = spans
    return out


class FaqSpec(_Strict):
    question: str = Field(min_length=1, max_length=300)
    answer: str = Field(min_length=1, max_length=2000)


class BusinessSpec(_Strict):
    """A business described in the file itself (see evals.business)."""

    name: str = Field(min_length=1, max_length=200)
    timezone: str
    locale: str = "es-AR"
    currency: str = "ARS"
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    # {"mon": "09:00-18:00", "sat": "09:00-13:00", "sun": "closed"}; a missing day is
    # closed; "09:00-13:00, 16:00-20:00" is two spans. Read into {"mon": [["09:00",
    # "18:00"]], ...}, the CRM's form.
    hours: dict[str, list[tuple[str, str]]] = Field(default_factory=dict)
    services: list[ServiceSpec] = Field(min_length=1)
    faq: list[FaqSpec] = Field(default_factory=list)
    greeting: str | None = None
    persona: str | None = None
    minor_age: int | None = Field(default=None, ge=0, le=21)

    _read_hours = field_validator("hours", mode="before")(_opening_hours)

    @field_validator("services")
    @classmethod
    def _grid(cls, services: list[ServiceSpec]) -> list[ServiceSpec]:
        odd = next((s.name for s in services if s.minutes % 15), None)
        if odd is not None:
            raise ValueError(f"{odd!r}: minutes must be a multiple of 15 (the booking grid)")
        names = [s.name.lower() for s in services]
        if len(set(names)) != len(names):
            raise ValueError("two services have the same name")
        return services

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown timezone; use an IANA name such as "
                             "America/Mexico_City") from None
        return value


class Suite(_Strict):
    business: Literal["demo"] | BusinessSpec
    # Pin "today" for every scenario (the command's --today wins); default: the real
    # today in the business's timezone. The clock stands at `time` on that day.
    today: date | None = None
    time: str = "10:00"
    scenarios: list[Scenario] = Field(min_length=1)

    _time = field_validator("time", mode="before")(_sexagesimal)

    @field_validator("time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value) or int(value.split(":")[0]) > 23:
            raise ValueError('time is "HH:MM", e.g. "10:00" (quote it in YAML)')
        return value

    @property
    def timezone(self) -> str:
        return ("America/Argentina/Buenos_Aires" if self.business == "demo"
                else self.business.timezone)


def load_suite(path: str | Path, *, today: date | None = None) -> Suite:
    """The suite in `path`, validated, with placeholders resolved against `today` (else the
    file's `today`, else today in the business's timezone). Raises SuiteError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read it ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise SuiteError(f"{path}: {problem}{where}") from None
    return resolve_suite(parse_suite(data, source=str(path)), today=today, source=str(path))


def parse_suite(data: Any, *, source: str = "the suite") -> Suite:
    """Validate already-parsed data (placeholders still in place). Raises SuiteError."""
    if not isinstance(data, dict):
        raise SuiteError(f"{source}: the file is a mapping with `business` and `scenarios` "
                         "(see the README, 'Scenario tests')")
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        raise SuiteError(f"{source}: " + _explain(exc, data)) from None
    seen: set[str] = set()
    for index, scenario in enumerate(suite.scenarios):
        if scenario.id in seen:
            raise SuiteError(f"{source}: {_label(data, index)}, id: {scenario.id!r} is used "
                             "twice; ids must be unique")
        seen.add(scenario.id)
    return suite


def resolve_suite(suite: Suite, *, today: date | None, source: str = "the suite") -> Suite:
    """A copy of `suite` with every placeholder replaced and every `start` checked.
    Raises SuiteError."""
    base = today or suite.today or datetime.now(ZoneInfo(suite.timezone)).date()
    scenarios = []
    for index, scenario in enumerate(suite.scenarios):
        label = f'{source}: scenario "{scenario.id}" (scenarios[{index}])'
        scenarios.append(_resolve_scenario(scenario, base, label))
    return suite.model_copy(update={"today": base, "scenarios": scenarios})


def _resolve_scenario(scenario: Scenario, base: date, label: str) -> Scenario:
    def at(field: str, text: str, day: date) -> str:
        try:
            return resolve(text, today=day, language=scenario.language)
        except PlaceholderError as exc:
            raise SuiteError(f"{label}, {field}: {exc}") from None

    if scenario.today is not None:
        expression = scenario.today.strip().strip("{}")
        try:
            day = day_of(expression, base) if not _is_iso(expression) else \
                date.fromisoformat(expression)
        except PlaceholderError as exc:
            raise SuiteError(f"{label}, today: {exc}") from None
    else:
        day = base

    def start(field: str, text: str) -> str:
        value = at(field, text, day)
        if not _LOCAL.match(value) or not _valid_local(value):
            raise SuiteError(f'{label}, {field}: write local time as "YYYY-MM-DD HH:MM" '
                             f'(placeholders allowed: "{{next thu}} 10:00"), not {text!r}')
        return value

    def expect(prefix: str, spec: Expect) -> Expect:
        update: dict[str, Any] = {
            "reply_contains": [at(f"{prefix}reply_contains[{i}]", t, day)
                               for i, t in enumerate(spec.reply_contains)],
            "reply_not_contains": [at(f"{prefix}reply_not_contains[{i}]", t, day)
                                   for i, t in enumerate(spec.reply_not_contains)],
        }
        if spec.appointments is not None:
            update["appointments"] = [
                a.model_copy(update={"start": start(f"{prefix}appointments[{i}].start",
                                                    a.start)} if a.start else {})
                for i, a in enumerate(spec.appointments)]
        return spec.model_copy(update=update)

    turns: list[str | TurnSpec] = []
    for i, turn in enumerate(scenario.turns):
        if isinstance(turn, str):
            turns.append(at(f"turns[{i}]", turn, day))
        else:
            turns.append(turn.model_copy(update={
                "say": at(f"turns[{i}].say", turn.say, day),
                "expect": expect(f"turns[{i}].expect.", turn.expect)}))
    given = scenario.given.model_copy(update={"appointments": [
        a.model_copy(update={"start": start(f"given.appointments[{i}].start", a.start)})
        for i, a in enumerate(scenario.given.appointments)]})
    return scenario.model_copy(update={
        "today": day.isoformat(), "turns": turns, "given": given,
        "expect": expect("expect.", scenario.expect)})


def _is_iso(text: str) -> bool:
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", text))


def _valid_local(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d %H:%M")
    except ValueError:
        return False
    return True


def _label(data: dict[str, Any], index: int) -> str:
    scenarios = data.get("scenarios")
    raw = scenarios[index] if isinstance(scenarios, list) and index < len(scenarios) else None
    ident = raw.get("id") if isinstance(raw, dict) else None
    return f'scenario "{ident}" (scenarios[{index}])' if ident else f"scenarios[{index}]"


_FIELD = re.compile(r"^[a-z_][a-z0-9_]*$")
_TAGS = frozenset({"str", "bool", "int", "float"})
# Errors of one member of a union ("a turn is a string or {say, expect}") that only say the
# value was not that member: noise when the other member explains what is wrong.
_SHALLOW = frozenset({"string_type", "literal_error", "dict_type", "model_type",
                      "model_attributes_type", "bool_type"})


def _explain(exc: ValidationError, data: dict[str, Any]) -> str:
    """pydantic's errors as "scenario "x" (scenarios[2]), expect.lead.email: ..." lines."""
    found: list[tuple[str, str, str, bool]] = []  # (scenario label, path, message, shallow)
    for error in exc.errors():
        loc = [p for p in error["loc"] if isinstance(p, int) or (
            _FIELD.match(p) and p not in _TAGS)]
        label = ""
        if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int):
            label, loc = _label(data, loc[1]), loc[2:]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_type" and isinstance(error.get("input"),
                                                         bool | int | float):
            message += " (quote it: YAML reads yes/no/on/off as booleans and 10:00 as a number)"
        if error["type"] == "extra_forbidden":
            field = str(error["loc"][-1])
            path = path.removesuffix("." + field).removesuffix(field).rstrip(".")
            message = (f"unknown field {field!r} (check its spelling against the README; in "
                       "{...} a comma inside a text ends it: quote the text)")
        if path == "business" and error["type"] in _SHALLOW:
            message = ('"demo", or a mapping that describes the business (name, timezone, '
                       "hours, services, faq)")
        found.append((label, path, message, error["type"] in _SHALLOW))
    deeper = [(label, path) for label, path, _, shallow in found if not shallow]
    lines: list[str] = []
    for label, path, message, shallow in found:
        if shallow and any(other == label and (not path or inner.startswith((path + ".",
                                                                             path + "[")))
                           for other, inner in deeper):
            continue  # another member of the union says what is wrong here
        line = f"{label + ', ' if label else ''}{path or 'top level'}: {message}"
        if line not in lines:
            lines.append(line)
    more = len(lines) - 5
    return "; ".join(lines[:5]) + (f" (and {more} more)" if more > 0 else "")

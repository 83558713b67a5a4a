"""What the model is told: a stable system prompt, and a short note of what changes.

Servers reuse the prompt they processed last (llama.cpp's prompt cache, OpenAI's cached
input tokens) only up to the first token that differs. So the system prompt holds only what
changes rarely — the persona, the business, its services, the rules, and a calendar of the
next 14 days (which changes once a day) — and `context_note` holds what changes every turn:
the time and what the CRM knows of the customer. The runtime places the note just before
the customer's latest messages (agent.runtime), so everything before it is the same as in
the previous call of the turn, and mostly the same as in the previous turn.

Small models get dates wrong when they compute them; the calendar gives every date with its
weekday and the opening hours of that day, so the model looks dates up instead. The
customer's appointments are numbered: the tools take that number (or the date), never an
id the model would have to copy.
"""

from __future__ import annotations

from datetime import timedelta

from agent.profile import AgentProfile
from crm.weekdays import day_label, weekday_name

CALENDAR_DAYS = 14

_RULES = """Reglas:
- Toda acción se hace con una herramienta: reservar (book_appointment), mover (reschedule_appointment), cancelar (cancel_appointment), guardar datos (save_contact_details), pasar con una persona (request_human). Nunca digas que algo se hizo si la herramienta no respondió "ok": true.
- No afirmes que hay lugar sin consultar check_availability. No inventes precios, horarios ni turnos libres.
- Fechas: buscalas en el calendario de arriba (AAAA-MM-DD, horas HH:MM, hora del negocio). Si el cliente no dijo el día o la hora, preguntale; no elijas por él.
- Para reservar hacen falta servicio, día, hora, nombre y teléfono. Pedí lo que falte, de a una cosa por vez. Guardá con save_contact_details solo datos que el cliente escribió; nunca inventes un nombre, un teléfono ni un email.
- No vuelvas a pedir datos que ya figuran en la nota sobre el cliente.
- Los turnos del cliente están numerados en la nota: para moverlos o cancelarlos indicá el número (which: "1") o la fecha.
- Un teléfono o email escrito en el chat no prueba quién es: solo ves y cambiás los turnos de la nota. Si pide por otro turno, no digas si ese dato está registrado: ofrecé mandarle un código (send_verification_code) y comprobá el que escriba (verify_code).
- Si una herramienta responde con un error, hacé lo que el error dice (corregí y volvé a llamarla, o preguntale al cliente lo que falta).
- Usá request_human solo si el cliente pide hablar con una persona o si no podés ayudarlo.
- Si no quiere que usen sus datos o conversaciones (por ejemplo para entrenar IA), usá record_training_objection y confirmale que quedó registrado.
- Respondé en el idioma del cliente (español o inglés), en mensajes cortos, sin mostrar JSON ni nombres de herramientas."""  # noqa: E501


def calendar(profile: AgentProfile) -> list[str]:
    """The next CALENDAR_DAYS days from today, each with its weekday and opening hours."""
    today = profile.now_local.date()
    lines = []
    for offset in range(CALENDAR_DAYS):
        day = today + timedelta(days=offset)
        label = {0: "hoy ", 1: "mañana "}.get(offset, "")
        hours = profile.hours_by_weekday[day.weekday()] if profile.hours_by_weekday else ""
        lines.append(f"- {label}{day_label(day)} = "
                     f"{day.isoformat()}" + (f": {hours}" if hours else ""))
    return lines


def build_system_prompt(profile: AgentProfile) -> str:
    """The stable part of the prompt (the module docstring says what is in it)."""
    lines = [
        profile.persona.strip(),
        "",
        f"Negocio: {profile.tenant_name}."
        + (f" Dirección: {profile.address}." if profile.address else ""),
        "Servicios:",
        *[f"- {s.name} ({s.duration_minutes} min): {s.price}" for s in profile.services],
        "",
        f"Calendario de los próximos {CALENDAR_DAYS} días, con el horario de atención "
        f"({profile.timezone}):",
        *calendar(profile),
        "",
        _RULES,
    ]
    return "\n".join(lines)


def context_note(profile: AgentProfile) -> str:
    """What changes every turn: the time and what the CRM knows of this customer."""
    now = profile.now_local
    lines = [f"Nota para el asistente (el cliente no la ve). Ahora: {weekday_name(now.date())} "
             f"{now:%Y-%m-%d %H:%M}."]
    if profile.contact_name:
        known = [f"Cliente: {profile.contact_name} (saludalo por su nombre)."]
    else:
        known = ["Cliente nuevo: todavía no sabemos su nombre."]
    known.append("Teléfono: ya registrado." if profile.contact_phone
                 else "Teléfono: no lo tenemos.")
    if profile.contact_email:
        known.append("Email: ya registrado.")
    lines.append(" ".join(known))
    if profile.upcoming:
        lines.append("Turnos próximos del cliente:")
        lines += [f"{n}. {a.service}, {weekday_name(a.start_local.date())} "
                  f"{a.start_local:%Y-%m-%d %H:%M}"
                  for n, a in enumerate(profile.upcoming, start=1)]
    else:
        lines.append("El cliente no tiene turnos próximos.")
    return "\n".join(lines)

"""The system prompt, assembled from the tenant's configuration and what the CRM knows."""

from __future__ import annotations

from agent.profile import AgentProfile

_DAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

_RULES = """Reglas:
- Usá las herramientas para consultar servicios, disponibilidad, reservar, mover y cancelar turnos; no inventes precios, horarios ni turnos libres.
- Fechas en formato AAAA-MM-DD y horas HH:MM, siempre en la zona horaria del negocio.
- Para reservar hacen falta servicio, día, hora, nombre y teléfono. Pedí lo que falte, de a una cosa por vez, y guardá los datos con save_contact_details antes de reservar.
- No vuelvas a pedir datos que ya figuran abajo.
- Un teléfono o email que la persona escribe en el chat no prueba quién es: solo ves y cambiás los turnos listados abajo. Si pide ver, mover o cancelar un turno que no figura, no digas si ese dato está registrado: ofrecé mandarle un código de verificación (send_verification_code) y comprobá el que escriba (verify_code).
- Si la persona pide hablar con alguien del equipo, usá request_human.
- Si la persona dice que no quiere que usen sus datos o sus conversaciones (por ejemplo para entrenar modelos o IA), usá record_training_objection, confirmale que quedó registrado y seguí ayudándola.
- Respondé en el idioma del cliente (español o inglés), en mensajes cortos."""  # noqa: E501


def build_system_prompt(profile: AgentProfile) -> str:
    now = profile.now_local
    lines = [
        profile.persona.strip(),
        "",
        f"Negocio: {profile.tenant_name}."
        + (f" Dirección: {profile.address}." if profile.address else ""),
        f"Hoy es {_DAY_NAMES[now.weekday()]} {now:%Y-%m-%d}, son las {now:%H:%M} "
        f"({profile.timezone}).",
    ]
    if profile.business_hours_text:
        lines.append(f"Horarios: {profile.business_hours_text}.")
    lines.append("Servicios:")
    lines += [f"- {s.name} ({s.duration_minutes} min): {s.price}" for s in profile.services]
    lines.append("")
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
        lines += [
            f"- {a.service}, {_DAY_NAMES[a.start_local.weekday()]} "
            f"{a.start_local:%Y-%m-%d %H:%M} (id {a.id}, {a.status})"
            for a in profile.upcoming
        ]
    lines += ["", _RULES]
    return "\n".join(lines)

"""Every sentence of the console, in Spanish and English: one catalogue, not strings in
templates. `t(key, lang, **fields)`; a missing English text falls back to Spanish."""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    # sign-in
    "login.title": {"es": "Ingresar", "en": "Sign in"},
    "login.email": {"es": "Email", "en": "Email"},
    "login.password": {"es": "Contraseña", "en": "Password"},
    "login.submit": {"es": "Ingresar", "en": "Sign in"},
    "login.invalid": {"es": "El email o la contraseña no son correctos.",
                      "en": "The email or the password is not right."},
    "login.throttled": {"es": "Demasiados intentos. Esperá {seconds} segundos y probá de nuevo.",
                        "en": "Too many attempts. Wait {seconds} seconds and try again."},
    "login.help": {"es": "¿Primera vez? Usá el enlace de invitación que te mandaron.",
                   "en": "First time? Use the invitation link you were sent."},
    # invitation
    "invite.title": {"es": "Elegí tu contraseña", "en": "Choose your password"},
    "invite.for": {"es": "Para {email}", "en": "For {email}"},
    "invite.password": {"es": "Contraseña nueva", "en": "New password"},
    "invite.repeat": {"es": "Repetila", "en": "Repeat it"},
    "invite.rules": {"es": "Al menos 10 caracteres.", "en": "At least 10 characters."},
    "invite.submit": {"es": "Guardar e ingresar", "en": "Save and sign in"},
    "invite.mismatch": {"es": "Las dos contraseñas no coinciden.",
                        "en": "The two passwords differ."},
    "invite.invalid_title": {"es": "Este enlace no sirve", "en": "This link does not work"},
    # layout
    "nav.inbox": {"es": "Conversaciones", "en": "Conversations"},
    "nav.leads": {"es": "Leads", "en": "Leads"},
    "nav.appointments": {"es": "Turnos", "en": "Appointments"},
    "nav.logout": {"es": "Salir", "en": "Sign out"},
    "app.name": {"es": "Mostrador", "en": "Mostrador"},
}


def t(key: str, lang: str = "es", **fields: object) -> str:
    """The sentence `key` in `lang`, with `fields` filled in; the key itself if unknown (a
    missing sentence shows, it does not break the page)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["es"]
    return text.format(**fields) if fields else text

"""The table of intents the offline model recognizes in a user message.

An intent is a name and regexes over the folded text (lower case, no accents). Adding one
is a row here plus, if it needs its own behaviour, a handler in `policy.HANDLERS`; a
message may carry several intents ("hola, quiero un turno" is greeting + book).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.offline.text import fold


@dataclass(frozen=True)
class Intent:
    name: str
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.patterns)


def _intent(name: str, *patterns: str) -> Intent:
    return Intent(name, tuple(re.compile(p) for p in patterns))


_APPT = r"(?:turno|cita|reserva|hora|appointment|booking|reservation)"

_DATA = r"(?:mis|mi|los|sus) (?:datos|conversacion(?:es)?|mensajes|informacion|chats?)"

INTENTS: tuple[Intent, ...] = (
    _intent(
        "object_training",
        rf"\bno (?:quiero|quisiera|deseo|acepto|autorizo|permito) (?:que (?:se )?)?"
        rf"(?:usen|utilicen|uses|utilices|use|guarden|compartan|usar|utilizar)\b.*\b{_DATA}",
        rf"\bno (?:usen|utilicen|uses|utilices|guarden) {_DATA}",
        r"\b(?:me opongo|no doy (?:mi )?consentimiento)\b.*\b(?:datos|entrenar|entrenamiento)",
        r"\b(?:do not|don't|dont) (?:want )?(?:you to )?(?:use|store|share|train on) "
        r"(?:my|our) (?:data|conversations?|messages|chats?|information)",
        r"\bi (?:do not|don't|dont) want my (?:data|conversations?|messages|information) "
        r"(?:to be )?used",
        r"\bopt(?: me)? out of (?:ai )?training\b",
    ),
    _intent(
        "human",
        r"\bhablar con (?:una |un |alguien|el |la )?(?:persona|humano|alguien|asesor|operador|"
        r"encargad|secretari|recepcion|doctor|dentista|odontolog|vendedor|empleado)",
        r"\b(?:operador|operadora|persona real|un humano|una persona)\b",
        r"\b(?:talk|speak|chat) (?:to|with) (?:a |an |the |someone|somebody)?"
        r"(?:human|person|someone|somebody|agent|operator|staff|manager|receptionist)",
        r"\b(?:real person|human agent|a human)\b",
        # "pasame con alguien de la clínica", "comunicame con una persona", "derivame"
        r"\b(?:pasame|pasenme|me pasas|me pasan|comunicame|comuniquenme|me comunicas|"
        r"conectame|derivame|me derivas) (?:con|a) (?:una |un |el |la |alguien|algun|"
        r"alguna)?(?:persona|humano|alguien|asesor|operador|encargad|secretari|recepcion|"
        r"doctor|dentista|odontolog|empleado|vendedor|equipo|gente)",
        r"\bderivame\b",
        r"\b(?:put me through|connect me|transfer me) (?:to|with) (?:a |an |the |someone|"
        r"somebody)?(?:human|person|someone|somebody|agent|operator|staff|manager)",
    ),
    _intent(
        "cancel",
        r"\b(?:cancelar|cancela|cancelo|cancelame|cancelalo|anular|anula|anulo|anulalo)\b",
        r"\bdar de baja (?:el|mi) turno\b",
        r"\bcancel(?:l?ed|l?ing)?\b",
    ),
    _intent(
        "reschedule",
        rf"\b(?:cambiar|cambio|cambiame|mover|move|pasar|pasame|correr|postergar|adelantar|"
        rf"change)\b(?: (?:el|mi|la|de|the|my))? {_APPT}",
        r"\b(?:cambiarlo|cambiarla|moverlo|moverla|pasarlo|pasarla|correrlo|postergarlo)\b",
        # the voseo imperative: "pasalo al viernes", "movelo", "correlo una hora"
        r"\b(?:lo|la) (?:puedo|podes|podemos|podria|podrias|puedes) (?:pasar|mover|cambiar|"
        r"correr|postergar|adelantar)\b",  # "¿lo puedo pasar al sábado?"
        r"\b(?:pasalo|pasala|movelo|movela|cambialo|cambiala|correlo|correla|postergalo|"
        r"postergala|adelantalo|adelantala)\b",
        r"\b(?:move|change|switch|push|shift) (?:it|that|this)\b",
        r"\breprogram|\breschedul",
        r"\b(?:otro dia|otro horario|another day|another time)\b",
    ),
    _intent(
        "services",
        r"\b(?:servicios|tratamientos|que (?:hacen|ofrecen|servicios))\b",
        r"\b(?:productos|catalogo|que venden|what do you sell|products|catalog(?:ue)?)\b",
        r"\b(?:precio|precios|cuanto (?:sale|salen|cuesta|cuestan|es|vale|valen|cobran)|"
        r"costo|costos|tarifa|tarifas|valor)\b",
        r"\b(?:services|treatments|price|prices|pricing|how much|cost|costs)\b",
        r"\b(?:info|informacion|mas datos|consultar por|consulta por|information|details)\b",
    ),
    _intent(
        "hours",
        r"\b(?:horario|horarios|abren|abre|abiertos|cierran|cierra)\b",
        r"\b(?:a que hora|que dias|hasta que hora|cuando) (?:atienden|atiende|trabajan)\b",
        r"\b(?:opening hours|business hours|your hours|open|close|closing)\b",
        r"(?<!\d )\bhours\b",  # "price and hours", not "in 2 hours"
    ),
    _intent(
        "address",
        r"\b(?:donde (?:estan|quedan|queda|es|los encuentro|atienden)|direccion|ubicacion|"
        r"como llego)\b",
        r"\b(?:address|where are you|located|location|directions)\b",
    ),
    _intent(
        "payments",
        r"\b(?:pago|pagos|pagar|tarjeta|tarjetas|efectivo|transferencia|mercado ?pago|"
        r"cuotas|debito|credito)\b",
        r"\b(?:payment|payments|pay|card|cards|cash|credit)\b",
    ),
    _intent(
        "my_appointments",
        r"\b(?:mis (?:turnos|citas|reservas)|cuando (?:es|era|tengo) (?:mi|el|la) "
        r"(?:turno|cita|reserva)|tengo (?:algun |alguna )?(?:turno|cita|reserva)|"
        r"que (?:turnos?|citas?|reservas?) tengo|tengo (?:turnos|citas|reservas))\b",
        r"\b(?:my appointments?|when is my)\b",
    ),
    _intent(
        "availability",
        r"\b(?:disponibilidad|hay lugar|tenes lugar|tienen lugar|turnos? libres?|"
        r"horarios libres|hay turnos?|tienen turnos?|tenes turnos?|que (?:horarios|dias) "
        r"(?:hay|tienen|tenes))\b",
        r"\b(?:availability|available|free slots|openings|any slots)\b",
    ),
    _intent(
        "book",
        r"\b(?:turno|turnito|cita|reservar|reserva|agendar|agendame|anotarme|anotame|"
        r"sacar|reservame)\b",
        r"\b(?:appointment|book|booking|schedule|reserve)\b",
    ),
    _intent("want", r"\b(?:quiero|quisiera|queria|necesito|busco|want|need|would like|i'd like)\b"),
    _intent(
        "greeting",
        r"^\W*(?:hola|holis|buenas|buen dia|buenos dias|buenas tardes|buenas noches|que tal)\b",
        r"^\W*(?:hi|hello|hey|good morning|good afternoon|good evening)\b",
    ),
    _intent("thanks", r"\b(?:gracias|graciass|mil gracias|thanks|thank you|thx|ty)\b"),
    _intent("bye", r"\b(?:chau|chao|adios|hasta luego|nos vemos|bye|goodbye|see you)\b"),
    _intent(
        "affirm",
        r"^\W*(?:si|dale|ok|okay|oka|de una|perfecto|claro|bueno|joya|genial|yes|yeah|yep|"
        r"sure|please|great|confirmo|confirmado|correcto|exacto|confirmed|correct)\b",
    ),
    _intent("deny", r"^\W*(?:no|nop|nah|nope|para nada)\b(?! me)"),
)

# Intents that begin a task; with one of these present, "book" from the word "turno" in
# "cancelar el turno" is not a new booking.
TASKS = ("cancel", "reschedule")


def detect(text: str) -> frozenset[str]:
    """The names of every intent whose pattern matches `text`."""
    folded = fold(text)
    found = {intent.name for intent in INTENTS if intent.matches(folded)}
    if found & {*TASKS, "my_appointments"}:
        found.discard("book")
    if "hours" in found and _RECURRING.search(folded):
        found.discard("availability")  # "¿qué horarios tienen los sábados?": opening hours
    if "availability" in found:
        found.discard("hours")  # "¿qué horarios tienen mañana?" asks for free slots
    return frozenset(found)


# A weekday in the plural ("los sábados", "on Saturdays") asks about every week, not a date.
_RECURRING = re.compile(r"\b(?:los|on) (?:lunes|martes|miercoles|jueves|viernes|sabados|"
                        r"domingos|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|"
                        r"sundays)\b")

"""Closed word lists: Spanish/English words that are never a name on their own.

Capitalized at the start of a chat line ("Hola", "Dale", "Gracias"), or names that are
also ordinary words (Rosa, Luz, Paz...), which need a cue or a surname next to them.
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.lang.es.stop_words import STOP_WORDS as ES_STOP

from redaction.normalize import strip_accents

_CHAT_WORDS = """
hola holaa buenas buenos buen dia dias tardes noches saludos gracias graciass muchas dale vale
ok okey oka listo lista perfecto perfecta genial barbaro joya claro bueno buena si no sip
porfa porfavor favor disculpa disculpe perdon consulta pregunta quiero quisiera queria necesito
tengo tenes tienen tenemos tienes hacen haces aceptan acepta venden vendes cuanto cuanta
cuanto cuesta sale vale precio precios costo cliente agente usuario señor señora señorita
don doña sr sra srta dr dra lic ing mi mis tu tus su sus nuestro mama papa hijo hija esposo
esposa marido mujer hermano hermana novio novia abuelo abuela tio tia primo prima suegro suegra
amigo amiga jefe jefa vecino vecina paciente titular nombre apellido dni rut cuit cuil curp
rfc cedula ruc nie iban cbu cvu clabe alias tarjeta cuenta correo mail email telefono celular
cel celu movil fijo whatsapp wsp instagram facebook linkedin tiktok web link pagina
direccion domicilio calle avenida av piso depto dpto apto torre barrio colonia col envio
envios pedido pedidos orden factura boleta turno turnos cita citas reserva hora horario
lunes martes miercoles jueves viernes sabado domingo finde semana mes año hoy mañana ayer
enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
diciembre argentina mexico chile colombia peru uruguay españa brasil venezuela bolivia
paraguay ecuador cdmx caba capital federal provincia ciudad centro norte sur este oeste
visa mastercard amex banco mercado pago yape plin nequi daviplata transferencia efectivo
ya ahi aca aqui alla entonces tambien pero porque aunque igual todo toda todos nada algo
estoy estamos esta estan soy somos es son fue era seria hay habia
listo chau adios nos vemos hasta luego atte att cordialmente slds
""".split()

# First names that are also common words: they need a cue or an adjacent surname.
AMBIGUOUS_NAMES = frozenset(
    strip_accents(w)
    for w in """
rosa luz paz sol mar mercedes pilar dolores victoria blanca esperanza amparo consuelo
soledad estrella cielo alba aurora milagros rocio reyes cruz santos domingo leon angel
angeles fe gracia patria libertad socorro remedios asuncion concepcion caridad rosario
flor jazmin margarita violeta dalia azucena clara celeste perla salvador modesto
inocencio prudencio franco leal bueno segundo dan mia dulce iris abril julio armando tomas
nieves lucero alegria fidel justo linda bella rubi trinidad natividad candelaria guadalupe
belen montserrat lourdes luján lujan carmen cristal jade pascual salud purificacion
encarnacion piedad reina princesa sierra marina pastor honorato placido severo alta amor che
alma aura luna mora vera rico gala ida gema ever iban del nina nino lee ira mina tina lisa pina lena
luce mona dana jade joy april faith hazel robin wolf urban grant chase bill will mark gordo
negro nena tito toto chino pato mari lu jo ali sam ray sue tom don ina mai nath ella
""".split()
)

COMMON_WORDS = (
    frozenset(strip_accents(w.lower()) for w in (*ES_STOP, *EN_STOP, *_CHAT_WORDS))
    - AMBIGUOUS_NAMES
)

# Words after which a capitalized word is part of a place/brand, not a person.
PLACE_PREFIXES = frozenset(
    """san santa santo villa puerto ciudad colonia col av avenida calle bv plaza parque hospital
    colegio escuela club banco clinica sanatorio barrio mar rio lago cerro isla universidad
    instituto general pasaje jr jiron carrera cra estacion""".split()
)

"""Ordinary Spanish chat words that are never a name on their own (accent-free, lowercase).

Used to keep lowercase, uncued words out of person names ("mi hija tiene", "soy nuevo")
and out of lowercase place components ("pocitos pasen despues"). Written by hand: frequent
verbs (in the forms chat uses), nouns of the domains Mostrador serves, adjectives and
adverbs. Names are checked against it only when the gazetteer does not know them.
"""

from __future__ import annotations

_VERBS = """
es son era eran fue fueron sera seria estar esta estan estoy estas estaba estaban estuvo
ser soy sos somos eres tener tengo tiene tienen tenes tenia tenemos tendria tuvo haber hay
he ha han has habia hubo hacer hago hace hacen haces hizo hice hecho haciendo ir voy va van
vas vamos iba fui fue ido yendo venir vengo viene vienen vino vine poder puedo puede pueden
podes podria pude pudo querer quiero quiere quieren queres quisiera queria quiso decir digo
dice dicen dijo dije diga digan deci decile decime ver veo ve ven vio vi visto viendo dar doy
da dan dio di dame dale deme den saber se sabe saben sabia sabes llegar llego llega llegan
llegue llegara pasar paso pasa pasan pase pasen pasa pasame pasas pasamos llamar llamo llama
llaman llamame llamen llamenme llamarme llamada trabajar trabajo trabaja trabajan necesitar
necesito necesita necesitan necesitamos mandar mando manda mandan mande mandame mandalo mandar
enviar envio envia envian envie envien enviame enviamelo retirar retiro retira recoger recoge
comprar compre compro compra vender vendo vende pagar pague pago paga pagan pagamos cobrar
cobran cobra costar cuesta cuestan sale salen salio salir salgo vivir vivo vive viven viviendo
buscar busco busca buscan esperar espero espera esperan esperamos quedar queda quedan quedo
quedamos confirmar confirmo confirma confirmame confirmen avisar aviso avisa avisame avisen
escribir escribo escribe escriben escribime escribeme escribanme reservar reservo reserva
agendar agendo agenda agendame anotar anoto anota anotame apuntame apunta cambiar cambio
cambia cancelar cancelo cancela usar uso usa atender atiende atienden abrir abre abren abrimos
cerrar cierra cierran cerrado abierto conseguir consigo consigue consigne deposite transferi
transfiero hablar hablo hablas hable recibir recibe reciben recibo recibio dejar dejo deja
dejalo dejadlo deje dijeron mandaron pidio pido pide piden ocupo ocupa ocupamos traer traigo
trae traen llevar llevo lleva llevan volver vuelvo vuelve entrar entro entra mirar mira mire
oye oiga oigan ojo fijate fijese tranqui creo cree parece gusta gustaria encanta sirve sirven
falta faltan tarda tardan demora demoran arreglan arregla arreglar receto manda mando cuide
nacio naci cumple cumplo corre conduciendo esperando trabajando estudiando buscando pensando
""".split()
_NOUNS = """
turno turnos cita citas hora horas dia dias semana mes meses ano anos tarde tardes noche
noches manana mediodia pedido pedidos orden compra producto productos precio precios oferta
promo promocion descuento cuota cuotas plata dinero efectivo tarjeta cuenta banco pago pagos
factura boleta recibo comprobante envio envios despacho delivery domicilio direccion casa
depto departamento local sucursal tienda negocio oficina trabajo pega laburo chamba empresa
clinica consultorio hospital colegio escuela universidad gimnasio salon peluqueria taller
auto carro coche moto camioneta camion bici bus taxi uber mascota perro perra perrito gato
gata gatito nene nena bebe hijo hija hijos nieto nieta nietos nuera yerno cuñado cunado
cunada suegro suegra viejo vieja pololo polola pareja novio novia amigo amiga vecino vecina
senora senor jefe jefa dueno duena cliente clientes persona personas gente familia grupo
numero telefono celular cel whatsapp mail correo email mensaje audio foto fotos video link
pagina web app aplicacion sistema plataforma usuario clave contrasena codigo error problema
consulta pregunta duda info informacion datos dato nombre apellido documento ficha formulario
control revision service servicio mantencion limpieza corte color tinte unas una nails
depilacion masaje tratamiento sesion sesiones clase clases curso cursos plan planes paquete
caja bolsa talle talla modelo marca stock unidad unidades kilo kg litro metro medida tamano
agua luz gas internet cable wifi seguro poliza garantia reclamo devolucion cambio reembolso
cumpleanos cumple fiesta evento boda reunion viaje vuelo pasaje hotel cabana cabanas tour
entrada entradas mesa reserva comida almuerzo cena desayuno pizza empanadas asado carne pollo
pescado helado torta postre cafe cerveza vino bebida vianda menu combo cuenta mesa
ropa remera polera camisa pantalon zapatos zapatillas tenis vestido campera chaqueta
flores flor arreglo cartel regalo caja sangre examenes examen analisis receta remedio
medicamento pastilla farmacia botica dolor dolores espalda cabeza muela diente dientes ojos
velorio entierro misa iglesia virgen santo santa dios cielo mundo vida amor paz guerra
legal abogado tutela tutelas caso casos laboral juicio deuda deudas credito prestamo tramite
contrato alquiler venta precio portero porteria timbre portal puerta piso ascensor edificio
conjunto barrio calle avenida esquina cuadra centro zona ciudad pueblo campo playa mall
mercado feria terminal estacion aeropuerto parada ruta autopista camino
ayunas completo completa nino nina ninos ninas adulto adultos cordiales cordial afectuosos
besos abrazo abrazos tiempo ciudad verdad edad mitad navidad seguridad sociedad comunidad
 rato momento vez veces cosa cosas parte partes lado tema temas forma manera
""".split()
_ADJ_ADV = """
bien mal mejor peor bueno buena buenos buenas malo mala grande grandes chico chica chicos
pequeno nuevo nueva nuevos viejo vieja mayor menor primero primera segundo segunda ultimo
ultima otro otra otros otras mismo misma todo toda todos todas cada mucho mucha muchos
muchas poco poca pocos pocas mas menos muy tan tanto tanta bastante demasiado casi solo sola
rapido lento temprano tarde pronto luego despues antes ahora hoy ayer siempre nunca todavia
aun ya recien apenas aca aqui ahi alla alli cerca lejos arriba abajo adentro afuera enfrente
derecha izquierda entonces igual tambien tampoco obvio claro seguro cierto listo lista
perfecto genial barbaro joya dale vale ok okey bueno gracias porfa porfavor disculpa perdon
feliz contento contenta cansado cansada enfermo enferma embarazada soltera soltero casada
casado separada divorciada viuda jubilado jubilada estudiante mexicano mexicana argentino
argentina chileno chilena peruano peruana colombiano colombiana uruguayo uruguaya espanol
espanola venezolano venezolana boliviano boliviana paraguayo paraguaya extranjero nueva
rojo roja azul verde blanco blanca negro negra amarillo rosado gris marron morado
particular privado publico publica legal urgente libre ocupado disponible abierta cerrada
juntos juntas solos todavia sino pero aunque porque pues osea digamos tipo onda re
jaja jajaja jeje jsjs xd wow uy ay che bo po pue ta tá pucha chale orale nomas nada
""".split()

VERBS = frozenset(_VERBS)
COMMON_VOCAB = frozenset(_VERBS + _NOUNS + _ADJ_ADV)

# Endings of verb forms, adverbs and abstract nouns: an unknown lowercase word ending so
# is not taken as a name ("trabajando", "rapidamente", "informacion").
UNKNOWN_WORD_SUFFIXES = (
    "ando",
    "iendo",
    "aba",
    "aban",
    "ado",
    "ada",
    "ados",
    "adas",
    "ido",
    "ida",
    "idos",
    "mente",
    "cion",
    "sion",
    "ria",
    "rio",
    "ar",
    "er",
    "ir",
    "amos",
    "emos",
    "imos",
    "aste",
    "iste",
    "ieron",
    "aron",
)

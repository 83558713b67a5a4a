"""Disguised digits and spoken e-mails: the canonical text the recognizers read, and the
spans the Redactor returns on the original text (synthetic values only)."""

from __future__ import annotations

import pytest

from redaction import Redactor
from redaction.canonical import canonicalize
from redaction.number_words import parse_number_run


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        # digit after digit, as a phone is read
        ("once cinco ocho tres dos dos uno nueve cero", "1158322190"),
        ("quince sesenta y dos cuarenta cuarenta", "15624040"),
        # compound numbers, as an ID is read
        ("veintinueve millones cuatrocientos mil ciento doce", "29400112"),
        ("treinta y cuatro millones quinientos cuarenta mil novecientos sesenta y siete",
         "34540967"),
        ("mil novecientos setenta y nueve", "1979"),
        # English and Portuguese
        ("twenty one forty five sixty", "214560"),
        ("nineteen eighty eight", "1988"),
        ("onze nove oito sete seis cinco quatro", "11987654"),
        ("vinte e um", "21"),
        # digit groups inside the run
        ("once 5832 uno uno nueve cero", "115832119" + "0"),
    ],
)
def test_number_words_read_as_the_digits_meant(words: str, digits: str) -> None:
    assert parse_number_run(words.split()) == digits


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        # spelled out (es, en, pt)
        ("mi número es once cinco ocho tres dos dos uno nueve cero",
         "mi número es 1158322190"),
        ("el dni es veintinueve millones cuatrocientos mil ciento doce gracias",
         "el dni es 29400112 gracias"),
        ("my number is one one five eight three two", "my number is 115832"),
        ("meu celular é onze nove oito sete seis cinco quatro três",
         "meu celular é 119876543"),
        # keycaps and emoji between digits
        ("dni 3️⃣4️⃣5️⃣4️⃣0️⃣9️⃣6️⃣7️⃣", "dni 34540967"),
        ("cel 11🔥5832🔥1190", "cel 1158321190"),
        ("cel 15👉6677👉1023", "cel 1566771023"),
        # full-width digits
        ("dni ３４５４０９６７", "dni 34540967"),
        # a separator after every digit
        ("cel 1.1.5.8.3.2.2.1.9.0 llamame", "cel 1158322190 llamame"),
        ("cel 1,1,5,8,3,2,2,1,9,0", "cel 1158322190"),
        ("cel 1 1 5 8 3 2 2 1 9 0", "cel 1158322190"),
        # look-alike letters inside a digit run
        ("cel II 58O3-22I9 llamame", "cel 11 5803-2219 llamame"),
        ("CBU O7224O94OO3222693I7I66 lo escribí", "CBU 0722409400322269317166 lo escribí"),
        # a RUT read aloud with its check letter
        ("el RUT es diecinueve millones cuatrocientos mil doscientos cinco guion K",
         "el RUT es 19400205-K"),
        # dates read aloud
        ("nací el veintidós de julio de 1990", "nací el 22 de julio de 1990"),
        ("es nueve del nueve del noventa y nueve", "es 9/9/99"),
        ("primero de mayo del ochenta y dos", "1 de mayo de 82"),
        # list markers and glued form labels
        ("3) Zapiola 2345 4) 11 6543-2109", "; Zapiola 2345 ; 11 6543-2109"),
        ("Cel:1160214477", "Cel: 1160214477"),
        # spoken e-mails and aliases
        ("escribime a juan arroba gmail punto com porfa", "escribime a juan@gmail.com porfa"),
        ("juan.perez (at) hotmail.com", "juan.perez@hotmail.com"),
        ("maria[arroba]yahoo[punto]com[punto]ar", "maria@yahoo.com.ar"),
        ("lore punto vaca arroba gmail punto com", "lore.vaca@gmail.com"),
        ("mail: ana dot ruiz at outlook dot com", "mail: ana.ruiz@outlook.com"),
        ("alias blanca punto sol punto rio", "alias blanca.sol.rio"),
        ("MI CORREO ES KATHY_FLORES_29 @ HOTMAIL . COM",
         "MI CORREO ES kathy_flores_29@hotmail.com"),
        ("cedula I.O2O.6I8.3O4 (el teclado)", "cedula 1.020.618.304 (el teclado)"),
    ],
)
def test_disguised_forms_are_written_the_usual_way(text: str, canonical: str) -> None:
    assert canonicalize(text).text == canonical


@pytest.mark.parametrize(
    "text",
    [
        "Hola, quería saber el precio del corte de pelo para hombre.",
        "tengo dos remeras y tres pantalones",  # few number words: kept as words
        "a punto de salir, nos vemos at 5",  # "punto", "at" with no e-mail around them
        "lo llamo a las 10 o 11",  # "o" is a word
        "Mil gracias por todo",
        "son $25.000 en 3 cuotas",
        "la app versión 10.2.3.4 no abre",
        "Hello, I'd like an appointment at ten",
    ],
)
def test_ordinary_text_is_its_own_canonical_form(text: str) -> None:
    canon = canonicalize(text)
    assert canon.text == text and not canon.changed


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("mi número es once cinco ocho tres dos dos uno nueve cero, gracias",
         "once cinco ocho tres dos dos uno nueve cero", "PHONE_NUMBER"),
        ("escribime a juan arroba gmail punto com porfa", "juan arroba gmail punto com",
         "EMAIL_ADDRESS"),
        ("mi dni 3️⃣4️⃣5️⃣4️⃣0️⃣9️⃣6️⃣7️⃣ gracias", "3️⃣4️⃣5️⃣4️⃣0️⃣9️⃣6️⃣7️⃣", "DNI"),
        ("cel 1.1.5.8.3.2.2.1.9.0 llamame", "1.1.5.8.3.2.2.1.9.0", "PHONE_NUMBER"),
        ("CBU O7224O94OO3222693I7I66 lo escribí con letras", "O7224O94OO3222693I7I66", "CBU"),
    ],
)
def test_spans_index_the_original_text(
    redactor: Redactor, text: str, value: str, entity: str
) -> None:
    spans = redactor.analyze(text)
    assert [text[r.start : r.end] for r in spans] == [value]
    assert entity in spans[0].entity_type
    assert value not in redactor.redact(text)

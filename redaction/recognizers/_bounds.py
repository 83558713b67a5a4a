"""Shared regex boundaries: a match may not be glued to letters, digits or id separators."""

from __future__ import annotations

# Not preceded by a word char, '.', '-', '/', '$' or '@' (prices, emails, paths, codes).
START = r"(?<![\w.\-/$@#])"
# Not followed by a word char, '-', '/', '@', '%' or a '.'/',' that continues a number.
END = r"(?![\w\-/@%]|[.,]\d)"

ID_NEGATIVE = [
    "pedido",
    "orden",
    "order",
    "folio",
    "guia",
    "tracking",
    "seguimiento",
    "ref",
    "referencia",
    "codigo",
    "cod",
    "socio",
    "serie",
    "modelo",
    "factura nro",
    "ticket",
    "precio",
    "cuesta",
    "sale",
    "vale",
    "total",
    "monto",
    "pesos",
    "km",
    "kg",
    # amounts in guaraníes and other currencies written before the number
    "gs",
    "gs.",
    "guaranies",
    "transferencia",
    "monto",
]

# Units right after a number: it is an amount, not an identifier.
AMOUNT_AFTER = [
    "pesos",
    "mil",
    "km",
    "kg",
    "usd",
    "us$",
    "mxn",
    "clp",
    "cop",
    "ars",
    "soles",
    "euros",
    "eur",
    "dolares",
    "unidades",
    "habitantes",
    "litros",
    "metros",
    "m2",
    "personas",
]

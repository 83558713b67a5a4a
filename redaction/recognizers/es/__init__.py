"""España: DNI and NIE."""

"""Colombia: cédula de ciudadanía."""

"""Venezuela: cédula and RIF."""

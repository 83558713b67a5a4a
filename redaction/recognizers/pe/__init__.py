"""Perú: DNI and RUC."""

"""Recognizers that are not tied to one country."""

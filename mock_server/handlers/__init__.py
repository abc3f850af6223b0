"""Endpoint handlers: parse -> validate -> domain rule -> store -> render."""

"""Basira: detect and share the signals of terrorist exploitation of new technologies."""

__version__ = "0.1.0"

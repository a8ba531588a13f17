"""Birlik: continuous monitoring of interethnic relations in Kazakhstan."""

__version__ = "0.1.0"

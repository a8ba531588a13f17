"""The one entry point: ``birlik``."""

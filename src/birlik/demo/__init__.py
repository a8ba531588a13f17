"""Bundled illustrative demo corpus."""

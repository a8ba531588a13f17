"""Importing this module registers the built-in connectors, exactly as a plug-in would."""

from __future__ import annotations

from birlik.connectors import files, posts, rss, telegram, web

__all__ = ["files", "posts", "rss", "telegram", "web"]

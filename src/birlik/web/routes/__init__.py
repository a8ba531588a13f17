"""Routers: ``api_*`` modules serve JSON under /api/v1, ``pages_*`` modules serve HTML."""

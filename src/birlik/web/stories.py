"""Stories for the pages and the API, once the stories layer stores them.

Until ``birlik.store.models_stories`` exists, the lists are empty and the pages say so; the
Stories page still lists and filters documents.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from sqlalchemy.orm import Session

from birlik.web.errors import not_found
from birlik.web.scoping import RegionScope


def available() -> bool:
    return importlib.util.find_spec("birlik.store.models_stories") is not None


def list_stories(session: Session, scope: RegionScope, *, limit: int = 25) -> list[dict[str, Any]]:
    return []


def story_detail(session: Session, scope: RegionScope, story_id: str) -> dict[str, Any]:
    raise not_found(f"story {story_id}")

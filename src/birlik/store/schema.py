"""Every table of Birlik: importing this module registers all model modules on ``Base``.

Each feature keeps its tables in its own module; add its import here so that Alembic
sees the whole schema.
"""

from birlik.cases import models as cases_models  # noqa: F401
from birlik.store import (
    models,  # noqa: F401
    models_backfill,  # noqa: F401
    models_signals,  # noqa: F401
    models_stories,  # noqa: F401
)
from birlik.store.models import Base
from birlik.surveys import models as surveys_models  # noqa: F401
from birlik.web import models as web_models  # noqa: F401

metadata = Base.metadata

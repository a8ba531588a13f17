"""Every table of Birlik: importing this module registers all model modules on ``Base``.

Each feature keeps its tables in its own module; add its import here so that Alembic
sees the whole schema.
"""

from birlik.cases import models as cases_models  # noqa: F401
from birlik.store import models  # noqa: F401
from birlik.store import models_signals  # noqa: F401
from birlik.store.models import Base

metadata = Base.metadata

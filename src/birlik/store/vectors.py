"""Document vectors in the database: one column, each backend's own form.

SQLite keeps a compact BLOB (float16, little-endian: 768 bytes for 384 dimensions, cosines
within 1e-3 of float32); PostgreSQL a ``pgvector`` ``vector`` column, searched through HNSW
indexes (migration 0010: one per dimension in use, the model's and the static table's).
In Python the column is a float32 numpy vector or None on both; ``documents.embedding_model``
names the embedder that made it, so a vector is compared only with vectors of its own model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Float, LargeBinary, String, bindparam, func
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

from birlik.domain import codes
from birlik.domain.errors import ConfigError

Vector = npt.NDArray[np.float32]

#: Dimensions a PostgreSQL HNSW index exists for (migration 0010): e5-small and the static table.
INDEXED_DIMS: tuple[int, ...] = (384, 256)


class PgVector(UserDefinedType[Any]):
    """pgvector's ``vector`` (any dimension; the indexes cast to a fixed one)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "vector"

    def bind_expression(self, bindvalue: Any) -> Any:
        return func.cast(bindvalue, self)


class EmbeddingType(TypeDecorator[Vector]):
    """A unit vector: float16 BLOB on SQLite, ``vector`` on PostgreSQL, float32 numpy in Python."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PgVector())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        vector = as_vector(value)
        if dialect.name == "postgresql":
            return "[" + ",".join(f"{x:.6g}" for x in vector.tolist()) + "]"
        return vector.astype("<f2").tobytes()

    def compare_values(self, x: Any, y: Any) -> bool:
        """Whether the ORM must write the column: arrays compare whole (``==`` on two arrays
        is elementwise, and fails when a static vector is upgraded to a longer model one)."""
        if x is None or y is None:
            return x is y
        a, b = np.asarray(x), np.asarray(y)
        return a.shape == b.shape and bool(np.array_equal(a, b))

    def process_result_value(self, value: Any, dialect: Dialect) -> Vector | None:
        if value is None:
            return None
        if isinstance(value, str):
            return np.array([float(x) for x in value.strip("[]").split(",") if x], dtype=np.float32)
        return np.frombuffer(bytes(value), dtype="<f2").astype(np.float32)


def as_vector(value: Any) -> Vector:
    """A finite, one-dimensional float32 vector, or ``[M115]``."""
    vector = np.asarray(value, dtype=np.float32)
    if vector.ndim != 1 or not len(vector) or not np.isfinite(vector).all():
        raise ConfigError(
            f"a document vector must be one finite row of numbers, got shape {vector.shape} — "
            "store what an embedder returned for one text",
            code=codes.M115,
        )
    return vector


def pg_distance(column: Any, query: Vector) -> ColumnElement[float]:
    """Cosine distance ``column <=> query`` on the fixed-dimension expression the HNSW index of
    that dimension covers (the planner uses the index only for the same expression)."""
    dim = len(query)
    literal = "[" + ",".join(f"{x:.6g}" for x in query.tolist()) + "]"
    typed = func.cast(column, _FixedVector(dim))
    distance: ColumnElement[float] = typed.op("<=>", return_type=Float())(
        func.cast(bindparam(None, literal, type_=String()), _FixedVector(dim))
    )
    return distance


class _FixedVector(UserDefinedType[Any]):
    cache_ok = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def get_col_spec(self, **kw: Any) -> str:
        return f"vector({self.dim})"

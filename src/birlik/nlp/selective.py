"""Run an expensive stage only on the documents that deserve it."""

from __future__ import annotations

from collections.abc import Callable

from birlik.domain.records import Document, Signal
from birlik.nlp.pipeline import Stage


class SelectiveStage:
    """Applies ``inner`` to the documents ``select`` accepts; the others get the signal
    ``signal`` with no label and the reason ``<signal>.skipped`` so that nothing pretends
    a score was computed."""

    def __init__(self, inner: Stage, select: Callable[[Document], bool], signal: str) -> None:
        self.inner = inner
        self.select = select
        self.signal = signal
        self.name = inner.name
        self.requires = inner.requires
        self.provides = inner.provides

    def __call__(self, docs: list[Document]) -> list[Document]:
        chosen = [doc for doc in docs if self.select(doc)]
        if chosen:
            self.inner(chosen)
        for doc in docs:
            if self.signal not in doc.signals:
                doc.signals[self.signal] = Signal(name=self.signal, reasons=[f"{self.signal}.skipped"])
        return docs

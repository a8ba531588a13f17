"""One error family with codes.

Every message starts with its code (``[C012] …``) and says how to fix the problem.
``BadInput`` means the item can never succeed as it is: quarantine it.
``SourceUnavailable`` means try again later: never quarantine.
"""

from __future__ import annotations

from typing import Any


class BirlikError(Exception):
    """Base of every error Birlik raises on purpose."""

    code: str = "B000"
    status: int = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.detail = message
        super().__init__(f"[{self.code}] {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole, code and detail included (an error from a worker process): rebuilt
        without calling ``__init__``, whose arguments differ between subclasses."""
        return (_rebuild_error, (type(self), self.args), dict(self.__dict__))


def _rebuild_error(cls: type[BirlikError], args: tuple[Any, ...]) -> BirlikError:
    error = cls.__new__(cls)
    error.args = args
    return error


class ConfigError(BirlikError):
    """Settings, arguments or reference data are wrong; the user must change them."""

    code = "E001"
    status = 400


class PipelineError(BirlikError):
    """A stage or pipeline breaks its declared contract (a programming error)."""

    code = "P001"


class BadInput(BirlikError):
    """An item that can never be processed as it is: quarantine it with this code."""

    code = "I001"
    status = 422


class SourceUnavailable(BirlikError):
    """The source cannot be reached now: keep everything and retry later."""

    code = "S001"
    status = 503


class NotFound(BirlikError):
    """A requested record does not exist."""

    code = "N001"
    status = 404

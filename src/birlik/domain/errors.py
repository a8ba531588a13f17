"""One error family with codes.

Every message starts with its code (``[C012] …``) and says how to fix the problem; every code is
defined once, in ``birlik.domain.codes``, with its class and HTTP status.
``BadInput`` means the item can never succeed as it is: quarantine it.
``SourceUnavailable`` means try again later: never quarantine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from birlik.domain.codes import Code


class BirlikError(Exception):
    """Base of every error Birlik raises on purpose."""

    code: str
    """The code's id, e.g. ``"C012"``; ``entry`` is its catalogue entry."""
    status: int = 500

    def __init__(self, message: str, *, code: Code[Self]) -> None:
        self.entry = code
        self.code = code.id
        self.status = code.status
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

    status = 400


class PipelineError(BirlikError):
    """A stage or pipeline breaks its declared contract (a programming error)."""


class BadInput(BirlikError):
    """An item that can never be processed as it is: quarantine it with this code."""

    status = 422


class SourceUnavailable(BirlikError):
    """The source cannot be reached now: keep everything and retry later."""

    status = 503


class NotFound(BirlikError):
    """A requested record does not exist."""

    status = 404


class CaseError(BirlikError):
    """A case cannot do what was asked."""

    status = 409


class AlertError(BirlikError):
    """An alert cannot do what was asked (a transition its status does not allow…)."""

    status = 409


class DeliveryFailed(BirlikError):
    """A receiver did not accept a notification (retried later)."""

    status = 502


class EmbedderMismatch(ConfigError):
    """Query vectors and stored vectors come from different embedders (their sizes differ)."""

    status = 409


class CodebookError(BadInput):
    """The codebook is malformed, or does not match the data file it describes."""


class VisitError(BadInput):
    """A visit record is malformed."""


class WebError(BirlikError):
    """An error a client caused; carries its HTTP status (from its code) and response headers."""

    def __init__(self, message: str, *, code: Code[Self], headers: dict[str, str] | None = None) -> None:
        super().__init__(message, code=code)
        self.headers = headers or {}

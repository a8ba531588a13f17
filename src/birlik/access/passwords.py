"""Passwords: argon2 hashes, checks that take the same time whether a user exists or not."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from birlik.access.errors import RequestError
from birlik.access.models import UserRow
from birlik.domain import codes

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made like every stored one: checking a password against it
    costs what checking a real user's costs, so an unknown name answers no faster."""
    return hash_password(secrets.token_urlsafe(24))


def check_login(user: UserRow | None, password: str) -> bool:
    """Whether ``password`` opens ``user``; the same work (one hash verification) whether the
    user exists, is inactive or not — the answer's timing does not tell which."""
    matches = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    return matches and user is not None and user.active


def check_new_password(password: str) -> None:
    if len(password) < 8:
        raise RequestError(
            "the password is shorter than 8 characters — choose a longer one", code=codes.W111,
        )
    if len(password) > 200:
        raise RequestError(
            "the password is longer than 200 characters — choose a shorter one", code=codes.W111,
        )


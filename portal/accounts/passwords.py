"""Password hashing with Argon2id (argon2-cffi: the reference binding, maintained by the PHC winner's team)."""

from __future__ import annotations

import contextlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The hasher configured for this application (tests use cheap parameters)."""
    config = current_app.config
    return _hasher(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST_KIB"], config["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    """Argon2id hash with a random salt."""
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; a missing hash never matches but costs the same time."""
    if password_hash is None:
        # Spend the same work as a real check so response time does not reveal unknown accounts.
        _dummy_verify(password)
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with weaker parameters than the current ones."""
    return hasher().check_needs_rehash(password_hash)


def _dummy_verify(password: str) -> None:
    config = current_app.config
    key = (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST_KIB"], config["ARGON2_PARALLELISM"])
    dummy = _dummy_hashes.get(key)
    if dummy is None:
        dummy = _dummy_hashes[key] = hasher().hash("not-a-password")
    with contextlib.suppress(VerificationError):
        hasher().verify(dummy, password)


_dummy_hashes: dict[tuple[int, int, int], str] = {}

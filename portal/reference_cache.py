"""The portal's one cache: values kept per web worker between requests, keyed by the *reference generation*.

The generation is a one-row table: a session that flushes a tracked object (`track`: communes, collection
points, factors, catalogue items…), or runs an INSERT, UPDATE or DELETE statement on a tracked table, writes a
new random generation as its last statement before committing (in autocommit mode, right after the change).
The generation comes with the session user's query, so checking it costs no round trip; a worker that finds it
changed computes its values again. No worker serves a value older than the last committed change of tracked
data, whichever worker made it. Data that changes too often to renew the generation (a campaign's results)
puts its own version in the key (`campaigns.results`: the campaign's `results_version`).

What the generation and the keys cannot see (a change written by hand in SQL, or untracked rows a value reads:
the devices behind the organisation average) is bounded by the age limit: PORTAL_REFERENCE_CACHE_SECONDS, or
the `max_seconds` a service passes (0 turns caching off). A session that changed tracked data, or called
`hold_until_commit`, neither reads nor stores cached values until its transaction ends, so no worker keeps a
value that might be rolled back. (The portal uses no savepoints: a savepoint's release would end that early.)

Values are shared between requests and threads: they must be plain and immutable (frozen dataclasses, tuples,
rendered text), never ORM objects, whose unloaded attributes would fail once detached. At most `ENTRIES`
values are kept per process, the least recently used dropped first. Services own their cached values (a route
calls `catalogue.services.result_page()`, never `cached` itself): see README, "Caching".
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from portal.models import Model, db

T = TypeVar("T")

DEFAULT_SECONDS = 300
#: Values kept per process (a page of rendered catalogue results is about 10 KB: at most ~10 MB per worker).
ENTRIES = 1024
_GENERATION_ID = 1
_SESSION_GENERATION = "portal_reference_generation"
_SESSION_CHANGED = "portal_reference_changed"
_SESSION_HOLD = "portal_reference_hold"
_FLUSH_CHANGES = "portal_reference_flush"


class ReferenceGeneration(Model):
    """One row: a random number replaced whenever reference data changes (the key of per-worker caches)."""

    __tablename__ = "reference_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(sa.BigInteger)


_tracked_classes: set[type] = set()
_tracked_tables: set[sa.Table] = set()
#: (name, key) → (generation, time stored, value); per process, the least recently used dropped first.
_cache: OrderedDict[tuple[str, Hashable], tuple[int, float, Any]] = OrderedDict()
_storing = threading.Lock()  # gthread workers: one thread at a time reorders and trims the cache


def track(*models: type) -> None:
    """Make every change of these models' rows replace the reference generation."""
    for model in models:
        _tracked_classes.add(model)
        _tracked_tables.add(model.__table__)  # type: ignore[attr-defined]


_GENERATION = sa.select(ReferenceGeneration.value).where(ReferenceGeneration.id == _GENERATION_ID)


def generation_column() -> sa.ScalarSelect[int]:
    """The current generation as a column (the session user's query carries it)."""
    return _GENERATION.scalar_subquery()


def remember_generation(value: int | None) -> None:
    """Keep the generation read with the session user for the rest of this request."""
    db.session.info[_SESSION_GENERATION] = value


def cached(name: str, key: Hashable, load: Callable[[], T], *, max_seconds: float | None = None) -> T:
    """`load()`, or the value this process kept for (`name`, `key`) under the current generation, less than
    `max_seconds` ago (default PORTAL_REFERENCE_CACHE_SECONDS). `key` holds everything else the value depends
    on (filters, page, language…); the value must be plain and immutable (no ORM object)."""
    if max_seconds is None:
        max_seconds = float(current_app.config.get("PORTAL_REFERENCE_CACHE_SECONDS", DEFAULT_SECONDS))
    session = db.session
    if max_seconds <= 0 or session.info.get(_SESSION_CHANGED) or session.info.get(_SESSION_HOLD):
        return load()
    generation = current_generation()
    if generation is None:  # no generation row yet: nothing can tell when the data changes
        return load()
    now = time.monotonic()
    with _storing:
        stored = _cache.get((name, key))
        if stored is not None and stored[0] == generation and now - stored[1] < max_seconds:
            _cache.move_to_end((name, key))
            return stored[2]
    value = load()
    if isinstance(value, db.Model):
        raise TypeError(f"{name}: cache plain values, not ORM objects (detached, they fail on unloaded attributes)")
    with _storing:
        _cache[(name, key)] = (generation, now, value)
        _cache.move_to_end((name, key))
        while len(_cache) > ENTRIES:
            _cache.popitem(last=False)
    return value


def hold_until_commit() -> None:
    """This transaction changes what a cached value's key is made of (a campaign's `results_version`): until it
    ends, it neither reads nor stores cached values, so nothing computed before a rollback is kept."""
    db.session.info[_SESSION_HOLD] = True


def clear() -> None:
    """Forget every value this process keeps (tests; the generation makes it unnecessary otherwise)."""
    with _storing:
        _cache.clear()


def current_generation() -> int | None:
    """This request's reference generation (read with the session user, else now); None without the row."""
    session = db.session
    if _SESSION_GENERATION not in session.info:
        session.info[_SESSION_GENERATION] = session.scalar(_GENERATION)
    return session.info[_SESSION_GENERATION]


def _write_generation(session: Session) -> None:
    connection = session.connection()
    table = ReferenceGeneration.__table__
    value = secrets.randbits(62)
    if connection.execute(table.update().where(table.c.id == _GENERATION_ID).values(value=value)).rowcount == 0:
        connection.execute(table.insert().values(id=_GENERATION_ID, value=value))


def _changed(session: Session) -> None:
    """Reference data changes in this session: it keeps nothing until its transaction ends."""
    session.info[_SESSION_CHANGED] = True
    session.info.pop(_SESSION_GENERATION, None)


def _autocommit(session: Session) -> bool:
    # PostgreSQL pages run in autocommit mode (portal.database): there, each statement commits on its own.
    return session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _tracked_changes(session: Session) -> bool:
    tracked = tuple(_tracked_classes)
    return any(
        isinstance(obj, tracked) and (obj not in session.dirty or session.is_modified(obj))
        for obj in (*session.new, *session.deleted, *session.dirty)
    )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _tracked_classes and _tracked_changes(session):
        _changed(session)
        session.info[_FLUSH_CHANGES] = True


def _after_flush(session: Session, _context: Any) -> None:
    # In autocommit mode the change is committed already: the new generation follows it at once.
    if session.info.pop(_FLUSH_CHANGES, False) and _autocommit(session):
        _write_generation(session)


def _on_execute(state: ORMExecuteState) -> Any:
    if state.is_select:
        return None
    table = getattr(state.statement, "table", None)
    if table is None or table not in _tracked_tables:
        return None
    _changed(state.session)
    if not _autocommit(state.session):
        return None  # written before the commit
    result = state.invoke_statement()  # committed on its own: the new generation right after it
    _write_generation(state.session)
    return result


def _before_commit(session: Session) -> None:
    # The generation is the transaction's last write, after its final flush: a transaction waiting for the
    # generation's row lock never holds it while waiting for another row (no deadlock through it).
    if not session.info.get(_SESSION_CHANGED) and not (_tracked_classes and _tracked_changes(session)):
        return
    session.flush()
    _write_generation(session)


def _transaction_ended(session: Session, *_args: Any) -> None:
    # Committed: the new generation is what every worker reads next. Rolled back: the old one stands.
    session.info.pop(_SESSION_CHANGED, None)
    session.info.pop(_SESSION_HOLD, None)
    session.info.pop(_SESSION_GENERATION, None)


sa.event.listen(Session, "before_flush", _before_flush)
sa.event.listen(Session, "after_flush_postexec", _after_flush)
sa.event.listen(Session, "do_orm_execute", _on_execute)
sa.event.listen(Session, "before_commit", _before_commit)
sa.event.listen(Session, "after_commit", _transaction_ended)
sa.event.listen(Session, "after_rollback", _transaction_ended)

"""Two requests at once, as two transactions on PostgreSQL: the first one holds its change uncommitted while the
second one starts, then commits. What a double click or two open tabs do, made deterministic."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from portal.models import db

#: How long the second transaction is given to reach the first one's lock or row before the first commits.
HEAD_START_SECONDS = 0.3


def postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: two cannot interleave")


def first_then_second(app: Flask, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run `first` in a transaction left open, then `second` in another one (each in its own app context and
    thread), then commit the first, then let the second finish and commit. Each result is what its callable
    returned, or the exception it raised (rolled back)."""
    results: list[Any] = [None, None]
    first_done, commit_first = threading.Event(), threading.Event()

    def run(index: int, work: Callable[[], Any], before_commit: Callable[[], None]) -> None:
        with app.app_context():
            try:
                results[index] = work()
                db.session.flush()
                before_commit()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the outcome the test reads
                db.session.rollback()
                results[index] = error
                first_done.set()
            finally:
                db.session.remove()

    one = threading.Thread(target=run, args=(0, first, lambda: (first_done.set(), commit_first.wait(10))))
    one.start()
    first_done.wait(10)
    two = threading.Thread(target=run, args=(1, second, lambda: None))
    two.start()
    time.sleep(HEAD_START_SECONDS)  # the second one is now waiting on the first one's row
    commit_first.set()
    one.join(10)
    two.join(10)
    return results[0], results[1]

"""Pagination of list pages: about 20 rows a page keeps every page light (EcoIndex A)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import current_app, request
from sqlalchemy.orm import Session, scoped_session

from portal.models import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and where it sits."""

    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return _last_page(self.total, self.size)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)


def page_number(raw: Any) -> int:
    """A page number from the query string; anything odd is page 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 100_000))


def _last_page(total: int, size: int) -> int:
    return max(1, -(-total // size))


def paginate(
    statement: sa.Select[*tuple[Any, ...]],
    *,
    number: int,
    size: int,
    session: Session | None = None,
    rows: bool = False,
) -> Page[Any]:
    """Run a select for one page, with the total count (two queries, whatever the page). The items are the
    first column's values, or whole rows with `rows` (a list with a count beside each entry)."""
    run: Session | scoped_session[Any] = session if session is not None else db.session
    total = run.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0
    number = min(number, _last_page(total, size))
    page = statement.limit(size).offset((number - 1) * size)
    items = list(run.execute(page) if rows else run.scalars(page))
    return Page(items=items, number=number, size=size, total=total)


def requested_page(statement: sa.Select[*tuple[Any, ...]], *, rows: bool = False) -> Page[Any]:
    """`paginate` for a list page's route: the page number of the query string (`?page=`), the size of the
    PORTAL_PAGE_SIZE setting."""
    return paginate(
        statement, number=page_number(request.args.get("page")), size=current_app.config["PORTAL_PAGE_SIZE"], rows=rows
    )


def paginate_list(items: Sequence[T], *, number: int, size: int) -> Page[T]:
    """One page of a list computed in full (ranked, sorted by distance); a number past the end is the last page."""
    number = min(number, _last_page(len(items), size))
    return Page(items=list(items[(number - 1) * size : number * size]), number=number, size=size, total=len(items))


def requested_list_page(items: Sequence[T]) -> Page[T]:
    """`paginate_list` for a list page's route: the page of the query string, PORTAL_PAGE_SIZE items."""
    size = current_app.config["PORTAL_PAGE_SIZE"]
    return paginate_list(items, number=page_number(request.args.get("page")), size=size)
def active_filter_count(filters: Any, *, ignore: Sequence[str] = ("sort",)) -> int:
    """How many of a list filter dataclass's fields differ from their defaults (each value of a list counts):
    the number a folded filter form shows ("Filter (2)")."""
    count = 0
    for spec in fields(filters):
        if spec.name in ignore:
            continue
        value = getattr(filters, spec.name)
        default = spec.default_factory() if spec.default_factory is not MISSING else spec.default
        if value != default:
            count += len(value) if isinstance(value, (list, tuple, set, frozenset)) else 1
    return count

"""The employee's side: my inbox, my unread count, opening a message, my e-mail preferences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from portal.accounts.models import User
from portal.messaging.models import NON_ESSENTIAL_CATEGORIES, Category, EmailOptOut, Message, MessageRecipient
from portal.models import db


def _mine(user: User) -> list[sa.ColumnElement[bool]]:
    return [MessageRecipient.user_id == user.id, MessageRecipient.error == ""]


@dataclass(frozen=True)
class InboxFilters:
    """What the employee asked their inbox for: a category, or every message."""

    category: str = ""

    @classmethod
    def from_args(cls, args: Any) -> InboxFilters:
        """The filters of a query string (an unknown category is ignored: a bookmark never breaks)."""
        category = args.get("category", "")
        return cls(category=category if category in {c.value for c in Category} else "")

    def query_args(self) -> dict[str, str | None]:
        """The same filters as URL parameters (pagination links)."""
        return {"category": self.category or None}


def inbox_statement(user: User, *, category: str | None = None) -> sa.Select[*tuple[Any, ...]]:
    """My portal messages, newest first (optionally of one category): the columns the inbox lists (message id,
    subject, category, delivered, read), not the rows with their personalised bodies."""
    statement = (
        sa.select(
            MessageRecipient.message_id,
            MessageRecipient.subject,
            Message.category,
            MessageRecipient.delivered_at,
            MessageRecipient.read_at,
        )
        .join(MessageRecipient.message)
        .where(*_mine(user), MessageRecipient.in_inbox.is_(True))
        .order_by(MessageRecipient.delivered_at.desc(), MessageRecipient.id.desc())
    )
    if category:
        statement = statement.where(Message.category == category)
    return statement


class UnreadMessage(NamedTuple):
    """An unread message as the home page lists it."""

    message_id: int
    subject: str


# Built once: the home page runs it on every visit (a built statement keeps its cache key).
_NEWEST_UNREAD = (
    sa.select(MessageRecipient.message_id, MessageRecipient.subject)
    .where(
        MessageRecipient.user_id == sa.bindparam("user_id", type_=sa.Integer),
        MessageRecipient.error == "",
        MessageRecipient.in_inbox.is_(True),
        MessageRecipient.read_at.is_(None),
    )
    .order_by(MessageRecipient.delivered_at.desc(), MessageRecipient.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def newest_unread(user: User, limit: int) -> list[UnreadMessage]:
    """My newest unread portal messages: their id and subject only (no row objects)."""
    rows = db.session.execute(_NEWEST_UNREAD, {"user_id": user.id, "limit": limit})
    return [UnreadMessage(*row) for row in rows]


def _unread_count_of(user_id: sa.ColumnElement[int]) -> sa.Select[int]:
    """How many portal messages of this user are unread (the menu's counter)."""
    return sa.select(sa.func.count(MessageRecipient.id)).where(
        MessageRecipient.user_id == user_id,
        MessageRecipient.error == "",
        MessageRecipient.in_inbox.is_(True),
        MessageRecipient.read_at.is_(None),
    )


def unread_count_column(user_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """The menu's count: my unread portal messages, as a column of a statement selecting users (read with the
    session user: no query of its own on every page)."""
    return _unread_count_of(user_id).scalar_subquery()


def open_message(user: User, message_id: int, *, now: datetime) -> MessageRecipient | None:
    """My copy of a message, marked read the first time; None if it was not sent to me."""
    recipient = db.session.scalar(
        sa.select(MessageRecipient)
        .join(MessageRecipient.message)
        .options(contains_eager(MessageRecipient.message))
        .where(*_mine(user), MessageRecipient.message_id == message_id)
    )
    if recipient is not None and recipient.read_at is None:
        recipient.read_at = now
        db.session.flush()
    return recipient


def email_categories_wanted(user: User) -> set[str]:
    """The non-essential categories I receive by e-mail (all of them unless I opted out)."""
    opted_out = set(db.session.scalars(sa.select(EmailOptOut.category).where(EmailOptOut.user_id == user.id)))
    return set(NON_ESSENTIAL_CATEGORIES) - opted_out


def set_email_categories(user: User, wanted: Iterable[str]) -> None:
    """Receive by e-mail exactly the `wanted` non-essential categories (essential ones always come)."""
    opt_outs = set(NON_ESSENTIAL_CATEGORIES) - set(wanted)
    db.session.execute(sa.delete(EmailOptOut).where(EmailOptOut.user_id == user.id))
    db.session.add_all(EmailOptOut(user_id=user.id, category=category) for category in sorted(opt_outs))
    db.session.flush()

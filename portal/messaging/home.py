"""The messaging home panel: my unread messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.areas import Suggestion
from portal.messaging.inbox import inbox_statement
from portal.messaging.models import MessageRecipient
from portal.models import db

SHOWN_MESSAGES = 3


def home_messages(user: User, now: datetime) -> dict[str, Any] | None:
    """My unread messages (the newest few, and how many in all); None when everything is read."""
    unread = inbox_statement(user).where(MessageRecipient.read_at.is_(None))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(unread.order_by(None).subquery())) or 0
    if not count:
        return None
    newest = list(db.session.scalars(unread.limit(SHOWN_MESSAGES)))
    return {
        "count": count,
        "newest": newest,
        "suggestion": Suggestion(30, str(_l("Read your new messages.")), url_for("messaging.inbox")),
    }

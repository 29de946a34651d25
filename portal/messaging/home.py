"""The messaging home panel: my unread messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.accounts.services import user_counts
from portal.areas import Suggestion
from portal.messaging.inbox import newest_unread

SHOWN_MESSAGES = 3


def home_messages(user: User, now: datetime) -> dict[str, Any] | None:
    """My unread messages (the newest few: their id and subject, and how many in all); None when everything is
    read. The count is the menu's, read with the session user."""
    count = user_counts(user).get("messaging.inbox", 0)
    if not count:
        return None
    newest = newest_unread(user, SHOWN_MESSAGES)
    return {
        "count": count,
        "newest": newest,
        "suggestion": Suggestion(30, str(_l("Read your new messages.")), url_for("messaging.inbox")),
    }

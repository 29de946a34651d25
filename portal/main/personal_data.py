"""The notices a person received on their home page, and how long they are kept."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from portal.accounts.models import User
from portal.database import affected_rows
from portal.main.models import Notice
from portal.models import db
from portal.personal_data import Tables


def notices(user: User) -> Tables:
    """Every notice left for the person."""
    rows = db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))
    return {"notices": [{"kind": n.kind, "details": json.dumps(n.params, ensure_ascii=False, sort_keys=True),
                         "created_at": n.created_at, "read_at": n.read_at} for n in rows]}


def delete_old_notices(now: datetime, cutoff: datetime) -> int:
    """Notices read before the cut-off, and every notice of a pseudonymised account, are deleted."""
    pseudonymised = sa.select(User.id).where(User.pseudonymised_at.is_not(None))
    result = db.session.execute(
        sa.delete(Notice).where(sa.or_(Notice.read_at < cutoff, Notice.user_id.in_(pseudonymised)))
    )
    return affected_rows(result)

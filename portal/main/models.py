"""Operational state shown to admins and to the health check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.models import Model, UTCDateTime, utcnow


class Heartbeat(Model):
    """Last time a background process said it was alive."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notice(Model):
    """A short in-portal notification for one employee (an order approved, a device to return…).

    `kind` names a text declared by a domain in its NOTICES; `params` fills it.
    """

    __tablename__ = "notice"
    __table_args__ = (sa.Index("ix_notice_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Operational state shown to admins and to the health check."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.models import UTCDateTime, db


class Heartbeat(db.Model):
    """Last time a background process said it was alive."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())

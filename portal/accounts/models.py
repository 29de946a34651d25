"""Employees and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Model, TimestampMixin, UTCDateTime
from portal.org.models import OrgUnit, Site


class Role(StrEnum):
    """Roles beyond `employee`, which everyone has."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    COMMS = "comms"
    ADMIN = "admin"


class UserRole(Model):
    """One granted role (a table, not a string, so audiences can filter on roles in SQL)."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class User(TimestampMixin, Model):
    """An employee of the metropolis (or of one of its communes)."""

    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        # One account per identity at the provider: the subject is stable and unique only within its issuer.
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    org_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    # Part of the session cookie: bumping it ends every open session of this account.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The identity provider's account linked at the first sign-in (issuer URL and `sub` claim).
    oidc_issuer: Mapped[str | None] = mapped_column(sa.String(300))
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255))
    # The directory entry's stable id (objectGUID, entryUUID): set by the directory sync, whose accounts it
    # deactivates when they leave the directory; accounts without one (break-glass admins) are never touched.
    directory_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    # When the account was last deactivated: the retention rules pseudonymise it after a delay.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    pseudonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    org_unit: Mapped[OrgUnit | None] = relationship()
    site: Mapped[Site | None] = relationship()
    manager: Mapped[User | None] = relationship(remote_side=[id])
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    # flask-login protocol -------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # ----------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset({Role.EMPLOYEE.value, *(row.role for row in self.role_rows)})

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of the roles (admins hold them all)."""
        mine = self.roles
        return Role.ADMIN.value in mine or any(role in mine for role in roles)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class DirectorySyncRun(Model):
    """One run of the directory sync, dry or not, with its report (admins read it on the sync page)."""

    __tablename__ = "directory_sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    dry_run: Mapped[bool] = mapped_column(default=False)
    entries_read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    deactivated: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    #: Why the run stopped before changing anything (a DirectoryError code), or "" when it ran.
    error: Mapped[str] = mapped_column(sa.String(40), default="")
    #: The report's details: {"created": [e-mail…], "updated": […], "deactivated": […], "rejected": [[line, code,
    #: field, value], …]} (the first 1,000 of each).
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

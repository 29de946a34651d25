"""Action plans: plans, their actions (an estate indicator or a declared one, measured against a target),
milestones, the monthly measures (kept, never rewritten), declared values and the owners' check-ins."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.accounts.models import User
from portal.models import Model, UTCDateTime, utcnow
from portal.org.models import OrgUnit


class Plan(Model):
    """A strategy with its actions, e.g. "Stratégie numérique responsable 2025–2030"."""

    __tablename__ = "plans_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actions: Mapped[list[Action]] = relationship(back_populates="plan", order_by="Action.id")


class Action(Model):
    """One action: an indicator of the estate (or a declared one) for a scope, from a baseline to a target."""

    __tablename__ = "plans_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans_plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # None: the whole organisation; else the unit with its sub-units.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id", ondelete="SET NULL"))
    start_on: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date] = mapped_column(sa.Date)
    # An estate indicator code (portal.estate.indicators), or "" for a declared indicator.
    indicator_code: Mapped[str] = mapped_column(sa.String(40), default="")
    declared_name: Mapped[str] = mapped_column(sa.String(120), default="")
    declared_unit: Mapped[str] = mapped_column(sa.String(20), default="")
    trend: Mapped[str] = mapped_column(sa.String(10))  # decrease | increase (portal.footprint.plans.Trend)
    baseline: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 6))
    # Where an estate indicator's baseline is read: "start" (the start month's snapshot, else the reference
    # year's) or "reference_year" (the reference year's last snapshot). Unused for a declared indicator.
    baseline_source: Mapped[str] = mapped_column(sa.String(20), default="start", server_default="start")
    # The snapshot the baseline was read from (None: declared, or typed from the reference year).
    baseline_snapshot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("estate_snapshot.id", ondelete="SET NULL"))
    target: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6))
    public: Mapped[bool] = mapped_column(default=False)
    # The latest measure's status, kept to notice a change (portal.footprint.plans.Status; "" before any).
    status: Mapped[str] = mapped_column(sa.String(10), default="")

    plan: Mapped[Plan] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()
    unit: Mapped[OrgUnit | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(order_by="Milestone.due_on", cascade="all, delete-orphan")
    contributors: Mapped[list[User]] = relationship(secondary="plans_contributor", order_by="User.last_name")

    @property
    def declared(self) -> bool:
        """Is the indicator entered by hand (not measured from the portal's data)?"""
        return not self.indicator_code


class Contributor(Model):
    """An employee named on an action besides its owner: shown on its page, may add check-ins."""

    __tablename__ = "plans_contributor"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plans_action.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)


class Milestone(Model):
    """An intermediate target with its date."""

    __tablename__ = "plans_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plans_action.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6))


class Measure(Model):
    """An action's value for a month as measured then: written once, never rewritten (a changed factor or a
    recomputed snapshot does not change the history)."""

    __tablename__ = "plans_measure"
    __table_args__ = (sa.UniqueConstraint("action_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plans_action.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column()
    month: Mapped[int] = mapped_column()
    measured_on: Mapped[date] = mapped_column(sa.Date)  # the last day the value covers
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6))
    progress: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6))
    status: Mapped[str] = mapped_column(sa.String(10))
    snapshot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("estate_snapshot.id", ondelete="SET NULL"))
    declared_value_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans_declared_value.id", ondelete="SET NULL"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeclaredValue(Model):
    """A value the portal cannot measure (a data centre's PUE…), entered with its date, source and author."""

    __tablename__ = "plans_declared_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plans_action.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6))
    source: Mapped[str] = mapped_column(sa.String(300))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entered_by: Mapped[User | None] = relationship()


class CheckIn(Model):
    """The owner's word on an action: a comment, a date, optionally a link."""

    __tablename__ = "plans_check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plans_action.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(sa.Date)
    comment: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


# Plans, actions, their milestones and measures are reference data for the portal's cache (portal.reference_cache):
# an edited action or milestone, a new plan or the monthly measure renews the generation, so the plan's table, the
# shared objectives and an action's series kept rendered (portal.plans.services) show them at the next request, in
# every worker.
reference_cache.track(Plan, Action, Milestone, Measure)

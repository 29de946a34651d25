"""Clean-up campaigns, their participants and checklists; storage snapshots and the imports that made them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.accounts.models import User
from portal.models import Model, TimestampMixin, UTCDateTime, db, utcnow
from portal.org.models import Commune, OrgUnit


class CampaignState(StrEnum):
    """Life cycle of a campaign, moved forward by the `campaign-states` job."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    ACTIVE = "active"
    CLOSED = "closed"


class TeamRule(StrEnum):
    """What a team is in a campaign's leaderboard."""

    ORG_UNIT = "org_unit"
    COMMUNE = "commune"


class StorageSource(StrEnum):
    """Where an employee's data is stored (the parsers' `source` values)."""

    MAILBOX = "mailbox"
    DRIVE = "drive"
    SHARE = "share"


campaign_commune = sa.Table(
    "campaign_commune",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_insee", sa.ForeignKey("commune.insee"), primary_key=True),
)

campaign_org_unit = sa.Table(
    "campaign_org_unit",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("org_unit_id", sa.ForeignKey("org_unit.id"), primary_key=True),
)


class Campaign(TimestampMixin, Model):
    """A Digital Clean-up Day campaign: when, for whom, with which goals and which CO₂e convention.

    `starts_at` and `ends_at` are instants (UTC) of a half-open period: midnight in Paris of the first day,
    and midnight in Paris after the last day.
    """

    __tablename__ = "campaign"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("goal_gb IS NULL OR goal_gb > 0", name="goal_gb_positive"),
        sa.CheckConstraint(
            "goal_participation IS NULL OR (goal_participation > 0 AND goal_participation <= 1)",
            name="goal_participation_ratio",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=CampaignState.DRAFT.value, index=True)
    # Set when an admin publishes the draft; the job then moves it by the clock.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scope_all: Mapped[bool] = mapped_column(default=True)
    goal_gb: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 1))
    goal_participation: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))  # ratio 0–1
    team_rule: Mapped[str] = mapped_column(sa.String(20), default=TeamRule.ORG_UNIT.value)
    co2e_convention: Mapped[str] = mapped_column(sa.String(20), default="ademe_storage")
    # ADEME convention: freed data is no longer stored until the end of this year's horizon.
    horizon_year: Mapped[int] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Bumped with every change of the results (see results.results_changed): the key of their cache.
    results_version: Mapped[int] = mapped_column(default=0, server_default="0")

    communes: Mapped[list[Commune]] = relationship(secondary=campaign_commune, order_by=Commune.name)
    org_units: Mapped[list[OrgUnit]] = relationship(secondary=campaign_org_unit, order_by=OrgUnit.name)

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name!r} {self.state}>"


class Participation(Model):
    """An employee taking part in a campaign (kept when they leave, for the participation-over-time chart)."""

    __tablename__ = "campaign_participation"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The employee takes part but is not counted in their team's figures (campaign totals still count them).
    hidden_from_team: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[Campaign] = relationship()
    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.left_at is None


class GuideSection(Model):
    """A section of a campaign's guides (a place to clean up, with advice), in French and English; its actions
    are the checklist. A campaign without sections shows the default guides (portal.campaigns.guides)."""

    __tablename__ = "campaign_guide_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title_fr: Mapped[str] = mapped_column(sa.String(160))
    title_en: Mapped[str] = mapped_column(sa.String(160))
    advice_fr: Mapped[str] = mapped_column(sa.Text, default="")
    advice_en: Mapped[str] = mapped_column(sa.Text, default="")

    actions: Mapped[list[GuideAction]] = relationship(
        back_populates="section", order_by="GuideAction.position", cascade="all, delete-orphan"
    )


class GuideAction(Model):
    """One action of the checklist, with its help; its key is what employees' ticks keep (unique per campaign)."""

    __tablename__ = "campaign_guide_action"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_guide_section.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(sa.String(40))
    label_fr: Mapped[str] = mapped_column(sa.String(300))
    label_en: Mapped[str] = mapped_column(sa.String(300))
    help_fr: Mapped[str] = mapped_column(sa.Text, default="")
    help_en: Mapped[str] = mapped_column(sa.Text, default="")

    section: Mapped[GuideSection] = relationship(back_populates="actions")


class ChecklistTick(Model):
    """One guide action an employee has done during a campaign."""

    __tablename__ = "campaign_checklist_tick"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(40), primary_key=True)  # an action's key (GuideAction.key)
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StorageImport(Model):
    """One imported export file and its report (kept: admins read it later)."""

    __tablename__ = "storage_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    format: Mapped[str] = mapped_column(sa.String(20))  # parsers.FORMATS
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Data lines read (the header, blank lines and repeated headers are not rows).
    rows_read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)  # same employee, source and time, other values
    unchanged: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)
    first_measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int] = mapped_column(default=0)

    imported_by: Mapped[User | None] = relationship()


class StorageImportProblem(Model):
    """A line of an import that created nothing: invalid (with its reason) or not matched to an employee."""

    __tablename__ = "storage_import_problem"
    __table_args__ = (sa.Index("ix_storage_import_problem_import_kind_line", "import_id", "kind", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("storage_import.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(10))  # invalid | unmatched
    line: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(30))  # a parser reason code, or an unmatched reason
    detail: Mapped[str] = mapped_column(sa.String(300), default="")


class StorageSnapshot(Model):
    """How much one employee stored in one place at one time: the measured input of every result."""

    __tablename__ = "storage_snapshot"
    __table_args__ = (
        # One measure per employee, source and time: re-importing a file creates nothing.
        sa.UniqueConstraint("user_id", "source", "measured_at"),
        sa.CheckConstraint("size_bytes >= 0", name="size_positive"),
        sa.CheckConstraint("item_count IS NULL OR item_count >= 0", name="items_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(sa.String(10))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    item_count: Mapped[int | None] = mapped_column(sa.BigInteger)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("storage_import.id", ondelete="CASCADE"), index=True)


class CampaignProgress(Model):
    """Storage freed by one employee, from one source, on one day (Paris) of a campaign.

    Derived from the snapshots (baseline − latest, as daily steps) each time an import or a change of the
    campaign's dates may alter it, so that result pages only sum rows. Kept for every measured employee,
    participant or not: joining or leaving changes no row, only which rows the results sum.
    """

    __tablename__ = "campaign_progress"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    freed_bytes: Mapped[int] = mapped_column(sa.BigInteger)  # negative: the storage grew
    freed_items: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# The guides and checklist each campaign page shows are kept per web worker (portal.campaigns.content.guides_of,
# services.action_keys): any change of these rows drops them everywhere.
reference_cache.track(GuideSection, GuideAction)

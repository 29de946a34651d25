"""Digital services: their hosts and components, who has them, how much they are used, and the yearly review."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import reference_cache
from portal.accounts.models import User
from portal.models import Model, TimestampMixin, UTCDateTime, utcnow
from portal.org.models import OrgUnit

KG = sa.Numeric(12, 4)  # kgCO₂e and kWh: four decimals keep grams exact

#: The categories a service belongs to (their words are display.CATEGORIES).
CATEGORIES = ("business", "collaboration", "messaging", "storage", "telephony", "printing", "access", "other")
HOSTINGS = ("on_premises", "public_cloud", "saas")
CRITICALITIES = ("low", "medium", "high")
HOST_KINDS = ("server", "storage")
DECISIONS = ("keep", "optimise", "merge", "discontinue")


class Access(StrEnum):
    """How an employee gets a service: everyone has it, or it is requested and the owner approves."""

    GRANTED_TO_ALL = "granted_to_all"
    ON_REQUEST = "on_request"


class DigitalService(TimestampMixin, Model):
    """A digital service of the catalogue: what it is for, who owns it, where it runs, who may have it."""

    __tablename__ = "digital_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # stable key of the CSV files
    name: Mapped[str] = mapped_column(sa.String(160))
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(20), index=True)
    hosting: Mapped[str] = mapped_column(sa.String(20))
    criticality: Mapped[str] = mapped_column(sa.String(10), default="medium")  # declared business criticality
    owner_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    access: Mapped[str] = mapped_column(sa.String(20), default=Access.ON_REQUEST.value)
    #: Who may request it: members of this unit and its sub-units; None: every employee.
    eligible_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"))
    #: SaaS / public cloud without inventory: kgCO₂e per subscriber per year, always shown as an estimate.
    per_user_estimate_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    estimate_source: Mapped[str] = mapped_column(sa.String(300), default="")
    network_gb_per_year: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))  # measured transfer
    end_date: Mapped[date | None] = mapped_column(sa.Date)  # discontinued on this day

    owner_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[owner_unit_id])
    eligible_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[eligible_unit_id])
    owner: Mapped[User | None] = relationship()
    components: Mapped[list[ServiceComponent]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceComponent.id"
    )

    def description(self, locale: str) -> str:
        """The description in the reader's language, the other one when it is missing."""
        first, second = (
            (self.description_en, self.description_fr) if locale == "en" else (self.description_fr, self.description_en)
        )
        return first or second


class ServiceHost(Model):
    """A physical server or storage array in a data centre, shared by the services that run on it."""

    __tablename__ = "service_host"
    __table_args__ = (
        sa.CheckConstraint("lifetime_years > 0", name="lifetime_positive"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("pue IS NULL OR pue >= 1", name="pue_at_least_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # server | storage
    model: Mapped[str] = mapped_column(sa.String(160), default="")
    data_centre: Mapped[str] = mapped_column(sa.String(80), default="")
    embodied_kgco2e: Mapped[Decimal] = mapped_column(KG)
    lifetime_years: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    annual_kwh: Mapped[Decimal] = mapped_column(KG)
    capacity: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))  # vCPU (server) or usable GB (storage)
    pue: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))  # None: unknown, the surveyed average
    quality: Mapped[str] = mapped_column(sa.String(20))  # manufacturer | generic | estimated
    source: Mapped[str] = mapped_column(sa.String(300))
    #: A data-centre server read from the ITSM (`services sync-servers`): its sys_id, memory and CMDB status.
    itsm_sys_id: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    ram_gb: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    install_status: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")


class ServiceComponent(Model):
    """What a service takes of a host: vCPU on a server, GB on a storage array."""

    __tablename__ = "service_component"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "host_id"),
        sa.CheckConstraint("allocated >= 0", name="allocated_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("digital_service.id", ondelete="CASCADE"))
    host_id: Mapped[int] = mapped_column(sa.ForeignKey("service_host.id"), index=True)
    allocated: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))

    service: Mapped[DigitalService] = relationship(back_populates="components")
    host: Mapped[ServiceHost] = relationship()


class ServiceSubscription(Model):
    """An employee's access to a service, from a day; ended when they give it up or it is discontinued."""

    __tablename__ = "service_subscription"
    __table_args__ = (sa.UniqueConstraint("service_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("digital_service.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_reason: Mapped[str] = mapped_column(sa.String(20), default="")  # no_longer_used | departure | import
    #: The per-user footprint when given up (kgCO₂e/year): what "My footprint" counts as saved.
    saving_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    #: The Digital Clean-up Day campaign running when it was given up, in which it counts as a clean-up action.
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id", ondelete="SET NULL"), index=True)

    service: Mapped[DigitalService] = relationship()
    user: Mapped[User] = relationship()


class ServiceUsage(Model):
    """An employee's recent activity on a service, from the access logs or licence report."""

    __tablename__ = "service_usage"
    __table_args__ = (sa.UniqueConstraint("service_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("digital_service.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    last_active_on: Mapped[date] = mapped_column(sa.Date)
    active_days: Mapped[int] = mapped_column(default=0)  # days with activity in the 90 days before the report


class RequestStatus(StrEnum):
    """submitted → approved | refused; cancelled by the requester before a decision."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class AccessRequest(TimestampMixin, Model):
    """An employee asks for a service that needs a request; its owner (or an admin) decides."""

    __tablename__ = "service_access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("digital_service.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.SUBMITTED.value, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(sa.Text, default="")

    service: Mapped[DigitalService] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ReviewDecision(Model):
    """The yearly review's decision on a service: keep, optimise, merge or discontinue, and its saving."""

    __tablename__ = "service_review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("digital_service.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column()
    decision: Mapped[str] = mapped_column(sa.String(20))
    rationale: Mapped[str] = mapped_column(sa.Text)
    decided_on: Mapped[date] = mapped_column(sa.Date)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))  # who carries it out
    expected_saving_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    measured_saving_kgco2e: Mapped[Decimal | None] = mapped_column(KG)  # declared; else from the next year's figures
    #: The service's footprint per year when the decision was recorded: the next year's is measured against it.
    baseline_kgco2e: Mapped[Decimal | None] = mapped_column(KG)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    service: Mapped[DigitalService] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


# Every service's footprint and usage, and the review, are kept per web worker (services.figures_for,
# review.cached_review): any change of these rows drops them everywhere. Giving a service up or importing
# usage is rare next to reading the pages.
reference_cache.track(DigitalService, ServiceHost, ServiceComponent, ServiceSubscription, ServiceUsage, ReviewDecision)

"""What the ITSM link keeps: the ITSM's locations and models, field interventions, asset transfers, and its
runs (reports, watermarks, the cluster-wide lock).

Interventions and transfers keep what the estate's trips and transport need: the instants (aware UTC, stored
as every timestamp of the portal), the coordinates read from the ITSM and the sites they resolve to.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalogue.models import CatalogueItem
from portal.models import Model, UTCDateTime, utcnow
from portal.org.models import Site

COORDINATE = sa.Numeric(8, 5)  # about a metre, as the portal's sites


class ItsmLocation(Model):
    """A `cmn_location` record, and the portal site it is (matched by name, else created from it)."""

    __tablename__ = "itsm_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    sys_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    # The name compared case-, accent- and space-insensitively: records of other tables name locations.
    name_key: Mapped[str] = mapped_column(sa.String(160), index=True)
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(80), default="")
    zip: Mapped[str] = mapped_column(sa.String(10), default="")
    lat: Mapped[Decimal | None] = mapped_column(COORDINATE)
    lon: Mapped[Decimal | None] = mapped_column(COORDINATE)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)

    site: Mapped[Site | None] = relationship()


class ModelMatch(StrEnum):
    """How an ITSM model found its footprint."""

    EXACT = "exact"  # same manufacturer and model name, once normalised
    SIMILAR = "similar"  # similar names above the documented threshold
    ADMIN = "admin"  # mapped by an administrator (to an item or to a category)
    CATEGORY = "category"  # not mapped: its ITSM category's default, an estimate
    NONE = "none"  # not mapped, and its ITSM category names no portal category: its devices wait


#: Models whose devices count with a guessed category's default (or are refused): the admin's list to map.
UNMAPPED = (ModelMatch.CATEGORY.value, ModelMatch.NONE.value)


class ItsmModel(Model):
    """A hardware model as the ITSM names it, and what it is in the catalogue (remembered for every device)."""

    __tablename__ = "itsm_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)  # normalised manufacturer | model name
    manufacturer: Mapped[str] = mapped_column(sa.String(120), default="")
    name: Mapped[str] = mapped_column(sa.String(200))
    itsm_category: Mapped[str] = mapped_column(sa.String(80), default="")
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    category: Mapped[str | None] = mapped_column(sa.String(20))
    match: Mapped[str] = mapped_column(sa.String(20), index=True)
    similarity: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 3))
    mapped_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    mapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The oldest change time of a device refused for want of a category: mapping the model reads them again.
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[CatalogueItem | None] = relationship()
    mapped_by: Mapped[User | None] = relationship()

    @property
    def unmapped(self) -> bool:
        return self.match in UNMAPPED


class ItsmAsset(Model):
    """What the ITSM says of an inventory device beyond the asset itself: its model and assignee's e-mail."""

    __tablename__ = "itsm_asset"

    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("itsm_model.id"), index=True)
    # As the ITSM gives it (lower-cased); kept when no employee has it, so that the device is linked once
    # the directory knows them.
    assigned_email: Mapped[str] = mapped_column(sa.String(254), default="", index=True)


class Intervention(Model):
    """A field-service work order task (`wm_task`): where and when a technician went."""

    __tablename__ = "itsm_intervention"

    id: Mapped[int] = mapped_column(primary_key=True)
    sys_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    number: Mapped[str] = mapped_column(sa.String(40), index=True)
    location_name: Mapped[str] = mapped_column(sa.String(160), default="")
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("itsm_location.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    # The task's own coordinates (dot-walked from its location), else its location's.
    lat: Mapped[Decimal | None] = mapped_column(COORDINATE)
    lon: Mapped[Decimal | None] = mapped_column(COORDINATE)
    assignment_group: Mapped[str] = mapped_column(sa.String(160), default="")
    state: Mapped[str] = mapped_column(sa.String(40), default="")
    travel_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    work_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    work_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    short_description: Mapped[str] = mapped_column(sa.String(300), default="")

    site: Mapped[Site | None] = relationship()


class AssetTransfer(Model):
    """An asset moved between stockrooms (`alm_transfer_order_line`): from which site to which, and when."""

    __tablename__ = "itsm_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    sys_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    number: Mapped[str] = mapped_column(sa.String(40), index=True)
    asset_tag: Mapped[str] = mapped_column(sa.String(40), default="")
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("asset.id", ondelete="SET NULL"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    stage: Mapped[str] = mapped_column(sa.String(40), default="")
    from_location_name: Mapped[str] = mapped_column(sa.String(160), default="")
    to_location_name: Mapped[str] = mapped_column(sa.String(160), default="")
    from_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("itsm_location.id"))
    to_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("itsm_location.id"))
    from_site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    to_site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    from_site: Mapped[Site | None] = relationship(foreign_keys=[from_site_id])
    to_site: Mapped[Site | None] = relationship(foreign_keys=[to_site_id])


class RunStatus(StrEnum):
    """requested (waiting for the jobs process) → running → completed | interrupted (resumes) | failed."""

    REQUESTED = "requested"
    RUNNING = "running"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    FAILED = "failed"


class RunTrigger(StrEnum):
    """What started a run."""

    SCHEDULE = "schedule"
    MANUAL = "manual"  # the "sync now" button
    CLI = "cli"
    IMPORT = "import"  # records read from a file
    DEMO = "demo"


class SyncRun(Model):
    """One synchronisation (or file import) and how it ended; its tables' reports and refused records."""

    __tablename__ = "itsm_sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    full: Mapped[bool] = mapped_column(default=False)
    # The instance's address (never with credentials) or the file's name.
    source: Mapped[str] = mapped_column(sa.String(255), default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Why it stopped: a code of portal.itsm.display.ERRORS, and what its message quotes (no secret, ever).
    error_code: Mapped[str] = mapped_column(sa.String(40), default="")
    error_params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    requested_by: Mapped[User | None] = relationship()
    tables: Mapped[list[SyncTableReport]] = relationship(
        back_populates="run", order_by="SyncTableReport.position", cascade="all, delete-orphan"
    )


class SyncTableReport(Model):
    """What a run did with one table: records read out of the total, created, updated, unchanged, refused."""

    __tablename__ = "itsm_sync_table"
    __table_args__ = (sa.UniqueConstraint("run_id", "table_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("itsm_sync_run.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()  # X-Total-Count of the query
    read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    unknown_models: Mapped[int] = mapped_column(default=0)
    unknown_emails: Mapped[int] = mapped_column(default=0)
    sites_created: Mapped[int] = mapped_column(default=0)
    requests: Mapped[int] = mapped_column(default=0)
    finished: Mapped[bool] = mapped_column(default=False)

    run: Mapped[SyncRun] = relationship(back_populates="tables")


class SyncProblem(Model):
    """A record a run refused: its table, place in the read, key, reason code, field and value."""

    __tablename__ = "itsm_sync_problem"
    __table_args__ = (sa.Index("ix_itsm_sync_problem_run_table_ordinal", "run_id", "table_name", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("itsm_sync_run.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(sa.String(40))
    ordinal: Mapped[int] = mapped_column()  # record number in the read (or line of the file)
    record_key: Mapped[str] = mapped_column(sa.String(100), default="")
    code: Mapped[str] = mapped_column(sa.String(40))
    field: Mapped[str] = mapped_column(sa.String(60), default="")
    value: Mapped[str] = mapped_column(sa.String(200), default="")
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class Watermark(Model):
    """Where the next read of a table starts: the change time of the last record stored, advanced page by page."""

    __tablename__ = "itsm_watermark"

    table_name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    updated_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sys_id: Mapped[str] = mapped_column(sa.String(32), default="")
    advanced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncLock(Model):
    """The one sync allowed at a time, whichever node or process runs it: a row with a lease."""

    __tablename__ = "itsm_lock"

    name: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(120))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

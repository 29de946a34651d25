"""What the ITSM administration pages read and do: the link's status, runs and their refused records, the
models to map (with the effect of a mapping before it is made), the e-mails of no employee, CSV lists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import csvio
from portal.accounts.models import User
from portal.catalogue.footprints import FactorSet
from portal.catalogue.models import Asset, AssetStatus, CatalogueItem
from portal.catalogue.my_footprint import category_annualised
from portal.database import affected_rows
from portal.footprint import CATEGORY_KEYS
from portal.itsm import store, sync
from portal.itsm.client import ItsmError
from portal.itsm.mapping import TABLES
from portal.itsm.models import (
    UNMAPPED,
    ItsmAsset,
    ItsmModel,
    ModelMatch,
    RunStatus,
    RunTrigger,
    SyncProblem,
    SyncRun,
    Watermark,
)
from portal.itsm.settings import ItsmSettings, from_config
from portal.models import db, utcnow

#: Devices that are part of the estate (bought, not gone): the ones a mapping's footprint change counts.
ESTATE_STATUSES = tuple(
    status.value for status in AssetStatus
    if status not in (AssetStatus.RETURNED, AssetStatus.RECYCLED, AssetStatus.RETIRED, AssetStatus.ON_ORDER)
)
MODEL_FILTERS = ("unmapped", "mapped", "all")


# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkStatus:
    """The link as the status page shows it."""

    settings: ItsmSettings | None
    problem: ItsmError | None  # the configuration is not valid
    last_success: datetime | None
    current: SyncRun | None  # waiting for the jobs process, or running
    watermarks: Sequence[tuple[str, datetime | None]]
    unmapped_models: int
    unknown_emails: int


def link_status(config: Mapping[str, Any]) -> LinkStatus:
    """Configuration, last successful sync, the run in progress, watermarks, what waits for an administrator."""
    try:
        settings, problem = from_config(config), None
    except ItsmError as error:
        settings, problem = None, error
    api = SyncRun.trigger.in_([RunTrigger.SCHEDULE.value, RunTrigger.MANUAL.value, RunTrigger.CLI.value])
    marks = {mark.table_name: mark.updated_on for mark in db.session.scalars(sa.select(Watermark))}
    return LinkStatus(
        settings=settings,
        problem=problem,
        last_success=db.session.scalar(
            sa.select(sa.func.max(SyncRun.finished_at)).where(api, SyncRun.status == RunStatus.COMPLETED.value)),
        current=db.session.scalar(
            sa.select(SyncRun).where(SyncRun.status.in_([RunStatus.REQUESTED.value, RunStatus.RUNNING.value]))
            .options(selectinload(SyncRun.tables)).order_by(SyncRun.id.desc()).limit(1)),
        watermarks=[(table, marks.get(table)) for table in TABLES],
        unmapped_models=db.session.scalar(sa.select(sa.func.count(ItsmModel.id)).where(ItsmModel.match.in_(UNMAPPED)))
        or 0,
        unknown_emails=db.session.scalar(sa.select(sa.func.count()).select_from(unknown_emails_statement().subquery()))
        or 0,
    )


def runs_statement() -> sa.Select[Any]:
    """Every run, newest first, with its tables' reports."""
    return sa.select(SyncRun).options(selectinload(SyncRun.tables), selectinload(SyncRun.requested_by)) \
        .order_by(SyncRun.id.desc())


def problems_statement(run: SyncRun, table: str = "") -> sa.Select[Any]:
    """A run's refused records, in the order they were read (one table's, or all)."""
    statement = sa.select(SyncProblem).where(SyncProblem.run_id == run.id)
    if table:
        statement = statement.where(SyncProblem.table_name == table)
    return statement.order_by(SyncProblem.table_name, SyncProblem.ordinal, SyncProblem.id)


def problems_report(problems: Sequence[SyncProblem]) -> csvio.ImportReport:
    """Refused records as the report the CSV module describes in words."""
    report = csvio.ImportReport()
    for problem in problems:
        report.rejected.append(csvio.Rejected(problem.ordinal, problem.code, problem.field, problem.value,
                                              tuple(sorted((problem.params or {}).items()))))
    report.rejected_count = len(problems)
    return report


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFilters:
    """The models list's filters, read from the query string (anything odd gives the default)."""

    show: str = "unmapped"
    query: str = ""

    @classmethod
    def from_args(cls, args: Any) -> ModelFilters:
        """Read the filters; a bookmark never breaks."""
        show = args.get("show", "unmapped")
        return cls(show=show if show in MODEL_FILTERS else "unmapped", query=(args.get("q") or "").strip()[:100])


def _device_counts() -> sa.Subquery:
    return (
        sa.select(ItsmAsset.model_id, sa.func.count().label("devices"))
        .group_by(ItsmAsset.model_id).subquery()
    )


def models_statement(filters: ModelFilters) -> sa.Select[ItsmModel, int]:
    """The models (with their device count), unmapped ones first by number of devices."""
    counts = _device_counts()
    devices = sa.func.coalesce(counts.c.devices, 0).label("devices")
    statement = sa.select(ItsmModel, devices).outerjoin(counts, counts.c.model_id == ItsmModel.id) \
        .options(selectinload(ItsmModel.item))
    if filters.show == "unmapped":
        statement = statement.where(ItsmModel.match.in_(UNMAPPED))
    elif filters.show == "mapped":
        statement = statement.where(ItsmModel.match.not_in(UNMAPPED))
    if filters.query:
        pattern = f"%{filters.query.lower()}%"
        statement = statement.where(sa.or_(sa.func.lower(ItsmModel.name).like(pattern),
                                           sa.func.lower(ItsmModel.manufacturer).like(pattern)))
    return statement.order_by(devices.desc(), ItsmModel.name, ItsmModel.id)


@dataclass(frozen=True)
class Target:
    """What a model is mapped to: a catalogue item, or a category (its default footprint)."""

    item: CatalogueItem | None = None
    category: str = ""

    @property
    def chosen(self) -> bool:
        return self.item is not None or bool(self.category)

    @classmethod
    def from_args(cls, args: Any) -> Target:
        """`item_id` (an active or inactive catalogue item) or `category`; nothing when neither is valid."""
        raw = str(args.get("item_id") or "")
        if raw.isdigit():
            item = db.session.get(CatalogueItem, int(raw))
            if item is not None:
                return cls(item=item)
        category = str(args.get("category") or "")
        return cls(category=category) if category in CATEGORY_KEYS else cls()


@dataclass(frozen=True)
class MappingPreview:
    """What mapping a model would change: its devices, and their footprint per year before and after."""

    devices: int
    in_estate: int
    in_use: int
    before_kgco2e: Decimal
    after_kgco2e: Decimal
    changed_devices: int

    @property
    def difference_kgco2e(self) -> Decimal:
        return self.after_kgco2e - self.before_kgco2e


def _per_device(item: CatalogueItem | None, category: str | None, defaults: Mapping[str, Decimal]) -> Decimal:
    if item is not None:
        return item.annualised_kgco2e
    return defaults.get(category or "", Decimal(0))


def mapping_preview(model: ItsmModel, target: Target, factor_set: FactorSet) -> MappingPreview:
    """How many of the model's devices would change, and the footprint per year of those in the estate
    (in stock, in use, in repair…) before and after: one query, grouped by what they count as now."""
    defaults = category_annualised(factor_set)
    groups = db.session.execute(
        sa.select(Asset.item_id, Asset.category, Asset.status, sa.func.count())
        .join(ItsmAsset, ItsmAsset.asset_id == Asset.id).where(ItsmAsset.model_id == model.id)
        .group_by(Asset.item_id, Asset.category, Asset.status)
    ).all()
    items: dict[int | None, CatalogueItem] = {item.id: item for item in db.session.scalars(
        sa.select(CatalogueItem).where(CatalogueItem.id.in_({g[0] for g in groups if g[0] is not None})))}
    after_each = _per_device(target.item, target.category, defaults)
    target_item_id = target.item.id if target.item is not None else None
    target_category = target.item.category if target.item is not None else target.category
    devices = in_estate = in_use = changed = 0
    before = after = Decimal(0)
    for item_id, category, status, count in groups:
        devices += count
        if (item_id, category) != (target_item_id, target_category):
            changed += count
        if status in ESTATE_STATUSES:
            in_estate += count
            in_use += count if status == AssetStatus.IN_USE.value else 0
            before += _per_device(items.get(item_id), category, defaults) * count
            after += after_each * count
    return MappingPreview(devices, in_estate, in_use, before, after, changed)


def suggestions(model: ItsmModel, *, query: str = "", limit: int = 5) -> list[tuple[CatalogueItem, Decimal | None]]:
    """Catalogue items to map a model to: those whose names are most alike, or those a search finds."""
    if query:
        pattern = f"%{query.lower()}%"
        found = db.session.scalars(
            sa.select(CatalogueItem).where(
                CatalogueItem.refurbished.is_(False),
                sa.or_(sa.func.lower(CatalogueItem.name).like(pattern),
                       sa.func.lower(CatalogueItem.manufacturer).like(pattern),
                       sa.func.lower(CatalogueItem.manufacturer + " " + CatalogueItem.name).like(pattern)),
            ).order_by(CatalogueItem.manufacturer, CatalogueItem.name).limit(limit * 2)
        ).all()
        return [(item, None) for item in found]
    index = store.catalogue_index()
    scored = index.suggestions(index.normalise(model.manufacturer, model.name), limit)
    items = {item.id: item for item in db.session.scalars(
        sa.select(CatalogueItem).where(CatalogueItem.id.in_([item_id for item_id, _ in scored])))}
    return [(items[item_id], score) for item_id, score in scored if item_id in items]


def apply_mapping(model: ItsmModel, target: Target, *, by: User) -> int:
    """Map a model once for all its devices, past and future: they count as the item (or the category's
    default) and lose the *estimate* mark. Devices refused for want of a category are read again at the next
    sync. Returns the number of devices changed."""
    model.item = target.item
    model.item_id = target.item.id if target.item is not None else None
    model.category = target.item.category if target.item is not None else target.category
    model.match, model.similarity = ModelMatch.ADMIN.value, None
    model.mapped_by, model.mapped_at = by, utcnow()
    if model.pending_since is not None:
        sync.rewind("alm_hardware", model.pending_since)
        model.pending_since = None
    changed = affected_rows(db.session.execute(
        sa.update(Asset)
        .where(Asset.id.in_(sa.select(ItsmAsset.asset_id).where(ItsmAsset.model_id == model.id)))
        .where(sa.or_(Asset.item_id.is_distinct_from(model.item_id), Asset.category != model.category,
                      Asset.model_estimated.is_(True)))
        .values(item_id=model.item_id, category=model.category, model_estimated=False)
        .execution_options(synchronize_session=False)
    ))
    db.session.flush()
    return changed or 0


# ---------------------------------------------------------------------------
# E-mails of no employee
# ---------------------------------------------------------------------------


def unknown_emails_statement() -> sa.Select[str, int]:
    """The ITSM's assignee e-mails no employee has, with their number of devices, most devices first."""
    return (
        sa.select(ItsmAsset.assigned_email.label("email"), sa.func.count().label("devices"))
        .join(Asset, Asset.id == ItsmAsset.asset_id)
        .where(ItsmAsset.assigned_email != "", Asset.user_id.is_(None))
        .group_by(ItsmAsset.assigned_email)
        .order_by(sa.func.count().desc(), ItsmAsset.assigned_email)
    )


# ---------------------------------------------------------------------------
# CSV lists
# ---------------------------------------------------------------------------

MODEL_COLUMNS = ("manufacturer", "model", "itsm_category", "devices", "match", "catalogue_sku", "category")
EMAIL_COLUMNS = ("email", "devices")
PROBLEM_COLUMNS = ("table", "record", "key", "reason", "field", "value")


def models_csv(filters: ModelFilters) -> str:
    """The models of the list as CSV (for the catalogue team); formulas neutralised."""
    rows = (
        (model.manufacturer, model.name, model.itsm_category, devices, model.match,
         model.item.sku if model.item else "", model.category or "")
        for model, devices in db.session.execute(models_statement(filters))
    )
    return csvio.to_text(MODEL_COLUMNS, rows)


def emails_csv() -> str:
    """The e-mails of no employee as CSV (for the directory team)."""
    return csvio.to_text(EMAIL_COLUMNS, db.session.execute(unknown_emails_statement()))


def problems_csv(run: SyncRun, messages: Mapping[str, Any]) -> str:
    """A run's refused records as CSV, the reason in the current language."""
    problems = db.session.scalars(problems_statement(run)).all()
    described = csvio.describe(problems_report(problems), messages)
    rows: Iterator[tuple[Any, ...]] = (
        (problem.table_name, problem.ordinal, problem.record_key, words.message, problem.field, problem.value)
        for problem, words in zip(problems, described, strict=True)
    )
    return csvio.to_text(PROBLEM_COLUMNS, rows)

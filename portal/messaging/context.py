"""Each recipient's personal context: plain values only (str, int, Decimal, None), one batch at a time.

Figures come from the domains that own them: devices and footprints from the catalogue (the same rules as
the "My footprint" page), the nearest collection point from the locator, campaign results from the
campaigns domain. What is shared by every recipient (factor library, averages, campaign totals, team ranks,
the nearest point of each site) is computed once per mailing; what is personal is computed per batch with
a constant number of queries, never one query per recipient.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.campaigns import services as campaigns
from portal.campaigns.models import Campaign
from portal.campaigns.results import team_ranks
from portal.campaigns.scope import team_key_of
from portal.catalogue.footprints import FactorSet, load_factor_set
from portal.catalogue.models import Asset, CatalogueItem
from portal.catalogue.my_footprint import CURRENT_STATUSES, age_in_years, asset_footprint, organisation_average
from portal.footprint import Footprint, keep_longer_saving
from portal.locator.services import active_points, nearest_points, origin_from_site, returns_in_year
from portal.messaging.placeholders import plugged_in
from portal.models import db
from portal.org.models import Commune, OrgUnit, Site

Context = dict[str, int | Decimal | str | None]
TENTH = Decimal("0.1")


def _tenth(value: Decimal | None) -> Decimal | None:
    """Figures in messages carry one decimal (rounded for display only, after every computation)."""
    return None if value is None else value.quantize(TENTH, rounding=ROUND_HALF_UP)


class _SiteRef(NamedTuple):
    """A site as plain values: ORM objects expire at every commit of a batch, these do not."""

    id: int
    name: str
    commune_insee: str
    lat: Decimal
    lon: Decimal


class _AssetRef(NamedTuple):
    """What `asset_footprint` reads of an asset: its catalogue model (if known) and its category."""

    item: CatalogueItem | None
    category: str


class ContextBuilder:
    """Builds the personal contexts of a mailing's recipients (or of one previewed employee)."""

    def __init__(self, *, today: date, now: datetime, portal_url: str, campaign_id: int | None = None) -> None:
        self.today = today
        self.now = now
        self.portal_url = portal_url
        self.factor_set: FactorSet = load_factor_set()
        self.org_average = _tenth(organisation_average(self.factor_set))
        self.collected_kg = _tenth(returns_in_year(today.year).kg)
        self.unit_names: dict[int, str] = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.name)).all())
        self.sites: dict[int, _SiteRef] = {
            row.id: _SiteRef(*row)
            for row in db.session.execute(sa.select(Site.id, Site.name, Site.commune_insee, Site.lat, Site.lon))
        }
        communes = db.session.execute(sa.select(Commune.insee, Commune.name)).all()
        self.commune_names: dict[str, str] = dict(communes)
        self._items: dict[int, CatalogueItem] = {}
        self._footprints: dict[int | str, Footprint] = {}
        self._savings: dict[int | str, Decimal] = {}
        self._nearest: dict[int, str | None] = {}
        self._points: tuple[Any, ...] | None = None
        self._campaign: Any = None
        self._campaign_shared: Context = {
            "campaign_total_gb": None,
            "campaign_participants": None,
        }
        self._team_rank: Callable[[User], int | None] | None = None
        # The upper domains' figures (an objective's progress…), the same for every recipient: read once.
        self._plugged: Context = {
            name: value for source in plugged_in() for name, value in source.load(today).items()
        }
        if campaign_id is not None:
            self._load_campaign(campaign_id)

    # ------------------------------------------------------------------------------- shared figures

    def _load_campaign(self, campaign_id: int) -> None:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            return
        self._campaign = campaign
        self._campaign_shared = {
            "campaign_total_gb": _tenth(campaigns.campaign_total_gb(campaign)),
            "campaign_participants": campaigns.campaign_participants(campaign),
        }
        ranks = team_ranks(campaign)  # the leaderboard, once for the whole mailing
        self._team_rank = lambda user: ranks.get(team_key_of(user, campaign))

    def _nearest_point(self, site_id: int | None) -> str | None:
        """"Name, address, postcode town" of the collection point nearest to the work site (once per site)."""
        if site_id is None or site_id not in self.sites:
            return None
        if site_id not in self._nearest:
            if self._points is None:
                self._points = active_points()  # plain values: a batch's commit leaves them as they are
            # A _SiteRef holds what origin_from_site reads of a Site: name, lat and lon.
            origin = origin_from_site(self.sites[site_id])  # type: ignore[arg-type]
            ranked = nearest_points(self._points, origin, now=self.now)
            point = ranked[0].point if ranked else None
            self._nearest[site_id] = (
                f"{point.name}, {point.address}, {point.postcode} {point.commune.name}" if point else None
            )
        return self._nearest[site_id]

    def _footprint(self, key: int | str, item_id: int | None, category: str) -> Footprint:
        footprint = self._footprints.get(key)
        if footprint is None:
            item = self._items.get(item_id) if item_id is not None else None
            # An _AssetRef holds what asset_footprint reads of an Asset: its item and category.
            footprint = asset_footprint(_AssetRef(item, category), self.factor_set)  # type: ignore[arg-type]
            self._footprints[key] = footprint
        return footprint

    def _saving(self, key: int | str, footprint: Footprint, age: Decimal) -> Decimal:
        """keep_longer_saving(footprint, age, 12).value: while the device is younger than its lifetime the
        value does not depend on its age, so it is computed once per model (older devices: every time, so
        that this cache stays as small as the catalogue)."""
        if age > footprint.lifetime_years.value:
            return keep_longer_saving(footprint, age, 12).value
        saving = self._savings.get(key)
        if saving is None:
            saving = self._savings[key] = keep_longer_saving(footprint, age, 12).value
        return saving

    # ----------------------------------------------------------------------------------- per batch

    def contexts(self, recipients: Sequence[Any]) -> dict[int, Context]:
        """user id → context, for rows with id, first_name, last_name, org_unit_id, site_id (User or Row)."""
        ids = [r.id for r in recipients]
        devices: dict[int | None, list[tuple[int | None, str, date]]] = defaultdict(list)
        for user_id, item_id, category, acquired_on in db.session.execute(
            sa.select(Asset.user_id, Asset.item_id, Asset.category, Asset.acquired_on).where(
                Asset.user_id.in_(ids), Asset.status.in_(CURRENT_STATUSES)
            )
        ):
            devices[user_id].append((item_id, category, acquired_on))
        missing = {d[0] for rows in devices.values() for d in rows if d[0] is not None} - self._items.keys()
        if missing:
            self._items.update(
                {i.id: i for i in db.session.scalars(sa.select(CatalogueItem).where(CatalogueItem.id.in_(missing)))}
            )
        campaign_values = self._campaign_values(ids) if self._campaign is not None else {}
        result: dict[int, Context] = {}
        for recipient in recipients:
            site = self.sites.get(recipient.site_id) if recipient.site_id is not None else None
            context: Context = {
                "first_name": recipient.first_name,
                "last_name": recipient.last_name,
                "org_unit": self.unit_names.get(recipient.org_unit_id) if recipient.org_unit_id else None,
                "site": site.name if site else None,
                "commune": self.commune_names.get(site.commune_insee) if site else None,
                "org_average_kg_per_year": self.org_average,
                "collected_kg_this_year": self.collected_kg,
                "device_name": None,  # the event of an automatic message gives them
                "device_age_years": None,
                "nearest_collection_point": self._nearest_point(recipient.site_id),
                "portal_url": self.portal_url,
                "campaign_freed_gb": None,
                "team_rank": None,
                **self._campaign_shared,
                **self._plugged,
                **self._device_values(devices.get(recipient.id, [])),
                **campaign_values.get(recipient.id, {}),
            }
            result[recipient.id] = context
        return result

    def _device_values(self, devices: list[tuple[int | None, str, date]]) -> Context:
        total = Decimal(0)
        saving = Decimal(0)
        oldest: Decimal | None = None
        for item_id, category, acquired_on in devices:
            key: int | str = item_id if item_id is not None else category
            footprint = self._footprint(key, item_id, category)
            age = max(age_in_years(acquired_on, self.today), Decimal(0))
            total += footprint.annualised.value
            saving += self._saving(key, footprint, age)
            oldest = age if oldest is None or age > oldest else oldest
        return {
            "device_count": len(devices),
            "footprint_kg_per_year": _tenth(total),
            "keep_longer_saving_kg": _tenth(saving),
            "oldest_device_years": math.floor(oldest) if oldest is not None else None,
        }

    def _campaign_values(self, ids: list[int]) -> dict[int, Context]:
        users = db.session.scalars(sa.select(User).where(User.id.in_(ids)).options(selectinload(User.site))).all()
        if self._team_rank is None:  # set with the campaign, before any campaign value is asked for
            raise RuntimeError("campaign values asked for before the campaign was set")
        return {
            user.id: {
                "campaign_freed_gb": _tenth(campaigns.campaign_freed_gb(user, self._campaign)),
                "team_rank": self._team_rank(user),
            }
            for user in users
        }

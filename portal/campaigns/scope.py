"""Who a campaign is for, and which team each employee belongs to in it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from portal.accounts.models import User
from portal.campaigns.models import Campaign, TeamRule
from portal.models import db
from portal.org.models import Site
from portal.org.services import unit_and_descendant_ids


def scope_unit_ids(campaign: Campaign) -> set[int]:
    """The org units of the campaign's scope with all their sub-units."""
    ids: set[int] = set()
    for unit in campaign.org_units:
        ids.update(unit_and_descendant_ids(unit.id))
    return ids


def scope_clause(campaign: Campaign) -> ColumnElement[bool]:
    """A condition on `User`: the employee is in the campaign's scope (everyone, or its communes / units)."""
    if campaign.scope_all:
        return sa.true()
    conditions: list[ColumnElement[bool]] = []
    insees = [commune.insee for commune in campaign.communes]
    if insees:
        conditions.append(User.site_id.in_(sa.select(Site.id).where(Site.commune_insee.in_(insees))))
    unit_ids = scope_unit_ids(campaign)
    if unit_ids:
        conditions.append(User.org_unit_id.in_(sorted(unit_ids)))
    return sa.or_(*conditions) if conditions else sa.false()


def in_scope(user: User, campaign: Campaign) -> bool:
    """True if the campaign is meant for this employee."""
    if campaign.scope_all:
        return True
    if user.site is not None and user.site.commune_insee in {c.insee for c in campaign.communes}:
        return True
    return user.org_unit_id is not None and user.org_unit_id in scope_unit_ids(campaign)


def eligible_count(campaign: Campaign) -> int:
    """Active employees in the campaign's scope: the denominator of participation rates."""
    statement = sa.select(sa.func.count(User.id)).where(User.active.is_(True), scope_clause(campaign))
    return db.session.scalar(statement) or 0


def team_column(campaign: Campaign) -> QueryableAttribute[str] | QueryableAttribute[int | None]:
    """The team of a `User` row under the campaign's rule (needs `Site` outer-joined for communes)."""
    return Site.commune_insee if campaign.team_rule == TeamRule.COMMUNE.value else User.org_unit_id


def with_team_join(statement: sa.Select, campaign: Campaign) -> sa.Select:
    """Add the join `team_column` needs (the site, for teams by commune)."""
    if campaign.team_rule == TeamRule.COMMUNE.value:
        return statement.outerjoin(Site, User.site_id == Site.id)
    return statement


def team_key_of(user: User, campaign: Campaign) -> int | str | None:
    """This employee's team under the campaign's rule (None: no unit, or no site)."""
    if campaign.team_rule == TeamRule.COMMUNE.value:
        return user.site.commune_insee if user.site is not None else None
    return user.org_unit_id

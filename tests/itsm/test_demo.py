"""The demo's recorded Table API pages: the ITSM pages have content without any instance."""

from __future__ import annotations

import sqlalchemy as sa

from portal.catalogue.models import Asset
from portal.itsm.demo import load_demo
from portal.itsm.models import ItsmModel, SyncRun
from portal.models import db


def test_the_recorded_pages_load_once_and_give_the_admin_something_to_map(app, catalogue, communes):
    assert load_demo() == {"itsm runs": 5}
    db.session.commit()
    assert load_demo() == {"itsm runs": 0}
    runs = db.session.scalars(sa.select(SyncRun).order_by(SyncRun.id)).all()
    assert {(run.trigger, run.status) for run in runs} == {("demo", "completed")}
    waiting = db.session.scalars(sa.select(ItsmModel.name).where(ItsmModel.match.in_(("category", "none")))).all()
    assert sorted(waiting) == ["Cisco IP Phone 8845", "HP EliteBook 840 G9", "Lenovo ThinkPad T14 Gen 3"]
    statuses = set(db.session.scalars(sa.select(Asset.status).where(Asset.sys_id.is_not(None))))
    assert {"in_use", "in_stock", "recycled", "returned", "missing", "in_maintenance"} <= statuses

"""Demo data of the ITSM link: recorded Table API pages (portal/itsm/data/) stored as the import of exported
files does, so that /admin/itsm and the model mapping have content without any instance."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa

from portal.itsm import sync
from portal.itsm.client import Connection
from portal.itsm.models import RunTrigger, SyncRun
from portal.itsm.settings import ItsmSettings
from portal.models import db

#: The recorded pages, in the order a sync reads the tables.
DEMO_PAGES = (
    ("cmn_location", "cmn_location.json"),
    ("alm_hardware", "alm_hardware.page1.json"),
    ("alm_hardware", "alm_hardware.page2.json"),
    ("wm_task", "wm_task.json"),
    ("alm_transfer_order_line", "alm_transfer_order_line.json"),
)


def load_demo() -> dict[str, int]:
    """Store the recorded pages once (nothing when the link has run already)."""
    if db.session.scalar(sa.select(SyncRun.id).limit(1)) is not None:
        return {"itsm runs": 0}
    settings = ItsmSettings(connection=Connection(instance_url=""))
    for table, name in DEMO_PAGES:
        data = resources.files("portal.itsm").joinpath("data", name).read_bytes()
        sync.import_file(table, data, source=name, checkpoint=db.session.flush, settings=settings,
                         trigger=RunTrigger.DEMO)
    return {"itsm runs": len(DEMO_PAGES)}

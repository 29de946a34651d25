"""Benchmark: import a 20,000-row Microsoft 365 mailbox usage export on the configured database.

    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/flask --app wsgi db upgrade heads
    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/storage_import.py [--rows 20000] [--keep]

Creates the employees the file names (`bench-N@bench.example`) if they are missing, and an active campaign so
that the import also recomputes campaign progress, as in real life. Then it times three imports: the file
(all rows new), the same file again (nothing new: idempotent), and a file a week later (new measures for
everyone). Unless `--keep` is given, everything the benchmark created is deleted at the end.
Target: 20,000 rows in under 5 s.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.campaigns import imports, services  # noqa: E402
from portal.campaigns.models import Campaign, Participation, StorageImport, StorageSnapshot  # noqa: E402
from portal.models import db, utcnow  # noqa: E402

DOMAIN = "bench.example"
CAMPAIGN = "Benchmark campaign"
HEADER = (
    "\ufeffReport Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,"
    "Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),"
    "Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Deleted Item Quota (Byte),"
    "Has Archive,Report Period"
)


def mailbox_export(rows: int, day: date, rng: random.Random) -> bytes:
    """A Mailbox usage detail report: one line per employee, a few concealed and invalid lines among them."""
    lines = [HEADER]
    for n in range(rows):
        upn = f"bench-{n}@{DOMAIN}"
        size = rng.randrange(50_000_000, 40_000_000_000)
        if n % 1000 == 999:
            upn = f"{rng.getrandbits(128):032X}"  # concealed name
        if n % 5000 == 4999:
            size = -1  # invalid
        lines.append(
            f"{day},{upn},Bench {n},False,,2020-01-01,{day},{rng.randrange(100, 90_000)},{size},"
            "52613349376,53687091200,107374182400,12,1048576,32212254720,False,7"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def ensure_employees(count: int) -> int:
    """Bulk-create the benchmark employees that do not exist yet."""
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.like(f"%@{DOMAIN}"))))
    missing = [
        {"email": f"bench-{n}@{DOMAIN}", "first_name": "Bench", "last_name": str(n), "locale": "fr", "active": True}
        for n in range(count)
        if f"bench-{n}@{DOMAIN}" not in existing
    ]
    for start in range(0, len(missing), 5000):
        db.session.execute(sa.insert(User), missing[start : start + 5000])
    db.session.commit()
    return len(missing)


def timed_import(data: bytes, name: str) -> StorageImport:
    started = time.perf_counter()
    batch = imports.import_storage_file(io.BytesIO(data), filename=name)
    db.session.commit()
    elapsed = time.perf_counter() - started
    print(
        f"{name}: {elapsed:.2f} s – read {batch.rows_read}, created {batch.created}, unchanged {batch.unchanged}, "
        f"unmatched {batch.unmatched}, invalid {batch.invalid}"
    )
    return batch


def cleanup(batches: list[StorageImport]) -> None:
    ids = [b.id for b in batches]
    db.session.execute(sa.delete(StorageSnapshot).where(StorageSnapshot.import_id.in_(ids)))
    db.session.execute(sa.delete(StorageImport).where(StorageImport.id.in_(ids)))
    db.session.execute(sa.delete(Campaign).where(Campaign.name == CAMPAIGN))
    db.session.execute(sa.delete(User).where(User.email.like(f"%@{DOMAIN}")))
    db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's employees and snapshots")
    options = parser.parse_args()
    app = create_app()
    rng = random.Random(20_000)  # noqa: S311 - benchmark data
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        print(f"employees created: {ensure_employees(options.rows)}")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))  # fresh tables: give the planner statistics, as autovacuum would
            db.session.commit()
        today = services.paris_today(utcnow())
        campaign = services.create_campaign(
            services.CampaignInput(CAMPAIGN, first_day=today - timedelta(days=3), last_day=today + timedelta(days=17))
        )
        services.publish_campaign(campaign, now=utcnow())
        for user_id in db.session.scalars(
            sa.select(User.id).where(User.email.like(f"%@{DOMAIN}")).order_by(User.id).limit(5000)
        ):
            db.session.add(Participation(campaign_id=campaign.id, user_id=user_id))
        db.session.commit()
        before = mailbox_export(options.rows, today - timedelta(days=7), rng)
        during = mailbox_export(options.rows, today, rng)
        print(f"file: {len(before) / 1e6:.1f} MB, {options.rows} rows")
        batches = [
            timed_import(before, "before.csv"),
            timed_import(before, "before.csv (again)"),
            timed_import(during, "during.csv"),
        ]
        print(
            f"campaign total: {services.campaign_total_gb(campaign):.1f} GB, "
            f"{services.campaign_participants(campaign)} participants"
        )
        if not options.keep:
            cleanup(batches)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench.generate --employees 20000`: a metropolis at full scale, for load tests.

Employees, sites, catalogue, devices and orders here; a clean-up campaign in progress (10,000
participants, 60,000 storage snapshots), 200 sent messages with their inbox and outbox rows, and 5,000
device returns at the 28 collection points in `bench.activity`. Any other headcount keeps these
proportions; the demo's 300 employees (and its four documented accounts) are always there, so a smaller
headcount generates no employee.

Runs on the database of DATABASE_URL (SQLite or PostgreSQL), which must be empty: the schema is built by
the migrations, then rows are bulk-inserted (one INSERT per batch, not per row).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from bench.activity import generate_activity
from portal import create_app
from portal.accounts.models import User, UserRole
from portal.accounts.passwords import hash_password
from portal.catalogue.footprints import load_factor_set, recompute_yardsticks, refresh_category, refresh_item
from portal.catalogue.models import Asset, CatalogueItem, Order
from portal.catalogue.services import seed_catalogue
from portal.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, EMPLOYEE_COUNT, FIRST_NAMES, LAST_NAMES, load_demo
from portal.models import db, utcnow
from portal.org.models import OrgUnit, Site

BATCH = 5000
PASSWORD = DEMO_PASSWORD  # every generated account can log in (load tests log in as random employees)
ORDER_EVERY = 10  # one order per 10 employees by default: 2,000 at full scale


def _bulk(model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def generate(
    *, employees: int, items: int = 500, assets_per_employee: float = 3.0, orders: int | None = None, seed: int = 1
) -> dict[str, float]:
    """Fill the database for a headcount of `employees`; returns the time each step took (seconds)."""
    if orders is None:
        orders = employees // ORDER_EVERY
    rng = random.Random(seed)  # noqa: S311 - reproducible load data
    timings: dict[str, float] = {}
    started = time.perf_counter()
    load_demo()  # communes, 40 sites, org chart, 300 employees with the 4 demo accounts, catalogue, assets
    db.session.commit()
    timings["demo"] = time.perf_counter() - started

    step = time.perf_counter()
    communes = [site.commune_insee for site in db.session.scalars(sa.select(Site))]
    extra_sites = [
        {
            "code": f"GEN-{n:02d}",
            "name": f"Bâtiment {n}",
            "address": f"{n} avenue de la métropole",
            "commune_insee": rng.choice(communes),
            "lat": Decimal("44.84"),
            "lon": Decimal("-0.58"),
        }
        for n in range(1, 21)
    ]
    _bulk(Site, extra_sites)
    site_ids = list(db.session.scalars(sa.select(Site.id)))
    unit_ids = list(db.session.scalars(sa.select(OrgUnit.id).where(OrgUnit.kind == "service")))
    manager_ids = list(db.session.scalars(sa.select(UserRole.user_id).where(UserRole.role == "manager")))
    password_hash = hash_password(PASSWORD)
    existing = db.session.scalar(sa.select(sa.func.count(User.id))) or 0
    now = utcnow()
    users = []
    for n in range(existing, employees):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append(
            {
                "email": f"agent{n:05d}@load.example",
                "first_name": first,
                "last_name": last,
                "locale": "fr" if rng.random() > 0.08 else "en",
                "org_unit_id": rng.choice(unit_ids),
                "site_id": rng.choice(site_ids),
                "manager_id": rng.choice(manager_ids),
                "active": True,
                "password_hash": password_hash,
                "session_version": 1,
                "created_at": now,
            }
        )
    _bulk(User, users)
    db.session.commit()
    timings["employees"] = time.perf_counter() - step

    step = time.perf_counter()
    _fill_catalogue(items, rng)
    db.session.commit()
    timings["catalogue"] = time.perf_counter() - step

    step = time.perf_counter()
    catalogue = db.session.execute(
        sa.select(CatalogueItem.id, CatalogueItem.category, CatalogueItem.manufacturer, CatalogueItem.name).where(
            CatalogueItem.refurbished.is_(False)
        )
    ).all()
    user_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("%@load.example"))))
    today = date.today()
    target = int(len(user_ids) * assets_per_employee)
    assets = []
    for n in range(target):
        item = rng.choice(catalogue)
        assets.append(
            {
                "asset_tag": f"LD{n:07d}",
                "serial": "",
                "item_id": item.id,
                "category": item.category,
                "model_name": f"{item.manufacturer} {item.name}",
                "user_id": user_ids[n % len(user_ids)],
                "acquired_on": today - timedelta(days=rng.randint(30, 7 * 365)),
                "status": "in_use",
                "status_changed_at": now,
                "created_at": now,
            }
        )
    _bulk(Asset, assets)
    db.session.commit()
    timings["assets"] = time.perf_counter() - step

    step = time.perf_counter()
    items_full = {i.id: i for i in db.session.scalars(sa.select(CatalogueItem))}
    managers_of = dict(
        db.session.execute(sa.select(User.id, User.manager_id).where(User.id.in_(user_ids[:orders]))).all()
    )
    order_rows = []
    # Generated employees place the orders: there is none to place them when the demo reaches the headcount.
    for n in range(orders if user_ids else 0):
        item = items_full[rng.choice(catalogue).id]
        requester = user_ids[n % len(user_ids)]
        status = rng.choice(["submitted", "approved", "delivered", "refused"])
        order_rows.append(
            {
                "requester_id": requester,
                "approver_id": managers_of.get(requester),
                "item_id": item.id,
                "quantity": 1,
                "justification": "Renouvellement",
                "status": status,
                "decision_comment": "",
                "unit_price_eur": item.price_eur,
                "embodied_kgco2e": item.embodied_kgco2e,
                "annual_use_kgco2e": item.annual_use_kgco2e,
                "annualised_kgco2e": item.annualised_kgco2e,
                "lifetime_years": item.lifetime_years or Decimal(5),
                "label": item.label,
                "result_quality": item.result_quality,
                "created_at": now,
            }
        )
    _bulk(Order, order_rows)
    db.session.commit()
    timings["orders"] = time.perf_counter() - step
    timings.update(generate_activity(rng, headcount=existing + len(users)))
    step = time.perf_counter()
    analyse()
    timings["analyze"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return timings


def analyse() -> None:
    """PostgreSQL's planner statistics for what was just loaded in bulk. A production database has them
    (autovacuum keeps them); freshly loaded tables have none until autovacuum's next pass, and the planner then
    picks plans no real portal would run. SQLite keeps none unless asked, as in production: left as it is."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _fill_catalogue(target: int, rng: random.Random) -> None:
    """Seed the real catalogue, then add priced variants of real models up to `target` items."""
    seed_catalogue()
    models = db.session.scalars(
        sa.select(CatalogueItem).where(CatalogueItem.refurbished.is_(False), CatalogueItem.source_url.is_not(None))
    ).all()
    count = db.session.scalar(sa.select(sa.func.count(CatalogueItem.id))) or 0
    factor_set = load_factor_set()
    n = 0
    while count < target:
        base = models[n % len(models)]
        n += 1
        variant = CatalogueItem(
            sku=f"{base.sku}-cfg{n}",
            category=base.category,
            manufacturer=base.manufacturer,
            name=f"{base.name} (configuration {n})",
            price_eur=base.price_eur + rng.randint(-10, 30) * 10,
            fabrication_kgco2e=base.fabrication_kgco2e * Decimal(rng.uniform(0.9, 1.15)).quantize(Decimal("0.01")),
            distribution_kgco2e=base.distribution_kgco2e,
            end_of_life_kgco2e=base.end_of_life_kgco2e,
            lifetime_years=base.lifetime_years,
            annual_kwh=base.annual_kwh,
            error_ratio=base.error_ratio,
            quality=base.quality,
            source=base.source,
            source_year=base.source_year,
            source_url=base.source_url,
        )
        db.session.add(variant)
        refresh_item(variant, factor_set)
        count += 1
    db.session.flush()
    recompute_yardsticks()
    refresh_category()


def _recreate(url: str) -> None:
    """An empty database: a new SQLite file, or DROP/CREATE DATABASE on PostgreSQL."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--employees", type=int, default=20_000, help=f"headcount, the demo's {EMPLOYEE_COUNT} included"
    )
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--assets-per-employee", type=float, default=3.0)
    parser.add_argument("--orders", type=int, help=f"default: one per {ORDER_EVERY} employees")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args()
    if args.employees < 1:
        parser.error("--employees must be at least 1")
    if args.fresh:
        _recreate(os.environ["DATABASE_URL"])
    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        if db.session.scalar(sa.select(sa.func.count(User.id))):
            raise SystemExit("the database is not empty: generate into a fresh one")
        timings = generate(
            employees=args.employees, items=args.items, assets_per_employee=args.assets_per_employee, orders=args.orders
        )
    for step, seconds in timings.items():
        print(f"{step:>10}: {seconds:6.1f} s")
    if args.employees <= EMPLOYEE_COUNT:
        print(f"the demo's {EMPLOYEE_COUNT} employees reach --employees {args.employees}: none generated")
    print(
        f"demo accounts ({', '.join(a[0] for a in DEMO_ACCOUNTS)}@demo.example) and agentNNNNN@load.example, "
        f"password {PASSWORD}"
    )


if __name__ == "__main__":
    main()

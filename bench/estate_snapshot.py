"""Benchmark: the estate's snapshots at scale, on the database of DATABASE_URL (SQLite or PostgreSQL).

    DATABASE_URL=... .venv/bin/python -m bench.generate --fresh --employees 20000
    DATABASE_URL=... .venv/bin/python -m bench.estate_snapshot [--interventions 15000] [--transfers 5000] [--write]

On a generated database: five years of history are added in bulk (every device acquired since 2022 replaced
one, kept 3 to 6 years, so ~100,000 devices over the period for ~60,000 in service at 20,000 employees;
interventions and transfers spread over 2022 to today), then it times the snapshot of one month, and of the
five years month by month (each snapshot computes its period and last year's same period like for like).
Targets: one month ≤ 15 s, five years ≤ 3 min. `--write` appends the figures to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bench.generate import analyse
from bench.report import append, heading, load_average, machine
from portal import create_app
from portal.accounts.models import User
from portal.catalogue.models import Asset
from portal.estate import services
from portal.estate.models import Snapshot
from portal.itsm.models import AssetTransfer, Intervention
from portal.models import db
from portal.org.models import Site

BATCH = 5000
FIRST_YEAR = 2022


def _bulk(model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def add_history(interventions: int, transfers: int, today: date, seed: int = 5) -> dict[str, int]:
    """Replaced devices, interventions and transfers since 2022, in bulk."""
    rng = random.Random(seed)  # noqa: S311 - reproducible load data
    if db.session.scalar(sa.select(Intervention.id).where(Intervention.sys_id == "bench-i00000000")):
        return {"past devices": 0, "interventions": interventions, "transfers": transfers}  # added by a run before
    current = db.session.execute(
        sa.select(Asset.id, Asset.item_id, Asset.category, Asset.model_name, Asset.user_id, Asset.acquired_on).where(
            Asset.acquired_on >= date(FIRST_YEAR, 1, 1), Asset.retired_on.is_(None)
        )
    ).all()
    rows = []
    for n, (_id, item_id, category, model, user_id, acquired) in enumerate(current):
        kept = 3.2 + 0.6 * (acquired.year - FIRST_YEAR) + rng.uniform(-0.4, 0.4)
        rows.append(
            {
                "asset_tag": f"BH{n:07d}",
                "serial": "",
                "item_id": item_id,
                "category": category,
                "model_name": model,
                "user_id": user_id,
                "acquired_on": acquired - timedelta(days=int(kept * 365.25)),
                "retired_on": acquired,
                "status": "recycled",
                "substatus": "",
                "model_estimated": False,
                "status_changed_at": datetime(acquired.year, acquired.month, acquired.day, tzinfo=UTC),
            }
        )
    _bulk(Asset, rows)
    sites = db.session.execute(sa.select(Site.id, Site.lat, Site.lon)).all()
    span = (today - date(FIRST_YEAR, 1, 1)).days
    groups = ("Support Nord", "Support Sud", "Support Ouest", "Support Rive droite")
    for group, (site_id, _lat, _lon) in zip(groups, sites, strict=False):
        services.set_depot(group, site_id, "car_diesel_compact")

    def moment(n: int) -> datetime:
        day = date(FIRST_YEAR, 1, 1) + timedelta(days=rng.randrange(span))
        return datetime(day.year, day.month, day.day, 8 + n % 9, tzinfo=UTC)

    _bulk(
        Intervention,
        [
            {
                "sys_id": f"bench-i{n:08d}",
                "number": f"WOB{n:08d}",
                "site_id": site[0],
                "lat": site[1],
                "lon": site[2],
                "location_name": "",
                "assignment_group": groups[n % len(groups)],
                "state": "closed_complete",
                "short_description": "",
                "work_started_at": moment(n),
            }
            for n, site in ((n, rng.choice(sites)) for n in range(interventions))
        ],
    )
    _bulk(
        AssetTransfer,
        [
            {
                "sys_id": f"bench-t{n:08d}",
                "number": f"TRB{n:08d}",
                "asset_tag": "",
                "quantity": 1,
                "stage": "received",
                "from_location_name": "",
                "to_location_name": "",
                "from_site_id": sites[0][0],
                "to_site_id": rng.choice(sites)[0],
                "shipped_at": moment(n),
            }
            for n in range(transfers)
        ],
    )
    db.session.commit()
    return {"past devices": len(rows), "interventions": interventions, "transfers": transfers}


def run(interventions: int, transfers: int, limit: int = 0) -> dict[str, object]:
    """Add the history, then time one month and the five years."""
    today = services.today_paris()
    added = add_history(interventions, transfers, today)
    analyse()  # statistics for the rows just added, as autovacuum would keep
    employees = db.session.scalar(sa.select(sa.func.count(User.id)))
    devices = db.session.scalar(sa.select(sa.func.count(Asset.id)))
    in_service = db.session.scalar(sa.select(sa.func.count(Asset.id)).where(Asset.retired_on.is_(None)))
    db.session.execute(sa.delete(Snapshot))
    db.session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    services.take_snapshot(today.year, max(today.month - 1, 1), reason="bench", today=today)
    db.session.commit()
    one_month, one_month_cpu = time.perf_counter() - started, time.process_time() - cpu
    months = [
        (y, m) for y in range(FIRST_YEAR, today.year + 1) for m in range(1, 13) if (y, m) <= (today.year, today.month)
    ]
    months = months[-limit:] if limit else months
    started, cpu = time.perf_counter(), time.process_time()
    services.take_snapshots(months, reason="bench", today=today)
    db.session.commit()
    five_years, five_years_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "employees": employees,
        "devices": devices,
        "in_service": in_service,
        **added,
        "one_month_s": one_month,
        "one_month_cpu_s": one_month_cpu,
        "months": len(months),
        "five_years_s": five_years,
        "five_years_cpu_s": five_years_cpu,
    }


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interventions", type=int, default=15_000)
    parser.add_argument("--transfers", type=int, default=5_000)
    parser.add_argument("--months", type=int, default=0, help="only the last N months (default: all since 2022)")
    parser.add_argument("--write", action="store_true", help="append the figures to BENCHMARKS.md")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        figures = run(args.interventions, args.transfers, args.months)
        dialect = db.engine.dialect.name
    ok = figures["one_month_s"] <= 15 and (figures["five_years_s"] <= 180 or figures["months"] < 60)
    report = (
        f"{heading(f'estate snapshots, {dialect}')}\n\n{machine()} Load average (1, 5, 15 min) {load_average()}.\n\n"
        f"| employees | devices (in service) | interventions | transfers | one month (CPU) | "
        f"{figures['months']} months (CPU) | targets (15 s, 3 min) |\n|---|---|---|---|---|---|---|\n"
        f"| {figures['employees']:,} | {figures['devices']:,} ({figures['in_service']:,}) | "
        f"{figures['interventions']:,} | {figures['transfers']:,} | {figures['one_month_s']:.1f} s "
        f"({figures['one_month_cpu_s']:.1f} s) | {figures['five_years_s']:.0f} s ({figures['five_years_cpu_s']:.0f} s) "
        f"| {'met' if ok else 'missed'} |\n"
    )
    print(report)
    if args.write:
        append(report)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

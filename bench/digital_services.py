"""Benchmark: digital services at full scale — 1,600 services, 20,000 employees, 300,000 subscriptions.

    DATABASE_URL=sqlite:////tmp/bench-services.db .venv/bin/flask --app wsgi db upgrade heads
    DATABASE_URL=sqlite:////tmp/bench-services.db .venv/bin/python -m bench.digital_services [--keep]

Creates what is missing (employees `bench-N@bench.example`, services `BENCH-N` on 400 hosts, ~15 subscriptions
per employee), then measures:
- the usage import of a 300,000-line file through the real command (`flask services import-usage`, a new
  process: start-up included), all lines new, then the same file again (nothing changes);
- the application's own time (median of 30 requests, in process, after 5 warm-up requests) of the services
  list, a filtered list, and the review page, against the portal's floor (`bench/floor.py`: a logged-in
  page with nothing of its own) measured in the same run. Targets: import ≤ 20 s; pages ≤ 2 × the floor.
Unless `--keep` is given, everything the benchmark created is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from portal.accounts.models import User, UserRole
from portal.accounts.passwords import hash_password
from portal.digital_services.models import (
    CATEGORIES,
    DigitalService,
    ServiceComponent,
    ServiceHost,
    ServiceSubscription,
    ServiceUsage,
)
from portal.models import db

DOMAIN = "bench.example"
PASSWORD = "bench-password"  # noqa: S105 - benchmark account  # nosec B105
ROOT = Path(__file__).resolve().parent.parent


def ensure_data(employees: int, services: int, per_employee: int, rng: random.Random) -> dict[str, int]:
    """Employees, hosts, services, components and subscriptions, bulk-inserted where missing."""
    created: dict[str, int] = {}
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.like(f"%@{DOMAIN}"))))
    missing = [
        {"email": f"bench-{n}@{DOMAIN}", "first_name": "Bench", "last_name": str(n), "locale": "fr", "active": True}
        for n in range(employees)
        if f"bench-{n}@{DOMAIN}" not in existing
    ]
    for start in range(0, len(missing), 5000):
        db.session.execute(sa.insert(User), missing[start : start + 5000])
    created["employees"] = len(missing)
    admin = db.session.scalar(sa.select(User).where(User.email == f"bench-admin@{DOMAIN}"))
    if admin is None:
        admin = User(
            email=f"bench-admin@{DOMAIN}", first_name="Bench", last_name="Admin", password_hash=hash_password(PASSWORD)
        )
        db.session.add(admin)
        db.session.flush()
        db.session.add(UserRole(user_id=admin.id, role="admin"))
    if db.session.scalar(sa.select(sa.func.count(DigitalService.id)).where(DigitalService.code.like("BENCH-%"))):
        db.session.commit()
        return created
    hosts = [
        {
            "name": f"bench-host-{n}",
            "kind": "storage" if n % 5 == 0 else "server",
            "model": "bench",
            "data_centre": "DC",
            "embodied_kgco2e": Decimal(1300),
            "lifetime_years": Decimal(4),
            "annual_kwh": Decimal(1760),
            "capacity": Decimal(300000 if n % 5 == 0 else 80),
            "pue": Decimal("1.5") if n % 3 else None,
            "quality": "manufacturer",
            "source": "bench",
        }
        for n in range(400)
    ]
    db.session.execute(sa.insert(ServiceHost), hosts)
    host_ids = list(db.session.scalars(sa.select(ServiceHost.id).where(ServiceHost.name.like("bench-host-%"))))
    rows = []
    for n in range(services):
        saas = n % 4 == 0
        rows.append(
            {
                "code": f"BENCH-{n}",
                "name": f"Service {n:04d}",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "hosting": "saas" if saas else "on_premises",
                "criticality": ("low", "medium", "high")[n % 3],
                "access": "on_request",
                "description_fr": "Service de test",
                "description_en": "Benchmark service",
                "per_user_estimate_kgco2e": Decimal("1.5") if saas else None,
                "estimate_source": "bench" if saas else "",
            }
        )
    db.session.execute(sa.insert(DigitalService), rows)
    service_ids = list(db.session.scalars(sa.select(DigitalService.id).where(DigitalService.code.like("BENCH-%"))))
    components = []
    for service_id in service_ids:
        for host_id in rng.sample(host_ids, 2):
            components.append({"service_id": service_id, "host_id": host_id, "allocated": Decimal(rng.randint(2, 16))})
    db.session.execute(sa.insert(ServiceComponent), components)
    user_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like(f"bench-%@{DOMAIN}"))))
    today = date.today()
    batch = []
    count = 0
    for user_id in user_ids:
        for service_id in rng.sample(service_ids, per_employee):
            batch.append(
                {
                    "service_id": service_id,
                    "user_id": user_id,
                    "ended_reason": "",
                    "started_on": today - timedelta(days=rng.randint(100, 2000)),
                }
            )
        if len(batch) >= 20000:
            db.session.execute(sa.insert(ServiceSubscription), batch)
            count += len(batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(ServiceSubscription), batch)
        count += len(batch)
    created.update(services=len(service_ids), subscriptions=count)
    db.session.commit()
    return created


def usage_file(rng: random.Random) -> str:
    """One line per subscription: the access logs' last day active and days active in the 90 days."""
    today = date.today()
    rows = db.session.execute(
        sa.select(DigitalService.code, User.email)
        .join(ServiceSubscription, ServiceSubscription.service_id == DigitalService.id)
        .join(User, ServiceSubscription.user_id == User.id)
        .where(DigitalService.code.like("BENCH-%"))
    ).all()
    lines = ["service_code,user_email,last_active_on,active_days"]
    lines += [
        f"{code},{email},{today - timedelta(days=rng.randint(0, 200))},{rng.randint(0, 90)}" for code, email in rows
    ]
    return "\n".join(lines) + "\n"


def timed_command(path: str, label: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own command
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "services", "import-usage", path],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    summary = ", ".join(line for line in result.stdout.splitlines()[:5])
    print(f"{label}: {elapsed:.1f} s ({summary})")
    return elapsed


def page_times(paths: list[str], repeats: int) -> dict[str, float]:
    """Median application time (ms) of each page, in process, as the bench admin."""
    from bench.floor import app
    from tests.conftest import csrf_token

    client = app.test_client()
    client.post(
        "/login", data={"email": f"bench-admin@{DOMAIN}", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    medians = {}
    for path in paths:
        for _ in range(5):
            if client.get(path).status_code != 200:
                raise SystemExit(f"page failed: {path}")
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        medians[path] = statistics.median(times)
    return medians


def cleanup() -> None:
    ids = sa.select(DigitalService.id).where(DigitalService.code.like("BENCH-%"))
    for model in (ServiceUsage, ServiceSubscription, ServiceComponent):
        db.session.execute(sa.delete(model).where(model.service_id.in_(ids)))
    db.session.execute(sa.delete(DigitalService).where(DigitalService.code.like("BENCH-%")))
    db.session.execute(sa.delete(ServiceHost).where(ServiceHost.name.like("bench-host-%")))
    db.session.execute(
        sa.delete(UserRole).where(UserRole.user_id.in_(sa.select(User.id).where(User.email.like(f"%@{DOMAIN}"))))
    )
    db.session.execute(sa.delete(User).where(User.email.like(f"%@{DOMAIN}")))
    db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--services", type=int, default=1_600)
    parser.add_argument("--per-employee", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    from bench.floor import app

    rng = random.Random(1600)  # noqa: S311 - benchmark data
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        started = time.perf_counter()
        print(
            f"created: {ensure_data(options.employees, options.services, options.per_employee, rng)} "
            f"in {time.perf_counter() - started:.1f} s"
        )
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        bench_services = sa.select(DigitalService.id).where(DigitalService.code.like("BENCH-%"))
        db.session.execute(sa.delete(ServiceUsage).where(ServiceUsage.service_id.in_(bench_services)))
        db.session.commit()  # the first import finds no usage: every line is new
        if db.engine.dialect.name == "postgresql":
            # As a first import finds the table: without the deleted rows' dead tuples, which the unique index
            # would check one by one (300,000 new rows: 14.5 s of COPY instead of 7.4 s).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE service_usage"))
        text = usage_file(rng)
        db.session.remove()
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as stream:
            stream.write(text)
        print(f"usage file: {text.count(chr(10)) - 1} lines, {len(text) / 1e6:.1f} MB")
        timed_command(stream.name, "import-usage (all new)")
        timed_command(stream.name, "import-usage (again, unchanged)")
        os.unlink(stream.name)
        times = page_times(
            [
                "/bench-floor",
                "/services",
                "/services?category=business&page=2",
                "/services?sort=footprint&page=3",
                "/admin/services/review",
                "/admin/services/review?category=storage",
            ],
            options.repeats,
        )
        floor = times["/bench-floor"]
        for path, ms in times.items():
            print(f"{ms:7.1f} ms  {ms / floor:5.2f} × floor  {path}")
        if not options.keep:
            cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

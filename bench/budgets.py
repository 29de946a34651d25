"""Benchmark: the budget pages at full scale, app time against the portal's floor in the same process.

    .venv/bin/python bench/budgets.py [--employees 20000] [--orders 2000] [--requests 40] [--write]

For each database (SQLite, then PostgreSQL when BENCH_POSTGRES_URL or the test server answers), on a new one:
`bench.generate` at 20,000 employees with 2,000 orders, the demo budgets, and lines with planned purchases for
every unit over five years (two before this one to two after). Then, logged in as the demo admin, `/budgets`
(every unit of this year, and last year's for the comparison) and the largest direction's `/budgets/<unit>`
(its services, planned purchases with their variants) are requested `--requests` times each, beside the floor
(`bench/floor.py`: a logged-in page with nothing of its own), in turn so that a busy machine slows them alike;
the app time is the Server-Timing header. Target:
each page's median ≤ 2 × the floor's. `--write` appends the figures to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import report  # noqa: E402
from bench.generate import _recreate, generate  # noqa: E402

TARGET_RATIO = 2.0
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_budgets"


def _five_years(year: int) -> int:
    """Lines and planned purchases for every unit over five years (the demo made last year's, this one and the next)."""
    from portal.budgets.models import BudgetLine, PlannedPurchase
    from portal.models import db

    template = db.session.scalars(sa.select(BudgetLine).where(BudgetLine.fiscal_year == year)).all()
    planned = set(db.session.scalars(sa.select(BudgetLine.fiscal_year).distinct()))
    created = 0
    for other in (year - 2, year - 1, year + 2):
        if other in planned:  # the demo plans last year, this year and next
            continue
        for line in template:
            copy = BudgetLine(
                fiscal_year=other,
                org_unit_id=line.org_unit_id,
                nature=line.nature,
                label=line.label,
                amount_eur=line.amount_eur,
                carbon_budget_kgco2e=line.carbon_budget_kgco2e,
            )
            db.session.add(copy)
            for purchase in line.purchases:
                db.session.add(
                    PlannedPurchase(
                        line=copy,
                        label=purchase.label,
                        item_id=purchase.item_id,
                        category=purchase.category,
                        quantity=purchase.quantity,
                        unit_price_eur=purchase.unit_price_eur,
                    )
                )
            created += 1
    db.session.commit()
    return created


def _app_ms(client, urls: dict[str, str], requests: int) -> dict[str, float]:  # noqa: ANN001
    """Median app time (Server-Timing) of `requests` GETs of each page, after two warm-up requests each; the
    pages are requested in turn (floor, page, page, floor…), so that a busy machine slows them alike."""
    times: dict[str, list[float]] = {name: [] for name in urls}
    for n in range(requests + 2):
        for name, url in urls.items():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"page failed: {(url, response.status_code)}")
            if n >= 2:
                times[name].append(float(response.headers["Server-Timing"].split("dur=")[1]))
    return {name: statistics.median(values) for name, values in times.items()}


def run(url: str, *, employees: int, orders: int, requests: int, reuse: bool = False) -> dict[str, object]:
    """Generate (unless `reuse`: the data of a previous run), then time the pages; returns the figures."""
    os.environ["DATABASE_URL"] = url
    if not reuse:
        _recreate(url)
    from flask import render_template
    from flask_migrate import upgrade

    from bench.floor import FLOOR_TEMPLATE
    from portal import create_app
    from portal.accounts.models import User
    from portal.budgets.models import BudgetLine
    from portal.budgets.services import current_year
    from portal.models import db
    from portal.org.models import OrgUnit

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    floor_page = app.jinja_env.from_string(FLOOR_TEMPLATE)
    app.add_url_rule("/bench-floor", "bench_floor", lambda: render_template(floor_page))
    with app.app_context():
        started = time.perf_counter()
        if not reuse:
            upgrade(revision="heads")
            generate(employees=employees, orders=orders, assets_per_employee=0.5)
            _five_years(current_year())
        generated_s = time.perf_counter() - started
        lines = db.session.scalar(sa.select(sa.func.count()).select_from(BudgetLine))
        units = db.session.scalar(sa.select(sa.func.count(sa.distinct(BudgetLine.org_unit_id))))
        heads = (
            sa.select(OrgUnit.parent_id, sa.func.count())
            .where(OrgUnit.parent_id.is_not(None))
            .group_by(OrgUnit.parent_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        direction_id = db.session.execute(heads).first()[0]
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": "demo1234"})
        figures = _app_ms(
            client,
            {"floor": "/bench-floor", "/budgets": "/budgets", "/budgets/<direction>": f"/budgets/{direction_id}"},
            requests,
        )
        db.session.remove()
    return {"url": url, "lines": lines, "units": units, "generated_s": generated_s, "ms": figures}


def _report(result: dict[str, object]) -> list[str]:
    ms: dict[str, float] = result["ms"]  # type: ignore[assignment]
    floor = ms["floor"]
    rows = [f"| {name} | {value:.1f} | {value / floor:.1f} × |" for name, value in ms.items()]
    dialect = str(result["url"]).split(":")[0]
    return [
        f"{dialect}: {result['lines']} budget lines for {result['units']} units over five years, data generated in "
        f"{result['generated_s']:.0f} s.",
        "",
        "| page | app time p50 (ms) | vs floor |",
        "|---|---|---|",
        *rows,
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--sqlite", default=f"sqlite:///{ROOT / 'instance' / 'bench_budgets.db'}")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--reuse", action="store_true", help="time the data of the previous run again")
    parser.add_argument("--write", action="store_true", help="append the figures to BENCHMARKS.md")
    args = parser.parse_args()
    urls = [u for key, u in (("sqlite", args.sqlite), ("postgres", args.postgres)) if args.only in (None, key)]
    (ROOT / "instance").mkdir(exist_ok=True)
    lines = [
        report.heading(
            f"budget pages at {args.employees:,} employees, {args.orders:,} orders (`python bench/budgets.py`)"
        ),
        "",
        f"Python {platform.python_version()}, in-process test client, median of {args.requests} requests after two "
        f"warm-up ones, the pages in turn; target: each page ≤ {TARGET_RATIO:g} × the floor's app time.",
        "",
    ]
    failed = []
    for url in urls:
        result = run(url, employees=args.employees, orders=args.orders, requests=args.requests, reuse=args.reuse)
        lines += _report(result)
        ms: dict[str, float] = result["ms"]  # type: ignore[assignment]
        failed += [f"{url.split(':')[0]} {name}" for name, v in ms.items() if v > TARGET_RATIO * ms["floor"]]
    print("\n".join(lines))
    if args.write:
        report.append("\n".join(lines))
    if failed:
        print("over target: " + ", ".join(failed))


if __name__ == "__main__":
    main()

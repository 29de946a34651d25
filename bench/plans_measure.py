"""Benchmark: the action plans' monthly measure at scale, on the database of DATABASE_URL (SQLite or PostgreSQL).

    DATABASE_URL=... .venv/bin/python -m bench.generate --fresh --employees 20000
    DATABASE_URL=... .venv/bin/python -m bench.plans_measure [--actions 200] [--write]

Builds a plan of `--actions` actions on every estate indicator with a direction, for the organisation and for
each unit in turn, one in ten declared (with a declared value), started at the first month with a snapshot; then
times the measure of every closed month with a snapshot, month by month (the history caught up as the job would
have written it), and the last month's readings batched (`read_months`, what the job runs) against one reading
per action (`read_month`, the former path). `--snapshot` takes the last closed month's snapshot anew first, at
the database's scale (timed apart). Everything is rolled back at the end: the database is left as it was.
`--history` (60 by default: five years) monthly snapshots up to the last closed month are required: those
missing are taken first in one shared run of the estate (timed apart, committed and kept for later runs).
Target (issue #20): the monthly measure ≤ 30 s at 20,000 employees. `--write` appends the figures, with the
machine's load, to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template

from bench import report
from portal import create_app
from portal.accounts.models import User
from portal.estate import services as estate
from portal.estate.indicators import BY_CODE
from portal.estate.services import indicators
from portal.models import db
from portal.org.models import OrgUnit
from portal.plans import services
from portal.plans.models import Action, DeclaredValue, Plan


def month_window(last: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """The `count` months ending at `last`, oldest first."""
    year, month = last
    index = year * 12 + month - 1
    return [(n // 12, n % 12 + 1) for n in range(index - count + 1, index + 1)]


def _months(snapshot: bool, history: int) -> tuple[list[tuple[int, int]], float, float, int]:
    """The `history` closed months up to the last one, oldest first, each with a snapshot.

    Months without one are taken first, together through the estate's shared run (`take_snapshots`, what
    bench/estate_snapshot.py times) and committed, so that a later run reuses them; with `snapshot`, the last
    closed month's snapshot is taken anew first, so that the month measured is computed at the database's scale.
    Returns the months, the seconds of the last month's snapshot, of the missing months' (wall), and their count.
    """
    today = estate.today_paris()
    last = services.last_closed_month(today)
    window = month_window(last, history)
    seconds = 0.0
    if snapshot or not estate.latest_version(*last):
        started = time.perf_counter()
        estate.take_snapshot(*last, today=today)
        db.session.flush()
        seconds = time.perf_counter() - started
    present = set(estate.snapshot_months())
    missing = [m for m in window if m not in present]
    history_s = 0.0
    if missing:
        started = time.perf_counter()
        estate.take_snapshots(missing, reason="bench: plans history", today=today)
        db.session.commit()  # kept: at 20,000 employees five years take minutes
        history_s = time.perf_counter() - started
    months = sorted(m for m in estate.snapshot_months() if m in set(window))
    if len(months) < history:
        raise SystemExit(f"only {len(months)} of {history} monthly snapshots")
    return months, seconds, history_s, len(missing)


def build_plan(count: int, year: int, month: int) -> list[Action]:
    """`count` actions started at the month's first day, their baselines read from its snapshot."""
    owner = db.session.scalar(sa.select(User).order_by(User.id).limit(1))
    codes = [i.code for i in indicators() if i.direction.value != "none" and i.code in BY_CODE]
    units: list[int | None] = [None, *db.session.scalars(sa.select(OrgUnit.id).order_by(OrgUnit.id))]
    plan = Plan(title="Bench plan")
    db.session.add(plan)
    start = date(year, month, 1)
    actions = []
    for n in range(count):
        common = {
            "plan": plan,
            "title": f"Bench action {n}",
            "owner_id": owner.id if owner else None,
            "start_on": start,
            "deadline": start + timedelta(days=3 * 365),
            "public": n % 4 == 0,
        }
        if n % 10 == 9:
            action = Action(declared_name="PUE", trend="decrease", baseline=Decimal("1.8"), target=Decimal("1.4"),
                            **common)  # fmt: skip
        else:
            code = codes[n % len(codes)]
            trend = "increase" if BY_CODE[code].direction.value == "higher" else "decrease"
            action = Action(indicator_code=code, unit_id=units[(n // len(codes)) % len(units)], trend=trend,
                            target=Decimal(0), **common)  # fmt: skip
        actions.append(action)
    db.session.add_all(actions)
    db.session.flush()
    for action in actions:
        if action.declared:
            db.session.add(DeclaredValue(action_id=action.id, on=start, value=Decimal("1.7"), source="bench"))
        elif services.measure_baseline(action) and action.baseline is not None:
            factor = Decimal("0.8") if action.trend == "decrease" else Decimal("1.2")
            action.target = action.baseline * factor if action.baseline else Decimal(1)
    db.session.flush()
    return actions


def run(count: int, snapshot: bool, requests: int = 0, history: int = 60) -> dict[str, Any]:
    """Build the plan, time the readings and the measures, roll everything back (the snapshots taken are kept)."""
    employees = db.session.scalar(sa.select(sa.func.count(User.id))) or 0
    months, snapshot_s, history_snapshots_s, taken = _months(snapshot, history)
    (first_year, first_month), (year, month) = months[0], months[-1]
    started = time.perf_counter()
    build_plan(count, first_year, first_month)
    build_s = time.perf_counter() - started
    db.session.expire_all()
    actions = list(db.session.scalars(sa.select(Action).where(Action.title.like("Bench action %"))))
    started = time.perf_counter()
    one_by_one = sum(1 for action in actions if services.read_month(action, year, month) is not None)
    one_by_one_s = time.perf_counter() - started
    started = time.perf_counter()
    batched = len(services.read_months(actions, year, month))
    batched_s = time.perf_counter() - started
    today = estate.today_paris()
    timings = []
    measured = 0
    started_all, cpu = time.perf_counter(), time.process_time()
    for y, m in months:  # the history caught up month by month, as the job would have measured it
        started = time.perf_counter()
        measured += services.measure_month(y, m, today=today).measured
        timings.append(time.perf_counter() - started)
    history_s, history_cpu_s = time.perf_counter() - started_all, time.process_time() - cpu
    pages: dict[str, float] = {}
    if requests:
        db.session.commit()  # the pages read through their own sessions; the bench plan is deleted after
        plan_id, action_id = actions[0].plan_id, actions[0].id
        try:
            pages = _pages(plan_id, action_id, requests)
        finally:
            db.session.execute(sa.delete(Plan).where(Plan.id == plan_id))
            db.session.commit()
    else:
        db.session.rollback()
    return {
        "employees": employees,
        "months": f"{first_year}-{first_month:02d} to {year}-{month:02d} ({len(months)} snapshots)",
        "month_count": len(months),
        "actions": len(actions),
        "measured": measured,
        "read": f"{one_by_one}/{batched}",
        "snapshot_s": snapshot_s,
        "history_snapshots_s": history_snapshots_s,
        "snapshots_taken": taken,
        "build_s": build_s,
        "one_by_one_s": one_by_one_s,
        "batched_s": batched_s,
        "last_month_s": timings[-1],
        "worst_month_s": max(timings),
        "history_s": history_s,
        "history_cpu_s": history_cpu_s,
        "pages": pages,
    }


def _app_ms(client: Any, url: str, requests: int) -> float:
    """Median app time (Server-Timing) of `requests` GETs, after two warm-up requests."""
    times = []
    for n in range(requests + 2):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"page failed: {(url, response.status_code)}")
        if n >= 2:
            times.append(float(response.headers["Server-Timing"].split("dur=")[1]))
    return statistics.median(times)


def _pages(plan_id: int, action_id: int, requests: int) -> dict[str, float]:
    """App time of the plan's page (as the demo admin) and of /objectives (as the demo manager, with their
    unit's contribution), beside the floor (bench/floor.py) in the same process."""
    from bench.floor import FLOOR_TEMPLATE  # imported here: the module builds an app of its own

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.config["WTF_CSRF_ENABLED"] = False
    floor_page = app.jinja_env.from_string(FLOOR_TEMPLATE)
    app.add_url_rule("/bench-floor", "bench_floor", lambda: render_template(floor_page))
    figures = {}
    floor = ("/bench-floor", "/bench-floor")
    for email, urls in (
        (
            "admin@demo.example",
            (
                floor,
                (f"/plans/{plan_id}", "/plans/<bench plan>"),
                (f"/plans/actions/{action_id}", "/plans/actions/<id>"),
            ),
        ),
        ("manager@demo.example", (floor, ("/objectives", "/objectives"))),
    ):
        client = app.test_client()
        client.post("/login", data={"email": email, "password": "demo1234"})
        for url, name in urls:
            figures[f"{name} ({email.split('@')[0]})"] = _app_ms(client, url, requests)
    return figures


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--requests", type=int, default=0, help="also time the pages, N requests each")
    parser.add_argument("--snapshot", action="store_true", help="take the last closed month's snapshot anew first")
    parser.add_argument("--history", type=int, default=60, help="monthly snapshots required (five years: 60)")
    parser.add_argument("--write", action="store_true", help="append the figures to BENCHMARKS.md")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        dialect = db.engine.dialect.name
        figures = run(args.actions, args.snapshot, args.requests, args.history)
    ok = float(figures["worst_month_s"]) <= 30
    section = (
        f"\n{report.heading(f'plans: the monthly measure, {dialect}')}\n\n"
        f"{report.machine()} Load average (1, 5, 15 min) {report.load_average()} at the end (shared machine). "
        f"Months: {figures['months']}.\n\n"
        f"| employees | actions | measures written | baselines read | one month read one by one | batched | "
        f"last month measured | worst month | every month (CPU) | target 30 s a month |\n"
        f"|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {figures['employees']:,} | {figures['actions']} | {figures['measured']:,} | {figures['build_s']:.2f} s | "
        f"{figures['one_by_one_s']:.2f} s | {figures['batched_s']:.2f} s | {figures['last_month_s']:.2f} s | "
        f"{figures['worst_month_s']:.2f} s | {figures['history_s']:.1f} s ({figures['history_cpu_s']:.1f} s) | "
        f"{'met' if ok else 'missed'} |\n"
    )
    if figures["pages"]:
        floors = [v for k, v in figures["pages"].items() if k.startswith("/bench-floor")]
        section += "\n| page (account) | app time p50 (ms) | vs the floor |\n|---|---|---|\n" + "".join(
            f"| {name} | {value:.1f} | {value / (floors[0] if 'admin' in name else floors[-1]):.1f} × |\n"
            for name, value in figures["pages"].items()
        )
    if figures["snapshot_s"]:
        section += f"\nThe last closed month's snapshot was taken first: {figures['snapshot_s']:.1f} s (not counted).\n"
    if figures["snapshots_taken"]:
        section += (
            f"\n{figures['snapshots_taken']} missing monthly snapshots were taken first in one shared run: "
            f"{figures['history_snapshots_s']:.0f} s (not counted, kept for the next runs).\n"
        )
    print(section)
    if args.write:
        report.append(section)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

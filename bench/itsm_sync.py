"""Benchmark: the ITSM sync at full scale against a local ServiceNow Table API, on SQLite then PostgreSQL.

    .venv/bin/python bench/itsm_sync.py [--assets 60000] [--interventions 3000] [--transfers 1000]
                                        [--changes 600] [--write]

The instance is `tests/itsm/table_api.py` (the one the tests use: paging with Link headers, X-Total-Count,
Basic authentication), served in its own process so that its work does not weigh on the sync's. For each
database, on a new one holding the communes, the packaged catalogue and 20,000 employees:

1. the first sync of 60 locations, 60,000 assets (90 % assigned to an employee, 12 % of models unknown to the
   catalogue, some retired), 3,000 interventions and 1,000 transfers, in pages of 1,000 (target ≤ 90 s);
2. 600 assets changed in the instance, then an incremental sync (target ≤ 5 s);
3. the peak Python memory of a first sync (tracemalloc) at 6,000 and at 60,000 assets: the pages are read
   one at a time, so the peak must not grow with the table.

Targets are checked; `--write` appends the figures to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import report  # noqa: E402
from bench.generate import _recreate  # noqa: E402
from bench.messaging import _peak_mib  # noqa: E402
from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.catalogue.models import Asset  # noqa: E402
from portal.catalogue.services import seed_catalogue  # noqa: E402
from portal.itsm import sync  # noqa: E402
from portal.itsm.client import Connection  # noqa: E402
from portal.itsm.mapping import TABLES  # noqa: E402
from portal.itsm.models import (  # noqa: E402
    AssetTransfer,
    Intervention,
    ItsmAsset,
    ItsmLocation,
    ItsmModel,
    SyncProblem,
    SyncRun,
    SyncTableReport,
    Watermark,
)
from portal.itsm.settings import ItsmSettings  # noqa: E402
from portal.models import db  # noqa: E402
from portal.org.models import Site  # noqa: E402
from portal.org.services import load_communes  # noqa: E402

EMPLOYEES = 20_000
DOMAIN = "bench.example"
SQLITE = f"sqlite:///{ROOT / 'instance' / 'itsm_bench.db'}"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_itsm_bench"
FIRST_SYNC_TARGET_S = 90.0
INCREMENTAL_TARGET_S = 5.0
#: Models as an ITSM names them: most are in the catalogue (exactly or nearly), some are not.
MODELS = (
    ("Dell Latitude 5430", "Dell Inc.", "Computer"), ("Dell Latitude 5530", "Dell Inc.", "Computer"),
    ("Dell OptiPlex 7000 Micro", "Dell Inc.", "Computer"), ("HP EliteBook 835 G8", "HP", "Computer"),
    ("HP ProBook 445 14 inch G9", "HP", "Computer"), ("Lenovo ThinkPad T490", "Lenovo", "Computer"),
    ("Apple iPhone 13 with 128GB", "Apple", "Mobile Device"), ("Fairphone 4", "Fairphone", "Mobile Device"),
    ("Dell P2422HA Monitor", "Dell Inc.", "Monitor"), ("HP P24vb G4", "HP", "Monitor"),
    ("Lenovo ThinkPad T14 Gen 3", "Lenovo", "Computer"), ("HP EliteBook 840 G9", "HP", "Computer"),
)


# ---------------------------------------------------------------------------
# The instance, in its own process
# ---------------------------------------------------------------------------


def _records(assets: int, interventions: int, transfers: int) -> dict[str, list[dict[str, Any]]]:
    from tests.itsm.records import hardware, location, task, transfer

    sites = [location(n, f"Site de test {n}", zip="33000", latitude=f"44.{80000 + n * 97}",
                      longitude=f"-0.{55000 + n * 53}") for n in range(1, 61)]
    hardware_records = []
    for n in range(1, assets + 1):
        name, maker, category = MODELS[n % len(MODELS)]
        status = "7" if n % 25 == 0 else "6" if n % 10 == 0 else "1"
        hardware_records.append(hardware(
            n, **{"model.display_name": name, "model.manufacturer.name": maker, "model_category.name": category,
                  "assigned_to.email": f"bench-{n % EMPLOYEES}@{DOMAIN}" if status == "1" else "",
                  "install_status": status, "substatus": "disposed" if status == "7" else "",
                  "location.name": f"Site de test {n % 60 + 1}"}))
    tasks = [task(n, f"Site de test {n % 60 + 1}") for n in range(1, interventions + 1)]
    moves = [transfer(n, f"P{n * 7:06d}", f"Site de test {n % 60 + 1}", f"Site de test {(n + 7) % 60 + 1}")
             for n in range(1, transfers + 1)]
    return {"cmn_location": sites, "alm_hardware": hardware_records, "wm_task": tasks,
            "alm_transfer_order_line": moves}


def _serve(pipe: Pipe) -> None:
    """The instance's process: serve, and obey the benchmark's orders (load a size, change records, stop)."""
    sys.path.insert(0, str(ROOT))
    import logging

    from tests.itsm.records import stamp
    from tests.itsm.table_api import TableApi

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    api = TableApi()
    pipe.send(api.start())
    while True:
        order, *arguments = pipe.recv()
        if order == "load":
            api.tables = {}
            for table, records in _records(*arguments).items():
                api.put(table, records)
        elif order == "change":
            (count,) = arguments
            changed = [dict(record, cost="1234.00", sys_updated_on=stamp(10_000_000 + n))
                       for n, record in enumerate(api.tables["alm_hardware"][:count])]
            api.put("alm_hardware", changed)
        else:
            api.stop()
            return
        pipe.send("ok")


# ---------------------------------------------------------------------------
# The portal's side
# ---------------------------------------------------------------------------


def _prepare(url: str) -> Any:
    """A new database with the communes, the catalogue and 20,000 employees; the application."""
    _recreate(url)
    os.environ["DATABASE_URL"] = url
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        load_communes()
        seed_catalogue()
        db.session.execute(sa.insert(User), [
            {"email": f"bench-{n}@{DOMAIN}", "first_name": "Bench", "last_name": str(n)} for n in range(EMPLOYEES)])
        db.session.commit()
    return app


def _forget() -> None:
    """Everything a sync stored, so that the next one is a first sync again."""
    for model in (SyncProblem, SyncTableReport, SyncRun, Watermark, AssetTransfer, Intervention, ItsmAsset):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.delete(Asset).where(Asset.sys_id.is_not(None)))
    db.session.execute(sa.delete(ItsmLocation))
    db.session.execute(sa.delete(ItsmModel))
    db.session.execute(sa.delete(Site).where(Site.code.like("SN-%")))
    db.session.commit()


def _sync(settings: ItsmSettings) -> SyncRun:
    run = sync.run_sync(settings, checkpoint=db.session.commit, tables=TABLES)
    if run.status != "completed":
        raise SystemExit(f"the sync ended {run.status}: {run.error_code} {run.error_params}")
    return run


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _counts(run: SyncRun) -> dict[str, tuple[int, int, int, int, int]]:
    return {row.table_name: (row.read, row.created, row.updated, row.unchanged, row.rejected) for row in run.tables}


def bench_database(url: str, pipe: Pipe, instance: str, args: argparse.Namespace) -> dict[str, Any]:
    """The three measures on one database."""
    app = _prepare(url)
    settings = ItsmSettings(connection=Connection(instance, "portal.integration", "correct-Horse-7"),
                            page_size=args.page_size)
    figures: dict[str, Any] = {"database": sa.make_url(url).get_backend_name()}
    with app.app_context():
        pipe.send(("load", args.assets // 10, args.interventions // 10, args.transfers // 10))
        pipe.recv()
        figures["peak_small_mib"] = _peak_mib(lambda: _sync(settings))
        _forget()
        pipe.send(("load", args.assets, args.interventions, args.transfers))
        pipe.recv()
        figures["first_s"], run = _timed(lambda: _sync(settings))
        figures["first"] = _counts(run)
        figures["requests"] = sum(row.requests for row in run.tables)
        pipe.send(("change", args.changes))
        pipe.recv()
        figures["incremental_s"], run = _timed(lambda: _sync(settings))
        figures["incremental"] = _counts(run)
        figures["incremental_requests"] = sum(row.requests for row in run.tables)
        _forget()
        figures["peak_large_mib"] = _peak_mib(lambda: _sync(settings))
        db.session.remove()
        db.engine.dispose()
    return figures


def _report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    """A section of BENCHMARKS.md, as the one written by hand for the first run."""
    lines = [
        "",
        report.heading(f"{', '.join(r['database'] for r in results)}, one sync process"),
        "",
        f"{report.machine()} Load average at the end: {report.load_average()}. {args.assets:,} assets, "
        f"{args.interventions:,} interventions, {args.transfers:,} transfers, pages of {args.page_size:,}.",
        "",
        f"| database | first sync | incremental sync of {args.changes} changes | peak Python memory, first sync "
        f"at {args.assets // 10:,} / {args.assets:,} assets |",
        "|---|---|---|---|",
    ]
    for figures in results:
        lines.append(
            f"| {figures['database']} | {figures['first_s']:.1f} s ({figures['requests']} requests) "
            f"| {figures['incremental_s']:.2f} s ({figures['incremental_requests']} requests, "
            f"{figures['incremental']['alm_hardware'][2]} updated) "
            f"| {figures['peak_small_mib']:.1f} MiB / {figures['peak_large_mib']:.1f} MiB |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=60_000)
    parser.add_argument("--interventions", type=int, default=3_000)
    parser.add_argument("--transfers", type=int, default=1_000)
    parser.add_argument("--changes", type=int, default=600)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--databases", nargs="+", default=[SQLITE, POSTGRES])
    parser.add_argument("--write", action="store_true", help="append the figures to BENCHMARKS.md")
    args = parser.parse_args()
    (ROOT / "instance").mkdir(exist_ok=True)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    instance = ours.recv()
    results = []
    try:
        for url in args.databases:
            figures = bench_database(url, ours, instance, args)
            print(figures, flush=True)
            results.append(figures)
    finally:
        ours.send(("stop",))
        server.join(timeout=10)
    section = _report(results, args)
    print(section)
    failures = [f"{r['database']}: first sync {r['first_s']:.1f} s" for r in results
                if r["first_s"] > FIRST_SYNC_TARGET_S]
    failures += [f"{r['database']}: incremental {r['incremental_s']:.2f} s" for r in results
                 if r["incremental_s"] > INCREMENTAL_TARGET_S]
    if args.write:
        report.append(section)
    if failures:
        raise SystemExit("targets missed: " + "; ".join(failures))


if __name__ == "__main__":
    main()

"""How long a collection-point search takes: `python bench/locator_nearest.py` (target: < 5 ms a query).

Two measures, each the median and the worst of many runs per query:
- the search itself (commune matching or position, distance to the 28 points, opening status of each,
  filters, sort), on points already loaded;
- the whole service path of a request on a scratch SQLite database: loading the points and the communes
  (two queries), then the search.
Run it on the target machine; figures drift between machines and runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.locator import exchange, services  # noqa: E402
from portal.locator.hours import PARIS  # noqa: E402
from portal.models import db  # noqa: E402
from portal.org.services import load_communes  # noqa: E402

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)
QUERIES: list[tuple[str, dict[str, object]]] = [
    ("begles", {"query": "begles"}),
    ("Begle (prefix)", {"query": "Begle"}),
    ("st medard", {"query": "st medard"}),
    ("Merignak (typo)", {"query": "Merignak"}),
    ("33130 (postcode)", {"query": "33130"}),
    ("xyzzy (no match: suggestions)", {"query": "xyzzy"}),
    ("position + laptop + open now", {"position": (44.8378, -0.5792), "item": "laptop", "open_now": True}),
    ("work site, every point", {"position": (44.8016, -0.5478)}),
]
RUNS = 300


def search(points, communes, spec: dict[str, object]) -> list[services.PointResult]:
    """What /collection-points does with what it has loaded."""
    if "query" in spec:
        origin = services.locate_place(str(spec["query"]), communes, points).origin
        if origin is None:
            return []
    else:
        lat, lon = spec["position"]  # type: ignore[misc]
        origin = services.Origin(lat, lon, "position")
    return services.nearest_points(
        points, origin, now=NOW, item=spec.get("item"), open_now=bool(spec.get("open_now"))
    )  # type: ignore[arg-type]


def timed(action: Callable[[], object]) -> tuple[float, float]:
    action()  # warm-up (caches, first query compilation)
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.db", "SECRET_KEY": "bench", "TESTING": True}
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(revision="heads")
            load_communes()
            exchange.import_points(exchange.packaged_rows())
            db.session.commit()
            points, communes = services.active_points(), services.all_communes()
            print(f"{len(points)} points, {len(communes)} communes, {RUNS} runs per query (milliseconds)")
            print(f"{'query':34} {'search median':>14} {'max':>7} {'with SQL median':>16} {'max':>7}")
            worst = 0.0
            for label, spec in QUERIES:
                pure_median, pure_max = timed(lambda spec=spec: search(points, communes, spec))

                def full(spec: dict[str, object] = spec) -> None:
                    db.session.remove()  # a fresh session, as for each request
                    search(services.active_points(), services.all_communes(), spec)

                sql_median, sql_max = timed(full)
                worst = max(worst, sql_median)
                print(f"{label:34} {pure_median:14.3f} {pure_max:7.3f} {sql_median:16.3f} {sql_max:7.3f}")
            print(f"slowest median with SQL: {worst:.2f} ms – target < 5 ms: {'OK' if worst < 5 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()

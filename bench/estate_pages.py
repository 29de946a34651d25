"""Benchmark: the application time of each estate page against the portal's floor, in the same process.

    DATABASE_URL=... .venv/bin/python -m bench.estate_pages [--requests 30] [--write]

Run after `bench.estate_snapshot` (the pages read its snapshots). Logged in as the demo admin through the real
login form; every page is requested once per round, N rounds after a first one not counted, one request at a
time, and its `Server-Timing` app time read (no queueing).
Target: every estate page ≤ 2 × the floor's median.
"""

from __future__ import annotations

import argparse
import re
import statistics

from bench import report
from bench.floor import app
from portal.demo.services import DEMO_PASSWORD

PAGES = (
    "/bench-floor",
    "/estate",
    "/estate?convention=acquisition",
    "/estate/units",
    "/estate/units?sort=total",
    "/estate/sites",
    "/estate/categories",
    "/estate/devices",
    "/estate/devices?show=past_lifetime",
    "/estate/trips",
    "/estate/method",
    "/estate/settings",
)


def app_time(response) -> float:  # noqa: ANN001 - a test client response
    return float(re.search(r"dur=([\d.]+)", response.headers["Server-Timing"]).group(1))  # type: ignore[union-attr]


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": "admin@demo.example", "password": DEMO_PASSWORD, "csrf_token": token})
    # Round robin: each round requests every page once, so a burst of load from elsewhere on the machine falls on
    # the floor and the pages alike (the first round, which compiles statements and fills caches, is not counted).
    times: dict[str, list[float]] = {path: [] for path in PAGES}
    for round_number in range(args.requests + 1):
        for path in PAGES:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"page failed: {(path, response.status_code)}")
            if round_number:
                times[path].append(app_time(response))
    results = {}
    for path, measured in times.items():
        measured.sort()
        results[path] = (statistics.median(measured), measured[max(0, int(len(measured) * 0.95) - 1)])
    floor = results["/bench-floor"][0]
    rows = "\n".join(
        f"| `{path}` | {median:.1f} ms | {p95:.1f} ms | {median / floor:.1f} × |"
        for path, (median, p95) in results.items()
    )
    section = (
        f"\n{report.heading(f'estate pages, app time ({args.requests} rounds)')}\n\n"
        f"| page | median | p95 | vs floor |\n|---|---|---|---|\n{rows}\n"
    )
    print(section)
    if args.write:
        report.append(section)


if __name__ == "__main__":
    main()

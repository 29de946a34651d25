"""`python -m bench.load`: serve the generated data with gunicorn and measure each page.

For every page: the application's own time (Server-Timing header, sequential requests: no queueing),
then wrk with 32 connections (throughput, p50/p95/p99 latency, errors), and the same wrk run against a
Flask hello-world and a 50-row template page served the same way, for the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": ["/"],
    "catalogue (filtered)": [
        "/catalogue?category=laptop&label=A&label=B&sort=price",
        "/catalogue?category=monitor&refurbished=no&sort=annualised&page=2",
    ],
    "catalogue item": ["/catalogue/{item}"],
    "my footprint": ["/me/footprint"],
    "my orders": ["/orders"],
    "my messages": ["/messages"],
    "campaign": ["/campaigns/{campaign}"],
    "campaign leaderboard": ["/campaigns/{campaign}/leaderboard"],
    "campaign results": ["/campaigns/{campaign}/results"],
    "campaign summary": ["/campaigns/{campaign}/summary"],
    "collection points (search)": ["/collection-points?q=begles", "/collection-points?q=33600"],
}


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], workers: int, threads: int = 1):
    """A gunicorn server for the duration of the block (sync workers, or gthread with `threads` > 1)."""
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "-w",
        str(workers),
        *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else []),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz" if "wsgi" in app else "/hello")
                if connection.getresponse().status in (200, 503):
                    break
            except OSError:
                time.sleep(0.3)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a loaded machine: the measurements are taken, do not lose them
            process.kill()
            process.wait()


def login(port: int, email: str, password: str) -> str:
    """Log in through the form; returns the session cookie header value."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login")
    response = connection.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    connection.request(
        "POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    )
    response = connection.getresponse()
    response.read()
    if response.status != 303:
        raise RuntimeError(f"login failed for {email}: {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _database_backends(database: str) -> list[int]:
    """PostgreSQL: the server processes serving the bench database (on this machine), else none."""
    if not database.startswith("postgresql"):
        return []
    import sqlalchemy as sa

    engine = sa.create_engine(database)
    with engine.connect() as connection:
        pids = connection.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        ).scalars()
        found = list(pids)
    engine.dispose()
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def server_times(
    port: int, paths: list[str], cookies: list[str], count: int, *, master: int, database: str
) -> tuple[float, float, float]:
    """p50 and p95 of the Server-Timing of `count` sequential requests, and the CPU time each request cost the
    server (its gunicorn workers and, on PostgreSQL, the database's server processes): unlike times and
    throughputs, CPU time hardly moves with what else the machine runs."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    values = []
    for n in range(min(count, 20)):  # warm-up: connections opened, caches filled
        connection.request("GET", paths[n % len(paths)], headers={"Cookie": cookies[n % len(cookies)]})
        connection.getresponse().read()
    pids = _children(master) + _database_backends(database)
    cpu_before = _cpu_seconds(pids)
    for n in range(count):
        connection.request("GET", paths[n % len(paths)], headers={"Cookie": cookies[n % len(cookies)]})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{paths[n % len(paths)]} answered {response.status}")
        values.append(float(re.search(r"dur=([\d.]+)", response.getheader("Server-Timing")).group(1)))
    cpu_ms = (_cpu_seconds(pids) - cpu_before) * 1000 / count
    quantiles = statistics.quantiles(values, n=20)
    return statistics.median(values), quantiles[18], cpu_ms


def wrk(port: int, paths: list[str], cookies: list[str], *, duration: int, connections: int) -> dict[str, float]:
    """One wrk run; parses the RESULT line of wrk_report.lua."""
    env = {**os.environ, "BENCH_PATHS": "|".join(paths), "BENCH_COOKIES": "|".join(cookies)}
    output = subprocess.run(  # noqa: S603 - fixed command
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "-s",
            str(ROOT / "bench/wrk_report.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    return {key: float(value) for key, value in (pair.split("=") for pair in line.split()[1:])}


def main() -> None:
    """Command line: measure, print a Markdown report (and append it to BENCHMARKS.md with --write)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="more than 1: gthread workers")
    parser.add_argument("--only", action="append", help="measure only these pages (repeatable)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per page (app and CPU time)")
    parser.add_argument(
        "--floor-each",
        action="store_true",
        help="measure the floor again just before each page, and compare the page with that floor (for a "
        "machine whose load changes during the run)",
    )
    parser.add_argument("--write", action="store_true", help="append the report to BENCHMARKS.md")
    args = parser.parse_args()
    database = os.environ["DATABASE_URL"]
    env = {**os.environ, "SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)  # noqa: S311 - which employees log in
    rows = []
    load_before = os.getloadavg()
    servers = (
        gunicorn("wsgi:app", 8731, env, args.workers, args.threads),
        gunicorn("bench.baseline:app", 8732, env, args.workers, args.threads),
    )
    with servers[0] as portal, servers[1]:
        item, campaign, emails = _bench_subjects(database, rng, args.sessions)
        cookies = [login(8731, email, "demo1234") for email in emails]
        baselines = {
            "hello": wrk(8732, ["/hello"], [], duration=args.duration, connections=args.connections),
            "rows": wrk(8732, ["/rows"], [], duration=args.duration, connections=args.connections),
        }
        # The portal's own floor, with the same sessions (same secret key, same database), on its own port.
        with gunicorn("bench.floor:app", 8733, env, args.workers, args.threads) as floor_server:
            floor_cookies = [login(8733, email, "demo1234") for email in emails]

            def floor() -> dict[str, float]:
                return wrk(8733, ["/bench-floor"], floor_cookies, duration=args.duration, connections=args.connections)

            baselines["floor"] = floor()
            times = server_times(
                8733, ["/bench-floor"], floor_cookies, args.requests, master=floor_server, database=database
            )
            baselines["floor"]["app_p50"], baselines["floor"]["app_p95"], baselines["floor"]["cpu_ms"] = times
            for name, paths in PAGES.items():
                if args.only and name not in args.only:
                    continue
                paths = [p.format(item=item, campaign=campaign) for p in paths]
                adjacent = floor() if args.floor_each else baselines["floor"]
                p50, p95, cpu_ms = server_times(8731, paths, cookies, args.requests, master=portal, database=database)
                result = wrk(8731, paths, cookies, duration=args.duration, connections=args.connections)
                result["floor_rps"], result["cpu_ms"] = adjacent["rps"], cpu_ms
                rows.append((name, p50, p95, result))
    args.load = (load_before, os.getloadavg())
    section = _report(rows, baselines, database, args)
    print(section)
    if args.write:
        report.append(section)


def _bench_subjects(database: str, rng: random.Random, sessions: int) -> tuple[int, int, list[str]]:
    """A laptop's id, the generated campaign's id, and `sessions` generated employees who take part in it
    and have messages in their inbox (so that every page shows real data)."""
    import sqlalchemy as sa

    from bench.activity import CAMPAIGN_NAME

    engine = sa.create_engine(database)
    with engine.connect() as connection:
        item = connection.execute(sa.text("SELECT min(id) FROM catalogue_item WHERE category = 'laptop'")).scalar_one()
        campaign = connection.execute(
            sa.text("SELECT id FROM campaign WHERE name = :name"), {"name": CAMPAIGN_NAME}
        ).scalar_one()
        emails = (
            connection.execute(
                sa.text(
                    'SELECT u.email FROM "user" u JOIN campaign_participation p ON p.user_id = u.id '
                    "WHERE p.campaign_id = :campaign AND p.left_at IS NULL AND u.email LIKE '%@load.example' "
                    "AND EXISTS (SELECT 1 FROM message_recipient r WHERE r.user_id = u.id) ORDER BY u.email"
                ),
                {"campaign": campaign},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return item, campaign, rng.sample(list(emails), sessions)


def _report(rows, baselines, database: str, args) -> str:  # noqa: ANN001
    hello, template, floor = baselines["hello"], baselines["rows"], baselines["floor"]
    backend = database.split(":", 1)[0]
    workers = f"{args.workers} sync workers"
    if args.threads > 1:
        workers = f"{args.workers} gthread workers × {args.threads} threads"
    before, after = args.load
    lines = [
        report.heading(f"{backend}, gunicorn {workers}, wrk -t2 -c{args.connections} -d{args.duration}s"),
        "",
        f"{report.machine()} Load average (1, 5, 15 min) at the start {before[0]:.2f} {before[1]:.2f} "
        f"{before[2]:.2f}, at the end {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}.",
        "",
        f"Baselines in the same run: Flask hello-world {hello['rps']:.0f} req/s (p95 {hello['p95']:.1f} ms); "
        f"50-row template page {template['rps']:.0f} req/s (p95 {template['p95']:.1f} ms); "
        f"the portal's floor, a logged-in page with no content of its own (`bench/floor.py`): app time p50 "
        f"{floor['app_p50']:.1f} ms, CPU {floor['cpu_ms']:.2f} ms per request, "
        f"{floor['rps']:.0f} req/s (p50 {floor['p50']:.1f} ms, p95 {floor['p95']:.1f} ms, "
        f"errors {floor['errors']:.0f}).",
        "",
        "| page | app time p50 | app time p95 | req/s | p50 | p95 | p99 | errors | vs hello | vs 50-row page "
        "| vs floor | CPU per request | vs floor, CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    if args.floor_each:
        lines[-2] = lines[-2].replace("| vs floor |", "| floor req/s just before | vs floor |", 1)
        lines[-1] += "---|"
    for name, p50, p95, r in rows:
        adjacent = f"{r['floor_rps']:.0f} | " if args.floor_each else ""
        lines.append(
            f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {r['rps']:.0f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms "
            f"| {r['p99']:.1f} ms | {r['errors']:.0f} | {r['rps'] / hello['rps']:.2f} "
            f"| {r['rps'] / template['rps']:.2f} | {adjacent}{r['rps'] / r['floor_rps']:.2f} "
            f"| {r['cpu_ms']:.2f} ms | {floor['cpu_ms'] / r['cpu_ms']:.2f} |"
        )
    lines.append("")
    lines.append(
        f"App time: the Server-Timing header of {args.requests} sequential requests (no queueing); the other columns "
        "are wrk's, with every connection busy. *vs floor*: the page's throughput as a share of the floor's, "
        "the ratio that moves least from one run or machine to the next. *CPU per request*: the CPU time the "
        "server's processes (gunicorn workers; PostgreSQL's backends on this machine) spent per sequential "
        "request; *vs floor, CPU*: the floor's CPU per request over the page's, the throughput the page would "
        "reach as a share of the floor's on CPU-bound cores, and the ratio least moved by other work on the "
        "machine."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

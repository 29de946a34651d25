"""The committed EcoIndex file (portal/main/data/ecoindex.json): which addresses it must cover, and how the
every-page browser test rewrites it (`PORTAL_WRITE_ECOINDEX=1 .venv/bin/pytest tests/e2e/test_every_page.py`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from datetime import datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from portal.main.statements import EcoIndexReport, NotMeasured, PageMeasure, write_ecoindex_report

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from tests.e2e.helpers import EcoIndex

REFRESH_COMMAND = "PORTAL_WRITE_ECOINDEX=1 .venv/bin/pytest tests/e2e/test_every_page.py"
METHOD = {
    "name": "EcoIndex",
    "reference": "http://www.ecoindex.fr/",
    "formula": "EcoIndex = 100 - 5 × (3 × Q(DOM elements) + 2 × Q(requests) + Q(size in KB)) / 6, where Q is the "
    "position of the value among the quantiles of the HTTP Archive pages",
    "grades": "A > 80, B > 70, C > 55, D > 40, E > 25, F > 10, else G",
    "ghg_gco2e_per_view": "2 + 2 × (50 - EcoIndex) / 100",
    "measurement": "each page loaded once in Chromium with the browser cache disabled, with the demo data, as the "
    "least privileged demo account that may open it; DOM elements outside SVG; requests and bytes transferred "
    "(headers included, compressed) as Chromium reports them",
}


def page_endpoints(app: Flask) -> set[str]:
    """The endpoints the every-page test considers: every GET address but static files and NOT_PAGES."""
    from tests.e2e.test_every_page import NOT_PAGES  # imported late: that module imports this one

    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and "GET" in (rule.methods or ()) and rule.endpoint not in NOT_PAGES
    }


def _axe_core_version() -> str:
    import axe_playwright_python

    header = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")[:200]
    found = re.search(r"axe v(\d+\.\d+\.\d+)", header)
    return found.group(1) if found else "unknown"


def _ghg_gco2e(score: float) -> Decimal:
    """EcoIndex's own estimate per page view, from the installed ecoindex-compute (async: run in a thread)."""
    from ecoindex.compute.ecoindex import get_greenhouse_gases_emmission

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        value = pool.submit(asyncio.run, get_greenhouse_gases_emmission(score)).result()
    return Decimal(str(value))


def write_ecoindex_file(app: Flask, page: Page, measured: list[tuple[str, str, str, EcoIndex]],
                        not_measured: dict[str, str]) -> None:
    """Replace the committed file with this run: (role, endpoint, path, EcoIndex) of each measured page, and why
    the other addresses have no row ("not_html", "refused"; any other: nothing of its kind in the demo data)."""
    rows = tuple(
        PageMeasure(endpoint=endpoint, path=path, role=role, dom_nodes=eco.dom_nodes, requests=eco.requests,
                    size_kb=Decimal(f"{eco.size_kb:.1f}"), score=round(eco.score), grade=eco.grade,
                    ghg_gco2e=_ghg_gco2e(eco.score))
        for role, endpoint, path, eco in measured
    )
    missing = page_endpoints(app) - {row.endpoint for row in rows}
    report = EcoIndexReport(
        measured_on=datetime.now(ZoneInfo("Europe/Paris")).date(),
        method=METHOD,
        tools={
            "browser": f"Chromium {page.context.browser.version}",
            "axe_core": _axe_core_version(),
            "ecoindex_compute": metadata.version("ecoindex-compute"),
            "playwright": metadata.version("playwright"),
            "test": "tests/e2e/test_every_page.py",
        },
        pages=rows,
        not_measured=tuple(NotMeasured(endpoint, not_measured.get(endpoint, "no_demo_sample")) for endpoint in missing),
    )
    write_ecoindex_report(report)

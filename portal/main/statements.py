"""What the accessibility and eco-design statements publish: the statement's date and the EcoIndex of every page.

The EcoIndex figures come from `data/ecoindex.json`, written by the browser test that visits every page
(`PORTAL_WRITE_ECOINDEX=1 pytest tests/e2e/test_every_page.py`); this module is the one place that reads and
writes that file, so the test and the pages agree on its format.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import Any

#: The day the accessibility statement was written (RGAA: "Cette déclaration a été établie le…").
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 28)
ECOINDEX_FILE = Path(__file__).resolve().parent / "data" / "ecoindex.json"
#: Why an address of the URL map has no row: a file or an API; nothing of its kind in the demo data; or the demo
#: account the test chose was refused (a page whose access rule lives inside the view).
NOT_MEASURED_REASONS = ("not_html", "no_demo_sample", "refused")


@dataclass(frozen=True)
class PageMeasure:
    """One page as the every-page browser test loaded it: EcoIndex inputs and result."""

    endpoint: str
    path: str
    role: str
    dom_nodes: int
    requests: int
    size_kb: Decimal
    score: int
    grade: str
    ghg_gco2e: Decimal  # EcoIndex's estimate per page view: 2 + 2 × (50 − score) / 100


@dataclass(frozen=True)
class NotMeasured:
    """An address of the URL map without a row, and why."""

    endpoint: str
    reason: str


@dataclass(frozen=True)
class EcoIndexReport:
    """The last run of the every-page browser test: when, with what, and each page's figures."""

    measured_on: date
    method: dict[str, str]
    tools: dict[str, str]
    pages: tuple[PageMeasure, ...]
    not_measured: tuple[NotMeasured, ...] = field(default=())

    @property
    def grade_counts(self) -> dict[str, int]:
        """How many pages got each grade, best grade first."""
        counts: dict[str, int] = {}
        for grade in sorted(page.grade for page in self.pages):
            counts[grade] = counts.get(grade, 0) + 1
        return counts

    @property
    def median_score(self) -> float:
        return float(median(page.score for page in self.pages))

    @property
    def lowest(self) -> PageMeasure:
        return min(self.pages, key=lambda page: (page.score, page.path))

    @property
    def heaviest(self) -> PageMeasure:
        return max(self.pages, key=lambda page: (page.size_kb, page.path))

    @property
    def largest_dom(self) -> PageMeasure:
        return max(self.pages, key=lambda page: (page.dom_nodes, page.path))

    @property
    def most_requests(self) -> PageMeasure:
        return max(self.pages, key=lambda page: (page.requests, page.path))

    def count_not_measured(self, reason: str) -> int:
        return sum(1 for item in self.not_measured if item.reason == reason)

    def to_json(self) -> str:
        """The file's text: stable key order and one page per line block, so a new run reads as a small diff."""
        document: dict[str, Any] = {
            "measured_on": self.measured_on.isoformat(),
            "method": self.method,
            "tools": self.tools,
            "pages": [
                {**asdict(page), "size_kb": float(page.size_kb), "ghg_gco2e": float(page.ghg_gco2e)}
                for page in sorted(self.pages, key=lambda page: page.path)
            ],
            "not_measured": [asdict(item) for item in sorted(self.not_measured, key=lambda item: item.endpoint)],
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def report_from_json(text: str) -> EcoIndexReport:
    """Parse the file's text (numbers as Decimal where they are shown with decimals)."""
    document = json.loads(text)
    return EcoIndexReport(
        measured_on=date.fromisoformat(document["measured_on"]),
        method=dict(document["method"]),
        tools=dict(document["tools"]),
        pages=tuple(
            PageMeasure(
                endpoint=row["endpoint"],
                path=row["path"],
                role=row["role"],
                dom_nodes=int(row["dom_nodes"]),
                requests=int(row["requests"]),
                size_kb=Decimal(str(row["size_kb"])),
                score=int(row["score"]),
                grade=str(row["grade"]),
                ghg_gco2e=Decimal(str(row["ghg_gco2e"])),
            )
            for row in document["pages"]
        ),
        not_measured=tuple(NotMeasured(row["endpoint"], row["reason"]) for row in document.get("not_measured", ())),
    )


@lru_cache(maxsize=4)
def _read(path: str, modified_ns: int) -> EcoIndexReport:
    return report_from_json(Path(path).read_text(encoding="utf-8"))


def ecoindex_report(path: Path = ECOINDEX_FILE) -> EcoIndexReport:
    """The committed measurements, read once per version of the file."""
    return _read(str(path), path.stat().st_mtime_ns)


def write_ecoindex_report(report: EcoIndexReport, path: Path = ECOINDEX_FILE) -> None:
    """Replace the file with a new run's measurements."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.to_json(), encoding="utf-8")

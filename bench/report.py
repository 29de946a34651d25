"""The benchmarks' reports: a dated section, the machine it ran on, appended to BENCHMARKS.md with `--write`."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def heading(title: str) -> str:
    """A section's heading: `### YYYY-MM-DD HH:MM – title` (UTC)."""
    return f"### {datetime.now(UTC):%Y-%m-%d %H:%M} – {title}"


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes, as `0.52 0.61 0.70` (`?` where unknown)."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def machine() -> str:
    """Where the figures were measured: `Machine: x86_64, 2 cores, Python 3.11.2, Linux-6.1…`."""
    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}."
    )


def append(section: str) -> None:
    """Add a section at the end of BENCHMARKS.md, after a blank line."""
    with BENCHMARKS.open("a", encoding="utf-8") as handle:
        handle.write("\n" + section.strip("\n") + "\n")

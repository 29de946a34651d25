"""`python -m bench.ecoindex_table`: the EcoIndex of every page as a Markdown table, for BENCHMARKS.md.

Reads portal/main/data/ecoindex.json, which the every-page browser test rewrites when run with
PORTAL_WRITE_ECOINDEX=1 (the same figures the /eco-design page publishes).
"""

from __future__ import annotations

import json
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "portal" / "main" / "data" / "ecoindex.json"


def table(data: dict) -> str:
    pages = sorted(data["pages"], key=lambda p: (p["score"], p["path"]))
    lines = [
        f"Measured on {data['measured_on']} by `{data['tools']['test']}` ({data['tools']['browser']}, "
        f"ecoindex {data['tools']['ecoindex_compute']}), {len(pages)} pages, lowest score first; "
        f"grades {data['method']['grades']}.",
        "",
        "| page | path | visited as | DOM elements | requests | KB | EcoIndex | grade | gCO₂e/view |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in pages:
        lines.append(
            f"| {p['endpoint']} | `{p['path']}` | {p['role']} | {p['dom_nodes']} | {p['requests']} | "
            f"{p['size_kb']:.1f} | {p['score']} | {p['grade']} | {p['ghg_gco2e']:.2f} |"
        )
    skipped = ", ".join(f"{n['endpoint']} ({n['reason'].replace('_', ' ')})" for n in data.get("not_measured", []))
    if skipped:
        lines += ["", f"Not measured (not an HTML page, or refused to every demo account): {skipped}."]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(json.loads(SOURCE.read_text(encoding="utf-8"))))

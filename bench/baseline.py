"""Reference apps measured in the same run as the portal: Flask hello-world and a 50-row template page."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask, render_template_string

# In the project's instance/ folder (as the benchmark's own database), not at a fixed name in the shared /tmp.
DB = Path(os.environ.get("BASELINE_DB") or Path(__file__).resolve().parent.parent / "instance" / "bench-baseline.db")
ROWS_TEMPLATE = """<!doctype html><html lang="en"><head><title>rows</title></head><body><table>
{% for row in rows %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td><td>{{ row[2] }}</td></tr>{% endfor %}
</table></body></html>"""


def _prepare() -> None:
    DB.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(DB) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, name TEXT, value REAL)")
        if not connection.execute("SELECT count(*) FROM item").fetchone()[0]:
            connection.executemany(
                "INSERT INTO item (name, value) VALUES (?, ?)", [(f"item {n}", n * 1.5) for n in range(1000)]
            )


_prepare()
app = Flask(__name__)
template = app.jinja_env.from_string(ROWS_TEMPLATE)  # compiled once, like the portal's cached templates


@app.get("/hello")
def hello() -> str:
    return "Hello, World!"


@app.get("/rows")
def rows() -> str:
    with sqlite3.connect(DB) as connection:
        data = connection.execute("SELECT id, name, value FROM item ORDER BY id LIMIT 50").fetchall()
    return template.render(rows=data)


__all__ = ["app", "render_template_string"]

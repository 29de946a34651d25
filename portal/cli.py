"""Command-line groups of every domain: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach each domain's command group."""
    from portal.accounts.cli import users
    from portal.demo.cli import demo

    app.cli.add_command(users)
    app.cli.add_command(demo)

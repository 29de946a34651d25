"""Command-line groups of every domain: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

from flask import Flask

from portal.domains import domain_modules


def init_app(app: Flask) -> None:
    """Attach each domain's command groups (the `commands` list of its cli module)."""
    from portal.demo.cli import demo

    app.cli.add_command(demo)
    for module in domain_modules("cli"):
        for command in getattr(module, "commands", ()):
            app.cli.add_command(command)

"""The portal's floor, measured in the same run as its pages: a logged-in page with nothing of its own.

`app` is the real portal (same configuration, extensions, login, CSRF, menu with its unread count, base
template, security headers, compression) plus one page, `/bench-floor`, whose content is one paragraph and
which runs no query of its own. What every real page costs above it is the page's own work; what it costs
itself is the fixed price of a logged-in page of this stack on this machine.
"""

from __future__ import annotations

from flask import render_template

from portal import create_app

FLOOR_TEMPLATE = (
    '{% extends "base.html" %}{% block title %}Floor{% endblock %}{% block content %}<p>Floor.</p>{% endblock %}'
)

app = create_app()
_template = app.jinja_env.from_string(FLOOR_TEMPLATE)  # compiled once, like the portal's file templates


@app.get("/bench-floor")
def floor() -> str:
    return render_template(_template)

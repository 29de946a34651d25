"""Static files: content-hashed URLs served as immutable for a year; plain URLs keep the default."""

from __future__ import annotations

import re


def test_pages_link_static_files_by_content_and_browsers_keep_them(client):
    html = client.get("/login").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/css/portal\.css\?v=[0-9a-f]{12})"', html)
    assert stylesheet is not None
    response = client.get(stylesheet.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable and response.cache_control.public


def test_the_version_changes_with_the_content(app, tmp_path):
    css = tmp_path / "x.css"
    css.write_text("a{}")
    original, app.static_folder = app.static_folder, str(tmp_path)
    try:
        with app.test_request_context("/"):
            from flask import url_for

            first = url_for("static", filename="x.css")
        css.write_text("b{}  ")
        with app.test_request_context("/"):
            second = url_for("static", filename="x.css")
    finally:
        app.static_folder = original
    assert first != second and first.startswith("/static/x.css?v=")


def test_unversioned_and_missing_files(client):
    plain = client.get("/static/css/portal.css")
    assert plain.status_code == 200 and not plain.cache_control.immutable
    assert client.get("/static/nothing.css?v=abc").status_code in (302, 404)

"""Render a full page or just the fragment htmx asked for, from the same templates."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def render(page_template: str, fragment_template: str, /, **context: Any) -> Response:
    """The page for a normal request, the fragment it includes for an htmx request; Vary: HX-Request."""
    is_fragment = bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]
    response = make_response(render_template(fragment_template if is_fragment else page_template, **context))
    response.vary.add("HX-Request")
    return response

"""Render a full page or just the fragment htmx asked for, from the same templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, make_response, render_template, request
from markupsafe import Markup


def render(page_template: str, fragment_template: str, /, **context: Any) -> Response:
    """The page for a normal request, the fragment it includes for an htmx request; Vary: HX-Request."""
    response = make_response(render_template(fragment_template if _wants_fragment() else page_template, **context))
    response.vary.add("HX-Request")
    return response


def retarget(response: Response, selector: str) -> Response:
    """Tell htmx where the answer goes (`HX-Retarget`, swapped as outerHTML) whichever element's request it was:
    on a page where several widgets of one form send requests, an answer never lands in another's place."""
    response.headers["HX-Retarget"] = selector
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def render_prerendered(
    page_template: str, fragment: Markup, /, page_context: Callable[[], dict[str, Any]] | None = None, **context: Any
) -> Response:
    """`render` for a fragment rendered already (kept by a cache): the page template shows it as `fragment`;
    `page_context()`, what only the whole page needs, is not computed for an htmx request."""
    if _wants_fragment():
        response = make_response(fragment)
    else:
        page = page_context() if page_context is not None else {}
        response = make_response(render_template(page_template, fragment=fragment, **page, **context))
    response.vary.add("HX-Request")
    return response


def _htmx_headers() -> Any:
    """htmx-flask's reading of the HX-* headers (`request.htmx`: false when htmx did not send the request)."""
    return getattr(request, "htmx", None)


def is_htmx_request() -> bool:
    """htmx sent the request (its HX-Request header)."""
    return bool(_htmx_headers())


def _wants_fragment() -> bool:
    headers = _htmx_headers()
    return bool(headers) and not headers.boosted

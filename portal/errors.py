"""Error pages in the user's language; no stack trace outside debug."""

from __future__ import annotations

from itertools import chain

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not yours to see.")),
    405: (_l("Method not allowed"), _l("This action cannot be done this way.")),
    413: (_l("File too large"), _l("The file you sent is larger than the portal accepts. Send a smaller file.")),
    422: (_l("Invalid data"), _l("Some of the data sent is not valid.")),
    429: (
        _l("Too many attempts"),
        _l("You have made too many attempts in a short time. Wait a minute, then try again."),
    ),
    500: (_l("Something went wrong"), _l("The portal could not finish this request. Try again in a moment.")),
    503: (_l("Service unavailable"), _l("The portal is temporarily unavailable. Try again in a moment.")),
}


def _page(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    template = "errors/_error.html" if getattr(request, "htmx", False) else "errors/error.html"
    return render_template(template, code=code, title=title, message=detail or message), code


#: What no text the portal stores may hold: PostgreSQL refuses it in a text column.
NULL_CHARACTER = "\x00"


def _refuse_null_characters() -> tuple[str, int] | None:
    """A form or address holding a null character (pasted from a binary file, or forged) is refused with words,
    before any view could try to store it."""
    sent = request.args.items(multi=True)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = chain(sent, request.form.items(multi=True))
    if any(NULL_CHARACTER in value for _name, value in sent):
        return _page(
            400, str(_l("The data sent contains a null character, which no text can hold. Remove it and try again."))
        )
    return None


def init_app(app: Flask) -> None:
    """Register handlers for every HTTP error and for CSRF failures; refuse null characters in what is sent.

    Unhandled exceptions reach the HTTPException handler as a 500 after Flask has logged them
    (and are re-raised instead in debug and testing, so no trace is ever shown to a user).
    """

    app.before_request(_refuse_null_characters)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return _page(400, str(_l("Your form has expired or was sent from elsewhere. Reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return _page(error.code)

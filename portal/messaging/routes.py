"""Every employee's pages: my messages, one message, my e-mail preferences."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import User
from portal.htmx import render
from portal.messaging import bp, inbox
from portal.messaging.display import CATEGORY_NAMES, category_names
from portal.messaging.forms import PreferencesForm
from portal.messaging.models import NON_ESSENTIAL_CATEGORIES
from portal.models import db, utcnow
from portal.pagination import requested_page


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/messages", endpoint="inbox")
def inbox_page() -> Response:
    """My messages, newest first, filtered by category; htmx swaps the list when the filter changes."""
    filters = inbox.InboxFilters.from_args(request.args)
    page = requested_page(inbox.inbox_statement(_me(), category=filters.category or None), rows=True)
    return render(
        "messaging/inbox.html",
        "messaging/_inbox_results.html",
        page=page,
        filters=filters,
        categories=category_names(),
    )


@bp.get("/messages/<int:message_id>")
def message(message_id: int) -> str:
    """One of my messages, as personalised for me; opening it marks it read. Someone else's: 404."""
    mine = inbox.open_message(_me(), message_id, now=utcnow())
    if mine is None:
        abort(404)
    db.session.commit()
    return render_template("messaging/message.html", mine=mine, categories=CATEGORY_NAMES)


@bp.get("/me/preferences")
def preferences() -> str:
    """Which messages I also receive by e-mail."""
    form = PreferencesForm(categories=sorted(inbox.email_categories_wanted(_me())))
    return _preferences_page(form)


def _preferences_page(form: PreferencesForm) -> str:
    form.categories.choices = [SelectChoice(c, CATEGORY_NAMES[c]) for c in NON_ESSENTIAL_CATEGORIES]
    return render_template("messaging/preferences.html", form=form, categories=CATEGORY_NAMES)


@bp.post("/me/preferences")
def save_preferences() -> Response | tuple[str, int]:
    """Save my e-mail preferences (the portal inbox always gets every message)."""
    form = PreferencesForm()
    form.categories.choices = [SelectChoice(c, CATEGORY_NAMES[c]) for c in NON_ESSENTIAL_CATEGORIES]
    if not form.validate_on_submit():
        return _preferences_page(form), 422
    inbox.set_email_categories(_me(), form.categories.data or [])
    db.session.commit()
    flash(_("Your e-mail preferences are saved."), "success")
    return redirect(url_for("messaging.preferences"), code=303)

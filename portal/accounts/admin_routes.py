"""The admin's pages of the accounts domain: find an employee, deactivate or reactivate an account, sync the
directory."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal.accounts import bp, directory, services
from portal.accounts.display import DIRECTORY_MESSAGES
from portal.accounts.models import Role, User
from portal.csvio import describe
from portal.htmx import render
from portal.models import db, utcnow
from portal.pagination import requested_page
from portal.security import roles_required


@bp.get("/admin/users")
@roles_required(Role.ADMIN.value)
def admin_users() -> Response:
    """Employees, searchable and paginated; the results update as the admin types."""
    query = request.args.get("q", "").strip()[:100]
    statement = services.search_users_statement(query).options(selectinload(User.org_unit), selectinload(User.site))
    page = requested_page(statement)
    return render("accounts/admin_users.html", "accounts/_users_results.html", page=page, query=query)


@bp.post("/admin/users/<int:user_id>/active")
@roles_required(Role.ADMIN.value)
def admin_set_active(user_id: int) -> Response:
    """Deactivate or reactivate an account (an admin cannot deactivate themself)."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, by=current_user._get_current_object())
    except services.AccountError as error:
        flash(error.message(), "error")
    else:
        db.session.commit()
        if active:
            flash(_("%(name)s can log in again.", name=user.full_name), "success")
        else:
            flash(_("%(name)s's account is deactivated: their sessions have ended.", name=user.full_name), "success")
    return redirect(
        url_for("accounts.admin_users", q=request.form.get("q") or None, page=request.form.get("page") or None),
        code=303,
    )


@bp.get("/admin/directory")
@roles_required(Role.ADMIN.value)
def admin_directory() -> str:
    """The directory sync: its settings, the latest run's report and the earlier runs."""
    runs = directory.last_runs()
    latest = runs[0] if runs else None
    report = directory.report_of(latest) if latest and not latest.error else None
    return render_template(
        "accounts/admin_directory.html",
        settings=current_app.extensions.get("portal_directory"),
        runs=runs,
        latest=latest,
        error=directory.run_error(latest) if latest else None,
        report=report,
        rejections=describe(report, DIRECTORY_MESSAGES) if report else [],
    )


@bp.post("/admin/directory")
@roles_required(Role.ADMIN.value)
def admin_directory_sync() -> Response:
    """Run the sync now, or a dry run that changes nothing; its report is shown on the page."""
    run = directory.run_sync(
        current_app.extensions.get("portal_directory"), now=utcnow(), dry_run=request.form.get("dry_run") == "1"
    )
    db.session.commit()
    if run.error:
        flash(_("The directory sync could not run: nothing was changed."), "error")
    elif run.dry_run:
        flash(_("Dry run: this is what a sync would change. Nothing was changed."), "info")
    else:
        flash(_("The accounts now follow the directory."), "success")
    return redirect(url_for("accounts.admin_directory"), code=303)

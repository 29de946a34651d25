"""Login, logout, password change and language choice (the admin pages are in admin_routes)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from portal.accounts import bp, services
from portal.accounts.forms import LanguageForm, LoginForm, PasswordForm
from portal.extensions import limiter
from portal.models import db
from portal.security import public, same_site_path


def _login_email_key() -> str:
    """Rate-limit key: the e-mail tried, whatever the client's address."""
    return "login-email:" + services.normalise_email(request.form.get("email", ""))


def _password_change_account_key() -> str:
    """Rate-limit key: the account whose current password is tried, whatever the client's address."""
    return f"password-change-account:{current_user.id}"


def _failed(response: Response) -> bool:
    """Only failed attempts count towards the limit."""
    return response.status_code != 303


@bp.get("/login")
@public
def login_form() -> str | Response:
    """The login page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=same_site_path(request.args.get("next"), fallback=""))
    return render_template("accounts/login.html", form=form)


@bp.post("/login")
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_email_key, deduct_when=_failed)
def login() -> tuple[str, int] | Response:
    """Check the credentials and open a session."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            session.clear()  # a fresh session on login: no fixation
            login_user(user)
            session["locale"] = user.locale
            # A new CSRF token in the login's own cookie: otherwise the first page after login would add it
            # and send the session cookie again (the old token went with the cleared session).
            g.pop("csrf_token", None)
            generate_csrf()
            return redirect(same_site_path(form.next.data, fallback=url_for("main.home")), code=303)
        form.password.errors = [_("Wrong e-mail address or password.")]
    return render_template("accounts/login.html", form=form), 422


@bp.post("/logout")
def logout() -> Response:
    """End this account's sessions and go back to the login page."""
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login_form"), code=303)


@bp.get("/me/password")
def password_form() -> str:
    """The password change page."""
    return render_template("accounts/password.html", form=PasswordForm())


@bp.post("/me/password")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_password_change_account_key, deduct_when=_failed
)
def change_password() -> tuple[str, int] | Response:
    """Change my password; my other sessions end, this one continues.

    Limited as the login is (per address and per account): the current-password check would otherwise let
    whoever holds an open session try passwords without limit.
    """
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user._get_current_object(), current=form.current.data, new=form.new.data)
        except services.AccountError as error:
            form[error.params["field"]].errors = [error.message()]
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # re-issue this session with the new version
            flash(_("Your password has been changed. Your other sessions have been closed."), "success")
            return redirect(url_for("main.home"), code=303)
    return render_template("accounts/password.html", form=form), 422


@bp.post("/language")
@public
def set_language() -> Response:
    """Switch the interface language (saved on my account when logged in)."""
    form = LanguageForm()
    locale = form.locale.data if form.validate_on_submit() else None
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user._get_current_object(), locale, allowed=current_app.config["LANGUAGES"])
            db.session.commit()
    back = form.next.data or request.referrer and _path_of(request.referrer)
    return redirect(same_site_path(back, fallback=url_for("main.home")), code=303)


def _path_of(url: str) -> str:
    """The path and query of a URL of this site (the Referer), for going back after a switch."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")


from portal.accounts import admin_routes  # noqa: E402,F401  (admin pages register themselves on bp)

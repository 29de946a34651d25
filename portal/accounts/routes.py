"""Login (password or identity provider), logout, password change and language choice (the admin pages are in
admin_routes)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from portal.accounts import bp, oidc, services
from portal.accounts.forms import LanguageForm, LoginForm, PasswordForm
from portal.accounts.models import User
from portal.database import writes_on_get
from portal.extensions import limiter
from portal.models import db, utcnow
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


def _provider() -> oidc.OidcSettings | None:
    """The identity provider's settings, or None when password login is the only way in."""
    return current_app.extensions.get("portal_oidc")


def _provider_name(provider: oidc.OidcSettings | None) -> str:
    return (provider.provider_name or urlsplit(provider.issuer).hostname or "") if provider else ""


def _local_login_mode(provider: oidc.OidcSettings | None) -> str:
    """PORTAL_LOCAL_LOGIN applies once a provider is configured: before, passwords are the only way in."""
    mode = str(current_app.config.get("PORTAL_LOCAL_LOGIN") or "all").lower()
    return mode if provider and mode in services.LOCAL_LOGIN_MODES else "all"


def _login_page(form: LoginForm, status: int = 200, refusal: str = "") -> tuple[str, int]:
    provider = _provider()
    return render_template(
        "accounts/login.html", form=form, provider_name=_provider_name(provider),
        local_login=_local_login_mode(provider), refusal=refusal,
    ), status


def _open_session(user: User, *, id_token: str = "") -> None:
    """A fresh session for this account (no fixation), in its language, with a new CSRF token."""
    session.clear()
    login_user(user)
    session["locale"] = user.locale
    if id_token:
        session["oidc"] = True
        # Kept for the provider's logout (id_token_hint), unless it would make the session cookie too large:
        # the logout then names the client only.
        if len(id_token) <= 1800:
            session["oidc_id_token"] = id_token
    # A new CSRF token in the login's own cookie: otherwise the first page after login would add it
    # and send the session cookie again (the old token went with the cleared session).
    g.pop("csrf_token", None)
    generate_csrf()


@bp.get("/login")
@public
def login_form() -> tuple[str, int] | Response:
    """The login page: the identity provider first when there is one, then the password form if allowed."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return _login_page(LoginForm(next=same_site_path(request.args.get("next"), fallback="")))


@bp.post("/login")
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_email_key, deduct_when=_failed)
def login() -> tuple[str, int] | Response:
    """Check the credentials and open a session."""
    form = LoginForm()
    if form.validate_on_submit():
        provider = _provider()
        mode = _local_login_mode(provider)
        try:
            services.check_local_login(None, mode=mode, provider=_provider_name(provider))
            user = services.authenticate(form.email.data, form.password.data)
            if user is not None:
                services.check_local_login(user, mode=mode, provider=_provider_name(provider))
        except services.AccountError as error:
            db.session.rollback()
            if error.code == "local_login_off":  # no password form to show the error beside
                return _login_page(form, 403, refusal=error.message())
            form.password.errors = [error.message()]
        else:
            if user is not None:
                db.session.commit()
                _open_session(user)
                return redirect(same_site_path(form.next.data, fallback=url_for("main.home")), code=303)
            form.password.errors = [_("Wrong e-mail address or password.")]
    return _login_page(form, 422)


@bp.get("/login/provider")
@public
def provider_login() -> Response:
    """Send the browser to the identity provider (Authorization Code flow with PKCE, state and nonce)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    provider = _provider()
    if provider is None:
        abort(404)
    redirect_uri = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("accounts.provider_callback")
    try:
        url, pending = oidc.begin_sign_in(
            provider, redirect_uri=redirect_uri, next_path=same_site_path(request.args.get("next"), fallback="")
        )
    except oidc.SignInRefused as error:
        flash(error.message(), "error")
        return redirect(url_for("accounts.login_form"))
    session["oidc_pending"] = pending.as_dict()
    return redirect(url)


@bp.get("/login/provider/callback")
@public
@writes_on_get
def provider_callback() -> tuple[str, int] | Response:
    """The identity provider's answer: check it, find the account, open the session."""
    if current_user.is_authenticated:  # already signed in (a second tab, the back button)
        return redirect(url_for("main.home"))
    provider = _provider()
    if provider is None:
        abort(404)
    pending = oidc.PendingSignIn.from_dict(session.pop("oidc_pending", None))
    try:
        identity = oidc.finish_sign_in(provider, pending, request.args)
        user = oidc.account_for(identity, provider, now=utcnow())
    except oidc.SignInRefused as error:
        db.session.rollback()
        return _login_page(LoginForm(), 403, refusal=error.message())
    db.session.commit()
    _open_session(user, id_token=identity.id_token)
    return redirect(same_site_path(pending.next if pending else "", fallback=url_for("main.home")), code=303)


@bp.post("/logout")
def logout() -> Response:
    """End this account's sessions and go back to the login page, through the identity provider's logout when
    the session was opened there (its session ends too)."""
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    locale = session.get("locale")
    signed_in_at_provider, id_token = session.get("oidc", False), session.get("oidc_id_token")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are logged out."), "success")
    provider = _provider()
    if provider and signed_in_at_provider:
        after = current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for("accounts.login_form")
        url = oidc.logout_url(provider, id_token=id_token, after_logout=after)
        if url:
            return redirect(url, code=303)
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
    locale = form.locale.data if form.validate_on_submit() else ""
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

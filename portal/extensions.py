"""Extensions, created unbound; `create_app` binds them."""

from __future__ import annotations

from functools import cached_property

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from portal.i18n import ElidingDomain
from portal.models import db


class _Babel(Babel):
    """Flask-Babel, its `gettext` eliding French names after "de" (portal.wording): d’Ambarès, du Bouscat."""

    @cached_property
    def domain_instance(self) -> ElidingDomain:
        return ElidingDomain(domain=self.domain)


login_manager = LoginManager()
csrf = CSRFProtect()
babel = _Babel()
mail = Mail()
migrate = Migrate()
htmx = Htmx()
# gzip/brotli for pages and static files: htmx alone is 52 KB raw, 16 KB gzipped.
compress = Compress()
# No default limits: only the routes that need one (login) declare it.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = ["babel", "compress", "csrf", "db", "htmx", "limiter", "login_manager", "mail", "migrate"]

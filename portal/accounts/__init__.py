"""Accounts: login, logout, roles, password change and the directory import."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from portal.accounts import routes  # noqa: E402,F401  (routes register themselves on bp)

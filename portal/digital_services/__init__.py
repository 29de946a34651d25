"""Digital services: the catalogue's services with their footprint when used, subscriptions, usage, review."""

from flask import Blueprint

bp = Blueprint("digital_services", __name__)

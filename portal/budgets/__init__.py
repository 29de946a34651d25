"""IT budgets coloured by their footprint: budget lines, planned purchases and their sober variants, carbon
budgets, and what an order does to them."""

from flask import Blueprint

bp = Blueprint("budgets", __name__)

"""The plans' revision upgrades and downgrades on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal.models import db

TABLES = {"plans_plan", "plans_action", "plans_milestone", "plans_measure", "plans_declared_value", "plans_check_in",
          "plans_contributor"}


def test_the_plans_revision_goes_down_and_up(app):
    try:
        downgrade(revision="0018")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
    finally:
        upgrade(revision="heads")
    assert set(sa.inspect(db.engine).get_table_names()) >= TABLES


def test_the_contributors_revision_goes_down_and_up(app):
    try:
        downgrade(revision="0022")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "plans_contributor" not in tables and "plans_action" in tables
        assert "baseline_source" not in {c["name"] for c in sa.inspect(db.engine).get_columns("plans_action")}
    finally:
        upgrade(revision="heads")
    assert "baseline_source" in {c["name"] for c in sa.inspect(db.engine).get_columns("plans_action")}
